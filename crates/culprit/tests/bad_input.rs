//! Bad input to `culprit bisect`, through the binary: one clear line on stderr, exit code 2, no
//! panic, and the repository unchanged (the snapshot of HEAD, index, work tree, refs, stash and
//! bisect state is taken before and compared after each case).

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::{BUILD, Outputs, count_lines};
use culprit_testkit::{History, Imported, RepoSnapshot};
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

fn world() -> Imported {
    History {
        bug_at: Some(30),
        ..History::linear(60)
    }
    .import()
}

/// One refused invocation: exit 2, exactly one line on stderr containing every word of `want`,
/// and nothing changed in `repo`.
fn refused(repo: &Path, mut cmd: Command, want: &[&str]) -> String {
    let before = RepoSnapshot::take(repo);
    let out: Output = cmd.output().expect("culprit runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let d = format!(
        "status {:?}\n--- stderr\n{stderr}--- stdout\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(out.status.code(), Some(2), "{d}");
    assert_eq!(stderr.lines().count(), 1, "not one line: {d}");
    assert!(!stderr.contains("panicked"), "{d}");
    for w in want {
        assert!(stderr.contains(w), "missing {w:?}: {d}");
    }
    assert_eq!(
        RepoSnapshot::take(repo),
        before,
        "the repository changed: {d}"
    );
    stderr
}

fn args<'a>(bad: &'a str, good: &'a str) -> Vec<&'a str> {
    vec![
        "--bad", bad, "--good", good, "--build", BUILD, "--test", "./prog",
    ]
}

#[test]
fn not_a_repository() {
    let w = world();
    let out = Outputs::new();
    let empty = out.path("empty");
    std::fs::create_dir_all(&empty).expect("mkdir");
    let before = std::fs::read_dir(&empty).expect("ls").count();
    let mut cmd = common::culprit();
    cmd.args(["bisect", "--repo"])
        .arg(&empty)
        .args(args("HEAD", "HEAD~1"));
    // Any repository stands in for "unchanged"; the empty directory must stay empty.
    refused(&w.path, cmd, &["repository"]);
    assert_eq!(std::fs::read_dir(&empty).expect("ls").count(), before);
}

#[test]
fn unknown_revisions() {
    let w = world();
    let out = Outputs::new();
    refused(
        &w.path,
        out.bisect(&w.path, &args("no-such-rev", &w.ids[0])),
        &["no-such-rev"],
    );
    refused(
        &w.path,
        out.bisect(&w.path, &args(&w.tip, "v9.9-nothing")),
        &["v9.9-nothing"],
    );
}

#[test]
fn good_not_an_ancestor_and_good_equal_to_bad() {
    let w = world();
    let out = Outputs::new();
    refused(
        &w.path,
        out.bisect(&w.path, &args(&w.ids[3], &w.tip)),
        &["not an ancestor"],
    );
    refused(
        &w.path,
        out.bisect(&w.path, &args(&w.tip, &w.tip)),
        &["--bad commit itself"],
    );
    // The same commit by another name.
    refused(
        &w.path,
        out.bisect(&w.path, &args(&w.tip, "main")),
        &["--bad commit itself"],
    );
}

#[test]
fn build_command_missing_or_empty() {
    let w = world();
    let out = Outputs::new();
    refused(
        &w.path,
        out.bisect(
            &w.path,
            &[
                "--bad", &w.tip, "--good", &w.ids[0], "--build", " ", "--test", "./prog",
            ],
        ),
        &["--build"],
    );
    // Without --build at all, clap refuses (its message is a few lines: usage and a hint).
    let before = RepoSnapshot::take(&w.path);
    let o = out
        .bisect(&w.path, &["--bad", &w.tip, "--test", "./prog"])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.lines().next().unwrap_or("").starts_with("error:") && stderr.contains("--build"),
        "{stderr}"
    );
    assert_eq!(RepoSnapshot::take(&w.path), before);
}

/// The test never crashes on --bad: nothing to bisect.
#[test]
fn crash_not_reproduced_on_bad() {
    let w = History::linear(40).import();
    let out = Outputs::new();
    let before = RepoSnapshot::take(&w.path);
    let o = out
        .bisect(&w.path, &args(&w.tip, &w.ids[0]))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&o.stderr);
    let json = std::fs::read_to_string(out.json()).unwrap_or_default();
    let log = std::fs::read_to_string(out.log()).unwrap_or_default();
    let d = format!(
        "{:?}\n--- stderr\n{stderr}--- json\n{json}\n--- log\n{log}",
        o.status
    );
    assert_eq!(o.status.code(), Some(2), "{d}");
    assert_eq!(stderr.lines().count(), 1, "{d}");
    assert!(
        stderr.contains("reproduc") || stderr.contains("crash"),
        "the message does not say the crash was not reproduced: {d}"
    );
    assert!(json.contains("\"no-repro\""), "{d}");
    assert_eq!(RepoSnapshot::take(&w.path), before);
}

/// The test cannot test --bad at all (exit 125 every time): not "did not crash" but untestable.
#[test]
fn bad_commit_cannot_be_tested() {
    let w = world();
    let out = Outputs::new();
    let before = RepoSnapshot::take(&w.path);
    let o = out
        .bisect(
            &w.path,
            &[
                "--bad", &w.tip, "--good", &w.ids[0], "--build", BUILD, "--test", "exit 125",
            ],
        )
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&o.stderr);
    let json = std::fs::read_to_string(out.json()).unwrap_or_default();
    assert_eq!(o.status.code(), Some(2), "{stderr}\n{json}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("could not be built or tested"), "{stderr}");
    assert!(json.contains("\"error\""), "{json}");
    assert_eq!(RepoSnapshot::take(&w.path), before);
}

#[test]
fn state_from_another_bisection() {
    let w = world();
    let out = Outputs::new();
    // A finished bisection leaves its state.
    let f = out.run(out.bisect(&w.path, &args(&w.tip, &w.ids[0])));
    assert_eq!(f.culprit(), w.ids[30], "{}", f.dump());
    // The same one again without --resume, then another one, on that state.
    refused(
        &w.path,
        out.bisect(&w.path, &args(&w.tip, &w.ids[0])),
        &["--resume"],
    );
    refused(
        &w.path,
        out.bisect(&w.path, &args(&w.ids[50], &w.ids[0])),
        &["another bisection"],
    );
}

/// Another culprit holds the state directory's lock.
#[test]
fn state_directory_locked_by_a_running_culprit() {
    let w = world();
    let out = Outputs::new();
    let marker = out.path("started");
    let test = format!("echo x >> {}; sleep 30; ./prog", marker.display());
    let holder = out
        .bisect(
            &w.path,
            &[
                "--bad", &w.tip, "--good", &w.ids[0], "--build", BUILD, "--test", &test,
            ],
        )
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .process_group(0)
        .spawn()
        .expect("first culprit starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    while count_lines(&marker) == 0 {
        assert!(
            Instant::now() < deadline,
            "the first culprit did not start its test"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let second = Outputs::new();
    let mut cmd = common::culprit();
    cmd.args(["bisect", "--repo"])
        .arg(&w.path)
        .arg("--state")
        .arg(out.state())
        .arg("--log")
        .arg(second.log())
        .args(["--resume"]);
    let line = refused(&w.path, cmd, &["locked"]);
    let pid = holder.id().to_string();
    // Stop the first one (Ctrl-C) before asserting more.
    killpg(
        Pid::from_raw(i32::try_from(holder.id()).expect("pid")),
        Signal::SIGINT,
    )
    .expect("Ctrl-C");
    let status = holder.wait_with_output().expect("first culprit ends");
    assert!(
        line.contains(&pid),
        "the message should name pid {pid}: {line}"
    );
    assert_ne!(status.status.code(), Some(0));
}

/// The state directory's file system fills up mid-bisection (a 512 KiB tmpfs mounted in a mount
/// namespace of its own, so nothing outside the test sees it): one clear line and exit 2, not
/// a wrong answer.
#[test]
fn disk_full_while_writing_state() {
    let probe = Command::new("unshare")
        .args(["-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: cannot mount a tmpfs in a new mount namespace here (needs root)");
        return;
    }
    let w = History {
        bug_at: Some(700),
        ..History::linear(1000)
    }
    .import();
    let out = Outputs::new();
    let state = out.state();
    std::fs::create_dir_all(&state).expect("mkdir");
    let before = RepoSnapshot::take(&w.path);
    let script = format!(
        "mount -t tmpfs -o size=512k tmpfs '{}' && exec \"$0\" \"$@\"",
        state.display()
    );
    let mut cmd = Command::new("unshare");
    cmd.args(["-m", "sh", "-c", &script])
        .arg(env!("CARGO_BIN_EXE_culprit"))
        .args(["bisect", "--repo"])
        .arg(&w.path)
        .arg("--state")
        .arg(&state)
        .arg("--log")
        .arg(out.log())
        .args(args(&w.tip, &w.ids[0]));
    let o = cmd.output().expect("runs");
    let stderr = String::from_utf8_lossy(&o.stderr);
    let log = std::fs::read_to_string(out.log()).unwrap_or_default();
    let d = format!("{:?}\n--- stderr\n{stderr}--- log\n{log}", o.status);
    assert_eq!(o.status.code(), Some(2), "{d}");
    assert_eq!(stderr.lines().count(), 1, "{d}");
    assert!(
        stderr.to_lowercase().contains("no space left on device") && stderr.contains("--resume"),
        "{d}"
    );
    assert!(
        !log.contains("first bad commit"),
        "named a culprit with a full disk: {d}"
    );
    if std::env::var_os("CULPRIT_E2E_SHOW").is_some() {
        eprintln!("{d}");
    }
    assert_eq!(RepoSnapshot::take(&w.path), before);
}
