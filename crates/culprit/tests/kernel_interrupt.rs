//! A real kernel bisection interrupted the hard ways, through the `culprit` binary (the fixture of
//! `kernel_bisect.rs`, `common/kernel.rs`):
//!
//! - `kill -9` of culprit while a kernel is being built (after the runs on the crashing end are
//!   recorded), then `--resume`: the orphaned make is stopped, the half-written build directory is
//!   repaired (what the killed build wrote is discarded), the recorded runs are replayed and the
//!   culprit is the injected commit;
//! - the disk filling up while a kernel is being built: an infrastructure error naming it, never a
//!   skip of the commit (a 3 GiB tmpfs in a private mount namespace; needs root, and says SKIPPED
//!   otherwise).
//!
//! Both use `--no-cache`: checkouts and build directories in the state directory, nothing taken
//! from kernels an earlier bisection built, so a build is under way when the test strikes.

#![allow(clippy::expect_used, clippy::unwrap_used)] // test setup failures panic with their reason

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::kernel::{debug_config, git, one_at_a_time, prepare, working_in};
use common::replayed;

/// `culprit bisect --kernel` on the fixture, state in `state`, log and JSON in `out`.
fn bisect(cache: &Path, state: &Path, out: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_culprit"));
    cmd.arg("bisect")
        .arg("--kernel")
        .arg("--repo")
        .arg(cache.join("linux"))
        .args(["--bad", "master"])
        .arg("--config")
        .arg(debug_config(cache))
        .arg("--repro")
        .arg(cache.join("repro.c"))
        .args(["--run-secs", "3", "--vms", "2", "--no-cache"])
        .arg("--state")
        .arg(state)
        .arg("--log")
        .arg(out.join("bisect.log"))
        .arg("--json")
        .arg(out.join("result.json"))
        .env("CCACHE_DIR", cache.join("ccache"));
    cmd
}

/// Whether `dir` holds an object file (`*.o`) written after `since`, at any depth.
fn has_object_since(dir: &Path, since: std::time::SystemTime) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|e| {
        let path = e.path();
        match e.file_type() {
            Ok(t) if t.is_dir() => has_object_since(&path, since),
            Ok(t) if t.is_file() => {
                path.extension().is_some_and(|x| x == "o")
                    && e.metadata()
                        .and_then(|m| m.modified())
                        .is_ok_and(|m| m > since)
            }
            _ => false,
        }
    })
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

fn temp(cache: &Path, prefix: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in(cache)
        .expect("temp dir in the fixture cache")
}

#[test]
fn killed_during_a_build_then_resumed_names_the_same_culprit() {
    let Some(cache) = prepare() else { return };
    let _one = one_at_a_time();
    let state = temp(&cache, "cli-kernel-resume.");
    let out = temp(&cache, "cli-kernel-resume-out.");
    let log = out.path().join("bisect.log");
    let marker: PathBuf = state.path().join("slots/slot-0/build/.culprit-building");

    // Kill culprit once the release's build is under way: the crashing end's build and runs are
    // recorded by then.
    let mut child = bisect(&cache, state.path(), out.path())
        .spawn()
        .expect("culprit starts");
    let started = Instant::now();
    // make is at work once the build directory holds an object file of this build.
    let build_dir = state.path().join("slots/slot-0/build");
    loop {
        // The marker is written when the build starts: objects newer than it are this build's.
        let building = std::fs::metadata(&marker).and_then(|m| m.modified());
        if read(&log).contains("testing release")
            && building.is_ok_and(|since| has_object_since(&build_dir, since))
        {
            break;
        }
        if let Some(status) = child.try_wait().expect("wait") {
            panic!(
                "culprit ended before the release build: {status}\n{}",
                read(&log)
            );
        }
        assert!(
            started.elapsed() < Duration::from_secs(30 * 60),
            "no release build after 30 min:\n{}",
            read(&log)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().expect("kill -9");
    child.wait().expect("reap");
    // make runs in a process group of its own: it outlives culprit unless the build just ended.
    let orphans = working_in(state.path());
    let before = read(&log);
    eprintln!(
        "killed after {:.1}s; still working in the state directory: {orphans:?}",
        started.elapsed().as_secs_f64()
    );

    let resumed = bisect(&cache, state.path(), out.path())
        .arg("--resume")
        .output()
        .expect("culprit --resume runs");
    let text = read(&log);
    let after = text.strip_prefix(before.as_str()).unwrap_or(&text);
    eprintln!("{after}{}", String::from_utf8_lossy(&resumed.stderr));
    assert_eq!(resumed.status.code(), Some(0), "{after}");
    let json: serde_json::Value =
        serde_json::from_str(&read(&out.path().join("result.json"))).expect("result JSON");
    let c16 = git(&cache.join("linux"), &["rev-parse", "e2e-c16^{commit}"]);
    assert_eq!(json["result"], "culprit", "{after}");
    assert_eq!(json["culprit"]["commit"], c16.as_str(), "{after}");
    let replayed = replayed(after);
    assert!(
        replayed >= 3,
        "the runs of the check on master (three crashes at least) were recorded: {after}"
    );
    if !orphans.is_empty() {
        assert!(
            after.contains("command group(s) left running by an interrupted culprit"),
            "the orphaned make {orphans:?} was not stopped:\n{after}"
        );
    }
    assert!(!marker.exists(), "the build directory is consistent again");
    assert_eq!(working_in(state.path()), Vec::new(), "nothing left running");
}

#[test]
fn a_disk_filling_up_during_a_build_is_an_infrastructure_error() {
    let Some(cache) = prepare() else { return };
    let _one = one_at_a_time();
    let mount = temp(&cache, "cli-kernel-enospc.");
    let out = temp(&cache, "cli-kernel-enospc-out.");
    let probe = Command::new("unshare")
        .args(["-m", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs \"$0\""])
        .arg(mount.path())
        .output();
    if !probe.as_ref().is_ok_and(|o| o.status.success()) {
        eprintln!(
            "SKIPPED the disk-full test: cannot mount a tmpfs here (needs root and unshare): \
             {probe:?}"
        );
        return;
    }
    // In a mount namespace of its own: a 3 GiB tmpfs holds the state directory (checkout ~1.5
    // GB, so the 1 GiB check up front passes); once the first build has compiled 50 objects, a
    // file fills it.
    let script = r#"mount -t tmpfs -o size=3g tmpfs "$0" || exit 97
(b="$0/state/slots/slot-0/build"
 while [ "$(find "$b" -name '*.o' 2>/dev/null | head -n 50 | wc -l)" -lt 50 ]; do sleep 0.3; done
 dd if=/dev/zero of="$0/filler" bs=1M >/dev/null 2>&1) &
exec "$@""#;
    let culprit = bisect(&cache, &mount.path().join("state"), out.path());
    let output = Command::new("unshare")
        .args(["-m", "sh", "-c", script])
        .arg(mount.path())
        .arg(culprit.get_program())
        .args(culprit.get_args())
        .env("CCACHE_DIR", cache.join("ccache"))
        .output()
        .expect("unshare runs");
    let log = read(&out.path().join("bisect.log"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    eprintln!("{log}{stderr}");
    assert_eq!(output.status.code(), Some(2), "{log}{stderr}");
    assert!(
        log.lines().any(|l| l.starts_with("infrastructure error: ")
            && l.to_lowercase().contains("no space left on device")),
        "{log}"
    );
    // The state database is on the full disk too: the error says so and how to go on.
    assert!(
        stderr.contains("no space left on device") && stderr.contains("--resume"),
        "the error line names the full disk: {stderr}"
    );
    assert!(!log.contains("# git bisect skip"), "{log}");
    assert!(!log.contains("first bad commit"), "{log}");
}
