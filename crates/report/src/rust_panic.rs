//! Rust panics, in every format rustc's standard library has printed:
//!
//! - before 1.73: `thread 'main' panicked at 'msg', src/a.rs:1:5` (no column before 1.42), the
//!   message possibly spanning lines (`assert_eq!`), the location after its last line;
//! - 1.73 on: `thread 'main' panicked at src/a.rs:1:5:` and the message on the next lines;
//! - newer (1.95 here): the same with the OS thread id, `thread 'main' (6269) panicked at ...`.
//!
//! Thread names may be anything (`<unnamed>`, a test's path); they are not part of the title.
//! With `RUST_BACKTRACE` set, the frames of the `stack backtrace:` block that follows are read,
//! short (`  3: a::main`) or full (`  3:  0x55d5c0e3b1a4 - a::main::h3c0d...`), legacy or v0
//! symbol names.
//!
//! Title rule (the same for every version): `Rust panic: MSG in LOC`, where MSG is the first
//! line of the message (the pre-1.73 `assert_eq!`/`assert_ne!` wording is rewritten to the 1.73
//! one, so that one assertion has one title whichever toolchain printed it) and LOC is the first
//! backtrace frame outside the standard library and runtime, or, without a backtrace, the file
//! of the panic location (never its line, which moves from commit to commit). When LOC is a
//! frame, the file-keyed title is an alternative title, so a run with `RUST_BACKTRACE` and one
//! without are the same crash for `same_crash`.

use std::sync::LazyLock;

use regex::bytes::Regex;

use crate::compiled::re;
use crate::console::Line;

/// Lines after the first one searched for the end of a pre-1.73 message and for the backtrace.
const LOOKAHEAD: usize = 64;

/// The first line of a panic, any version: group 1 is everything after `panicked at `.
pub(crate) const START: &str = r"thread '[^']*'(?: \([0-9]+\))? panicked at (.*?)\r?$";

/// What a panic report says, read from its lines.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Panic {
    /// The first line of the message, in the 1.73+ wording.
    pub msg: String,
    /// The file of the panic location, when printed.
    pub file: Option<String>,
    /// The first frame of the backtrace outside std and the runtime, when there is one.
    pub frame: Option<String>,
    /// Index (in the lines given to `read`) of the report's last line: the message's, the
    /// backtrace note's or the backtrace's.
    pub last: usize,
}

/// Pre-1.73 location at the end of a message line: `...', src/a.rs:1:5`.
static OLD_END: LazyLock<Regex> = LazyLock::new(|| re(r"^(.*)', ([^ ]+?):[0-9]+(?::[0-9]+)?\r?$"));
/// 1.73+ location: `src/a.rs:1:5:`.
static NEW_LOC: LazyLock<Regex> = LazyLock::new(|| re(r"^(.+?)(?::[0-9]+)*:?$"));
/// Pre-1.73 `assert_eq!`/`assert_ne!` first line.
static OLD_ASSERT: LazyLock<Regex> =
    LazyLock::new(|| re(r"^assertion failed: `\(left (==|!=) right\)`$"));
/// Pre-1.73 `right` line of an assertion, with the custom message after the value.
static OLD_RIGHT: LazyLock<Regex> = LazyLock::new(|| re(r"^ right: `.*?`: (.*)$"));
/// A backtrace frame line, short or full format.
static FRAME: LazyLock<Regex> =
    LazyLock::new(|| re(r"^\s*[0-9]+:\s+(?:0x[0-9a-f]+ - )?(\S.*?)\r?$"));
/// Continuation of a frame: its source location.
static AT: LazyLock<Regex> = LazyLock::new(|| re(r"^\s+at \S"));
/// Frames of the standard library, the panic machinery, libtest and the C runtime.
static SKIP: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?:<*&?(?:dyn |mut )?(?:std|core|alloc|test|__rustc|panic_unwind|panic_abort|backtrace|backtrace_rs)::|<fn\(|<unknown>|rust_begin_unwind|rust_panic|__rust|main$|_start$|__libc_start|start_thread$|clone3?$|__GI___clone|__clone)",
    )
});
/// Crate disambiguators of v0 symbol names: `std[e28293b1aa0f68bd]`.
static DISAMBIGUATOR: LazyLock<Regex> = LazyLock::new(|| re(r"\[[0-9a-f]{1,16}\]"));
/// The hash suffix of legacy symbol names: `::h3c0d1e2f3a4b5c6d`.
static HASH: LazyLock<Regex> = LazyLock::new(|| re(r"::h[0-9a-f]{16}$"));
/// v0 closure names: `{closure#0}`.
static CLOSURE: LazyLock<Regex> = LazyLock::new(|| re(r"\{closure#[0-9]+\}"));

fn s(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn trim_cr(b: &[u8]) -> &[u8] {
    b.strip_suffix(b"\r").unwrap_or(b)
}

/// Read the panic whose first line is `lines[0]`; `rest` is the text after `panicked at `.
pub(crate) fn read(rest: &[u8], lines: &[Line<'_>]) -> Panic {
    let ahead = &lines[1.min(lines.len())..lines.len().min(LOOKAHEAD + 1)];
    let (msg_lines, file, after) = match rest.strip_prefix(b"'") {
        Some(old) => old_message(old, ahead),
        None => {
            let file = NEW_LOC
                .captures(rest)
                .map(|c| s(&c[1]))
                .filter(|f| !f.is_empty());
            // The message is on the next line (possibly empty); more lines may follow.
            let first = ahead
                .first()
                .map(|l| s(trim_cr(l.text)))
                .unwrap_or_default();
            (vec![first], file, 1)
        }
    };
    let mut msg = msg_lines.first().cloned().unwrap_or_default();
    if let Some(c) = OLD_ASSERT.captures(msg.as_bytes()) {
        let op = s(&c[1]);
        let custom = msg_lines
            .get(2)
            .and_then(|l| OLD_RIGHT.captures(l.as_bytes()))
            .map(|c| s(&c[1]));
        msg = match custom {
            Some(m) => format!("assertion `left {op} right` failed: {m}"),
            None => format!("assertion `left {op} right` failed"),
        };
    }
    let after = after.min(ahead.len());
    let (frame, tail) = backtrace_frame(&ahead[after..]);
    Panic {
        msg,
        file,
        frame,
        last: (after + tail).min(lines.len().saturating_sub(1)),
    }
}

/// A pre-1.73 message: its lines (the location cut off the last) and the file of the location,
/// and how many lines of `ahead` it took.
fn old_message(first: &[u8], ahead: &[Line<'_>]) -> (Vec<String>, Option<String>, usize) {
    if let Some(c) = OLD_END.captures(first) {
        return (vec![s(&c[1])], Some(s(&c[2])), 0);
    }
    let mut msg = vec![s(trim_cr(first))];
    for (i, l) in ahead.iter().enumerate() {
        if let Some(c) = OLD_END.captures(l.text) {
            msg.push(s(&c[1]));
            return (msg, Some(s(&c[2])), i + 1);
        }
        msg.push(s(trim_cr(l.text)));
    }
    // Cut short (truncated log): the first line is the message, the location is unknown.
    msg.truncate(1);
    (msg, None, 0)
}

/// The first frame outside std and the runtime of the `stack backtrace:` block that starts in
/// `lines` (after the message), if any, and how many of `lines` belong to the report (the
/// backtrace, or the line that says how to get one).
fn backtrace_frame(lines: &[Line<'_>]) -> (Option<String>, usize) {
    let mut it = lines.iter().map(|l| trim_cr(l.text)).enumerate();
    let mut seen = 0;
    for (i, l) in it.by_ref() {
        if l == b"stack backtrace:" {
            seen = i + 1;
            break;
        }
        if l.starts_with(b"note: run with `RUST_BACKTRACE") {
            return (None, i + 1);
        }
        if PANIC_LINE.is_match(l) {
            return (None, 0);
        }
    }
    if seen == 0 {
        return (None, 0);
    }
    let mut frame = None;
    for (i, l) in it {
        if AT.is_match(l) {
            seen = i + 1;
            continue;
        }
        let Some(c) = FRAME.captures(l) else {
            if l.starts_with(b"note: ") {
                seen = i + 1;
            }
            break;
        };
        seen = i + 1;
        if frame.is_none() {
            let name = canonical_frame(&s(&c[1]));
            if !SKIP.is_match(name.as_bytes()) {
                frame = Some(name);
            }
        }
    }
    (frame, seen)
}

static PANIC_LINE: LazyLock<Regex> = LazyLock::new(|| re(START));

/// One spelling for a function whatever the mangling and backtrace style: no crate
/// disambiguators, no hash, no generic arguments, legacy closure names.
pub(crate) fn canonical_frame(name: &str) -> String {
    let n = DISAMBIGUATOR.replace_all(name.as_bytes(), &b""[..]);
    let n = HASH.replace(&n, &b""[..]);
    let n = CLOSURE.replace_all(&n, &b"{{closure}}"[..]);
    strip_turbofish(&s(&n))
}

/// Remove `::<...>` generic arguments (balanced).
fn strip_turbofish(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(i) = rest.find("::<") {
        out.push_str(&rest[..i]);
        let mut depth = 0usize;
        let mut end = rest.len();
        for (j, ch) in rest[i + 2..].char_indices() {
            match ch {
                '<' => depth += 1,
                '>' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        end = i + 2 + j + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::Lines;

    fn panic_of(log: &str) -> Panic {
        let lines: Vec<Line<'_>> = Lines::new(log.as_bytes(), 0).collect();
        let c = PANIC_LINE.captures(lines[0].text).expect("a panic line");
        read(&c[1], &lines)
    }

    #[test]
    fn every_format() {
        let want = |msg: &str, file: &str| Panic {
            msg: msg.to_string(),
            file: Some(file.to_string()),
            frame: None,
            last: 0,
        };
        assert_eq!(
            panic_of("thread 'main' panicked at 'boom', src/a.rs:7:5\n"),
            want("boom", "src/a.rs")
        );
        assert_eq!(
            panic_of("thread '<main>' panicked at 'boom', src/a.rs:7\n"),
            want("boom", "src/a.rs")
        );
        assert_eq!(
            panic_of("thread 'main' panicked at src/a.rs:7:5:\nboom\n"),
            Panic {
                last: 1,
                ..want("boom", "src/a.rs")
            }
        );
        assert_eq!(
            panic_of("thread 'w' (6269) panicked at src/a.rs:7:5:\r\nboom\r\n"),
            Panic {
                last: 1,
                ..want("boom", "src/a.rs")
            }
        );
        // A message that quotes the old location syntax itself.
        assert_eq!(
            panic_of("thread 'main' panicked at 'bad ', x:1 input', src/a.rs:7:5\n").file,
            Some("src/a.rs".to_string())
        );
    }

    #[test]
    fn old_assertions_take_the_new_wording() {
        let p = panic_of(
            "thread 'main' panicked at 'assertion failed: `(left != right)`\n  left: `1`,\n right: `1`: ids differ', src/a.rs:2:5\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n",
        );
        assert_eq!(p.msg, "assertion `left != right` failed: ids differ");
        assert_eq!(p.file.as_deref(), Some("src/a.rs"));
        assert_eq!(p.last, 3, "through the note line");
        let p = panic_of(
            "thread 'main' panicked at 'assertion failed: `(left == right)`\n  left: `1`,\n right: `2`', src/a.rs:2:5\n",
        );
        assert_eq!(p.msg, "assertion `left == right` failed");
    }

    #[test]
    fn cut_short_and_out_of_order() {
        // The log ends inside a pre-1.73 message: the first line is all there is.
        let p = panic_of("thread 'main' panicked at 'first line\nsecond line\n");
        assert_eq!((p.msg.as_str(), p.file, p.last), ("first line", None, 0));
        // Nothing after the location line.
        let p = panic_of("thread 'main' (1) panicked at src/a.rs:1:1:");
        assert_eq!((p.msg.as_str(), p.last), ("", 0));
        // A second panic starts before any backtrace: no frame is taken from its trace.
        let p = panic_of(
            "thread 'a' (1) panicked at src/a.rs:1:1:\nx\nthread 'b' (2) panicked at src/b.rs:1:1:\ny\nstack backtrace:\n   0: b::f\n",
        );
        assert_eq!(p.frame, None);
    }

    #[test]
    fn backtrace_frames() {
        let p = panic_of(
            "thread 'main' (9) panicked at src/main.rs:2:5:\nboom\nstack backtrace:\n   0: __rustc::rust_begin_unwind\n             at /rustc/x/library/std/src/panicking.rs:689:5\n   1: core::panicking::panic_fmt\n   2: a::parse::<u8>\n             at ./src/main.rs:2:5\n   3: a::main\nnote: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.\nafter\n",
        );
        assert_eq!(p.frame.as_deref(), Some("a::parse"));
        assert_eq!(p.last, 9, "through the `note: Some details` line");
        // Only std frames: no frame, the file is the location.
        let p = panic_of(
            "thread 'main' (9) panicked at src/main.rs:2:5:\nboom\nstack backtrace:\n   0: std::rt::lang_start\n",
        );
        assert_eq!((p.frame, p.file.as_deref()), (None, Some("src/main.rs")));
    }

    #[test]
    fn canonical_frames() {
        assert_eq!(
            canonical_frame("unwrap::load_config::hc6818c38e3a2c757"),
            "unwrap::load_config"
        );
        assert_eq!(
            canonical_frame("std[e28293b1aa0f68bd]::panicking::default_hook::{closure#0}"),
            "std::panicking::default_hook::{{closure}}"
        );
        assert_eq!(
            canonical_frame("core::panicking::assert_failed::<u32, u32>"),
            "core::panicking::assert_failed"
        );
        assert_eq!(
            canonical_frame("a::parse::<alloc::vec::Vec<u8>>::{closure#1}"),
            "a::parse::{{closure}}"
        );
        assert_eq!(canonical_frame("a::b::<unclosed"), "a::b");
        assert_eq!(
            canonical_frame("<a::Foo as core::fmt::Display>::fmt"),
            "<a::Foo as core::fmt::Display>::fmt"
        );
    }

    #[test]
    fn skipped_frames() {
        for n in [
            "__rustc::rust_begin_unwind",
            "rust_begin_unwind",
            "core::panicking::panic_fmt",
            "core::result::Result<T,E>::unwrap",
            "<alloc::boxed::Box<F,A> as core::ops::function::FnOnce<Args>>::call_once",
            "<&dyn core::ops::function::Fn<(), Output = i32> as core::ops::function::FnOnce<()>>::call_once",
            "<fn() -> core::result::Result<(), alloc::string::String> as core::ops::function::FnOnce<()>>::call_once",
            "test::run_test::{{closure}}",
            "main",
            "<<std::sys::backtrace::BacktraceLock>::print::DisplayBacktrace as core::fmt::Display>::fmt",
            "__libc_start_call_main",
            "<unknown>",
        ] {
            assert!(SKIP.is_match(n.as_bytes()), "{n}");
        }
        for n in [
            "a::main",
            "core_utils::parse",
            "<a::Foo as core::fmt::Display>::fmt",
            "mainloop::run",
        ] {
            assert!(!SKIP.is_match(n.as_bytes()), "{n}");
        }
    }
}
