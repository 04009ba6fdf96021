//! The parser never fails on hostile input: random bytes, markers mixed into noise, a 10 MB
//! line, a million oops markers. Checks values (determinism, positions inside the log,
//! the capped report count), not only the absence of a panic.

#![allow(clippy::expect_used, reason = "a test may panic")]

use proptest::prelude::*;

fn check(log: &[u8]) {
    let all = culprit_report::parse(log);
    assert!(all.len() <= culprit_report::MAX_REPORTS);
    for r in &all {
        assert!(
            r.start <= log.len(),
            "start {} past the log ({})",
            r.start,
            log.len()
        );
        assert!(
            r.end <= log.len(),
            "end {} past the log ({})",
            r.end,
            log.len()
        );
        assert!(!r.title.is_empty(), "a report without a title");
        assert!(
            r.title.len() <= 120,
            "title longer than the cap: {:?}",
            r.title
        );
    }
    let first = culprit_report::first(log);
    assert_eq!(first.is_some(), culprit_report::contains_crash(log));
    if let (Some(f), Some(a)) = (&first, all.first()) {
        assert_eq!(
            f.start, a.start,
            "first() and parse() disagree on the first crash"
        );
        assert!(
            all.iter().any(|r| r.title == f.title),
            "first() not among parse()"
        );
    }
    // Deterministic.
    let again = culprit_report::first(log);
    assert_eq!(first.map(|r| r.title), again.map(|r| r.title));
}

const PIECES: &[&str] = &[
    "BUG: KASAN: use-after-free in foo+0x1/0x2\n",
    "Read of size 8 at addr ffff88801234 by task syz/1\n",
    "Call Trace:\n",
    " dump_stack+0x1/0x2\n",
    " tcp_sendmsg+0x10/0x20\n",
    "[   12.345678][ T123] ",
    "[    1.000000] ",
    "WARNING: CPU: 0 PID: 1 at net/core/dev.c:1 dev_foo+0x1/0x2\n",
    "RIP: 0010:foo+0x1/0x2\n",
    "INFO: task x:1 blocked for more than 120 seconds.\n",
    "Kernel panic - not syncing: Fatal exception\n",
    "==1==ERROR: AddressSanitizer: heap-use-after-free on address 0x1\n",
    "    #0 0x1 in parse_header /a.c:1:1\n",
    "thread 'main' panicked at src/main.rs:1:1:\n",
    "thread '<unnamed>' (6269) panicked at src/a.rs:1:1:\n",
    "thread 'main' panicked at 'assertion failed: `(left == right)`\n",
    " right: `2`: why', src/a.rs:2:5\n",
    "stack backtrace:\n",
    "   3:     0x55d5c0e3b1a4 - a::main::h3c0d1e2f3a4b5c6d\n",
    "   4: core::panicking::assert_failed::<u32, u32>\n",
    "fatal error: concurrent map writes\n",
    "goroutine 18 [running]:\n",
    "main.First[...]({0x0?})\n",
    "panic: boom\n\ngoroutine 1 [running]:\n",
    "** replaying previous printk message **\n",
    "\n",
    "\u{0}\u{ff}\t",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes(log in proptest::collection::vec(any::<u8>(), 0..4096)) {
        check(&log);
    }

    #[test]
    fn markers_in_noise(parts in proptest::collection::vec((0..PIECES.len(), proptest::collection::vec(any::<u8>(), 0..16)), 0..64)) {
        let mut log = Vec::new();
        for (i, noise) in parts {
            log.extend_from_slice(PIECES[i].as_bytes());
            log.extend_from_slice(&noise);
        }
        check(&log);
    }
}

#[test]
fn ten_megabyte_line() {
    let mut log = b"[    1.000000] BUG: KASAN: use-after-free in foo+0x1/0x2 ".to_vec();
    log.resize(10 << 20, b'a');
    log.extend_from_slice(b"\nRead of size 8 at addr ffff88801234\n");
    let r = culprit_report::first(&log).expect("a crash");
    assert!(r.title.starts_with("KASAN: use-after-free"), "{}", r.title);
    check(&log);
}

#[test]
fn a_million_markers() {
    let line = b"[    1.000000][ T1] BUG: soft lockup - CPU#0 stuck for 22s!\n";
    let mut log = Vec::with_capacity(line.len() * 1_000_000);
    for _ in 0..1_000_000 {
        log.extend_from_slice(line);
    }
    let all = culprit_report::parse(&log);
    assert_eq!(all.len(), culprit_report::MAX_REPORTS);
    assert_eq!(all[0].title, "BUG: soft lockup in corrupted");
    let first = culprit_report::first(&log).expect("a crash");
    assert_eq!(first.start, 0);
    assert_eq!(first.end, log.len() - 1);
}

#[test]
fn clean_console_has_no_crash() {
    let mut log = Vec::new();
    for i in 0..10_000 {
        log.extend_from_slice(
            format!("[{:5}.000000] usb 1-1: new device number {i}\n", i).as_bytes(),
        );
    }
    assert!(culprit_report::first(&log).is_none());
    assert!(culprit_report::parse(&log).is_empty());
    assert!(!culprit_report::contains_crash(&log));
}

#[test]
fn fuzz_regressions() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).expect("regression dir") {
        let log = std::fs::read(e.expect("entry").path()).expect("read regression");
        check(&log);
        n += 1;
    }
    assert!(n > 0, "no regression inputs in {}", dir.display());
}

#[test]
fn plain_test_output_says_warning_without_crashing() {
    let test_log = b"running 3 tests\nWARNING: something odd happened\nINFO: using cache\nok\n";
    assert!(culprit_report::first(test_log).is_none());
    // The same line on a kernel console is a crash (titled from the line).
    let console = b"[    1.000000] WARNING: something odd happened\n";
    let r = culprit_report::first(console).expect("a kernel crash");
    assert_eq!(r.title, "WARNING: something odd happened");
}

/// A line that starts a user-space kind without being its report (a compiler's `fatal error:`
/// has no goroutine after it), two hundred thousand times: no user-space report, and each line
/// costs a few lines of look-ahead, not a whole report window.
#[test]
fn many_user_space_near_misses() {
    let line = b"fatal error: foo.h: No such file or directory\n";
    let mut log = Vec::with_capacity(line.len() * 200_000);
    for _ in 0..200_000 {
        log.extend_from_slice(line);
    }
    let t = std::time::Instant::now();
    let all = culprit_report::parse(&log);
    let took = t.elapsed();
    assert!(all.len() <= culprit_report::MAX_REPORTS);
    assert!(
        all.iter().all(|r| !r.title.starts_with("fatal error:")),
        "{:?}",
        all.first().map(|r| &r.title)
    );
    eprintln!("{} near misses parsed in {took:?}", 200_000);
}
