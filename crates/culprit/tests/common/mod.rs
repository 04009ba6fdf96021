//! Shared by the binary's end-to-end tests: run the real `culprit` binary on real repositories,
//! read its JSON and log, run `git bisect run` for comparison, and look for stray processes.

#![allow(dead_code)]
// Test helpers panic with their reason: a broken fixture is a broken test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use culprit_testkit::{git_command, run_git};

pub mod kernel;

/// The build command of every C world: compile `src/main.c` into `prog` (no make, no flags that
/// differ between machines).
pub const BUILD: &str = "cc -O0 -o prog src/main.c";

/// The `culprit` binary built by cargo for these tests.
#[allow(unsafe_code)]
pub fn culprit() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_culprit"));
    // The repositories are the fixtures'; no config of the machine's user should matter.
    cmd.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("LC_ALL", "C")
        .stdin(Stdio::null());
    // The tests play a user at a terminal, where Ctrl-C reaches culprit. A CI job started in
    // the background of a script (or under nohup) ignores SIGINT/SIGHUP, culprit keeps what its
    // parent ignores, and a test's Ctrl-C would then never stop it: the signals go back to
    // their defaults in the child (the test of ignored signals sets them itself).
    use std::os::unix::process::CommandExt;
    // SAFETY: between fork and exec only `sigaction` runs, which is async-signal-safe, and
    // nothing is allocated.
    unsafe {
        cmd.pre_exec(|| {
            use nix::sys::signal::{SigHandler, Signal, signal};
            for s in [Signal::SIGINT, Signal::SIGHUP, Signal::SIGTERM] {
                signal(s, SigHandler::SigDfl).map_err(std::io::Error::from)?;
            }
            Ok(())
        });
    }
    cmd
}

/// What one finished `culprit bisect` printed and wrote.
pub struct Finished {
    pub code: Option<i32>,
    pub stderr: String,
    pub log: String,
    pub json: serde_json::Value,
}

impl Finished {
    /// The culprit's hash from the JSON, or "" when there is none.
    pub fn culprit(&self) -> &str {
        self.json["culprit"]["commit"].as_str().unwrap_or("")
    }

    /// `result` from the JSON.
    pub fn result(&self) -> &str {
        self.json["result"].as_str().unwrap_or("")
    }

    /// Everything, for assertion messages.
    pub fn dump(&self) -> String {
        format!(
            "exit {:?}\n--- stderr\n{}\n--- json\n{:#}\n--- log\n{}",
            self.code, self.stderr, self.json, self.log
        )
    }

    /// Number of log lines that start with `prefix`.
    pub fn lines_starting(&self, prefix: &str) -> usize {
        self.log.lines().filter(|l| l.starts_with(prefix)).count()
    }
}

/// Files of one bisection outside the repository: log, JSON, state.
pub struct Outputs {
    pub dir: tempfile::TempDir,
}

impl Outputs {
    pub fn new() -> Outputs {
        Outputs {
            // CULPRIT_E2E_KEEP=1 keeps the logs, JSON and state for a look after the test.
            dir: tempfile::Builder::new()
                .prefix("culprit-e2e-")
                .disable_cleanup(std::env::var_os("CULPRIT_E2E_KEEP").is_some())
                .tempdir()
                .expect("tempdir"),
        }
    }
    pub fn log(&self) -> PathBuf {
        self.dir.path().join("bisect.log")
    }
    pub fn json(&self) -> PathBuf {
        self.dir.path().join("result.json")
    }
    pub fn state(&self) -> PathBuf {
        self.dir.path().join("state")
    }
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `culprit bisect --repo REPO --log .. --json .. --state ..` plus `args`.
    pub fn bisect(&self, repo: &Path, args: &[&str]) -> Command {
        let mut cmd = culprit();
        cmd.arg("bisect")
            .arg("--repo")
            .arg(repo)
            .arg("--log")
            .arg(self.log())
            .arg("--json")
            .arg(self.json())
            .arg("--state")
            .arg(self.state())
            .args(args);
        cmd
    }

    /// Reads what a finished process left.
    pub fn finished(&self, out: Output) -> Finished {
        let json = std::fs::read_to_string(self.json())
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(serde_json::Value::Null);
        Finished {
            code: out.status.code(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            log: std::fs::read_to_string(self.log()).unwrap_or_default(),
            json,
        }
    }

    /// Runs `cmd` to the end and reads what it left.
    pub fn run(&self, mut cmd: Command) -> Finished {
        let out = cmd.output().expect("culprit runs");
        let f = self.finished(out);
        if std::env::var_os("CULPRIT_E2E_SHOW").is_some() {
            eprintln!("{}", f.dump());
        }
        f
    }
}

/// What `git bisect run` named, run in a copy of `repo` with `build` then `test` as one script,
/// written as git's documentation says: a failed build exits 125 (skip), a failed test exits 1
/// (bad; `git bisect run` aborts on a status of 128 or more, i.e. a death by signal).
pub struct GitBisect {
    /// The hash after "is the first bad commit", when it named one.
    pub first_bad: Option<String>,
    pub output: String,
}

pub fn git_bisect_run(repo: &Path, bad: &str, good: &str, build: &str, test: &str) -> GitBisect {
    let dir = tempfile::Builder::new()
        .prefix("culprit-gitbisect-")
        .tempdir()
        .expect("tempdir");
    let copy = dir.path().join("copy");
    let mut clone = git_command(dir.path());
    clone
        .arg("clone")
        .arg("--quiet")
        .arg("--no-hardlinks")
        .arg(repo)
        .arg(&copy);
    run_git(clone);
    let mut start = git_command(&copy);
    start.args(["bisect", "start", bad, good]);
    run_git(start);
    let script = format!("{build} || exit 125\n{test} || exit 1\n");
    let mut run = git_command(&copy);
    run.args(["bisect", "run", "sh", "-c", &script]);
    let out = run.output().expect("git bisect run starts");
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let first_bad = output.lines().find_map(|l| {
        l.strip_suffix(" is the first bad commit")
            .map(|h| h.trim().to_string())
    });
    GitBisect { first_bad, output }
}

/// Process ids of every live process whose process group is in `groups` (read from /proc).
pub fn processes_in_groups(groups: &BTreeSet<i32>) -> Vec<(i32, String)> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return found;
    };
    for e in entries.filter_map(|e| e.ok()) {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // pid (comm) state ppid pgrp ...: comm may hold spaces, so split after the last ')'.
        let Some((head, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let (Some(state), Some(pgrp)) = (fields.first(), fields.get(2)) else {
            continue;
        };
        if *state == "Z" {
            continue;
        }
        if let Ok(pgrp) = pgrp.parse::<i32>()
            && groups.contains(&pgrp)
        {
            let comm = head.split_once('(').map(|x| x.1).unwrap_or("").to_string();
            found.push((pid, comm));
        }
    }
    found
}

/// The pids a command wrote, one per line, to `file` (the commands of these tests write `$$`,
/// which is the process group culprit gave them).
pub fn recorded_pids(file: &Path) -> BTreeSet<i32> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect()
}

/// Lines in a file (0 when it does not exist).
pub fn count_lines(file: &Path) -> usize {
    std::fs::read_to_string(file)
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

/// Kill what is left of process groups a test started (through culprit), so that a failing test
/// leaves nothing running: only the groups of `alive` (just found by [`processes_in_groups`])
/// that are among `groups`, the ones the test's commands recorded.
pub fn kill_groups_of(alive: &[(i32, String)], groups: &BTreeSet<i32>) {
    let mut seen = BTreeSet::new();
    for (pid, _) in alive {
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        let pgrp = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(2))
            .and_then(|g| g.parse::<i32>().ok());
        if let Some(g) = pgrp
            && groups.contains(&g)
            && seen.insert(g)
        {
            let _ = nix::sys::signal::killpg(
                nix::unistd::Pid::from_raw(g),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
    }
}

/// N of the `resuming: N recorded runs replayed` line of a resumed bisection's log.
pub fn replayed(log: &str) -> usize {
    log.lines()
        .find_map(|l| {
            l.strip_prefix("resuming: ")?
                .strip_suffix(" recorded runs replayed")?
                .parse()
                .ok()
        })
        .unwrap_or_else(|| panic!("no `resuming: N recorded runs replayed` line in\n{log}"))
}
