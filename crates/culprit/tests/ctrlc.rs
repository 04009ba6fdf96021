//! Ctrl-C (SIGINT to culprit's process group, as a terminal sends it) in the middle of a real
//! bisection, with a test command running: culprit stops with a message that says how to
//! resume, kills the command's process group, records every finished run, and leaves the user's
//! repository exactly as it was (HEAD, index, work tree, refs, stash and the user's own `git
//! bisect`); `--resume` then finds the culprit, still without touching the repository.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::os::unix::process::CommandExt;
use std::time::{Duration, Instant};

use common::{Outputs, count_lines, processes_in_groups, recorded_pids, replayed};
use culprit_testkit::{History, RepoSnapshot};
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

const BUG: usize = 170;

#[test]
fn ctrl_c_mid_bisection_then_resume() {
    let w = History {
        bug_at: Some(BUG as u32),
        ..History::with_merges(300, 8, 2)
    }
    .import();
    // The user is in the middle of their own work: a bisection of their own, a stash, a staged
    // and an unstaged change and an untracked file.
    let git = |args: &[&str]| {
        let mut cmd = culprit_testkit::git_command(&w.path);
        cmd.args(args);
        culprit_testkit::run_git(cmd)
    };
    std::fs::write(w.path.join("src/main.c"), "stashed\n").expect("write");
    git(&["stash", "push", "--quiet", "-m", "work in progress"]);
    git(&["bisect", "start", &w.tip, &w.ids[0]]);
    std::fs::write(w.path.join("notes.txt"), "staged\n").expect("write");
    git(&["add", "notes.txt"]);
    std::fs::write(w.path.join("src/main.c"), "unstaged\n").expect("write");
    std::fs::write(w.path.join("untracked.txt"), "untracked\n").expect("write");
    let before = RepoSnapshot::take(&w.path);
    assert!(!before.bisect.is_empty() && !before.stash.is_empty() && !before.status.is_empty());

    let out = Outputs::new();
    let d = out.path("commands");
    std::fs::create_dir_all(&d).expect("mkdir");
    let dd = d.display();
    let test = format!(
        "echo $$ >> {dd}/run.pids; if [ -e {dd}/slow ]; then sleep 30; fi; ./prog; s=$?; echo $$ >> {dd}/done.pids; exit $s"
    );
    // The default state directory (.git/culprit of the repository), as a user would have it.
    let log_path = out.log();
    let args = [
        "bisect",
        "--repo",
        w.path.to_str().expect("utf-8 path"),
        "--bad",
        &w.tip,
        "--good",
        &w.ids[0],
        "--build",
        common::BUILD,
        "--test",
        &test,
        "--log",
        log_path.to_str().expect("utf-8 path"),
    ];
    let child = common::culprit()
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .process_group(0)
        .spawn()
        .expect("culprit starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    let wait = |what: &str, cond: &dyn Fn() -> bool| {
        while !cond() {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(2));
        }
    };
    wait("the bisection proper", &|| {
        std::fs::read_to_string(out.log())
            .unwrap_or_default()
            .contains("Bisecting: ")
    });
    let runs = count_lines(&d.join("run.pids"));
    std::fs::write(d.join("slow"), "").expect("marker");
    wait("a sleeping run", &|| {
        count_lines(&d.join("run.pids")) > runs
    });
    // The slot started the sleeping run before the driver recorded the last finished one.
    let state = w.path.join(".git/culprit");
    wait("the finished runs recorded", &|| {
        recorded_runs(&state) == count_lines(&d.join("done.pids"))
    });
    let group = Pid::from_raw(i32::try_from(child.id()).expect("pid"));
    killpg(group, Signal::SIGINT).expect("Ctrl-C");
    let started = Instant::now();
    let output = child.wait_with_output().expect("culprit ends");
    let stopped_in = started.elapsed();
    let _ = std::fs::remove_file(d.join("slow"));
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let log = std::fs::read_to_string(out.log()).unwrap_or_default();
    let dump = format!(
        "status {:?}\n--- stderr\n{stderr}\n--- log\n{log}",
        output.status
    );
    // Stopped at once (the 30 s sleep was killed), with a message about --resume.
    assert!(
        stopped_in < Duration::from_secs(20),
        "took {stopped_in:?}: {dump}"
    );
    // Not 0 (found) nor 1 (finished without a culprit): 130 is the shell's convention for
    // SIGINT, 2 the CLI's "error".
    assert!(
        matches!(output.status.code(), Some(130) | Some(2)),
        "{dump}"
    );
    assert!(
        stderr.contains("interrupted") && stderr.contains("--resume"),
        "{dump}"
    );
    // The sleeping run's group is gone, and so is everything else culprit started.
    let groups = recorded_pids(&d.join("run.pids"));
    let alive = processes_in_groups(&groups);
    common::kill_groups_of(&alive, &groups);
    assert!(
        alive.is_empty(),
        "left running after Ctrl-C: {alive:?}: {dump}"
    );
    assert_eq!(
        RepoSnapshot::take(&w.path),
        before,
        "Ctrl-C changed the repository"
    );
    let finished = count_lines(&d.join("done.pids"));
    let started_runs = count_lines(&d.join("run.pids"));

    // Resume from the repository alone.
    let log2 = out.path("resumed.log");
    let resumed = common::culprit()
        .args(["bisect", "--resume", "--repo"])
        .arg(&w.path)
        .arg("--log")
        .arg(&log2)
        .arg("--json")
        .arg(out.json())
        .output()
        .expect("culprit --resume runs");
    let mut f = out.finished(resumed);
    f.log = std::fs::read_to_string(&log2).unwrap_or_default();
    let d2 = format!("{}\n--- first log\n{log}", f.dump());
    assert_eq!(f.code, Some(0), "{d2}");
    assert_eq!(f.culprit(), w.ids[BUG], "{d2}");
    // Every run that finished before Ctrl-C is replayed: the interrupted one is not.
    let replayed = replayed(&f.log);
    assert_eq!(replayed, finished, "{d2}");
    assert_eq!(started_runs, finished + 1, "{d2}");
    assert_eq!(
        RepoSnapshot::take(&w.path),
        before,
        "the resumed bisection changed the repository"
    );
}

/// Ctrl-C while the runs on --bad follow each other quickly: every run that finished before
/// culprit stopped is recorded (a clean stop has the time to record what the slots reported).
#[test]
fn ctrl_c_records_every_finished_run() {
    let w = History {
        bug_at: Some(BUG as u32),
        ..History::with_merges(300, 8, 2)
    }
    .import();
    let out = Outputs::new();
    let d = out.path("commands");
    std::fs::create_dir_all(&d).expect("mkdir");
    let dd = d.display();
    let test =
        format!("echo $$ >> {dd}/run.pids; ./prog; s=$?; echo $$ >> {dd}/done.pids; exit $s");
    let child = out
        .bisect(
            &w.path,
            &[
                "--bad",
                &w.tip,
                "--good",
                &w.ids[0],
                "--build",
                common::BUILD,
                "--test",
                &test,
            ],
        )
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .process_group(0)
        .spawn()
        .expect("culprit starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    while count_lines(&d.join("done.pids")) < 5 {
        assert!(Instant::now() < deadline, "timed out waiting for runs");
        std::thread::sleep(Duration::from_millis(1));
    }
    let group = Pid::from_raw(i32::try_from(child.id()).expect("pid"));
    killpg(group, Signal::SIGINT).expect("Ctrl-C");
    let output = child.wait_with_output().expect("culprit ends");
    let finished = count_lines(&d.join("done.pids"));
    let recorded = recorded_runs(&out.state());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--resume"), "{stderr}");
    // The run that was ending as Ctrl-C came may have written its line and then been stopped
    // (culprit kills its group): that one is redone. Any more were finished and dropped.
    assert!(
        recorded <= finished && finished <= recorded + 1,
        "{finished} runs finished before Ctrl-C stopped culprit, {recorded} were recorded"
    );
}

/// `run` events recorded in the state database of `state` (0 while it cannot be read).
fn recorded_runs(state: &std::path::Path) -> usize {
    rusqlite::Connection::open_with_flags(
        state.join("state.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .and_then(|db| {
        db.query_row("SELECT COUNT(*) FROM events WHERE kind = 'run'", [], |r| {
            r.get::<_, i64>(0)
        })
    })
    .map_or(0, |n| usize::try_from(n).unwrap_or(0))
}

/// Started the way a script starts a background job (`culprit ... &` ignores SIGINT) or nohup
/// (SIGHUP ignored): culprit runs, those signals stay ignored, and SIGTERM still stops it the
/// clean way (exit 130). The signals are sent once culprit's first test run has started (its
/// handler is installed by then) and while that run waits for a file the test creates after:
/// no guess of how long culprit takes to start.
#[test]
fn signals_ignored_by_the_parent_stay_ignored() {
    let w = History {
        bug_at: Some(5),
        ..History::linear(8)
    }
    .import();
    let run = |signals: &[Signal]| {
        let out = Outputs::new();
        let started = out.path("started");
        let go = out.path("go");
        let test = format!(
            "touch {}; while [ ! -e {} ]; do sleep 0.01; done; ./prog",
            started.display(),
            go.display()
        );
        let script = format!(
            "trap '' INT HUP; exec \"$0\" bisect --repo '{}' --bad {} --good {} --build '{}' --test '{test}' --state '{}' --log '{}' --json '{}'",
            w.path.display(),
            w.tip,
            w.ids[0],
            common::BUILD,
            out.state().display(),
            out.log().display(),
            out.json().display(),
        );
        let mut child = std::process::Command::new("sh")
            .args(["-c", &script])
            .arg(env!("CARGO_BIN_EXE_culprit"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("sh runs");
        let deadline = Instant::now() + Duration::from_secs(60);
        while !started.exists() {
            if let Ok(Some(status)) = child.try_wait() {
                panic!("culprit ended ({status}) before its first run");
            }
            assert!(Instant::now() < deadline, "no test run after 60 s");
            std::thread::sleep(Duration::from_millis(2));
        }
        for &sig in signals {
            nix::sys::signal::kill(Pid::from_raw(child.id() as i32), sig).expect("signal");
        }
        // Let the runs go on (a stopped culprit has killed the waiting one already).
        std::fs::write(&go, "").expect("go");
        let f = out.finished(child.wait_with_output().expect("culprit ends"));
        (f.code, format!("{}\n{}", f.result(), f.dump()))
    };
    // SIGINT and SIGHUP during the first run: ignored, the bisection names its culprit.
    let (code, text) = run(&[Signal::SIGINT, Signal::SIGHUP]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.starts_with("culprit\n"), "{text}");
    // SIGTERM is not ignored: the clean stop.
    let (code, text) = run(&[Signal::SIGTERM]);
    assert_eq!(code, Some(130), "{text}");
}
