//! `culprit bisect`: find the commit that introduced (or fixed) a crash in any git project.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use culprit_driver::{
    Bad, Control, Ending, Error, KernelOptions, Log, Options, OutputProblem, Progress, Summary,
};
use culprit_engine::Policy;

use super::outputs::{self, LateLog, Terminal, absolute};
use super::policy::PolicyArg;

/// The worked examples at the end of `culprit bisect --help`.
const EXAMPLES: &str = "\
Examples:
  # A C project: the crash is in v2.3 (--bad), not in v2.2 (--good). Each candidate is built
  # with make; ./repro.sh runs the reproducer (exit 0 = no crash, 125 = cannot test).
  culprit bisect --repo ~/src/project --bad v2.3 --good v2.2 \\
      --build 'make -j4' --test './repro.sh' --timeout 300 \\
      --log bisect.log --json result.json
  # Interrupted (Ctrl-C, a reboot)? Go on where it stopped, no run repeated:
  culprit bisect --repo ~/src/project --resume

  # A Linux kernel: each candidate is built with this .config, booted in QEMU VMs (four at
  # once) and runs repro.c; without --good the release tags are searched, as syzbot does.
  culprit bisect --kernel --repo ~/src/linux --bad origin/master \\
      --config syzbot.config --repro repro.c --vms 4 --runs 10 \\
      --log kernel-bisect.log --json kernel-result.json";

/// The generic mode's arguments: kernel-only ones conflict with them (clap takes a conflicting
/// argument as satisfying `requires = "kernel"`, so `--vms 2 --build make` would pass).
const GENERIC: [&str; 2] = ["build", "test"];

/// `--vms`: VMs at once per commit.
const VMS: std::ops::RangeInclusive<u32> = 1..=64;
/// `--run-secs`: seconds the reproducer runs in a VM (a day at most).
const RUN_SECS: std::ops::RangeInclusive<u64> = 1..=86_400;
/// `--cache-gib`: GiB of built kernels kept.
const CACHE_GIB: std::ops::RangeInclusive<u64> = 1..=65_536;

fn range_u32(r: std::ops::RangeInclusive<u32>) -> clap::builder::RangedI64ValueParser<u32> {
    clap::value_parser!(u32).range(i64::from(*r.start())..=i64::from(*r.end()))
}

fn range_u64(r: std::ops::RangeInclusive<u64>) -> clap::builder::RangedU64ValueParser<u64> {
    clap::value_parser!(u64).range(*r.start()..=*r.end())
}

/// Find the commit that introduced (or fixed) a crash.
///
/// The build and test commands run with `sh -c` in a checkout of the candidate commit under the
/// state directory (never in your work tree), each in its own process group, with --timeout.
///
/// Build: exit 0 = built; anything else = this commit cannot be tested (skip).
/// Test: exit 0 = no crash; 125 = cannot test (skip); any other exit or death by signal =
/// crashed. The output is read for a crash report (kernel oops, sanitizer report, Rust or Go
/// panic, assertion); its title is the crash's identity. The crash and its title are learned on
/// --bad first (the reproducibility check). A crash with another title is unrelated: it is
/// logged and does not count (--any-crash counts it).
///
/// Fix bisection (--fix): --bad is an older commit where the crash happens, --good a newer one
/// where it does not (usually HEAD); the answer is the first commit without the crash.
///
/// Every finished build and run is recorded in the state directory before it is used: after
/// Ctrl-C or a crash, `culprit bisect --resume` continues without repeating them.
///
/// Kernel mode (--kernel): each candidate is built with `make olddefconfig bzImage` from --config
/// in a build directory per slot kept across steps (ccache when installed), then booted in QEMU
/// VMs (--vms at once) with an initramfs holding --repro compiled static; each console is read
/// for a crash report. A kernel that does not build or boot is skipped; identical kernel
/// signatures share results. --build and --test are not used.
///
/// --resume continues the bisection recorded in the state directory and never starts one (with
/// nothing recorded it is refused); without --resume a new bisection starts, and one already
/// recorded there is refused.
///
/// Numbers out of the documented [ranges] are refused. The log and the JSON are opened only
/// once the state directory is locked and are checked before the first build; the JSON is
/// written whole or not at all. Processes a command leaves behind (setsid, daemons) are stopped
/// when it ends. A run's log keeps the first and last MiB of its output, 64 KiB each once the
/// state directory's run logs hold 64 MiB.
///
/// Exit status: 0 = one commit found, 1 = finished without one (inconclusive), 2 = bad input,
/// the crash not reproduced on --bad, or an error, 130 = interrupted (Ctrl-C; --resume goes on).
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// The repository (default: the current directory).
    #[arg(long, default_value = ".")]
    repo: PathBuf,
    /// A commit where the crash happens.
    #[arg(long, required_unless_present = "resume")]
    bad: Option<String>,
    /// A commit where it does not (repeatable). Without it, release tags are searched.
    #[arg(long)]
    good: Vec<String>,
    /// Find the commit that fixed the crash.
    #[arg(long)]
    fix: bool,
    /// Command that builds the checkout.
    #[arg(long, required_unless_present_any = ["resume", "kernel"])]
    build: Option<String>,
    /// Command that runs the reproducer.
    #[arg(long, required_unless_present_any = ["resume", "kernel"])]
    test: Option<String>,
    /// Bisect a Linux kernel: build with --config, boot in VMs, run --repro.
    #[arg(long, conflicts_with_all = ["build", "test", "artifact"])]
    kernel: bool,
    /// Kernel mode: the kernel .config to build every commit with.
    #[arg(long, requires = "kernel", conflicts_with_all = GENERIC, required_if_eq("kernel", "true"))]
    config: Option<PathBuf>,
    /// Kernel mode: the C reproducer (compiled with `cc -static`).
    #[arg(long, requires = "kernel", conflicts_with_all = GENERIC, required_if_eq("kernel", "true"))]
    repro: Option<PathBuf>,
    /// Kernel mode: the kernel command line (default: serial console, panic on oops).
    #[arg(long, requires = "kernel", conflicts_with_all = GENERIC)]
    cmdline: Option<String>,
    /// Kernel mode: VMs booted at once per commit [1-64] (default: as many as cores and memory
    /// allow).
    #[arg(long, requires = "kernel", conflicts_with_all = GENERIC, value_parser = range_u32(VMS), allow_negative_numbers = true)]
    vms: Option<u32>,
    /// Kernel mode: gcc, clang, or the path of a compiler.
    #[arg(long, requires = "kernel", conflicts_with_all = GENERIC, default_value = "gcc")]
    compiler: String,
    /// Kernel mode: pick the compiler per commit by the newest release tag reachable from it
    /// (syzbot's table), using the compilers installed under this directory.
    #[arg(long, requires = "kernel", conflicts_with_all = GENERIC, value_name = "DIR")]
    compiler_bin: Option<PathBuf>,
    /// Kernel mode: seconds the reproducer runs in each VM [1-86400].
    #[arg(long, requires = "kernel", conflicts_with_all = GENERIC, default_value_t = 10, value_parser = range_u64(RUN_SECS), allow_negative_numbers = true)]
    run_secs: u64,
    /// Kernel mode: directory kept between bisections for built kernels (by tree, config and
    /// toolchain) and for each repository's checkouts and build directories [default:
    /// $XDG_CACHE_HOME/culprit or ~/.cache/culprit].
    #[arg(
        long,
        requires = "kernel", conflicts_with_all = GENERIC,
        value_name = "DIR",
        conflicts_with = "no_cache"
    )]
    cache: Option<PathBuf>,
    /// Kernel mode: keep nothing between bisections (checkouts and builds in the state directory).
    #[arg(long, requires = "kernel", conflicts_with_all = GENERIC)]
    no_cache: bool,
    /// Kernel mode: the most GiB of built kernels the cache keeps (least recently used go
    /// first) [1-65536].
    #[arg(long, requires = "kernel", conflicts_with_all = GENERIC, value_name = "GIB", default_value_t = 10, value_parser = range_u64(CACHE_GIB), allow_negative_numbers = true)]
    cache_gib: u64,
    /// Runs per test (syzbot; at least 2) or the most runs per commit (bayes) [1-1000].
    #[arg(long, value_name = "N", value_parser = range_u32(culprit_driver::RUNS), allow_negative_numbers = true)]
    runs: Option<u32>,
    /// Commits tested at once, each in its own checkout (syzbot's policy tests one at a time)
    /// [1-64].
    #[arg(long, value_name = "K", default_value_t = 1, value_parser = range_u32(culprit_driver::JOBS), allow_negative_numbers = true)]
    jobs: u32,
    /// Seconds one build or one run may take [1-604800, a week]; a run that takes longer is a
    /// hang, which counts as the crash only when the bisected crash is a hang.
    #[arg(long, value_name = "SECS", default_value_t = 600, value_parser = range_u64(culprit_driver::TIMEOUT_SECS), allow_negative_numbers = true)]
    timeout: u64,
    /// How runs become decisions.
    #[arg(long, value_enum, default_value_t = PolicyArg::Bayes)]
    policy: PolicyArg,
    /// A file the build produces: identical files share results; a culprit whose file equals
    /// its parent's is flagged no-op.
    #[arg(long)]
    artifact: Option<PathBuf>,
    /// bayes: stop when the likeliest culprit is this sure (0.5 < P < 1, default 0.99).
    #[arg(long, value_name = "P", value_parser = parse_confidence, allow_negative_numbers = true)]
    confidence: Option<f64>,
    /// Count a crash with any title as the bisected crash.
    #[arg(long)]
    any_crash: bool,
    /// Write the result as JSON to this file (replaced whole when the bisection ends).
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write the log to this file instead of standard output (appended to with --resume).
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
    /// State directory (default: .git/culprit in the repository).
    #[arg(long, value_name = "DIR")]
    state: Option<PathBuf>,
    /// Continue the bisection recorded in the state directory (never starts one).
    #[arg(long)]
    resume: bool,
}

/// Runs the command.
pub fn run(mut args: Args) -> anyhow::Result<ExitCode> {
    // Paths as the user typed them, relative to where culprit was started: checkouts run git in
    // other directories and `--resume` alone enters the repository.
    args.state = args.state.take().map(absolute);
    args.log = args.log.take().map(absolute);
    args.json = args.json.take().map(absolute);
    let kernel = match (args.kernel, &args.config, &args.repro) {
        (true, Some(config), Some(repro)) => {
            // Absolute paths: the recorded options must mean the same on --resume from elsewhere.
            let abs = |p: &PathBuf| std::path::absolute(p).unwrap_or_else(|_| p.clone());
            let mut k = KernelOptions::new(abs(config), abs(repro));
            k.cmdline = args.cmdline.clone();
            k.vms = args.vms.unwrap_or(0);
            k.compiler = args.compiler.clone();
            k.compiler_bin = args.compiler_bin.as_ref().map(abs);
            k.run_secs = args.run_secs;
            k.cache = if args.no_cache {
                None
            } else {
                args.cache
                    .as_ref()
                    .map(abs)
                    .or_else(culprit_driver::default_cache_dir)
            };
            k.cache_bytes = args.cache_gib.saturating_mul(1 << 30);
            Some(k)
        }
        _ => None,
    };
    let commands = match (&args.build, &args.test, &kernel) {
        (Some(b), Some(t), None) => Some((b.clone(), t.clone())),
        (_, _, Some(_)) => Some((String::new(), String::new())),
        _ => None,
    };
    let options = match (&args.bad, commands) {
        (Some(bad), Some((build, test))) => Some(Options {
            repo: std::fs::canonicalize(&args.repo).unwrap_or(args.repo.clone()),
            bad: bad.clone(),
            goods: args.good.clone(),
            fix: args.fix,
            build,
            test,
            runs: args.runs,
            jobs: args.jobs,
            timeout_secs: args.timeout,
            policy: Policy::from(args.policy).name().into(),
            artifact: args.artifact.clone(),
            any_crash: args.any_crash,
            confidence: args.confidence,
            kernel,
        }),
        _ => None,
    };
    if options.is_none() {
        // --resume alone: the options come from the state directory of --repo.
        std::env::set_current_dir(&args.repo)
            .with_context(|| format!("cannot enter {}", args.repo.display()))?;
    }
    drive(
        options,
        args.state,
        args.resume,
        Outputs {
            log: args.log.as_deref(),
            json: args.json.as_deref(),
            report_on_terminal: false,
        },
    )
}

/// Where a bisection's log and result go.
pub struct Outputs<'a> {
    /// The log file (standard output without it).
    pub log: Option<&'a Path>,
    /// The JSON result.
    pub json: Option<&'a Path>,
    /// Print the crash report in the log on a terminal too (`culprit example`, whose state
    /// directory is temporary).
    pub report_on_terminal: bool,
}

/// Runs a bisection and maps its result to an exit status; shared with `culprit example`. The
/// outputs are opened once the state directory is locked; on a terminal the crash report is
/// not printed (its title and where it is are).
pub fn drive(
    options: Option<Options>,
    state: Option<PathBuf>,
    resume: bool,
    outputs: Outputs<'_>,
) -> anyhow::Result<ExitCode> {
    let Outputs {
        log: log_path,
        json,
        report_on_terminal,
    } = outputs;
    let cancel = culprit_exec::Cancel::install().context("installing the Ctrl-C handler")?;
    let late = LateLog::default();
    let report_place = Arc::new(Mutex::new(String::new()));
    let out: Box<dyn std::io::Write + Send> = match log_path {
        Some(_) => Box::new(late.clone()),
        None if std::io::stdout().is_terminal() && !report_on_terminal => Box::new(Terminal {
            inner: std::io::stdout(),
            where_: Arc::clone(&report_place),
        }),
        None => Box::new(std::io::stdout()),
    };
    // Set once the outputs are open: only then is the JSON written (also for an error).
    let opened = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let on_ready: culprit_driver::OnReady<'_> = {
        let (late, opened, report_place) =
            (late.clone(), Arc::clone(&opened), Arc::clone(&report_place));
        Box::new(move |state_dir: &Path| {
            if let Some(j) = json {
                outputs::check_writable("--json", j)?;
            }
            if let Some(p) = log_path {
                late.open(p, resume).map_err(|e| Bad::Output {
                    flag: "--log",
                    path: p.to_path_buf(),
                    problem: OutputProblem::Io(e),
                })?;
            }
            *report_place.lock().unwrap_or_else(|p| p.into_inner()) =
                outputs::report_place(json, state_dir);
            opened.store(true, std::sync::atomic::Ordering::SeqCst);
            Ok(())
        })
    };
    // A progress bar on stderr when it is a terminal; nothing otherwise (CI logs, pipes).
    let bar = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(1);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {elapsed_precise} [{bar:25}] {pos}/{len} commits, {wide_msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        Some(bar)
    } else {
        None
    };
    // Log lines written while the bar is drawn would tear it: they go out with the bar hidden.
    let out: Box<dyn std::io::Write + Send> = match &bar {
        Some(b) => Box::new(AroundBar {
            bar: b.clone(),
            inner: out,
        }),
        None => out,
    };
    let mut log = Log::new(out);
    let mut progress = |p: &Progress| {
        if let Some(b) = &bar {
            b.set_length(u64::from(p.tested + p.steps_left.unwrap_or(1).max(1)));
            b.set_position(u64::from(p.tested));
            let eta = p
                .eta_secs()
                .map(|s| format!(", ETA {}", culprit_driver::duration::go(s.round())))
                .unwrap_or_default();
            b.set_message(format!("{} runs{eta}: {}", p.runs, p.commit));
        }
    };
    let ctl = Control {
        state,
        resume,
        cancel,
        log: &mut log,
        progress: Some(&mut progress),
    };
    let result = culprit_driver::run_with(options, ctl, Some(on_ready));
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let opened = opened.load(std::sync::atomic::Ordering::SeqCst);
    match result {
        Ok(summary) => {
            if let Some(p) = json {
                outputs::write_json(p, &summary)?;
            }
            if matches!(summary.result, Ending::NoRepro | Ending::Error)
                && let Some(e) = &summary.error
            {
                eprintln!("culprit: {}", crate::one_line(e));
            }
            Ok(exit_code(&summary))
        }
        Err(e @ Error::Interrupted) => {
            // The shell's code for "stopped by SIGINT": not an error, the state is saved.
            eprintln!("culprit: {e}");
            Ok(ExitCode::from(130))
        }
        Err(e) => {
            let input = matches!(e, Error::Input(_));
            let msg = crate::one_line(&crate::chain(&e));
            // The JSON says what went wrong when the outputs were opened (not when the state
            // directory was another culprit's, nor when the JSON itself cannot be written).
            if opened && let Some(p) = json {
                let s = Summary {
                    result: Ending::Error,
                    error: Some(msg.clone()),
                    ..Summary::default()
                };
                let _ = outputs::write_json(p, &s);
            }
            if input {
                eprintln!("culprit: {msg}");
            } else {
                eprintln!("culprit: error: {msg}");
            }
            Ok(ExitCode::from(2))
        }
    }
}

fn exit_code(s: &Summary) -> ExitCode {
    match s.result {
        Ending::Culprit => ExitCode::SUCCESS,
        // The test never crashed on --bad: the input is wrong (or the crash too rare for --runs).
        Ending::Error | Ending::NoRepro => ExitCode::from(2),
        Ending::Inconclusive => ExitCode::from(1),
    }
}

/// A writer that hides the progress bar while it writes.
struct AroundBar {
    bar: indicatif::ProgressBar,
    inner: Box<dyn std::io::Write + Send>,
}

impl std::io::Write for AroundBar {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let inner = &mut self.inner;
        self.bar.suspend(|| inner.write(buf))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let inner = &mut self.inner;
        self.bar.suspend(|| inner.flush())
    }
}

/// `--confidence`: a probability strictly between 0.5 and 1.
fn parse_confidence(s: &str) -> Result<f64, String> {
    let p: f64 = s
        .parse()
        .map_err(|_| format!("{s:?} is not a number (give e.g. 0.999)"))?;
    if p > 0.5 && p < 1.0 {
        Ok(p)
    } else {
        Err(format!("{s} is not between 0.5 and 1 (exclusive)"))
    }
}

#[cfg(test)]
mod tests {
    use super::parse_confidence;

    #[test]
    fn confidence_is_a_probability_above_one_half() {
        assert_eq!(parse_confidence("0.999"), Ok(0.999));
        for bad in ["1", "1.5", "0.5", "0", "-0.9", "high", "NaN"] {
            assert!(parse_confidence(bad).is_err(), "{bad}");
        }
    }
}
