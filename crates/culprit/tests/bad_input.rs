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
    // Without --build at all, clap refuses: its message on one line, without the usage.
    refused(
        &w.path,
        out.bisect(&w.path, &["--bad", &w.tip, "--test", "./prog"]),
        &["culprit: error: ", "required", "--build"],
    );
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
    // Wait for a line of the first one's log, which the second one must leave alone.
    while !std::fs::read_to_string(out.log()).is_ok_and(|l| l.contains("testing commit")) {
        assert!(Instant::now() < deadline, "the first culprit wrote no log");
        std::thread::sleep(Duration::from_millis(5));
    }
    let log_before = std::fs::read_to_string(out.log()).expect("log");
    // The same outputs as the running one: refused before opening them.
    let mut cmd = common::culprit();
    cmd.args(["bisect", "--repo"])
        .arg(&w.path)
        .arg("--state")
        .arg(out.state())
        .arg("--log")
        .arg(out.log())
        .arg("--json")
        .arg(out.json())
        .args(["--resume"]);
    let line = refused(&w.path, cmd, &["locked"]);
    let log_after = std::fs::read_to_string(out.log()).expect("log");
    let json_written = out.json().exists();
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
    assert!(
        log_after.starts_with(&log_before),
        "the refused culprit truncated the running one's log:\n--- before\n{log_before}\n--- after\n{log_after}"
    );
    assert!(
        !json_written,
        "the refused culprit wrote the running one's JSON"
    );
}

/// A --json or --log that cannot be written is refused before anything is built or recorded:
/// the build command never runs and no state directory is left.
#[test]
fn outputs_that_cannot_be_written_stop_culprit_before_the_first_build() {
    let w = world();
    let out = Outputs::new();
    let marker = out.path("built");
    let build = format!("echo x >> {}; {BUILD}", marker.display());
    let dir = out.path("a-directory");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let cases: [(&str, std::path::PathBuf, &[&str]); 4] = [
        (
            "--json",
            out.path("no-such-dir/result.json"),
            &["--json", "no-such-dir"],
        ),
        ("--json", dir.clone(), &["--json", "directory"]),
        (
            "--log",
            out.path("no-such-dir/bisect.log"),
            &["--log", "no-such-dir"],
        ),
        ("--log", dir.clone(), &["--log", "a-directory"]),
    ];
    for (flag, path, want) in cases {
        let mut cmd = common::culprit();
        cmd.args(["bisect", "--repo"])
            .arg(&w.path)
            .args(["--bad", &w.tip, "--good", &w.ids[0], "--build", &build])
            .args(["--test", "./prog", "--state"])
            .arg(out.state())
            .arg(flag)
            .arg(&path);
        refused(&w.path, cmd, want);
        assert!(!marker.exists(), "{flag} {}: a build ran", path.display());
        assert!(
            !out.state().exists(),
            "{flag} {}: a state directory was left",
            path.display()
        );
    }
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

/// The README's "Bad inputs" table: (input, what stderr says), as written.
fn readme_table() -> Vec<(String, String)> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
        .expect("README.md");
    let section = readme
        .split_once("\n## Bad inputs\n")
        .map(|(_, rest)| rest.split("\n## ").next().unwrap_or(""))
        .expect("a `## Bad inputs` section in README.md");
    section
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.strip_prefix("| `")?.split("` | `").collect();
            let [input, says] = cells.as_slice() else {
                return None;
            };
            Some((input.to_string(), says.strip_suffix("` |")?.to_string()))
        })
        .collect()
}

/// Words of a command line: blanks separate them, single quotes keep blanks (and nothing) in.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word: Option<String> = None;
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                word.get_or_insert_with(String::new);
            }
            c if c.is_whitespace() && !quoted => out.extend(word.take()),
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    out.extend(word);
    out
}

/// Processes still at work under `root` (their working directory), or started by the culprit
/// with process id `pid` (its commands carry `CULPRIT_RUN_TAG=<pid>-…`).
fn running_under(root: &Path, pid: u32) -> Vec<String> {
    let tag = format!("CULPRIT_RUN_TAG={pid}-");
    let mut found = Vec::new();
    for e in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Some(p) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        let zombie = std::fs::read_to_string(e.path().join("stat"))
            .map(|s| {
                s.rsplit_once(')')
                    .is_some_and(|(_, r)| r.trim_start().starts_with('Z'))
            })
            .unwrap_or(true);
        if zombie || p == std::process::id() {
            continue;
        }
        let cwd = std::fs::read_link(e.path().join("cwd")).unwrap_or_default();
        let environ = std::fs::read(e.path().join("environ")).unwrap_or_default();
        let tagged = environ
            .split(|&b| b == 0)
            .any(|v| v.starts_with(tag.as_bytes()));
        if cwd.starts_with(root) || tagged {
            found.push(format!("{p} in {}", cwd.display()));
        }
    }
    found
}

/// Every row of the README's bad-input table, as written there: exit 2, one line on stderr with
/// the row's text, no panic, nothing on stdout, the repository unchanged, no state directory
/// left, nothing running, within a minute (a timeout of `u64::MAX` seconds used to panic a
/// thread and hang).
#[test]
fn every_bad_input_in_the_readme_is_refused_cleanly() {
    let rows = readme_table();
    assert!(
        rows.len() >= 70,
        "only {} rows in the README's table",
        rows.len()
    );
    let w = world();
    let out = Outputs::new();
    let root = out.dir.path().canonicalize().expect("canonical temp dir");
    let file = out.path("a-file");
    std::fs::write(&file, "not a repository\n").expect("write");
    let dir = out.path("a-dir");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let nowhere = out.path("no-such-dir/x");
    let done = out.path("done-state");
    let locked = out.path("locked-state");
    std::fs::create_dir_all(&locked).expect("mkdir");
    let lock = culprit_store::StateLock::acquire(&locked).expect("hold a state directory's lock");
    let build = "cc -O0 -o prog src/main.c";
    let c: Vec<String> = [
        "bisect", "--repo", "R", "--bad", "B", "--good", "G", "--build", build, "--test", "./prog",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let expand = |word: &str, new: &Path| -> String {
        match word {
            "R" => w.path.display().to_string(),
            "B" => w.tip.clone(),
            "G" => w.ids[0].clone(),
            "NEW" => new.display().to_string(),
            "DONE" => done.display().to_string(),
            "LOCKED" => locked.display().to_string(),
            "FILE" => file.display().to_string(),
            "DIR" => dir.display().to_string(),
            "NOWHERE" => nowhere.display().to_string(),
            other => other.to_string(),
        }
    };
    // DONE: a finished bisection of C.
    let mut finished = common::culprit();
    finished
        .args(c.iter().map(|a| expand(a, &done)))
        .arg("--state")
        .arg(&done)
        .arg("--log")
        .arg(out.path("done.log"));
    let o = finished.output().expect("culprit runs");
    assert_eq!(o.status.code(), Some(0), "{o:?}");

    let scratch = out.path("cwd");
    std::fs::create_dir_all(&scratch).expect("mkdir");
    let default_state = w.path.join(".git/culprit");
    let before = RepoSnapshot::take(&w.path);
    let mut failures = Vec::new();
    for (i, (input, says)) in rows.iter().enumerate() {
        let new = out.path(&format!("new-state-{i}"));
        let mut argv = words(input);
        assert!(!argv.is_empty(), "empty input in the table");
        let first = argv.remove(0);
        let args: Vec<String> = match first.as_str() {
            "C" => c
                .iter()
                .chain(argv.iter())
                .map(|a| expand(a, &new))
                .collect(),
            "culprit" => argv.iter().map(|a| expand(a, &new)).collect(),
            other => panic!("row {input:?} starts with {other:?}, not C or culprit"),
        };
        let stdout_path = out.path("stdout");
        let stderr_path = out.path("stderr");
        let mut child = common::culprit()
            .args(&args)
            .current_dir(&scratch)
            .stdout(std::fs::File::create(&stdout_path).expect("stdout file"))
            .stderr(std::fs::File::create(&stderr_path).expect("stderr file"))
            .process_group(0)
            .spawn()
            .expect("culprit starts");
        let pid = child.id();
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break Some(status);
            }
            if Instant::now() > deadline {
                let _ = killpg(Pid::from_raw(pid as i32), Signal::SIGKILL);
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
        let stdout = std::fs::read_to_string(&stdout_path).unwrap_or_default();
        let mut wrong = Vec::new();
        match status {
            None => wrong.push("still running after 60 s (killed)".to_string()),
            Some(s) if s.code() != Some(2) => wrong.push(format!("exit {s}")),
            Some(_) => {}
        }
        if stderr.lines().count() != 1 {
            wrong.push(format!("{} lines on stderr", stderr.lines().count()));
        }
        if !stderr.contains(says.as_str()) {
            wrong.push(format!("stderr lacks {says:?}"));
        }
        for bad in ["panicked", "backtrace", "RUST_BACKTRACE"] {
            if stderr.contains(bad) {
                wrong.push(format!("stderr says {bad:?}"));
            }
        }
        if stderr.matches("os error").count() > 1 {
            wrong.push("an OS error said twice".into());
        }
        if !stdout.is_empty() {
            wrong.push(format!("stdout: {stdout:?}"));
        }
        if RepoSnapshot::take(&w.path) != before {
            wrong.push("the repository changed".into());
        }
        for (what, path) in [("--state NEW", &new), ("the default state", &default_state)] {
            if path.exists() {
                wrong.push(format!("{what} left behind"));
                let _ = std::fs::remove_dir_all(path);
            }
        }
        let running = running_under(&root, pid);
        if !running.is_empty() {
            wrong.push(format!("left running: {running:?}"));
        }
        if !wrong.is_empty() {
            failures.push(format!(
                "`{input}`: {}\n    stderr: {stderr:?}",
                wrong.join("; ")
            ));
        }
    }
    drop(lock);
    assert!(
        failures.is_empty(),
        "{} of {} bad inputs were not refused cleanly:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}
