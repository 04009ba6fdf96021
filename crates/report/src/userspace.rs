//! User-space crashes in test output: sanitizer reports (ASan, LSan, MSan, TSan, HWASan, UBSan),
//! Rust panics (every rustc format, `rust_panic.rs`) and stack overflows, Go panics, runtime
//! `fatal error:`s and data races, glibc and musl assertion failures, glibc abort messages,
//! fatal signals reported by the shell. Titled in the kernel's spirit:
//! `AddressSanitizer: heap-use-after-free in parse_header`. The formats are checked on real
//! toolchain output in `tests/userspace.rs`.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use regex::bytes::Regex;

use crate::compiled::re;
use crate::console::{Line, Lines, line_at, line_start};
use crate::tables::MAX_TITLE;
use crate::{CrashType, Report, rust_panic, title};

/// How many lines after the first one a user-space report may span.
const MAX_LINES: usize = 400;

/// Texts that may start a user-space report (prefilter); the line regexes below decide.
static STARTS: &[&str] = &[
    "Sanitizer",
    "runtime error:",
    "panicked at",
    "has overflowed its stack",
    "fatal error: ",
    "panic: ",
    "Assertion",
    "Segmentation fault",
    "Aborted",
    "*** ",
    "double free or corruption",
    "free(): ",
    "malloc(): ",
    "realloc(): ",
    "WARNING: DATA RACE",
    "Bus error",
    "Illegal instruction",
    "Floating point exception",
    "SegFault",
    "Fatal Python error",
];

/// Frames of sanitizer runtimes, allocators and panic machinery: never the culprit.
static SKIP: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?:__asan|__hwasan|__msan|__tsan|__lsan|__ubsan|__sanitizer|__interceptor_|___interceptor_|__interceptor|_?_?wrap_|malloc$|calloc$|realloc$|free$|operator new|operator delete|memcpy$|memmove$|memset$|strlen$|strcpy$|strdup$|__libc_|abort$|raise$|__assert|__GI_|__pthread_kill|pthread_kill|core::panicking|core::panic|std::panicking|std::panic|rust_begin_unwind|__rust|std::rt::|std::sys|core::result::unwrap_failed|core::option::|runtime\.|panic\(|testing\.|gopanic)",
    )
});

/// What a kind's builder makes of a report.
struct Built {
    /// The title before normalisation, without its location.
    title: String,
    /// The guilty frame (or file): ` in FRAME` ends the title.
    frame: Option<String>,
    /// Another location the same crash may be titled with (e.g. a Rust panic's file when the
    /// title names a backtrace frame): gives an alternative title.
    alt_frame: Option<String>,
    /// The TYPE name.
    ty: &'static str,
    /// Index of the report's last line, when the kind knows where it ends.
    last: Option<usize>,
}

impl Built {
    fn new(title: String, frame: Option<String>, ty: &'static str) -> Built {
        Built {
            title,
            frame,
            alt_frame: None,
            ty,
            last: None,
        }
    }

    fn ending(self, last: Option<usize>) -> Built {
        Built { last, ..self }
    }
}

struct Kind {
    start: Regex,
    /// A check on the first `GUARD_LINES` lines, before the whole window is read: a kind whose
    /// first line is common in ordinary output costs little per line that is not its report.
    guard: Option<fn(&[Line<'_>]) -> bool>,
    build: fn(&regex::bytes::Captures<'_>, &[Line<'_>]) -> Option<Built>,
}

/// Lines a kind's guard sees.
const GUARD_LINES: usize = 10;

fn s(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A sanitizer stack frame: `#3 0x4c3 in func file:1` or TSan's `#0 func file:1 (bin+0x1)`.
static SAN_FRAME: LazyLock<Regex> =
    LazyLock::new(|| re(r"^\s*#[0-9]+ (?:0x[0-9a-f]+ in )?([^ (]+(?:\([^)]*\))?[^ ]*)"));

fn san_frame(lines: &[Line<'_>]) -> Option<String> {
    for l in lines.iter().skip(1) {
        if let Some(c) = SAN_FRAME.captures(l.text) {
            let mut name = s(&c[1]);
            if let Some(i) = name.find('(') {
                name.truncate(i);
            }
            if name.starts_with("0x") || name.starts_with('<') || SKIP.is_match(name.as_bytes()) {
                continue;
            }
            return Some(name);
        }
    }
    None
}

fn sanitizer(c: &regex::bytes::Captures<'_>, lines: &[Line<'_>]) -> Option<Built> {
    let san = s(&c[1]);
    let kind = s(&c[2]).trim().to_string();
    let ty = match san.as_str() {
        "LeakSanitizer" => "LEAK",
        "ThreadSanitizer" => "DATARACE",
        "UndefinedBehaviorSanitizer" => "UBSAN",
        _ => "MEMORY_SAFETY_BUG",
    };
    let f = san_frame(lines);
    Some(Built::new(format!("{san}: {kind}"), f, ty))
}

fn ubsan(c: &regex::bytes::Captures<'_>, lines: &[Line<'_>]) -> Option<Built> {
    let file = s(&c[1]);
    let msg = s(&c[2]);
    // Keep the kind of error, not the values: up to the first ':' of the message.
    let kind = msg.split(':').next().unwrap_or(&msg).trim().to_string();
    // Titled with the function when the stack is printed (`print_stacktrace=1`), with the file
    // otherwise; the file title is then an alternative, so both runs are one crash.
    let base = file.rsplit('/').next().map(str::to_string);
    let title = format!("UBSan: {kind}");
    Some(match san_frame(lines) {
        Some(f) => Built {
            alt_frame: base,
            ..Built::new(title, Some(f), "UBSAN")
        },
        None => Built::new(title, base, "UBSAN"),
    })
}

fn rust(c: &regex::bytes::Captures<'_>, lines: &[Line<'_>]) -> Option<Built> {
    let p = rust_panic::read(&c[1], lines);
    let title = format!("Rust panic: {}", p.msg);
    Some(match p.frame {
        Some(f) => Built {
            title,
            frame: Some(f),
            alt_frame: p.file,
            ty: "DoS",
            last: Some(p.last),
        },
        None => Built::new(title, p.file, "DoS").ending(Some(p.last)),
    })
}

fn rust_overflow(_: &regex::bytes::Captures<'_>, _: &[Line<'_>]) -> Option<Built> {
    Some(Built::new("Rust stack overflow".to_string(), None, "DoS"))
}

/// A goroutine's frame line: `main.(*T).m(...)`, `main.First[...]({0x0?})`.
static GO_FRAME: LazyLock<Regex> =
    LazyLock::new(|| re(r"^([a-zA-Z0-9_./*()\[\]%\-]+)\((?:[^)]*)\)\r?$"));
/// A goroutine header, which every Go traceback has.
static GO_GOROUTINE: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(?:goroutine [0-9]+ \[|runtime stack:)"));
/// How a recovered and re-raised panic is marked: `[recovered]` (a second `panic:` line
/// follows), `[recovered, repanicked]` from Go 1.25 on.
static GO_RECOVERED: LazyLock<Regex> =
    LazyLock::new(|| re(r"\s*\[recovered(?:, repanicked)?\]\r?$"));

/// Where a Go traceback's first goroutine ends (index in `lines`): its header must come within
/// `within` lines of the first; its frames, their `\tfile.go:N +0x..` lines and `created by`
/// follow until a blank or any other line.
fn go_end(lines: &[Line<'_>], within: usize) -> Option<usize> {
    let g = lines
        .iter()
        .take(within + 1)
        .position(|l| GO_GOROUTINE.is_match(l.text))?;
    let mut last = g;
    for (i, l) in lines.iter().enumerate().skip(g + 1) {
        let t = l.text.trim_ascii();
        let part = GO_FRAME.is_match(t)
            || t.starts_with(b"created by ")
            || (l.text.first() == Some(&b'\t') && t.contains(&b':'));
        if !part {
            break;
        }
        last = i;
    }
    Some(last)
}

/// The first frame of the first goroutine that is not the runtime's or the testing package's.
fn go_frame(lines: &[Line<'_>]) -> Option<String> {
    lines.iter().skip(1).find_map(|l| {
        let c = GO_FRAME.captures(l.text.trim_ascii())?;
        let n = s(&c[1]);
        // `panic(...)` is the runtime's frame of a re-raised panic (`go test`).
        (n != "panic" && !SKIP.is_match(n.as_bytes())).then_some(n)
    })
}

fn go(c: &regex::bytes::Captures<'_>, lines: &[Line<'_>]) -> Option<Built> {
    let msg = GO_RECOVERED.replace(&c[1], &b""[..]);
    Some(Built::new(format!("panic: {}", s(&msg)), go_frame(lines), "DoS").ending(go_end(lines, 8)))
}

/// `fatal error: MSG` of the Go runtime (concurrent map writes, deadlock..): only when a
/// goroutine traceback follows (compilers print `fatal error:` too) and names a function
/// outside the runtime. Without one it is the runtime's own failure, which the kernel rules
/// title as syzkaller does (`go runtime error`, for its fuzzer's logs).
fn go_fatal(c: &regex::bytes::Captures<'_>, lines: &[Line<'_>]) -> Option<Built> {
    let last = go_end(lines, 8)?;
    let frame = go_frame(&lines[..=last])?;
    let msg = s(&c[1]);
    let ty = if msg.starts_with("concurrent map") {
        "DATARACE"
    } else {
        "DoS"
    };
    Some(Built::new(format!("fatal error: {msg}"), Some(frame), ty).ending(Some(last)))
}

fn go_race(_: &regex::bytes::Captures<'_>, lines: &[Line<'_>]) -> Option<Built> {
    // The report ends with the `==================` line that also came before it.
    let last = lines
        .iter()
        .position(|l| l.text.trim_ascii_end() == b"==================");
    Some(Built::new("Go data race".to_string(), go_frame(lines), "DATARACE").ending(last))
}

/// The function name of glibc's `__PRETTY_FUNCTION__` (`int Foo::bar(int)` -> `Foo::bar`) or
/// of gcc's plain one (`check_len`).
fn function_name(pretty: &str) -> Option<String> {
    let f = pretty
        .split('(')
        .next()
        .unwrap_or(pretty)
        .rsplit(' ')
        .next()
        .unwrap_or("")
        .to_string();
    (!f.is_empty()).then_some(f)
}

/// glibc: `prog: file.c:10: func: Assertion `cond' failed.`
fn assertion(c: &regex::bytes::Captures<'_>, _: &[Line<'_>]) -> Option<Built> {
    Some(Built::new(
        format!("assertion failed: {}", s(&c[3])),
        function_name(&s(&c[2])),
        "DoS",
    ))
}

/// musl: `Assertion failed: cond (file.c: func: 10)`.
fn assertion_musl(c: &regex::bytes::Captures<'_>, _: &[Line<'_>]) -> Option<Built> {
    Some(Built::new(
        format!("assertion failed: {}", s(&c[1])),
        function_name(&s(&c[3])),
        "DoS",
    ))
}

fn glibc(c: &regex::bytes::Captures<'_>, _: &[Line<'_>]) -> Option<Built> {
    Some(Built::new(
        format!("glibc: {}", s(&c[1]).trim()),
        None,
        "MEMORY_SAFETY_BUG",
    ))
}

fn signal(c: &regex::bytes::Captures<'_>, _: &[Line<'_>]) -> Option<Built> {
    Some(Built::new(s(&c[1]), None, "DoS"))
}

fn segv(_: &regex::bytes::Captures<'_>, _: &[Line<'_>]) -> Option<Built> {
    Some(Built::new("Segmentation fault".to_string(), None, "DoS"))
}

static KINDS: LazyLock<Vec<Kind>> = LazyLock::new(|| {
    vec![
        Kind {
            start: re(
                r"(?:ERROR|WARNING): (AddressSanitizer|LeakSanitizer|ThreadSanitizer|MemorySanitizer|HWAddressSanitizer|UndefinedBehaviorSanitizer): ([a-zA-Z][a-zA-Z0-9_\- ]*?)(?: on | at | for |\(| \(|:|$)",
            ),
            guard: None,
            build: sanitizer,
        },
        Kind {
            start: re(r"^([^ :]+\.[a-zA-Z+]+):[0-9]+:[0-9]+: runtime error: (.*)"),
            guard: None,
            build: ubsan,
        },
        Kind {
            start: re(rust_panic::START),
            guard: None,
            build: rust,
        },
        Kind {
            start: re(r"thread '[^']*'(?: \([0-9]+\))? has overflowed its stack"),
            guard: None,
            build: rust_overflow,
        },
        Kind {
            start: re(r"^panic: (.*?)\r?$"),
            guard: None,
            build: go,
        },
        Kind {
            start: re(r"^fatal error: (.*?)\r?$"),
            guard: Some(|l| go_end(l, 8).is_some()),
            build: go_fatal,
        },
        Kind {
            start: re(r"^WARNING: DATA RACE"),
            guard: None,
            build: go_race,
        },
        Kind {
            start: re(r"^(?:[^ ]*: )?([^ :]+):[0-9]+: (.*?): Assertion [`'](.*)' failed\.?\r?$"),
            guard: None,
            build: assertion,
        },
        Kind {
            start: re(r"^Assertion failed: (.*) \(([^ :]+): (.*): [0-9]+\)\r?$"),
            guard: None,
            build: assertion_musl,
        },
        Kind {
            start: re(
                r"^(\*\*\* stack smashing detected \*\*\*|\*\*\* buffer overflow detected \*\*\*|double free or corruption \([a-z!]+\)|free\(\): [a-z ]+|malloc\(\): [a-z ]+|realloc\(\): [a-z ]+)",
            ),
            guard: None,
            build: glibc,
        },
        Kind {
            start: re(r"\*\*\*Exception: SegFault|Fatal Python error: Segmentation fault"),
            guard: None,
            build: segv,
        },
        Kind {
            start: re(
                r"(Segmentation fault|Aborted|Bus error|Illegal instruction|Floating point exception)\s*(?:\(core dumped\))?\s*(?:[./][^ ]*)?$",
            ),
            guard: None,
            build: signal,
        },
    ]
});

static AC: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| AhoCorasick::new(STARTS).ok());

/// `TITLE in FRAME`, normalised; a long title is cut before ` in FRAME` rather than after, so
/// that the location, which tells crashes with the same message apart, is always kept.
fn titled(raw: &str, frame: Option<&str>) -> String {
    let head = title::normalise(raw.as_bytes());
    let Some(f) = frame else { return head };
    // Normalised with its " in " so that the rules see the same context as in a whole title.
    let tail = title::normalise(format!(" in {f}").as_bytes());
    let room = MAX_TITLE.saturating_sub(tail.len() + 1);
    if room < 40 {
        // A huge frame name: keep the start of the message, as for any long title.
        return title::normalise(format!("{raw} in {f}").as_bytes());
    }
    let mut head = head.as_str();
    if head.len() > room {
        let mut cut = room;
        while !head.is_char_boundary(cut) {
            cut -= 1;
        }
        head = head[..cut].trim_end();
    }
    title::sanitise(format!("{head} {tail}").as_bytes())
}

/// Every user-space crash in the log, in order (at most `crate::MAX_REPORTS`).
pub(crate) fn parse(log: &[u8]) -> Vec<Report> {
    let mut out = Vec::new();
    // On a kernel console, user-space messages (init, daemons) are noise, not the crash.
    if crate::looks_like_kernel(log) {
        return out;
    }
    let Some(ac) = AC.as_ref() else { return out };
    let mut pos = 0;
    while pos < log.len() && out.len() < crate::MAX_REPORTS {
        let Some(m) = ac.find(&log[pos..]) else { break };
        let ls = line_start(log, pos + m.start()).max(pos);
        let line = line_at(log, ls);
        pos = line.end + 1;
        let mut lines: Vec<Line<'_>> = Vec::new();
        let mut built = None;
        for k in KINDS.iter() {
            let Some(caps) = k.start.captures(line.text) else {
                continue;
            };
            if let Some(guard) = k.guard {
                let head: Vec<Line<'_>> = Lines::new(log, line.start).take(GUARD_LINES).collect();
                if !guard(&head) {
                    continue;
                }
            }
            if lines.is_empty() {
                lines = Lines::new(log, line.start).take(MAX_LINES).collect();
            }
            built = (k.build)(&caps, &lines);
            if built.is_some() {
                break;
            }
        }
        let Some(b) = built else { continue };
        let title = titled(&b.title, b.frame.as_deref());
        let alt_titles = b
            .alt_frame
            .as_deref()
            .map(|f| titled(&b.title, Some(f)))
            .filter(|t| *t != title)
            .into_iter()
            .collect();
        let frame = b.frame;
        let ty = b.ty;
        let end_line = match b.last {
            Some(last) => last.min(lines.len() - 1),
            None => lines
                .iter()
                .position(|l| l.text.starts_with(b"SUMMARY: ") || l.text.ends_with(b"ABORTING"))
                .unwrap_or(0),
        };
        let end = lines[end_line].end;
        let text: Vec<u8> = lines[..=end_line.max(lines.len().min(60) - 1)]
            .iter()
            .flat_map(|l| l.text.iter().copied().chain(std::iter::once(b'\n')))
            .collect();
        out.push(Report {
            kind: CrashType::userspace(ty),
            frame,
            alt_titles,
            corrupted: false,
            corrupted_reason: None,
            suppressed: false,
            panicked: false,
            guilty_file: None,
            executor: None,
            start: line.start,
            end,
            text,
            title,
        });
        pos = end + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(log: &str) -> Report {
        parse(log.as_bytes()).into_iter().next().expect("a report")
    }

    #[test]
    fn asan() {
        let r = first(
            "run\n=================================================================\n==12==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000010 at pc 0x4c3 bp 0x7ff sp 0x7fe\nREAD of size 4 at 0x602000000010 thread T0\n    #0 0x4c3 in parse_header /src/h.c:12:3\n    #1 0x4d0 in main /src/m.c:5:1\nSUMMARY: AddressSanitizer: heap-use-after-free /src/h.c:12:3 in parse_header\n",
        );
        assert_eq!(
            r.title,
            "AddressSanitizer: heap-use-after-free in parse_header"
        );
        assert_eq!(r.frame.as_deref(), Some("parse_header"));
        assert_eq!(r.kind.name(), "MEMORY_SAFETY_BUG");
    }

    #[test]
    fn asan_double_free_skips_interceptor() {
        let r = first(
            "==1==ERROR: AddressSanitizer: attempting double-free on 0x6 in thread T0:\n    #0 0x7f in __interceptor_free ../asan_malloc_linux.cpp:52\n    #1 0x4c in release_buf /src/b.c:9:2\n",
        );
        assert_eq!(
            r.title,
            "AddressSanitizer: attempting double-free in release_buf"
        );
    }

    #[test]
    fn tsan_and_leak() {
        let r = first(
            "WARNING: ThreadSanitizer: data race (pid=9)\n  Write of size 4 at 0x1 by thread T1:\n    #0 incr /t.c:5:3 (a.out+0x1)\n",
        );
        assert_eq!(r.title, "ThreadSanitizer: data race in incr");
        let r = first(
            "==3==ERROR: LeakSanitizer: detected memory leaks\n\nDirect leak of 7 byte(s) in 1 object(s) allocated from:\n    #0 0x1 in malloc x.cpp:1\n    #1 0x2 in make_name /n.c:3:9\n",
        );
        assert_eq!(r.title, "LeakSanitizer: detected memory leaks in make_name");
        assert_eq!(r.kind.name(), "LEAK");
    }

    #[test]
    fn ubsan_rust_go_glibc() {
        let r = first(
            "src/add.c:7:12: runtime error: signed integer overflow: 2147483647 + 1 cannot be represented in type 'int'\n",
        );
        assert_eq!(r.title, "UBSan: signed integer overflow in add.c");
        let r = first(
            "thread 'main' panicked at src/main.rs:5:9:\nattempt to subtract with overflow\nnote: run with `RUST_BACKTRACE=1`\n",
        );
        assert_eq!(
            r.title,
            "Rust panic: attempt to subtract with overflow in src/main.rs"
        );
        let r = first(
            "panic: runtime error: index out of range [5] with length 3\n\ngoroutine 1 [running]:\nmain.lookup(...)\n\t/x/main.go:8\nmain.main()\n\t/x/main.go:12 +0x1d\n",
        );
        assert_eq!(
            r.title,
            "panic: runtime error: index out of range [NUM] with length NUM in main.lookup"
        );
        let r = first(
            "prog: prog.c:10: check_len: Assertion `len < 10' failed.\nAborted (core dumped)\n",
        );
        assert_eq!(r.title, "assertion failed: len < NUM in check_len");
        let r = first("free(): invalid pointer\n");
        assert_eq!(r.title, "glibc: free(): invalid pointer");
        let r =
            first("./run_tests.sh: line 3:  4242 Segmentation fault      (core dumped) ./parser\n");
        assert_eq!(r.title, "Segmentation fault");
        let r = first("3/7 Test #3: parse_tests ......***Exception: SegFault  0.01 sec\n");
        assert_eq!(r.title, "Segmentation fault");
    }

    #[test]
    fn long_messages_keep_their_location() {
        let msg = "x".repeat(200);
        let r = first(&format!(
            "thread 'main' (3) panicked at src/deep/module.rs:1:1:\n{msg}\n"
        ));
        assert!(r.title.len() <= MAX_TITLE, "{}", r.title);
        assert!(
            r.title.ends_with("xxx in src/deep/module.rs"),
            "{}",
            r.title
        );
        // Short titles are as before: the whole title normalised at once.
        assert_eq!(
            titled("panic: index [5] of 0x7fff12345678", Some("main.f")),
            "panic: index [NUM] of ADDR in main.f"
        );
    }

    #[test]
    fn go_fatal_errors_need_a_goroutine_and_a_frame() {
        let r = first(
            "fatal error: concurrent map read and map write\n\ngoroutine 7 [running]:\nexample.com/kv.(*Store).Get(...)\n\t/src/kv/store.go:40\ncreated by example.com/kv.Serve in goroutine 1\n\t/src/kv/serve.go:12 +0x2d\n",
        );
        assert_eq!(
            r.title,
            "fatal error: concurrent map read and map write in example.com/kv.(*Store).Get"
        );
        assert_eq!(r.kind.name(), "DATARACE");
        // A compiler's `fatal error:` has no goroutine; the runtime's own failures no frame.
        assert!(
            parse(b"fatal error: foo.h: No such file or directory\ncompilation terminated.\n")
                .is_empty()
        );
        assert!(
            parse(b"fatal error: runtimer: bad p\n\nruntime stack:\nruntime.throw({0x1})\n")
                .is_empty()
        );
    }

    #[test]
    fn cxx_and_musl_assertions() {
        let r = first("t: t.cc:8: int store::Index::lookup(int): Assertion `k < n' failed.\n");
        assert_eq!(r.title, "assertion failed: k < n in store::Index::lookup");
        let r = first("Assertion failed: k < n (t.c: lookup: 8)\n");
        assert_eq!(r.title, "assertion failed: k < n in lookup");
    }

    #[test]
    fn clean_output_has_no_crash() {
        assert!(parse(b"all 12 tests passed\nok\nAssertions: 40 passed\n").is_empty());
    }
}
