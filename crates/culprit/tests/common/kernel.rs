//! The kernel fixture of the kernel end-to-end tests (`crates/kbuild/tests/fixture/`): Debian's
//! linux-source-6.1 as a git repository with 30 commits, `e2e-c16` injecting a NULL dereference
//! that the fixture's reproducer hits; cached between runs on the same machine.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

pub fn cache_dir() -> PathBuf {
    std::env::var_os("CULPRIT_E2E_CACHE")
        .map_or_else(|| PathBuf::from("/var/tmp/culprit-e2e"), PathBuf::from)
}

/// Runs the fixture script; `None` (with a message) when the kernel source is not installed.
pub fn prepare() -> Option<PathBuf> {
    let cache = cache_dir();
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../kbuild/tests/fixture/prepare-linux.sh");
    let t = Instant::now();
    let status = Command::new("bash")
        .arg(&script)
        .arg(&cache)
        .status()
        .expect("run prepare-linux.sh");
    match status.code() {
        Some(0) => {
            eprintln!("timing: fixture ready in {:.1}s", t.elapsed().as_secs_f64());
            Some(cache)
        }
        Some(2) => {
            eprintln!(
                "SKIPPED the kernel bisection test: Debian's linux-source-6.1 is not installed \
                 (apt-get install linux-source-6.1); nothing about the kernel pipeline was tested"
            );
            None
        }
        _ => panic!("prepare-linux.sh failed: {status}"),
    }
}

/// The fixture's config with DWARF debug info instead of none (kconfig resolves the rest).
pub fn debug_config(cache: &Path) -> PathBuf {
    let base = std::fs::read_to_string(cache.join("e2e.config")).expect("fixture config");
    assert!(
        base.contains("\nCONFIG_DEBUG_INFO_NONE=y\n"),
        "fixture config changed"
    );
    let text = base.replace(
        "\nCONFIG_DEBUG_INFO_NONE=y\n",
        "\n# CONFIG_DEBUG_INFO_NONE is not set\nCONFIG_DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT=y\n",
    );
    let path = cache.join("e2e-debug.config");
    if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
        std::fs::write(&path, text).expect("write the debug config");
    }
    path
}

/// stdout of a git command in `repo` (it must succeed).
pub fn git(repo: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .output()
        .expect("git is installed");
    assert!(out.status.success(), "git {args:?}");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// One kernel bisection at a time in a test binary: each uses both cores.
pub fn one_at_a_time() -> MutexGuard<'static, ()> {
    static KERNEL: Mutex<()> = Mutex::new(());
    KERNEL.lock().unwrap_or_else(|e| e.into_inner())
}

/// Processes whose working directory is inside `dir` (pid, command name).
pub fn working_in(dir: &Path) -> Vec<(i32, String)> {
    let Ok(root) = dir.canonicalize() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
            continue;
        };
        if std::fs::read_link(e.path().join("cwd")).is_ok_and(|c| c.starts_with(&root)) {
            let comm = std::fs::read_to_string(e.path().join("comm")).unwrap_or_default();
            out.push((pid, comm.trim().to_string()));
        }
    }
    out
}
