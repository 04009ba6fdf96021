//! A real Linux kernel bisection through the `culprit` binary, in the default `cargo test`.
//!
//! The fixture (`crates/kbuild/tests/fixture/prepare-linux.sh`, cached under
//! `$CULPRIT_E2E_CACHE` or `/var/tmp/culprit-e2e` between runs on the same machine): Debian's
//! `linux-source-6.1` as a git repository with 30 commits on top (`e2e-base`, also tagged
//! `v6.1`); `e2e-c16` injects a NULL-pointer dereference in `fs/proc/version.c` that the
//! reproducer (reads `/proc/version`) hits. The config is the fixture's tinyconfig plus DWARF
//! debug info (for the symbolized final report). Builds use ccache in the cache directory, so a
//! second run on the same machine builds from cache.
//!
//! `culprit bisect --kernel --bad master` (no `--good`: the release search finds `v6.1`) runs
//! twice: with `--policy syzbot`, whose log must match the seed example's line kinds one for one
//! (`data/syzbot-bisection-vhost_task_start.log`), and with the default policy. Both must name
//! `e2e-c16` with the exact crash title, `compiler:` and `kernel signature:` lines, MAINTAINERS
//! recipients, the culprit/parent signatures and the statistics line.
//!
//! Skips with a printed message (not a silent pass) only when Debian's `linux-source-6.1` is not
//! installed; every other missing piece (QEMU, busybox, a compiler) fails the test.

#![allow(clippy::expect_used, clippy::unwrap_used)] // test setup failures panic with their reason

mod common;

use common::kernel::{debug_config, git, prepare};

use std::path::Path;
use std::process::Command;
use std::time::Instant;

const SEED: &str = include_str!("data/syzbot-bisection-vhost_task_start.log");
const TITLE: &str = "BUG: unable to handle kernel NULL pointer dereference in version_proc_show";

fn first_line(cmd: &str, args: &[&str]) -> String {
    let out = Command::new(cmd)
        .args(args)
        .env("LC_ALL", "C")
        .output()
        .expect("tool installed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// One finished `culprit bisect --kernel` run.
struct Run {
    /// The log, then culprit's stderr.
    log: String,
    json: serde_json::Value,
    secs: f64,
    code: Option<i32>,
}

fn bisect(cache: &Path, kept: &Path, config: &Path, extra: &[&str]) -> Run {
    let run = bisect_any(cache, kept, config, extra);
    assert_eq!(
        run.code,
        Some(0),
        "culprit bisect --kernel {extra:?}:\n{}",
        run.log
    );
    run
}

/// `kept` is culprit's `--cache` (kernels and checkouts kept between bisections).
fn bisect_any(cache: &Path, kept: &Path, config: &Path, extra: &[&str]) -> Run {
    let state = tempfile::Builder::new()
        .prefix("cli-kernel.")
        .tempdir_in(cache)
        .expect("state dir in the cache");
    let log = state.path().join("bisect.log");
    let json = state.path().join("result.json");
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_culprit"))
        .arg("bisect")
        .arg("--kernel")
        .arg("--repo")
        .arg(cache.join("linux"))
        .args(["--bad", "master"])
        .arg("--config")
        .arg(config)
        .arg("--repro")
        .arg(cache.join("repro.c"))
        .args(["--run-secs", "3", "--vms", "2"])
        .args(extra)
        .arg("--state")
        .arg(state.path())
        .arg("--log")
        .arg(&log)
        .arg("--json")
        .arg(&json)
        .arg("--cache")
        .arg(kept)
        .env("CCACHE_DIR", cache.join("ccache"))
        .output()
        .expect("run culprit");
    let secs = started.elapsed().as_secs_f64();
    let mut log = std::fs::read_to_string(&log).unwrap_or_default();
    log.push_str(&String::from_utf8_lossy(&out.stderr));
    let json = std::fs::read(&json)
        .ok()
        .and_then(|j| serde_json::from_slice(&j).ok())
        .unwrap_or_default();
    Run {
        log,
        json,
        secs,
        code: out.status.code(),
    }
}

/// What every kernel run must show, whatever the policy.
fn check_result(run: &Run, repo: &Path) {
    let log = &run.log;
    let c16 = git(repo, &["rev-parse", "e2e-c16^{commit}"]);
    let c15 = git(repo, &["rev-parse", "e2e-c15^{commit}"]);
    let subject = git(repo, &["log", "-1", "--format=%s", "e2e-c16"]);
    let lines: Vec<&str> = log.lines().collect();
    let has = |l: &str| lines.contains(&l);

    assert!(has(&format!("{c16} is the first bad commit")), "{log}");
    assert!(has(&format!("first bad commit: {c16} {subject}")), "{log}");
    assert_eq!(run.json["result"], "culprit", "{log}");
    assert_eq!(run.json["culprit"]["commit"], c16.as_str(), "{log}");
    assert!(has(&format!("crash: {TITLE}")), "{log}");
    assert_eq!(run.json["crash"]["title"], TITLE, "{log}");

    // `compiler:` exactly as the kernel's LINUX_COMPILER: first lines of `gcc --version` and
    // `ld -v`, joined like syzbot prints them.
    let compiler = format!(
        "compiler: {}, {}",
        first_line("gcc", &["--version"]),
        first_line("ld", &["-v"])
    );
    let compilers: Vec<&&str> = lines
        .iter()
        .filter(|l| l.starts_with("compiler:"))
        .collect();
    assert!(!compilers.is_empty(), "{log}");
    assert!(
        compilers.iter().all(|l| **l == compiler),
        "{compiler}\n{log}"
    );

    // One `kernel signature:` (64 hex digits) after every `compiler:`; the culprit's and its
    // parent's are printed at the end and differ (not a no-op change).
    let is_sig = |s: &str| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit());
    let sigs: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.strip_prefix("kernel signature: "))
        .collect();
    assert_eq!(sigs.len(), compilers.len(), "{log}");
    assert!(sigs.iter().all(|s| is_sig(s)), "{log}");
    let culprit_sig = lines
        .iter()
        .find_map(|l| l.strip_prefix("culprit signature: "))
        .expect("culprit signature line");
    let parent_sig = lines
        .iter()
        .find_map(|l| l.strip_prefix("parent  signature: "))
        .expect("parent signature line");
    assert!(is_sig(culprit_sig) && is_sig(parent_sig), "{log}");
    assert_ne!(culprit_sig, parent_sig, "{log}");
    assert!(
        sigs.contains(&culprit_sig) && sigs.contains(&parent_sig),
        "{log}"
    );
    // e2e-c15 (the parent) was tested: its block shows the parent signature.
    let c15_block = log
        .split(&format!("testing commit {c15} gcc\n"))
        .nth(1)
        .expect("the parent was tested");
    assert!(
        c15_block.contains(&format!("kernel signature: {parent_sig}\n")),
        "{log}"
    );

    // The statistics line: revisions tested = the tests that reached the VMs.
    let stats = lines
        .iter()
        .find(|l| l.starts_with("revisions tested: "))
        .expect("statistics line");
    // (distinct commits: more runs on a commit tested before do not count again)
    let mut tested: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.strip_prefix("testing commit "))
        .collect();
    tested.sort_unstable();
    tested.dedup();
    let tested = tested.len();
    let go_duration = |s: &str| {
        !s.is_empty()
            && s.ends_with('s')
            && s.bytes()
                .all(|b| b.is_ascii_digit() || b"hms.".contains(&b))
    };
    let rest = stats
        .strip_prefix(&format!("revisions tested: {tested}, total time: "))
        .unwrap_or_else(|| panic!("{tested} tests; {stats}"));
    let (total, parts) = rest.split_once(" (build: ").expect("build part");
    let (build, test) = parts
        .strip_suffix(')')
        .and_then(|p| p.split_once(", test: "))
        .expect("test part");
    assert!(
        go_duration(total) && go_duration(build) && go_duration(test),
        "{stats}"
    );

    // Recipients: author and trailers (Cc: is not a recipient), plus MAINTAINERS of
    // fs/proc/version.c (PROC FILESYSTEM: its two lists; LKML goes to Cc).
    assert!(
        has(
            r#"recipients (to): ["buggy.author@example.invalid" "linux-fsdevel@vger.kernel.org" "reviewer@example.invalid"]"#
        ),
        "{log}"
    );
    assert!(
        has(r#"recipients (cc): ["linux-kernel@vger.kernel.org"]"#),
        "{log}"
    );

    // The final report: symbolized with the culprit's vmlinux, tree-relative, then the code.
    let report = log
        .split(&format!("crash: {TITLE}\n"))
        .nth(1)
        .expect("report");
    assert!(
        report
            .lines()
            .any(|l| l.starts_with("RIP: 0010:version_proc_show+0x")
                && l.contains(" fs/proc/version.c:")),
        "{report}"
    );
    assert!(!report.contains("checkouts/slot-"), "{report}");
    assert!(
        report.contains("Code disassembly (best guess):"),
        "{report}"
    );
    assert!(report.contains("<-- trapping instruction"), "{report}");
}

#[test]
fn kernel_bisection_through_the_cli_names_the_injected_bug() {
    let Some(cache) = prepare() else { return };
    let repo = cache.join("linux");
    let config = debug_config(&cache);

    // culprit's own cache starts empty for this test (ccache stays warm between test runs):
    // the first bisection checks out and builds every commit; the next ones take its kernels.
    let kept = tempfile::Builder::new()
        .prefix("cli-kernel-cache.")
        .tempdir_in(&cache)
        .expect("cache dir");
    let syzbot = bisect(
        &cache,
        kept.path(),
        &config,
        &["--policy", "syzbot", "--runs", "4"],
    );
    eprintln!("{}", syzbot.log);
    check_result(&syzbot, &repo);
    let ours = kinds(&syzbot.log);
    let seed = kinds(SEED);
    assert_eq!(
        collapse(&ours, false),
        collapse(&seed, true),
        "line kinds differ from the seed log:\n{}",
        syzbot.log
    );

    assert!(
        !syzbot.log.contains("kernel taken from the cache"),
        "{}",
        syzbot.log
    );

    // The same history again with the default policy: every kernel it needs was built by the
    // syzbot run (same trees, config and compiler), so none is built again, and the results
    // (signatures, compiler lines, culprit) are the same.
    let default = bisect(&cache, kept.path(), &config, &[]);
    eprintln!("{}", default.log);
    check_result(&default, &repo);
    // Commit -> kernel signature, from `testing commit` / `kernel signature:` lines.
    let signatures = |log: &str| -> std::collections::BTreeMap<String, String> {
        let mut out = std::collections::BTreeMap::new();
        let mut current = None;
        for l in log.lines() {
            if let Some(rest) = l.strip_prefix("testing commit ") {
                current = rest.split_whitespace().next().map(str::to_string);
            } else if let (Some(sig), Some(c)) = (l.strip_prefix("kernel signature: "), &current) {
                out.insert(c.clone(), sig.to_string());
            }
        }
        out
    };
    let (built, again) = (signatures(&syzbot.log), signatures(&default.log));
    let common: Vec<&String> = again.keys().filter(|c| built.contains_key(*c)).collect();
    assert!(common.len() >= 2, "{}", default.log);
    for c in &common {
        assert_eq!(built[*c], again[*c], "{c}: cached kernel = built kernel");
    }
    let taken = default
        .log
        .lines()
        .filter(|l| l.starts_with("kernel taken from the cache"))
        .count();
    assert_eq!(taken, common.len(), "{}", default.log);
    let fresh = again.len() - common.len();
    assert_eq!(
        default.json["stats"]["builds"].as_u64(),
        Some(fresh as u64),
        "only commits the first run did not build are built:\n{}",
        default.log
    );
    eprintln!(
        "timing: culprit bisect --kernel: {:.1}s with --policy syzbot --runs 4, {:.1}s with the \
         default policy (stats: {})",
        syzbot.secs, default.secs, default.json["stats"]
    );

    // A kernel that does not boot (init cannot be started) is a skip, never a good: the
    // crashing end cannot be tested, and the bisection says so instead of naming a commit.
    let unbootable = bisect_any(
        &cache,
        kept.path(),
        &config,
        &[
            "--cmdline",
            "console=ttyS0 panic=-1 oops=panic init=/nonexistent rdinit=/nonexistent",
            "--runs",
            "2",
        ],
    );
    eprintln!("{}", unbootable.log);
    assert_ne!(unbootable.code, Some(0), "{}", unbootable.log);
    assert!(
        unbootable
            .log
            .lines()
            .any(|l| l.starts_with("all runs: ") && l.contains("cannot test: boot failed")),
        "{}",
        unbootable.log
    );
    assert!(
        !unbootable
            .log
            .lines()
            .any(|l| l.starts_with("all runs: ") && l.ends_with(" OK")),
        "{}",
        unbootable.log
    );
    assert!(
        !unbootable.log.contains("first bad commit"),
        "{}",
        unbootable.log
    );
}

/// Kinds of log line, named after the seed log's lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `ci starts bisection ...` (syz-ci's header; culprit has no CI host).
    CiStarts,
    BisectingCause,
    /// `building syzkaller on ...` (culprit runs a C reproducer, it builds no syzkaller).
    BuildingSyzkaller,
    Ensuring,
    Blank,
    TestingCommit,
    Compiler,
    KernelSignature,
    Runs,
    TestingRelease,
    GitBisectStart,
    GitBisectVerdict,
    BisectingLeft,
    HashSubject,
    FirstBadIs,
    /// The `git show --stat` block of the culprit.
    CommitShow,
    CulpritSignature,
    ParentSignature,
    RevisionsTested,
    FirstBadCommit,
    RecipientsTo,
    RecipientsCc,
    Crash,
    /// Lines of the final crash report.
    Report,
    /// Lines the 2023 seed does not have: today's syzbot prints `picked [...] out of N release
    /// tags`, `false negative chance: ...` and `accumulated error probability` (culprit:
    /// `confidence: ...`); the default policy prints `more runs on HASH`; identical kernels
    /// print `same kernel signature as HASH: reusing N of its runs`; a kernel an earlier
    /// bisection built prints `kernel taken from the cache (...)`.
    Extra,
    Unknown,
}

fn kinds(log: &str) -> Vec<Kind> {
    use Kind::*;
    let mut out = Vec::new();
    let mut section = 0; // 0 = bisection, 1 = commit show, 2 = report
    for line in log.lines() {
        let kind = match section {
            2 => Report,
            1 if line.starts_with("culprit signature: ") => {
                section = 0;
                CulpritSignature
            }
            1 if line.starts_with("revisions tested: ") => {
                section = 0;
                RevisionsTested
            }
            1 if line.starts_with("accumulated error probability: ")
                || line.starts_with("confidence: ") =>
            {
                section = 0;
                Extra
            }
            1 => CommitShow,
            _ => kind_of(line),
        };
        match kind {
            FirstBadIs => section = 1,
            Crash => section = 2,
            _ => {}
        }
        out.push(kind);
    }
    out
}

fn kind_of(line: &str) -> Kind {
    use Kind::*;
    let hash_subject = line.starts_with('[') && line.get(41..43) == Some("] ");
    let prefixes: &[(&str, Kind)] = &[
        ("bisecting cause commit starting from ", BisectingCause),
        ("building syzkaller on ", BuildingSyzkaller),
        (
            "ensuring issue is reproducible on original commit ",
            Ensuring,
        ),
        ("testing commit ", TestingCommit),
        ("compiler: ", Compiler),
        ("kernel signature: ", KernelSignature),
        ("all runs: ", Runs),
        ("run #", Runs),
        ("testing release ", TestingRelease),
        ("# git bisect start ", GitBisectStart),
        ("# git bisect good ", GitBisectVerdict),
        ("# git bisect bad ", GitBisectVerdict),
        ("# git bisect skip ", GitBisectVerdict),
        ("Bisecting: ", BisectingLeft),
        ("culprit signature: ", CulpritSignature),
        ("parent  signature: ", ParentSignature),
        ("revisions tested: ", RevisionsTested),
        ("first bad commit: ", FirstBadCommit),
        ("recipients (to): ", RecipientsTo),
        ("recipients (cc): ", RecipientsCc),
        ("crash: ", Crash),
        ("picked [", Extra),
        ("false negative chance: ", Extra),
        ("confidence: ", Extra),
        ("more runs on ", Extra),
        ("same kernel signature as ", Extra),
        ("kernel taken from the cache", Extra),
    ];
    if line.is_empty() {
        Blank
    } else if line.contains(" starts bisection ") {
        CiStarts
    } else if hash_subject {
        HashSubject
    } else if line.ends_with(" is the first bad commit") {
        FirstBadIs
    } else {
        prefixes
            .iter()
            .find(|(p, _)| line.starts_with(p))
            .map_or(Unknown, |(_, k)| *k)
    }
}

/// The kinds as a comparable shape: extras dropped (only from culprit's log: the seed has
/// none), the seed-only kinds dropped from the seed, a run of `run #N` lines as one, the commit
/// block and the report as one line each, and a repeated bisection step as one step.
fn collapse(kinds: &[Kind], seed: bool) -> Vec<Kind> {
    use Kind::*;
    let mut flat: Vec<Kind> = Vec::new();
    for &k in kinds {
        if seed {
            assert!(k != Extra && k != Unknown, "seed line kind {k:?}");
        }
        if matches!(k, Extra | CiStarts | BuildingSyzkaller) {
            continue;
        }
        if matches!(k, Runs | CommitShow | Report) && flat.last() == Some(&k) {
            continue;
        }
        flat.push(k);
    }
    // Steps: from `Bisecting:` to the next `Bisecting:` or the end of the search.
    let mut out: Vec<Kind> = Vec::new();
    let mut last_step: Option<Vec<Kind>> = None;
    let mut i = 0;
    while i < flat.len() {
        if flat[i] == BisectingLeft {
            let end = flat[i + 1..]
                .iter()
                .position(|&k| k == BisectingLeft || k == FirstBadIs)
                .map_or(flat.len(), |p| i + 1 + p);
            let step = flat[i..end].to_vec();
            if last_step.as_ref() != Some(&step) {
                out.extend(&step);
            }
            last_step = Some(step);
            i = end;
        } else {
            out.push(flat[i]);
            i += 1;
        }
    }
    out
}

#[test]
fn the_seed_log_has_the_expected_shape() {
    use Kind::*;
    let seed = kinds(SEED);
    assert!(!seed.contains(&Unknown) && !seed.contains(&Extra));
    let step = [
        BisectingLeft,
        HashSubject,
        Blank,
        TestingCommit,
        Compiler,
        KernelSignature,
        Runs,
        GitBisectVerdict,
    ];
    let mut want = vec![
        BisectingCause,
        Ensuring,
        Blank,
        TestingCommit,
        Compiler,
        KernelSignature,
        Runs,
        TestingRelease,
        TestingCommit,
        Compiler,
        KernelSignature,
        Runs,
        GitBisectStart,
    ];
    want.extend(step);
    want.extend([
        FirstBadIs,
        CommitShow,
        CulpritSignature,
        ParentSignature,
        RevisionsTested,
        FirstBadCommit,
        RecipientsTo,
        RecipientsCc,
        Crash,
        Report,
    ]);
    assert_eq!(collapse(&seed, true), want);
    // 14 bisection steps, one `# git bisect` verdict each.
    assert_eq!(seed.iter().filter(|&&k| k == GitBisectVerdict).count(), 14);
    // The shape check can fail: a log whose runs come after `# git bisect start` differs.
    let wrong = "bisecting cause commit starting from x\n# git bisect start a b\nall runs: OK\n";
    assert_ne!(collapse(&kinds(wrong), false), collapse(&seed, true));
}
