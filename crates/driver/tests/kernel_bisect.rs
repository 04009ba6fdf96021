//! A real kernel bisection through the driver: the cached fixture history of culprit-kbuild
//! (`crates/kbuild/tests/fixture/prepare-linux.sh`, 30 commits on linux-source-6.1, a NULL
//! dereference injected at `e2e-c16`), good `e2e-base`, bad `master`, built with culprit-kbuild
//! and booted under QEMU with the fixture's reproducer. Minutes long, so only with the feature:
//!
//! ```text
//! cargo test -p culprit-driver --features test-kernel --test kernel_bisect -- --nocapture
//! ```
//!
//! Skips with a message (not silently) only when Debian's linux-source-6.1 is not installed.
#![cfg(feature = "test-kernel")]
#![allow(clippy::expect_used)] // test setup failures should panic with their reason

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use culprit_driver::{Control, KernelOptions, Log, Options};

fn cache_dir() -> PathBuf {
    std::env::var_os("CULPRIT_E2E_CACHE")
        .map_or_else(|| PathBuf::from("/var/tmp/culprit-e2e"), PathBuf::from)
}

/// Runs the fixture script; `None` when the kernel source package is not installed.
fn prepare() -> Option<PathBuf> {
    let cache = cache_dir();
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../kbuild/tests/fixture/prepare-linux.sh");
    let status = Command::new("bash")
        .arg(&script)
        .arg(&cache)
        .status()
        .expect("run prepare-linux.sh");
    match status.code() {
        Some(0) => Some(cache),
        Some(2) => {
            eprintln!(
                "SKIPPED kernel bisection test: Debian's linux-source-6.1 is not installed \
                 (apt-get install linux-source-6.1)"
            );
            None
        }
        _ => panic!("prepare-linux.sh failed: {status}"),
    }
}

fn rev_parse(repo: &Path, rev: &str) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["rev-parse", &format!("{rev}^{{commit}}")])
        .output()
        .expect("git is installed");
    assert!(out.status.success(), "rev-parse {rev}");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn kernel_bisection_finds_the_injected_null_dereference() {
    let Some(cache) = prepare() else { return };
    let repo = cache.join("linux");
    let state = tempfile::Builder::new()
        .prefix("driver-kernel.")
        .tempdir_in(&cache)
        .expect("state dir in cache");
    let mut kernel = KernelOptions::new(cache.join("e2e.config"), cache.join("repro.c"));
    kernel.vms = 2;
    kernel.run_secs = 3;
    kernel.ccache = Some(cache.join("ccache"));
    let options = Options {
        repo: repo.clone(),
        bad: "master".into(),
        goods: vec!["e2e-base".into()],
        fix: false,
        build: String::new(),
        test: String::new(),
        runs: None,
        jobs: 1,
        timeout_secs: 600,
        policy: "bayes".into(),
        artifact: None,
        any_crash: false,
        confidence: None,
        kernel: Some(kernel),
    };
    let mut log = Log::new(Box::new(std::io::stderr()));
    let started = Instant::now();
    let summary = culprit_driver::run(
        Some(options),
        Control {
            state: Some(state.path().to_path_buf()),
            resume: false,
            cancel: culprit_exec::Cancel::new(),
            log: &mut log,
            progress: None,
        },
    )
    .expect("kernel bisection runs");
    eprintln!(
        "timing: kernel bisection {:.1}s wall ({} revisions, {} builds {:.0}s, {} runs {:.0}s)",
        started.elapsed().as_secs_f64(),
        summary.stats.revisions_tested,
        summary.stats.builds,
        summary.stats.build_secs,
        summary.stats.runs,
        summary.stats.test_secs
    );
    let text = log.text();
    assert_eq!(summary.result, "culprit", "{text}");
    let culprit = summary.culprit.as_ref().expect("a culprit");
    assert_eq!(culprit.commit, rev_parse(&repo, "e2e-c16"), "{text}");
    let crash = summary.crash.as_ref().expect("the crash");
    assert_eq!(
        crash.title, "BUG: unable to handle kernel NULL pointer dereference in version_proc_show",
        "{text}"
    );
    assert!(
        text.lines().any(|l| l.starts_with("compiler: gcc (")),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l.starts_with("kernel signature: ")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("testing commit ") && l.ends_with(" gcc")),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l.starts_with("revisions tested: ")),
        "{text}"
    );
    // e2e-c17..c30 only add comments: their kernels equal master's and take its runs.
    assert!(
        text.lines()
            .any(|l| l.starts_with("same kernel signature as ") && l.contains("reusing")),
        "{text}"
    );
}
