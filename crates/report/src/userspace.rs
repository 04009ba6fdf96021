//! User-space crashes in test output: sanitizer reports (ASan, LSan, MSan, TSan, HWASan, UBSan),
//! Rust and Go panics, glibc assertion failures and abort messages, fatal signals reported by
//! the shell. Titled in the kernel's spirit: `AddressSanitizer: heap-use-after-free in parse_header`.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use regex::bytes::Regex;

use crate::compiled::re;
use crate::console::{Line, Lines, line_at, line_start};
use crate::{CrashType, Report, title};

/// How many lines after the first one a user-space report may span.
const MAX_LINES: usize = 400;

/// Texts that may start a user-space report (prefilter); the line regexes below decide.
static STARTS: &[&str] = &[
    "Sanitizer",
    "runtime error:",
    "panicked at",
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

/// What a kind's builder makes of a report: raw title, guilty frame, type name.
type Built = (String, Option<String>, &'static str);

struct Kind {
    start: Regex,
    build: fn(&regex::bytes::Captures<'_>, &[Line<'_>]) -> Built,
}

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

fn sanitizer(c: &regex::bytes::Captures<'_>, lines: &[Line<'_>]) -> Built {
    let san = s(&c[1]);
    let kind = s(&c[2]).trim().to_string();
    let ty = match san.as_str() {
        "LeakSanitizer" => "LEAK",
        "ThreadSanitizer" => "DATARACE",
        "UndefinedBehaviorSanitizer" => "UBSAN",
        _ => "MEMORY_SAFETY_BUG",
    };
    let f = san_frame(lines);
    (format!("{san}: {kind}"), f, ty)
}

fn ubsan(c: &regex::bytes::Captures<'_>, lines: &[Line<'_>]) -> Built {
    let file = s(&c[1]);
    let msg = s(&c[2]);
    // Keep the kind of error, not the values: up to the first ':' of the message.
    let kind = msg.split(':').next().unwrap_or(&msg).trim().to_string();
    let f = san_frame(lines).or_else(|| file.rsplit('/').next().map(str::to_string));
    (format!("UBSan: {kind}"), f, "UBSAN")
}

static RUST_MSG_OLD: LazyLock<Regex> = LazyLock::new(|| re(r"panicked at '(.*)', ([^ ]+?):[0-9]+"));
static RUST_FRAME: LazyLock<Regex> =
    LazyLock::new(|| re(r"^\s*[0-9]+: ([a-zA-Z_][a-zA-Z0-9_:<>]*)"));

fn rust(c: &regex::bytes::Captures<'_>, lines: &[Line<'_>]) -> Built {
    let first = lines[0].text;
    let (msg, file) = match RUST_MSG_OLD.captures(first) {
        Some(o) => (s(&o[1]), s(&o[2])),
        None => (
            lines.get(1).map(|l| s(l.text)).unwrap_or_default(),
            s(&c[1]),
        ),
    };
    let frame = lines.iter().skip(1).find_map(|l| {
        let c = RUST_FRAME.captures(l.text)?;
        let n = s(&c[1]);
        let n = n.rsplit_once("::h").map_or(n.clone(), |(a, h)| {
            if h.chars().all(|c| c.is_ascii_hexdigit()) {
                a.to_string()
            } else {
                n.clone()
            }
        });
        (!SKIP.is_match(n.as_bytes())).then_some(n)
    });
    let loc = frame.unwrap_or(file);
    (format!("Rust panic: {msg}"), Some(loc), "DoS")
}

static GO_FRAME: LazyLock<Regex> = LazyLock::new(|| re(r"^([a-zA-Z0-9_./*()\-]+)\((?:[^)]*)\)$"));

fn go(c: &regex::bytes::Captures<'_>, lines: &[Line<'_>]) -> Built {
    let msg = s(&c[1]);
    let frame = lines.iter().skip(1).find_map(|l| {
        let c = GO_FRAME.captures(l.text)?;
        let n = s(&c[1]);
        (!SKIP.is_match(n.as_bytes())).then_some(n)
    });
    (format!("panic: {msg}"), frame, "DoS")
}

fn go_race(_: &regex::bytes::Captures<'_>, lines: &[Line<'_>]) -> Built {
    let frame = lines.iter().skip(1).find_map(|l| {
        let c = GO_FRAME.captures(l.text.trim_ascii())?;
        let n = s(&c[1]);
        (!SKIP.is_match(n.as_bytes())).then_some(n)
    });
    ("Go data race".to_string(), frame, "DATARACE")
}

fn assertion(c: &regex::bytes::Captures<'_>, _: &[Line<'_>]) -> Built {
    let func = s(&c[2]);
    let func = func
        .split('(')
        .next()
        .unwrap_or(&func)
        .rsplit(' ')
        .next()
        .unwrap_or("")
        .to_string();
    (
        format!("assertion failed: {}", s(&c[3])),
        (!func.is_empty()).then_some(func),
        "DoS",
    )
}

fn glibc(c: &regex::bytes::Captures<'_>, _: &[Line<'_>]) -> Built {
    (
        format!("glibc: {}", s(&c[1]).trim()),
        None,
        "MEMORY_SAFETY_BUG",
    )
}

fn signal(c: &regex::bytes::Captures<'_>, _: &[Line<'_>]) -> Built {
    (s(&c[1]), None, "DoS")
}

fn segv(_: &regex::bytes::Captures<'_>, _: &[Line<'_>]) -> Built {
    ("Segmentation fault".to_string(), None, "DoS")
}

static KINDS: LazyLock<Vec<Kind>> = LazyLock::new(|| {
    vec![
        Kind {
            start: re(
                r"(?:ERROR|WARNING): (AddressSanitizer|LeakSanitizer|ThreadSanitizer|MemorySanitizer|HWAddressSanitizer|UndefinedBehaviorSanitizer): ([a-zA-Z][a-zA-Z0-9_\- ]*?)(?: on | at | for |\(| \(|:|$)",
            ),
            build: sanitizer,
        },
        Kind {
            start: re(r"^([^ :]+\.[a-zA-Z+]+):[0-9]+:[0-9]+: runtime error: (.*)"),
            build: ubsan,
        },
        Kind {
            start: re(r"thread '[^']*' panicked at ([^ :]+?)(?::[0-9]+)*:?$"),
            build: rust,
        },
        Kind {
            start: re(r"thread '[^']*' panicked at '"),
            build: rust,
        },
        Kind {
            start: re(r"^panic: (.*)"),
            build: go,
        },
        Kind {
            start: re(r"^WARNING: DATA RACE"),
            build: go_race,
        },
        Kind {
            start: re(r"^(?:[^ ]*: )?([^ :]+):[0-9]+: ([^:]*): Assertion [`'](.*)' failed\.?$"),
            build: assertion,
        },
        Kind {
            start: re(
                r"^(\*\*\* stack smashing detected \*\*\*|\*\*\* buffer overflow detected \*\*\*|double free or corruption \([a-z!]+\)|free\(\): [a-z ]+|malloc\(\): [a-z ]+|realloc\(\): [a-z ]+)",
            ),
            build: glibc,
        },
        Kind {
            start: re(r"\*\*\*Exception: SegFault|Fatal Python error: Segmentation fault"),
            build: segv,
        },
        Kind {
            start: re(
                r"(Segmentation fault|Aborted|Bus error|Illegal instruction|Floating point exception)\s*(?:\(core dumped\))?\s*(?:[./][^ ]*)?$",
            ),
            build: signal,
        },
    ]
});

static AC: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| AhoCorasick::new(STARTS).ok());

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
        let Some((kind, caps)) = KINDS
            .iter()
            .find_map(|k| k.start.captures(line.text).map(|c| (k, c)))
        else {
            continue;
        };
        let lines: Vec<Line<'_>> = Lines::new(log, line.start).take(MAX_LINES).collect();
        let (raw_title, frame, ty) = (kind.build)(&caps, &lines);
        let mut t = raw_title.into_bytes();
        if let Some(f) = &frame {
            t.extend_from_slice(b" in ");
            t.extend_from_slice(f.as_bytes());
        }
        let title = title::normalise(&t);
        let end_line = lines
            .iter()
            .position(|l| l.text.starts_with(b"SUMMARY: ") || l.text.ends_with(b"ABORTING"))
            .unwrap_or(0);
        let end = lines[end_line].end;
        let text: Vec<u8> = lines[..=end_line.max(lines.len().min(60) - 1)]
            .iter()
            .flat_map(|l| l.text.iter().copied().chain(std::iter::once(b'\n')))
            .collect();
        out.push(Report {
            kind: CrashType::userspace(ty),
            frame,
            alt_titles: Vec::new(),
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
    fn clean_output_has_no_crash() {
        assert!(parse(b"all 12 tests passed\nok\nAssertions: 40 passed\n").is_empty());
    }
}
