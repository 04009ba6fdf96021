//! `culprit bisect`: find the commit that introduced (or fixed) a crash in any git project.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use culprit_driver::{Control, Error, KernelOptions, Log, Options, Progress, Summary};

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
/// Exit status: 0 = one commit found, 1 = finished without one (inconclusive), 2 = bad input,
/// the crash not reproduced on --bad, or an error, 130 = interrupted (Ctrl-C; --resume goes on).
#[derive(Debug, clap::Args)]
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
    #[arg(long, requires = "kernel", required_if_eq("kernel", "true"))]
    config: Option<PathBuf>,
    /// Kernel mode: the C reproducer (compiled with `cc -static`).
    #[arg(long, requires = "kernel", required_if_eq("kernel", "true"))]
    repro: Option<PathBuf>,
    /// Kernel mode: the kernel command line (default: serial console, panic on oops).
    #[arg(long, requires = "kernel")]
    cmdline: Option<String>,
    /// Kernel mode: VMs booted at once per commit (default: as many as cores and memory allow).
    #[arg(long, requires = "kernel")]
    vms: Option<u32>,
    /// Kernel mode: gcc, clang, or the path of a compiler.
    #[arg(long, requires = "kernel", default_value = "gcc")]
    compiler: String,
    /// Kernel mode: pick the compiler per commit by the newest release tag reachable from it
    /// (syzbot's table), using the compilers installed under this directory.
    #[arg(long, requires = "kernel", value_name = "DIR")]
    compiler_bin: Option<PathBuf>,
    /// Kernel mode: seconds the reproducer runs in each VM.
    #[arg(long, requires = "kernel", default_value_t = 10)]
    run_secs: u64,
    /// Kernel mode: directory kept between bisections for built kernels (by tree, config and
    /// toolchain) and for each repository's checkouts and build directories [default:
    /// $XDG_CACHE_HOME/culprit or ~/.cache/culprit].
    #[arg(
        long,
        requires = "kernel",
        value_name = "DIR",
        conflicts_with = "no_cache"
    )]
    cache: Option<PathBuf>,
    /// Kernel mode: keep nothing between bisections (checkouts and builds in the state directory).
    #[arg(long, requires = "kernel")]
    no_cache: bool,
    /// Kernel mode: the most GiB of built kernels the cache keeps (least recently used go first).
    #[arg(long, requires = "kernel", value_name = "GIB", default_value_t = 10)]
    cache_gib: u64,
    /// Runs per test (syzbot) or the most runs per commit (bayes).
    #[arg(long)]
    runs: Option<u32>,
    /// Commits tested at once, each in its own checkout.
    #[arg(long, default_value_t = 1)]
    jobs: u32,
    /// Seconds one build or one run may take.
    #[arg(long, default_value_t = 600)]
    timeout: u64,
    /// bayes (default), syzbot or git.
    #[arg(long, default_value = "bayes")]
    policy: String,
    /// A file the build produces: identical files share results; a culprit whose file equals
    /// its parent's is flagged no-op.
    #[arg(long)]
    artifact: Option<PathBuf>,
    /// bayes: stop when the likeliest culprit is this sure (a probability below 1).
    #[arg(long, value_name = "P", value_parser = parse_confidence)]
    confidence: Option<f64>,
    /// Count a crash with any title as the bisected crash.
    #[arg(long)]
    any_crash: bool,
    /// Write the result as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Write the log to this file instead of standard output.
    #[arg(long)]
    log: Option<PathBuf>,
    /// State directory (default: .git/culprit in the repository).
    #[arg(long)]
    state: Option<PathBuf>,
    /// Continue the bisection recorded in the state directory.
    #[arg(long)]
    resume: bool,
}

/// Runs the command.
pub fn run(mut args: Args) -> anyhow::Result<ExitCode> {
    // Paths as the user typed them, relative to where culprit was started: checkouts run git in
    // other directories and `--resume` alone enters the repository.
    let abs = |p: PathBuf| std::path::absolute(&p).unwrap_or(p);
    args.state = args.state.take().map(abs);
    args.log = args.log.take().map(abs);
    args.json = args.json.take().map(abs);
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
            policy: args.policy.clone(),
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
    let out: Box<dyn std::io::Write + Send> = match &args.log {
        Some(p) => Box::new(
            std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        ),
        None => Box::new(std::io::stdout()),
    };
    drive(options, args.state, args.resume, out, args.json.as_deref())
}

/// Runs a bisection and maps its result to an exit status; shared with `culprit example`.
pub fn drive(
    options: Option<Options>,
    state: Option<PathBuf>,
    resume: bool,
    out: Box<dyn std::io::Write + Send>,
    json: Option<&std::path::Path>,
) -> anyhow::Result<ExitCode> {
    let cancel = culprit_exec::Cancel::install().context("installing the Ctrl-C handler")?;
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
    let result = culprit_driver::run(options, ctl);
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    match result {
        Ok(summary) => {
            if let Some(p) = json {
                culprit_driver::write_json(p, &summary)?;
            }
            if (summary.result == "no-repro" || summary.result == "error")
                && let Some(e) = &summary.error
            {
                eprintln!("culprit: {e}");
            }
            Ok(exit_code(&summary))
        }
        Err(Error::Input(msg)) => {
            eprintln!("culprit: {msg}");
            if let Some(p) = json {
                let s = Summary {
                    result: "error".into(),
                    error: Some(msg),
                    ..Summary::default()
                };
                let _ = culprit_driver::write_json(p, &s);
            }
            Ok(ExitCode::from(2))
        }
        Err(e @ Error::Interrupted) => {
            // The shell's code for "stopped by SIGINT": not an error, the state is saved.
            eprintln!("culprit: {e}");
            Ok(ExitCode::from(130))
        }
        Err(e) => Err(e.into()),
    }
}

fn exit_code(s: &Summary) -> ExitCode {
    match s.result.as_str() {
        "culprit" => ExitCode::SUCCESS,
        // The test never crashed on --bad: the input is wrong (or the crash too rare for --runs).
        "error" | "no-repro" => ExitCode::from(2),
        _ => ExitCode::from(1),
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
