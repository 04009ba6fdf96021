//! `culprit report` on test output as toolchains print it (the fixtures of culprit-report's
//! `tests/userspace/`): the crash is found (exit 0) and titled, e.g. a Rust panic in rustc
//! 1.95's format (`thread 'main' (6269) panicked at ...`), which once gave "no crash".

#![allow(clippy::expect_used)]

use std::path::Path;
use std::process::Command;

fn report(fixture: &str, json: bool) -> (i32, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../report/tests/userspace")
        .join(format!("{fixture}.txt"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_culprit"));
    cmd.arg("report");
    if json {
        cmd.arg("--json");
    }
    let out = cmd.arg(&path).output().expect("run culprit report");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn rust_panics_of_every_format_are_titled() {
    for (fixture, title) in [
        (
            "rust-1.95-index",
            "TITLE: Rust panic: index out of bounds: the len is NUM but the index is NUM in src/index.rs",
        ),
        (
            "rust-1.63-asserteq",
            "TITLE: Rust panic: assertion `left == right` failed: checksum of \"abc\" in src/asserteq.rs",
        ),
        (
            "rust-1.96-thread-bt1",
            "TITLE: Rust panic: worker NUM lost its queue in thread::worker",
        ),
    ] {
        let (code, out) = report(fixture, false);
        assert_eq!(code, 0, "{fixture}: a crash was found\n{out}");
        assert_eq!(out.lines().next(), Some(title), "{fixture}\n{out}");
    }
}

#[test]
fn go_and_sanitizer_reports_are_titled_in_json() {
    for (fixture, title) in [
        (
            "go-1.23-concmap",
            "fatal error: concurrent map writes in main.fill",
        ),
        (
            "clang-22-asan-uaf",
            "AddressSanitizer: heap-use-after-free in parse_header",
        ),
    ] {
        let (code, out) = report(fixture, true);
        assert_eq!(code, 0, "{fixture}\n{out}");
        let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
        assert_eq!(v["title"], title, "{fixture}\n{out}");
    }
}
