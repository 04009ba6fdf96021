//! What a hostile test command or a long bisection does to culprit, through the binary: daemons
//! a test leaves behind (stopped when each run ends and at exit, however they detached), hangs
//! (a crash only when the bisected crash is one), outputs too long to keep (cut, said so), the
//! crash report kept out of a terminal's progress display, and `--help`'s examples.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::{BUILD, Outputs};
use culprit_testkit::{History, RepoSnapshot};

/// Whether process `pid` (a line of a pid file) is gone or a zombie.
fn dead(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{}/stat", pid.trim()))
        .map(|s| {
            s.rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().next())
                .is_some_and(|state| state == "Z" || state == "X")
        })
        .unwrap_or(true)
}

/// A test that starts daemons every run, and waits until they have written their pids before
/// running the program: one with `setsid` that keeps the run's output open, one double-forked
/// with `setsid`, one with `setsid` that drops culprit's tag from its environment (found in the
/// checkout at the end), and one that also leaves the checkout (found as culprit's orphan at
/// exit). None may survive culprit, which must still name the culprit; the log counts those
/// stopped with their run or at the end.
#[test]
fn daemons_a_test_leaves_are_stopped() {
    let w = History {
        bug_at: Some(12),
        ..History::linear(20)
    }
    .import();
    let out = Outputs::new();
    let d = out.path("daemons");
    std::fs::create_dir_all(&d).expect("mkdir");
    let daemon = d.join("daemon.sh");
    std::fs::write(&daemon, "echo $$ > \"$2/$1\"\nexec sleep 300\n").expect("write");
    let script = d.join("test.sh");
    let dm = daemon.display();
    std::fs::write(
        &script,
        format!(
            "r=$(mktemp -d {dd}/run.XXXXXX)\n\
             setsid sh {dm} kept \"$r\" &\n\
             (setsid sh {dm} double \"$r\" > /dev/null 2>&1 &)\n\
             env -u CULPRIT_RUN_TAG setsid sh {dm} untagged \"$r\" > /dev/null 2>&1 &\n\
             env -u CULPRIT_RUN_TAG setsid sh -c 'cd /; exec sh \"$0\" \"$@\"' {dm} elsewhere \"$r\" > /dev/null 2>&1 &\n\
             for k in kept double untagged elsewhere; do\n\
             \x20   while [ ! -s \"$r/$k\" ]; do sleep 0.01; done\n\
             done\n\
             ./prog\n",
            dd = d.display()
        ),
    )
    .expect("write");
    let test = format!("sh {}", script.display());
    let before = RepoSnapshot::take(&w.path);
    let f = out.run(out.bisect(
        &w.path,
        &[
            "--bad", &w.tip, "--good", &w.ids[0], "--build", BUILD, "--test", &test,
        ],
    ));
    let mut left = Vec::new();
    let mut started = std::collections::BTreeMap::<String, usize>::new();
    for run in std::fs::read_dir(&d).expect("daemons").flatten() {
        if !run.path().is_dir() {
            continue;
        }
        for e in std::fs::read_dir(run.path()).expect("run dir").flatten() {
            let kind = e.file_name().to_string_lossy().into_owned();
            *started.entry(kind.clone()).or_default() += 1;
            let p = std::fs::read_to_string(e.path()).expect("pid");
            if !dead(&p) {
                // Leave nothing running, whatever the outcome.
                let pid = nix::unistd::Pid::from_raw(p.trim().parse().expect("pid"));
                let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
                left.push(format!("{kind} {p}"));
            }
        }
    }
    assert!(left.is_empty(), "still running: {left:?}\n{}", f.dump());
    assert_eq!(f.code, Some(0), "{}", f.dump());
    assert_eq!(f.culprit(), w.ids[12], "{}", f.dump());
    let runs = started.get("kept").copied().unwrap_or(0);
    assert!(runs > 5, "{started:?}: {}", f.dump());
    for kind in ["double", "untagged", "elsewhere"] {
        assert_eq!(started.get(kind), Some(&runs), "{started:?}");
    }
    // The log says how many were stopped with their runs (tagged) or at the end (in the state
    // directory); the ones elsewhere go as culprit's orphans at exit.
    let line = f
        .log
        .lines()
        .find_map(|l| l.strip_prefix("stopped "))
        .unwrap_or_else(|| panic!("no `stopped N process(es)` line: {}", f.dump()));
    let said: usize = line
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a count");
    assert_eq!(said, 3 * runs, "{started:?}: {}", f.dump());
    assert_eq!(RepoSnapshot::take(&w.path), before);
}

/// A test that hangs on every commit, the good end included: the hang is the bisected crash
/// (learned on --bad), so the good end is tested, hangs too, and no commit of the range is
/// named (before, every hang was the crash "test timed out" and the commit after --good was
/// named, exit 0).
#[test]
fn a_test_that_hangs_everywhere_names_no_culprit() {
    let w = History::linear(6).import();
    let out = Outputs::new();
    let f = out.run(out.bisect(
        &w.path,
        &[
            "--bad",
            &w.tip,
            "--good",
            &w.ids[0],
            "--build",
            BUILD,
            "--test",
            "sleep 100",
            "--timeout",
            "1",
            "--jobs",
            "2",
        ],
    ));
    assert_ne!(f.code, Some(0), "{}", f.dump());
    assert_ne!(f.result(), "culprit", "{}", f.dump());
    assert_eq!(f.culprit(), "", "{}", f.dump());
    assert!(
        f.log.contains(&format!("testing commit {}", w.ids[0])),
        "--good was not tested: {}",
        f.dump()
    );
    assert!(f.log.contains("test timed out"), "{}", f.dump());
}

/// The bisected crash is a NULL dereference; commits 10 to 20 hang. With syzbot's rules (any
/// crash counts) a hang used to count as the crash, and the bisection went below commit 20;
/// now it is a run that could not test, and the culprit is the NULL dereference's commit.
#[test]
fn a_hang_is_not_the_crash_when_the_crash_is_not_a_hang() {
    let w = History {
        bug_at: Some(30),
        ..History::linear(40)
    }
    .import();
    let out = Outputs::new();
    // The program prints its commit's number + 1 when it does not crash.
    let test = "./prog > out.txt; s=$?; [ $s -ne 0 ] && exit $s; v=$(cat out.txt); \
                if [ $v -ge 11 ] && [ $v -le 21 ]; then sleep 100; fi; exit 0";
    let f = out.run(out.bisect(
        &w.path,
        &[
            "--bad",
            &w.tip,
            "--good",
            &w.ids[0],
            "--build",
            BUILD,
            "--test",
            test,
            "--timeout",
            "1",
            "--policy",
            "syzbot",
            "--runs",
            "2",
        ],
    ));
    assert!(
        f.log.contains("test timed out"),
        "no commit of the hanging range was tested: {}",
        f.dump()
    );
    assert_eq!(f.code, Some(0), "{}", f.dump());
    assert_eq!(f.culprit(), w.ids[30], "{}", f.dump());
    assert_ne!(f.json["crash"]["title"], "test timed out", "{}", f.dump());
}

/// Each run prints 3 MB before the program: the run logs keep the first and last MiB with a
/// line saying what was cut (its size and SHA-256), the bisection log says so once, and the
/// culprit is still found.
#[test]
fn long_outputs_are_cut_and_the_log_says_so() {
    let w = History {
        bug_at: Some(15),
        ..History::linear(30)
    }
    .import();
    let out = Outputs::new();
    let test = "head -c 3000000 /dev/zero | tr '\\0' x; echo; ./prog";
    let f = out.run(out.bisect(
        &w.path,
        &[
            "--bad", &w.tip, "--good", &w.ids[0], "--build", BUILD, "--test", test,
        ],
    ));
    assert_eq!(f.code, Some(0), "{}", f.dump());
    assert_eq!(f.culprit(), w.ids[15], "{}", f.dump());
    assert_eq!(
        f.lines_starting("a run's output is longer than culprit keeps"),
        1,
        "{}",
        f.dump()
    );
    let logs = out.state().join("logs");
    let mut runs = 0;
    let mut total = 0;
    for e in std::fs::read_dir(&logs).expect("logs") {
        let path = e.expect("entry").path();
        let size = std::fs::metadata(&path).expect("size").len();
        total += size;
        if !path.to_string_lossy().contains(".run") {
            continue;
        }
        runs += 1;
        assert!(
            size < (2 << 20) + 1024,
            "{} keeps {size} bytes",
            path.display()
        );
        let text = String::from_utf8_lossy(&std::fs::read(&path).expect("log")).into_owned();
        let note = text
            .lines()
            .find(|l| l.starts_with("[culprit: "))
            .unwrap_or_else(|| panic!("no cut line in {}", path.display()));
        assert!(
            note.contains("bytes of output cut here") && note.contains(" bytes, sha256 "),
            "{note}"
        );
    }
    assert!(runs > 5, "{runs} run logs");
    assert!(total < culprit_driver::LOGS_BUDGET, "{total} bytes of logs");
}

/// A test whose crash prints an AddressSanitizer report.
fn asan_test(dir: &Path) -> String {
    let script = dir.join("repro.sh");
    std::fs::write(
        &script,
        "sh -c './prog; exit $?' > /dev/null 2>&1 && exit 0\n\
         echo '==1==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000000'\n\
         echo '    #0 0x55 in parse_header /src/parser.c:22'\n\
         echo 'SUMMARY: AddressSanitizer: SEGV /src/parser.c:22 in parse_header'\n\
         exit 1\n",
    )
    .expect("write the test script");
    format!("sh {}", script.display())
}

/// On a terminal without --log, the log goes to the terminal with the progress display: the
/// crash's title and where its report is, not the report (which --log keeps).
#[test]
fn on_a_terminal_the_crash_report_is_not_dumped() {
    let w = History {
        bug_at: Some(8),
        ..History::linear(12)
    }
    .import();
    let out = Outputs::new();
    let test = asan_test(out.dir.path());
    let bin = env!("CARGO_BIN_EXE_culprit");
    let args = format!(
        "{bin} bisect --repo '{}' --bad {} --good {} --build '{BUILD}' --test '{test}' --state '{}' --json '{}'",
        w.path.display(),
        w.tip,
        w.ids[0],
        out.state().display(),
        out.json().display(),
    );
    // `script` runs the command on a pseudo-terminal and copies what it prints.
    let run = common::culprit()
        .get_envs()
        .fold(std::process::Command::new("script"), |mut c, (k, v)| {
            if let Some(v) = v {
                c.env(k, v);
            }
            c
        })
        .args(["-qec", &args, "/dev/null"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("script runs");
    let screen = String::from_utf8_lossy(&run.stdout).replace('\r', "");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.json()).unwrap_or_default())
            .unwrap_or_default();
    let d = format!("{:?}\n--- screen\n{screen}\n--- json\n{json:#}", run.status);
    assert_eq!(run.status.code(), Some(0), "{d}");
    assert!(
        screen.contains("crash: AddressSanitizer: SEGV in parse_header\n"),
        "{d}"
    );
    assert!(screen.contains("crash report: in "), "{d}");
    assert!(!screen.contains("SUMMARY: AddressSanitizer"), "{d}");
    assert!(
        json["crash"]["report"]
            .as_str()
            .is_some_and(|r| r.contains("SUMMARY: AddressSanitizer")),
        "the JSON keeps the report: {d}"
    );

    // With --log, the file has the report.
    let out2 = Outputs::new();
    let f = out2.run(out2.bisect(
        &w.path,
        &[
            "--bad", &w.tip, "--good", &w.ids[0], "--build", BUILD, "--test", &test,
        ],
    ));
    assert!(f.log.contains("SUMMARY: AddressSanitizer"), "{}", f.dump());
}

/// `culprit bisect --help` ends with two worked examples: a generic project and a kernel.
#[test]
fn bisect_help_ends_with_two_examples() {
    let out = common::culprit()
        .args(["bisect", "--help"])
        .output()
        .expect("culprit runs");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (options, examples) = text
        .rsplit_once("\nExamples:\n")
        .unwrap_or_else(|| panic!("no examples at the end:\n{text}"));
    assert!(options.contains("--timeout"), "{text}");
    let examples = examples.replace("\\\n", " ");
    let commands: Vec<&str> = examples
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("culprit bisect "))
        .collect();
    assert!(
        commands
            .iter()
            .any(|c| c.contains("--build") && c.contains("--test")),
        "no generic example: {examples}"
    );
    assert!(
        commands
            .iter()
            .any(|c| c.contains("--kernel") && c.contains("--config") && c.contains("--repro")),
        "no kernel example: {examples}"
    );
}
