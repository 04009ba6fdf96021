//! Real processes: exit codes, signals, output capture, timeouts, cancellation and drop, with
//! /proc checked for survivors of the process group.

#![allow(clippy::expect_used)] // test setup failures should panic with their reason

use std::path::Path;
use std::time::Duration;

use culprit_exec::{Cancel, Command, Error, Keep, OutputBudget, Status};

/// Live (non-zombie) processes whose process group is `pgid`, from /proc.
fn group_members(pgid: u32) -> Vec<u32> {
    let mut members = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // Fields after the parenthesised command name: state ppid pgrp ...
        let Some((_, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        if fields.len() > 2 && fields[0] != "Z" && fields[2] == pgid.to_string() {
            members.push(pid);
        }
    }
    members
}

/// Assert the group is gone. SIGKILL is delivered asynchronously: a killed process may still be
/// on its way out for a moment after `killpg` returns, so allow it a bounded time to finish dying.
fn assert_group_gone(pgid: u32) {
    for _ in 0..500 {
        if group_members(pgid).is_empty() {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!(
        "processes of group {pgid} survived: {:?}",
        group_members(pgid)
    );
}

fn wait_for_line(log: &Path, line: &str) {
    // Bounded: the shell writes the line right away; give up after ~20 s.
    for _ in 0..2000 {
        if std::fs::read_to_string(log).is_ok_and(|text| text.contains(line)) {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("{line:?} never appeared in {log:?}");
}

#[test]
fn exit_codes_are_reported_exactly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cancel = Cancel::new();
    for code in [0, 1, 125, 2, 255] {
        let outcome = Command::new(format!("exit {code}"), dir.path(), dir.path().join("log"))
            .run(&cancel)
            .expect("run");
        assert_eq!(outcome.status, Status::Exited(code));
        assert_eq!(outcome.status.success(), code == 0);
    }
}

#[test]
fn death_by_signal_is_reported_exactly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cancel = Cancel::new();
    for signal in [6, 9, 11, 15] {
        let outcome = Command::new(
            format!("kill -{signal} $$"),
            dir.path(),
            dir.path().join("log"),
        )
        .run(&cancel)
        .expect("run");
        assert_eq!(outcome.status, Status::Signaled(signal));
    }
    // A child of the shell that crashes is the shell's exit code 128 + signal.
    let outcome = Command::new(
        "sh -c 'kill -11 $$'; exit $?",
        dir.path(),
        dir.path().join("log"),
    )
    .run(&cancel)
    .expect("run");
    assert_eq!(outcome.status, Status::Exited(139));
}

#[test]
fn output_goes_to_the_log_with_bounded_head_and_tail() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("logs/nested/build.log");
    // 20000 numbered lines on stdout, one line on stderr in the middle.
    let script = "i=0; while [ $i -lt 20000 ]; do echo \"line $i\"; if [ $i = 10000 ]; then echo middle >&2; fi; i=$((i+1)); done";
    let outcome = Command::new(script, dir.path(), &log)
        .keep(100, 50)
        .run(&Cancel::new())
        .expect("run");
    assert_eq!(outcome.status, Status::Exited(0));
    let mut expected = String::new();
    for i in 0..20000 {
        expected.push_str(&format!("line {i}\n"));
        if i == 10000 {
            expected.push_str("middle\n");
        }
    }
    let text = std::fs::read_to_string(&log).expect("log");
    assert_eq!(text, expected);
    assert_eq!(outcome.log_path, log);
    assert_eq!(outcome.bytes, expected.len() as u64);
    assert_eq!(outcome.head, expected.as_bytes()[..100]);
    assert_eq!(outcome.tail, expected.as_bytes()[expected.len() - 50..]);
}

#[test]
fn directory_and_environment_are_applied() {
    let dir = tempfile::tempdir().expect("temp dir");
    let work = dir.path().join("work");
    std::fs::create_dir(&work).expect("mkdir");
    let outcome = Command::new(
        "pwd; echo \"$CULPRIT_TEST_VAR\"",
        &work,
        dir.path().join("log"),
    )
    .env("CULPRIT_TEST_VAR", "value with spaces")
    .run(&Cancel::new())
    .expect("run");
    let text = String::from_utf8(outcome.head).expect("utf-8");
    let canonical = work.canonicalize().expect("exists");
    assert_eq!(
        text,
        format!("{}\nvalue with spaces\n", canonical.display())
    );
}

#[test]
fn timeout_kills_the_whole_group() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("log");
    // Both sleeps are forked before the line is printed; the timeout only runs in `wait`.
    let running = Command::new(
        "sleep 100 & sleep 100 & echo started; wait",
        dir.path(),
        &log,
    )
    .timeout(Duration::from_millis(1500))
    .spawn(&Cancel::new())
    .expect("spawn");
    let pgid = running.pid();
    wait_for_line(&log, "started");
    assert_eq!(group_members(pgid).len(), 3, "sh and two sleeps");
    let outcome = running.wait().expect("wait");
    assert_eq!(outcome.status, Status::TimedOut);
    assert_group_gone(pgid);
    // Not a speed check: only that the 100 s sleeps did not run to the end.
    assert!(
        outcome.duration < Duration::from_secs(60),
        "{:?}",
        outcome.duration
    );
}

#[test]
fn processes_ignoring_sigterm_are_killed_after_the_grace() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("log");
    let script = "trap '' TERM; sh -c \"trap '' TERM; sleep 100\" & echo started; sleep 100";
    let running = Command::new(script, dir.path(), &log)
        .timeout(Duration::from_millis(200))
        .grace(Duration::from_millis(200))
        .spawn(&Cancel::new())
        .expect("spawn");
    let pgid = running.pid();
    wait_for_line(&log, "started");
    let outcome = running.wait().expect("wait");
    assert_eq!(outcome.status, Status::TimedOut);
    assert_group_gone(pgid);
}

#[test]
fn cancel_kills_every_live_group() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cancel = Cancel::new();
    let mut threads = Vec::new();
    let mut pgids = Vec::new();
    for i in 0..3 {
        let log = dir.path().join(format!("log{i}"));
        let running = Command::new("sleep 100 & echo started; sleep 100", dir.path(), &log)
            .spawn(&cancel)
            .expect("spawn");
        pgids.push(running.pid());
        wait_for_line(&log, "started");
        threads.push(std::thread::spawn(move || running.wait()));
    }
    assert_eq!(cancel.live_groups(), 3);
    cancel.cancel();
    for thread in threads {
        let outcome = thread.join().expect("thread").expect("wait");
        assert_eq!(outcome.status, Status::Cancelled);
    }
    for pgid in pgids {
        assert_group_gone(pgid);
    }
    assert_eq!(cancel.live_groups(), 0);

    // Once cancelled, nothing starts.
    let outcome = Command::new("echo never > ran", dir.path(), dir.path().join("late"))
        .run(&cancel)
        .expect("run");
    assert_eq!(outcome.status, Status::Cancelled);
    assert!(!dir.path().join("ran").exists());
    assert!(matches!(
        Command::new("true", dir.path(), dir.path().join("late")).spawn(&cancel),
        Err(Error::Cancelled { .. })
    ));
}

#[test]
fn dropping_a_running_command_kills_its_group() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("log");
    let cancel = Cancel::new();
    let running = Command::new("sleep 100 & echo started; sleep 100", dir.path(), &log)
        .grace(Duration::from_millis(100))
        .spawn(&cancel)
        .expect("spawn");
    let pgid = running.pid();
    wait_for_line(&log, "started");
    drop(running);
    assert_group_gone(pgid);
    assert_eq!(cancel.live_groups(), 0);
}

#[test]
fn background_leftovers_are_killed_when_the_shell_exits() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("log");
    // The leftover sleep keeps the output pipe open: the run must still end.
    let running = Command::new("sleep 100 & echo done; exit 3", dir.path(), &log)
        .spawn(&Cancel::new())
        .expect("spawn");
    let pgid = running.pid();
    let outcome = running.wait().expect("wait");
    assert_eq!(outcome.status, Status::Exited(3));
    assert_eq!(outcome.head, b"done\n");
    assert_group_gone(pgid);
}

#[test]
fn spawn_errors_name_what_failed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("no-such-dir");
    let err = Command::new("true", &missing, dir.path().join("log"))
        .run(&Cancel::new())
        .expect_err("missing directory");
    assert!(matches!(err, Error::Spawn { .. }), "{err:?}");
    assert!(
        err.to_string().contains(&missing.display().to_string()),
        "{err}"
    );

    let file = dir.path().join("file");
    std::fs::write(&file, "").expect("write");
    let err = Command::new("true", dir.path(), file.join("log"))
        .run(&Cancel::new())
        .expect_err("log under a file");
    assert!(matches!(err, Error::CreateLog { .. }), "{err:?}");
    assert!(
        err.to_string().starts_with("cannot create log file"),
        "{err}"
    );
}

#[test]
fn environment_variables_can_be_removed() {
    let dir = tempfile::tempdir().expect("temp dir");
    // cargo runs tests with CARGO_PKG_NAME set: an inherited variable to remove.
    assert_eq!(
        std::env::var("CARGO_PKG_NAME").as_deref(),
        Ok("culprit-exec")
    );
    let script = "echo \"[${CARGO_PKG_NAME:-unset}] [${A:-unset}] [$B]\"";
    let outcome = Command::new(script, dir.path(), dir.path().join("log"))
        .env_remove("CARGO_PKG_NAME")
        .env("A", "1")
        .env_remove("A")
        .env_remove("B")
        .env("B", "2")
        .run(&Cancel::new())
        .expect("run");
    assert_eq!(
        String::from_utf8_lossy(&outcome.head),
        "[unset] [unset] [2]\n"
    );
}

#[test]
fn cancel_tokens_and_commands_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    send_sync::<Cancel>();
    send_sync::<Command>();
    send::<culprit_exec::Running>();
}

/// Whether `pid` is gone or a zombie (killed; its parent may not have reaped it yet).
fn dead(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{}/stat", pid.trim()))
        .map(|s| {
            s.rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().next())
                .is_some_and(|state| state == "Z" || state == "X")
        })
        .unwrap_or(true)
}

/// Waits (bounded) until `pid` is dead: SIGKILL is delivered asynchronously.
fn assert_dead(pid: &str) {
    for _ in 0..500 {
        if dead(pid) {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("process {pid} survived");
}

#[test]
fn a_timeout_too_long_for_the_clock_is_no_timeout() {
    let dir = tempfile::tempdir().expect("temp dir");
    // `started + u64::MAX seconds` overflows an Instant: it used to panic the waiting thread.
    let outcome = Command::new("exit 3", dir.path(), dir.path().join("log"))
        .timeout(Duration::from_secs(u64::MAX))
        .run(&Cancel::new())
        .expect("run");
    assert_eq!(outcome.status, Status::Exited(3));
}

/// A daemon started with `setsid` (and one with `setsid` in a double fork) leaves the command's
/// process group and keeps its output pipe open: both are killed when the command ends, and the
/// command does not wait for the pipe (a 60 s reader grace would show).
#[test]
fn processes_that_left_the_group_are_stopped_when_the_command_ends() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("log");
    let script = "setsid sh -c 'echo $$ > d1; exec sleep 300' & \
                  (setsid sh -c 'echo $$ > d2; exec sleep 300' &); \
                  while [ ! -s d1 ] || [ ! -s d2 ]; do sleep 0.01; done; echo started";
    let cancel = Cancel::new();
    let outcome = Command::new(script, dir.path(), &log)
        .reader_grace(Duration::from_secs(60))
        .run(&cancel)
        .expect("run");
    assert_eq!(outcome.status, Status::Exited(0));
    assert_eq!(outcome.head, b"started\n");
    assert_eq!(outcome.escaped, 2, "{outcome:?}");
    assert_eq!(cancel.escaped(), 2);
    for d in ["d1", "d2"] {
        let pid = std::fs::read_to_string(dir.path().join(d)).expect("daemon pid");
        assert_dead(&pid);
    }
    assert!(
        outcome.duration < Duration::from_secs(30),
        "waited for the daemons' pipe: {:?}",
        outcome.duration
    );
}

#[test]
fn long_output_keeps_its_head_and_tail_in_the_log_with_a_hash() {
    use sha2::{Digest, Sha256};
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("log");
    let outcome = Command::new(
        "head -c 5000000 /dev/zero | tr '\\0' x; echo; echo END",
        dir.path(),
        &log,
    )
    .keep_in_file(Keep {
        head: 1000,
        tail: 2000,
    })
    .run(&Cancel::new())
    .expect("run");
    let mut whole = vec![b'x'; 5_000_000];
    whole.extend_from_slice(b"\nEND\n");
    let sha: String = Sha256::digest(&whole)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(outcome.bytes, whole.len() as u64);
    assert_eq!(outcome.cut, whole.len() as u64 - 3000);
    assert_eq!(outcome.sha256, sha);
    let text = std::fs::read(&log).expect("log");
    assert!(text.len() < 4000, "{} bytes kept", text.len());
    assert_eq!(&text[..1000], &whole[..1000]);
    assert!(text.ends_with(&whole[whole.len() - 2000..]));
    let note = String::from_utf8_lossy(&text[1000..text.len() - 2000]).into_owned();
    assert!(
        note.contains(&format!("{} bytes of output cut here", outcome.cut))
            && note.contains(&format!("the whole output was {} bytes", whole.len()))
            && note.contains(&sha),
        "{note}"
    );

    // A short output is kept whole, without a note.
    let outcome = Command::new("echo short", dir.path(), &log)
        .keep_in_file(Keep {
            head: 1000,
            tail: 2000,
        })
        .run(&Cancel::new())
        .expect("run");
    assert_eq!(outcome.cut, 0);
    assert_eq!(std::fs::read(&log).expect("log"), b"short\n");
}

/// Log files under a directory with a budget: once it is spent, each keeps the minimum.
#[test]
fn a_directory_budget_reduces_what_later_logs_keep() {
    let dir = tempfile::tempdir().expect("temp dir");
    let logs = dir.path().join("logs");
    std::fs::create_dir_all(&logs).expect("mkdir");
    let budget = OutputBudget::register(&logs, 1_000_000);
    let big = "head -c 600000 /dev/zero";
    let sizes: Vec<u64> = (0..3)
        .map(|i| {
            let log = logs.join(format!("run{i}.log"));
            let outcome = Command::new(big, dir.path(), &log)
                .run(&Cancel::new())
                .expect("run");
            assert_eq!(outcome.bytes, 600_000);
            std::fs::metadata(&log).expect("log").len()
        })
        .collect();
    // The first fits; the second gets what is left (400 000 bytes); the third the minimum.
    assert_eq!(sizes[0], 600_000);
    assert!((400_000..401_000).contains(&sizes[1]), "{sizes:?}");
    assert!(
        (Keep::MIN.total()..Keep::MIN.total() + 1000).contains(&sizes[2]),
        "{sizes:?}"
    );
    assert_eq!(budget.cut(), 2);
    assert_eq!(budget.reduced(), 2);
    assert_eq!(budget.used(), sizes.iter().sum::<u64>());
    // Elsewhere, no budget applies.
    let other = dir.path().join("other.log");
    let outcome = Command::new(big, dir.path(), &other)
        .run(&Cancel::new())
        .expect("run");
    assert_eq!(outcome.cut, 0);
    drop(budget);
    let after = logs.join("after.log");
    let outcome = Command::new(big, dir.path(), &after)
        .run(&Cancel::new())
        .expect("run");
    assert_eq!(outcome.cut, 0, "the budget ended with its value");
}

/// Words given as argv reach the program as they are: no shell splits, unquotes or expands them.
#[test]
fn argv_words_reach_the_program_unchanged() {
    let dir = tempfile::tempdir().expect("temp dir");
    let words = [
        "two words",
        "it's \"quoted\"",
        "$HOME and $(echo no) and `echo no`",
        "*",
        "",
        "back\\slash; exit 3 | cat > x",
    ];
    let outcome = Command::argv(
        "printf",
        ["[%s]\n"].into_iter().chain(words),
        dir.path(),
        dir.path().join("log"),
    )
    .run(&Cancel::new())
    .expect("run");
    assert_eq!(outcome.status, Status::Exited(0));
    let expected: String = words.iter().map(|w| format!("[{w}]\n")).collect();
    assert_eq!(String::from_utf8_lossy(&outcome.head), expected);
    assert!(!dir.path().join("x").exists());
}

#[test]
fn argv_exit_codes_directory_and_environment_are_applied() {
    let dir = tempfile::tempdir().expect("temp dir");
    let work = dir.path().join("work dir");
    std::fs::create_dir(&work).expect("mkdir");
    // `sh` here is only the program under test: its script is one argv word.
    let outcome = Command::argv(
        "sh",
        ["-c", "pwd; echo \"$CULPRIT_TEST_VAR\"; exit 7"],
        &work,
        dir.path().join("log"),
    )
    .env("CULPRIT_TEST_VAR", "value with spaces")
    .run(&Cancel::new())
    .expect("run");
    assert_eq!(outcome.status, Status::Exited(7));
    let canonical = work.canonicalize().expect("exists");
    assert_eq!(
        String::from_utf8_lossy(&outcome.head),
        format!("{}\nvalue with spaces\n", canonical.display())
    );
}

#[test]
fn argv_timeout_kills_the_whole_group() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("log");
    let running = Command::argv(
        "sh",
        ["-c", "sleep 100 & sleep 100 & echo started; wait"],
        dir.path(),
        &log,
    )
    .timeout(Duration::from_millis(1500))
    .spawn(&Cancel::new())
    .expect("spawn");
    let pgid = running.pid();
    wait_for_line(&log, "started");
    assert_eq!(group_members(pgid).len(), 3, "sh and two sleeps");
    let outcome = running.wait().expect("wait");
    assert_eq!(outcome.status, Status::TimedOut);
    assert_group_gone(pgid);

    // The program itself is the group leader: a lone `sleep` is killed too.
    let running = Command::argv("sleep", ["100"], dir.path(), &log)
        .timeout(Duration::from_millis(200))
        .spawn(&Cancel::new())
        .expect("spawn");
    let pgid = running.pid();
    let outcome = running.wait().expect("wait");
    assert_eq!(outcome.status, Status::TimedOut);
    assert_group_gone(pgid);
}

#[test]
fn argv_commands_are_cancelled_and_dropped_like_scripts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cancel = Cancel::new();
    let log = dir.path().join("log");
    let argv = ["-c", "sleep 100 & echo started; sleep 100"];
    let running = Command::argv("sh", argv, dir.path(), &log)
        .spawn(&cancel)
        .expect("spawn");
    let pgid = running.pid();
    wait_for_line(&log, "started");
    assert_eq!(cancel.live_groups(), 1);
    let waiter = std::thread::spawn(move || running.wait());
    cancel.cancel();
    let outcome = waiter.join().expect("thread").expect("wait");
    assert_eq!(outcome.status, Status::Cancelled);
    assert_group_gone(pgid);
    assert_eq!(cancel.live_groups(), 0);
    // Once cancelled, nothing starts; the error shows the words quoted as for `sh`.
    let err = Command::argv("touch", ["never ran"], dir.path(), &log)
        .spawn(&cancel)
        .err()
        .expect("cancelled");
    assert!(matches!(err, Error::Cancelled { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "cancelled before `touch 'never ran'` started"
    );
    assert!(!dir.path().join("never ran").exists());

    let cancel = Cancel::new();
    let log = dir.path().join("log2");
    let running = Command::argv("sh", argv, dir.path(), &log)
        .grace(Duration::from_millis(100))
        .spawn(&cancel)
        .expect("spawn");
    let pgid = running.pid();
    wait_for_line(&log, "started");
    drop(running);
    assert_group_gone(pgid);
    assert_eq!(cancel.live_groups(), 0);
}

#[test]
fn argv_processes_that_left_the_group_are_stopped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = "setsid sh -c 'echo $$ > d1; exec sleep 300' & \
                  while [ ! -s d1 ]; do sleep 0.01; done; echo started";
    let outcome = Command::argv("sh", ["-c", script], dir.path(), dir.path().join("log"))
        .reader_grace(Duration::from_secs(60))
        .run(&Cancel::new())
        .expect("run");
    assert_eq!(outcome.status, Status::Exited(0));
    assert_eq!(outcome.escaped, 1, "{outcome:?}");
    let pid = std::fs::read_to_string(dir.path().join("d1")).expect("daemon pid");
    assert_dead(&pid);
}

#[test]
fn a_missing_program_is_a_spawn_error_naming_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let err = Command::argv(
        "culprit-no-such-program",
        ["an arg"],
        dir.path(),
        dir.path().join("log"),
    )
    .run(&Cancel::new())
    .expect_err("no such program");
    assert!(matches!(err, Error::Spawn { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("cannot run `culprit-no-such-program 'an arg'` in "),
        "{err}"
    );
}

#[test]
fn stderr_can_go_to_a_file_of_its_own() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("log");
    let stderr = dir.path().join("err/stderr.log");
    let outcome = Command::argv(
        "sh",
        ["-c", "echo out; echo err >&2; echo out2"],
        dir.path(),
        &log,
    )
    .stderr_to(&stderr)
    .run(&Cancel::new())
    .expect("run");
    assert_eq!(outcome.status, Status::Exited(0));
    assert_eq!(outcome.head, b"out\nout2\n");
    assert_eq!(std::fs::read(&log).expect("log"), b"out\nout2\n");
    assert_eq!(std::fs::read(&stderr).expect("stderr"), b"err\n");
}
