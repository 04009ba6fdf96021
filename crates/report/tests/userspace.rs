//! User-space crash output as toolchains print it: `tests/userspace/*.txt` is the real output
//! of the programs in `tests/userspace/programs/` built with rustc 1.63 / 1.95 / 1.96, Go
//! 1.19 / 1.21 / 1.23, gcc 11 / 12, clang 19 / 22 and musl (each file's header names the
//! toolchain; `tests/userspace/make.sh` makes them again), and `hand-*.txt` is written by hand
//! from the documented format of versions no registry here has. One test per file: the parser
//! must find the crash and title it; then the same crash must have one identity whatever the
//! version printed it, and different crashes must not share one. `rustc_now` runs the
//! installed rustc, so that a change of its format fails here before it reaches a bisection.

#![allow(clippy::expect_used, reason = "a test may panic")]

use std::path::{Path, PathBuf};

use culprit_report::Report;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/userspace")
}

/// A fixture's log: what follows its `# ---` header line.
fn log(name: &str) -> Vec<u8> {
    let path = dir().join(format!("{name}.txt"));
    let text = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let at = text
        .windows(6)
        .position(|w| w == b"# ---\n")
        .unwrap_or_else(|| panic!("{name}: no `# ---` header end"));
    let header = String::from_utf8_lossy(&text[..at]);
    assert!(
        header.contains("# toolchain: "),
        "{name}: the header names no toolchain"
    );
    text[at + 6..].to_vec()
}

fn report(name: &str) -> Report {
    let log = log(name);
    let r = culprit_report::first(&log).unwrap_or_else(|| panic!("{name}: no crash found"));
    // `parse` sees the same crash first, and the report starts on the crash's own line.
    let all = culprit_report::parse(&log);
    assert_eq!(all.first().map(|a| &a.title), Some(&r.title), "{name}");
    assert!(r.start <= r.end && r.end <= log.len(), "{name}");
    r
}

/// Title, TYPE and alternative titles of a fixture.
fn check(name: &str, title: &str, ty: &str, alt: &[&str]) {
    let r = report(name);
    assert_eq!(r.title, title, "{name}: title");
    assert_eq!(r.kind.name(), ty, "{name}: type");
    assert_eq!(r.alt_titles, alt, "{name}: alternative titles");
}

macro_rules! fixtures {
    ($($test:ident: $file:literal => $title:literal, $ty:literal $(, alt $alt:literal)?;)*) => {
        $(
            #[test]
            fn $test() {
                check($file, $title, $ty, &[$($alt)?]);
            }
        )*
        /// Every fixture, for the cross-version checks and the listing check.
        const ALL: &[&str] = &[$($file),*];
    };
}

fixtures! {
    // ---- Rust: before 1.73 (`panicked at 'msg', file:line:col`), rustc 1.63 ----
    rust_1_63_index: "rust-1.63-index" =>
        "Rust panic: index out of bounds: the len is NUM but the index is NUM in src/index.rs", "DoS";
    rust_1_63_index_backtrace: "rust-1.63-index-bt1" =>
        "Rust panic: index out of bounds: the len is NUM but the index is NUM in index::parse_header", "DoS",
        alt "Rust panic: index out of bounds: the len is NUM but the index is NUM in src/index.rs";
    rust_1_63_unwrap: "rust-1.63-unwrap" =>
        "Rust panic: called `Result::unwrap()` on an `Err` value: ParseIntError { kind: InvalidDigit } in src/unwrap.rs", "DoS";
    rust_1_63_unwrap_full_backtrace: "rust-1.63-unwrap-btfull" =>
        "Rust panic: called `Result::unwrap()` on an `Err` value: ParseIntError { kind: InvalidDigit } in unwrap::load_config", "DoS",
        alt "Rust panic: called `Result::unwrap()` on an `Err` value: ParseIntError { kind: InvalidDigit } in src/unwrap.rs";
    rust_1_63_assert_eq_multiline: "rust-1.63-asserteq" =>
        "Rust panic: assertion `left == right` failed: checksum of \"abc\" in src/asserteq.rs", "DoS";
    rust_1_63_assert_eq_backtrace: "rust-1.63-asserteq-bt1" =>
        "Rust panic: assertion `left == right` failed: checksum of \"abc\" in asserteq::main", "DoS",
        alt "Rust panic: assertion `left == right` failed: checksum of \"abc\" in src/asserteq.rs";
    rust_1_63_libtest: "rust-1.63-libtest" =>
        "Rust panic: assertion `left == right` failed in src/libtest.rs", "DoS";
    rust_1_63_unnamed_thread: "rust-1.63-thread" =>
        "Rust panic: worker NUM lost its queue in src/thread.rs", "DoS";
    rust_1_63_unnamed_thread_backtrace: "rust-1.63-thread-bt1" =>
        "Rust panic: worker NUM lost its queue in thread::worker", "DoS",
        alt "Rust panic: worker NUM lost its queue in src/thread.rs";
    rust_1_63_named_thread: "rust-1.63-named" =>
        "Rust panic: flush target missing in src/named.rs", "DoS";
    rust_1_63_stack_overflow: "rust-1.63-overflow" => "Rust stack overflow", "DoS";

    // ---- Rust: 1.73+ (`panicked at file:line:col:` + message), by hand; early 1.x, by hand ----
    rust_1_73_index: "hand-rust-1.73-index" =>
        "Rust panic: index out of bounds: the len is NUM but the index is NUM in src/index.rs", "DoS";
    rust_1_73_assert_eq_backtrace: "hand-rust-1.73-asserteq-bt1" =>
        "Rust panic: assertion `left == right` failed: checksum of \"abc\" in asserteq::main", "DoS",
        alt "Rust panic: assertion `left == right` failed: checksum of \"abc\" in src/asserteq.rs";
    rust_1_0_index: "hand-rust-1.0-index" =>
        "Rust panic: index out of bounds: the len is NUM but the index is NUM in src/index.rs", "DoS";

    // ---- Rust: with the thread id (`thread 'main' (6269) panicked at`), rustc 1.95 ----
    rust_1_95_index: "rust-1.95-index" =>
        "Rust panic: index out of bounds: the len is NUM but the index is NUM in src/index.rs", "DoS";
    rust_1_95_index_backtrace: "rust-1.95-index-bt1" =>
        "Rust panic: index out of bounds: the len is NUM but the index is NUM in index::parse_header", "DoS",
        alt "Rust panic: index out of bounds: the len is NUM but the index is NUM in src/index.rs";
    rust_1_95_unwrap: "rust-1.95-unwrap" =>
        "Rust panic: called `Result::unwrap()` on an `Err` value: ParseIntError { kind: InvalidDigit } in src/unwrap.rs", "DoS";
    rust_1_95_unwrap_full_backtrace: "rust-1.95-unwrap-btfull" =>
        "Rust panic: called `Result::unwrap()` on an `Err` value: ParseIntError { kind: InvalidDigit } in unwrap::load_config", "DoS",
        alt "Rust panic: called `Result::unwrap()` on an `Err` value: ParseIntError { kind: InvalidDigit } in src/unwrap.rs";
    rust_1_95_assert_eq: "rust-1.95-asserteq" =>
        "Rust panic: assertion `left == right` failed: checksum of \"abc\" in src/asserteq.rs", "DoS";
    rust_1_95_assert_eq_backtrace: "rust-1.95-asserteq-bt1" =>
        "Rust panic: assertion `left == right` failed: checksum of \"abc\" in asserteq::main", "DoS",
        alt "Rust panic: assertion `left == right` failed: checksum of \"abc\" in src/asserteq.rs";
    rust_1_95_libtest: "rust-1.95-libtest" =>
        "Rust panic: assertion `left == right` failed in src/libtest.rs", "DoS";
    rust_1_95_unnamed_thread: "rust-1.95-thread" =>
        "Rust panic: worker NUM lost its queue in src/thread.rs", "DoS";
    rust_1_95_unnamed_thread_backtrace: "rust-1.95-thread-bt1" =>
        "Rust panic: worker NUM lost its queue in thread::worker", "DoS",
        alt "Rust panic: worker NUM lost its queue in src/thread.rs";
    rust_1_95_named_thread: "rust-1.95-named" =>
        "Rust panic: flush target missing in src/named.rs", "DoS";
    rust_1_95_stack_overflow: "rust-1.95-overflow" => "Rust stack overflow", "DoS";

    // ---- Rust: rustc 1.96 (Debian's rustc-web) ----
    rust_1_96_index: "rust-1.96-index" =>
        "Rust panic: index out of bounds: the len is NUM but the index is NUM in src/index.rs", "DoS";
    rust_1_96_index_backtrace: "rust-1.96-index-bt1" =>
        "Rust panic: index out of bounds: the len is NUM but the index is NUM in index::parse_header", "DoS",
        alt "Rust panic: index out of bounds: the len is NUM but the index is NUM in src/index.rs";
    rust_1_96_unwrap: "rust-1.96-unwrap" =>
        "Rust panic: called `Result::unwrap()` on an `Err` value: ParseIntError { kind: InvalidDigit } in src/unwrap.rs", "DoS";
    rust_1_96_unwrap_full_backtrace: "rust-1.96-unwrap-btfull" =>
        "Rust panic: called `Result::unwrap()` on an `Err` value: ParseIntError { kind: InvalidDigit } in unwrap::load_config", "DoS",
        alt "Rust panic: called `Result::unwrap()` on an `Err` value: ParseIntError { kind: InvalidDigit } in src/unwrap.rs";
    rust_1_96_assert_eq: "rust-1.96-asserteq" =>
        "Rust panic: assertion `left == right` failed: checksum of \"abc\" in src/asserteq.rs", "DoS";
    rust_1_96_assert_eq_backtrace: "rust-1.96-asserteq-bt1" =>
        "Rust panic: assertion `left == right` failed: checksum of \"abc\" in asserteq::main", "DoS",
        alt "Rust panic: assertion `left == right` failed: checksum of \"abc\" in src/asserteq.rs";
    rust_1_96_libtest: "rust-1.96-libtest" =>
        "Rust panic: assertion `left == right` failed in src/libtest.rs", "DoS";
    rust_1_96_unnamed_thread: "rust-1.96-thread" =>
        "Rust panic: worker NUM lost its queue in src/thread.rs", "DoS";
    rust_1_96_unnamed_thread_backtrace: "rust-1.96-thread-bt1" =>
        "Rust panic: worker NUM lost its queue in thread::worker", "DoS",
        alt "Rust panic: worker NUM lost its queue in src/thread.rs";
    rust_1_96_named_thread: "rust-1.96-named" =>
        "Rust panic: flush target missing in src/named.rs", "DoS";
    rust_1_96_stack_overflow: "rust-1.96-overflow" => "Rust stack overflow", "DoS";

    // ---- Go 1.19 (`created by main.main`), 1.21 (`created by main.main in goroutine 1`), 1.23
    // (`go` statement wrappers `main.main.gowrap1`) ----
    go_1_19_index: "go-1.19-index" =>
        "panic: runtime error: index out of range [NUM] with length NUM in main.lookup", "DoS";
    go_1_19_nil_pointer: "go-1.19-nilptr" =>
        "panic: runtime error: invalid memory address or nil pointer dereference in main.(*Conn).Addr", "DoS";
    go_1_19_generic_frame: "go-1.19-generic" =>
        "panic: runtime error: index out of range [NUM] with length NUM in main.First[...]", "DoS";
    go_1_19_test_recovered: "go-1.19-gotest" =>
        "panic: runtime error: index out of range [NUM] with length NUM in example.com/codec.decode", "DoS";
    go_1_19_concurrent_map_writes: "go-1.19-concmap" =>
        "fatal error: concurrent map writes in main.fill", "DATARACE";
    go_1_19_deadlock: "go-1.19-deadlock" =>
        "fatal error: all goroutines are asleep - deadlock! in main.main", "DoS";
    go_1_19_race: "go-1.19-race" => "Go data race in main.record", "DATARACE";
    go_1_21_index: "go-1.21-index" =>
        "panic: runtime error: index out of range [NUM] with length NUM in main.lookup", "DoS";
    go_1_21_nil_pointer: "go-1.21-nilptr" =>
        "panic: runtime error: invalid memory address or nil pointer dereference in main.(*Conn).Addr", "DoS";
    go_1_21_generic_frame: "go-1.21-generic" =>
        "panic: runtime error: index out of range [NUM] with length NUM in main.First[...]", "DoS";
    go_1_21_test_recovered: "go-1.21-gotest" =>
        "panic: runtime error: index out of range [NUM] with length NUM in example.com/codec.decode", "DoS";
    go_1_21_concurrent_map_writes: "go-1.21-concmap" =>
        "fatal error: concurrent map writes in main.fill", "DATARACE";
    go_1_21_deadlock: "go-1.21-deadlock" =>
        "fatal error: all goroutines are asleep - deadlock! in main.main", "DoS";
    go_1_21_race: "go-1.21-race" => "Go data race in main.record", "DATARACE";
    go_1_23_index: "go-1.23-index" =>
        "panic: runtime error: index out of range [NUM] with length NUM in main.lookup", "DoS";
    go_1_23_nil_pointer: "go-1.23-nilptr" =>
        "panic: runtime error: invalid memory address or nil pointer dereference in main.(*Conn).Addr", "DoS";
    go_1_23_generic_frame: "go-1.23-generic" =>
        "panic: runtime error: index out of range [NUM] with length NUM in main.First[...]", "DoS";
    go_1_23_test_recovered: "go-1.23-gotest" =>
        "panic: runtime error: index out of range [NUM] with length NUM in example.com/codec.decode", "DoS";
    go_1_23_concurrent_map_writes: "go-1.23-concmap" =>
        "fatal error: concurrent map writes in main.fill", "DATARACE";
    go_1_23_deadlock: "go-1.23-deadlock" =>
        "fatal error: all goroutines are asleep - deadlock! in main.main", "DoS";
    go_1_23_race: "go-1.23-race" => "Go data race in main.record", "DATARACE";
    // Go 1.25+: `[recovered, repanicked]`, by hand.
    go_1_25_test_repanicked: "hand-go-1.25-gotest" =>
        "panic: runtime error: index out of range [NUM] with length NUM in example.com/codec.decode", "DoS";

    // ---- gcc 11 / 12 (libsanitizer: `file:line`, `__interceptor_free`), glibc ----
    gcc_11_asan_use_after_free: "gcc-11-asan-uaf" =>
        "AddressSanitizer: heap-use-after-free in parse_header", "MEMORY_SAFETY_BUG";
    gcc_11_asan_segv: "gcc-11-asan-segv" => "AddressSanitizer: SEGV in sum_list", "MEMORY_SAFETY_BUG";
    gcc_11_lsan: "gcc-11-asan-leak" => "LeakSanitizer: detected memory leaks in make_name", "LEAK";
    gcc_11_ubsan: "gcc-11-ubsan" => "UBSan: signed integer overflow in ubsan.c", "UBSAN";
    gcc_11_ubsan_stack: "gcc-11-ubsan-stack" => "UBSan: signed integer overflow in scale", "UBSAN",
        alt "UBSan: signed integer overflow in ubsan.c";
    gcc_11_ubsan_shift: "gcc-11-ubsan-shift" =>
        "UBSan: shift exponent NUM is too large for NUM-bit type 'int' in ubsan_shift.c", "UBSAN";
    gcc_11_tsan: "gcc-11-tsan" => "ThreadSanitizer: data race in bump", "DATARACE";
    gcc_11_assert: "gcc-11-assert" => "assertion failed: len < NUM in check_len", "DoS";
    gcc_11_double_free: "gcc-11-dfree" =>
        "glibc: free(): double free detected in tcache", "MEMORY_SAFETY_BUG";
    gcc_11_stack_smashing: "gcc-11-smash" =>
        "glibc: *** stack smashing detected ***", "MEMORY_SAFETY_BUG";
    gcc_12_asan_use_after_free: "gcc-12-asan-uaf" =>
        "AddressSanitizer: heap-use-after-free in parse_header", "MEMORY_SAFETY_BUG";
    gcc_12_asan_segv: "gcc-12-asan-segv" => "AddressSanitizer: SEGV in sum_list", "MEMORY_SAFETY_BUG";
    gcc_12_lsan: "gcc-12-asan-leak" => "LeakSanitizer: detected memory leaks in make_name", "LEAK";
    gcc_12_ubsan: "gcc-12-ubsan" => "UBSan: signed integer overflow in ubsan.c", "UBSAN";
    gcc_12_ubsan_stack: "gcc-12-ubsan-stack" => "UBSan: signed integer overflow in scale", "UBSAN",
        alt "UBSan: signed integer overflow in ubsan.c";
    gcc_12_ubsan_shift: "gcc-12-ubsan-shift" =>
        "UBSan: shift exponent NUM is too large for NUM-bit type 'int' in ubsan_shift.c", "UBSAN";
    gcc_12_tsan: "gcc-12-tsan" => "ThreadSanitizer: data race in bump", "DATARACE";
    gcc_12_assert: "gcc-12-assert" => "assertion failed: len < NUM in check_len", "DoS";
    gcc_12_assert_cpp_method: "gcc-12-assert-cpp" =>
        "assertion failed: key < slots && \"key out of range\" in store::Index::lookup", "DoS";
    gcc_12_double_free: "gcc-12-dfree" =>
        "glibc: free(): double free detected in tcache", "MEMORY_SAFETY_BUG";
    gcc_12_stack_smashing: "gcc-12-smash" =>
        "glibc: *** stack smashing detected ***", "MEMORY_SAFETY_BUG";

    // ---- clang 19 / 22 (compiler-rt: `file:line:col`, `free`, BuildId, UBSan SUMMARY) ----
    clang_19_asan_use_after_free: "clang-19-asan-uaf" =>
        "AddressSanitizer: heap-use-after-free in parse_header", "MEMORY_SAFETY_BUG";
    clang_19_asan_segv: "clang-19-asan-segv" => "AddressSanitizer: SEGV in sum_list", "MEMORY_SAFETY_BUG";
    clang_19_lsan: "clang-19-asan-leak" => "LeakSanitizer: detected memory leaks in make_name", "LEAK";
    clang_19_ubsan: "clang-19-ubsan" => "UBSan: signed integer overflow in ubsan.c", "UBSAN";
    clang_19_ubsan_stack: "clang-19-ubsan-stack" => "UBSan: signed integer overflow in scale", "UBSAN",
        alt "UBSan: signed integer overflow in ubsan.c";
    clang_19_ubsan_shift: "clang-19-ubsan-shift" =>
        "UBSan: shift exponent NUM is too large for NUM-bit type 'int' in ubsan_shift.c", "UBSAN";
    clang_19_tsan: "clang-19-tsan" => "ThreadSanitizer: data race in bump", "DATARACE";
    clang_19_msan: "clang-19-msan" =>
        "MemorySanitizer: use-of-uninitialized-value in pick", "MEMORY_SAFETY_BUG";
    clang_19_assert_pretty_function: "clang-19-assert" =>
        "assertion failed: len < NUM in check_len", "DoS";
    clang_19_double_free: "clang-19-dfree" =>
        "glibc: free(): double free detected in tcache", "MEMORY_SAFETY_BUG";
    clang_19_stack_smashing: "clang-19-smash" =>
        "glibc: *** stack smashing detected ***", "MEMORY_SAFETY_BUG";
    clang_22_asan_use_after_free: "clang-22-asan-uaf" =>
        "AddressSanitizer: heap-use-after-free in parse_header", "MEMORY_SAFETY_BUG";
    clang_22_asan_segv: "clang-22-asan-segv" => "AddressSanitizer: SEGV in sum_list", "MEMORY_SAFETY_BUG";
    clang_22_lsan: "clang-22-asan-leak" => "LeakSanitizer: detected memory leaks in make_name", "LEAK";
    clang_22_ubsan: "clang-22-ubsan" => "UBSan: signed integer overflow in ubsan.c", "UBSAN";
    clang_22_ubsan_stack: "clang-22-ubsan-stack" => "UBSan: signed integer overflow in scale", "UBSAN",
        alt "UBSan: signed integer overflow in ubsan.c";
    clang_22_ubsan_shift: "clang-22-ubsan-shift" =>
        "UBSan: shift exponent NUM is too large for NUM-bit type 'int' in ubsan_shift.c", "UBSAN";
    clang_22_tsan: "clang-22-tsan" => "ThreadSanitizer: data race in bump", "DATARACE";
    clang_22_msan: "clang-22-msan" =>
        "MemorySanitizer: use-of-uninitialized-value in pick", "MEMORY_SAFETY_BUG";
    clang_22_assert_pretty_function: "clang-22-assert" =>
        "assertion failed: len < NUM in check_len", "DoS";
    clang_22_double_free: "clang-22-dfree" =>
        "glibc: free(): double free detected in tcache", "MEMORY_SAFETY_BUG";
    clang_22_stack_smashing: "clang-22-smash" =>
        "glibc: *** stack smashing detected ***", "MEMORY_SAFETY_BUG";
    // Not symbolized: frames are addresses, the title has no frame rather than a wrong one.
    clang_22_asan_unsymbolized: "clang-22-nosym-asan-uaf" =>
        "AddressSanitizer: heap-use-after-free", "MEMORY_SAFETY_BUG";
    clang_22_tsan_unsymbolized: "clang-22-nosym-tsan" => "ThreadSanitizer: data race", "DATARACE";

    // ---- musl: `Assertion failed: cond (file: func: line)` ----
    musl_assert: "musl-assert" => "assertion failed: len < NUM in check_len", "DoS";
}

/// Each `.txt` of the fixture directory has its test above (a new fixture cannot be left out).
#[test]
fn every_fixture_is_tested() {
    let mut on_disk: Vec<String> = std::fs::read_dir(dir())
        .expect("fixture directory")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".txt").map(str::to_string)
        })
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = ALL.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(on_disk, listed);
}

fn same(a: &str, b: &str) -> bool {
    culprit_report::same_crash(&report(a), &report(b))
}

/// One crash, one identity: every version's output of one program gives the same title
/// (with or without a backtrace, through the alternative title).
#[test]
fn one_crash_one_identity_across_versions() {
    let groups: &[&[&str]] = &[
        &[
            "hand-rust-1.0-index",
            "rust-1.63-index",
            "hand-rust-1.73-index",
            "rust-1.95-index",
            "rust-1.96-index",
            "rust-1.63-index-bt1",
            "rust-1.95-index-bt1",
            "rust-1.96-index-bt1",
        ],
        &[
            "rust-1.63-asserteq",
            "rust-1.95-asserteq",
            "rust-1.96-asserteq",
            "rust-1.63-asserteq-bt1",
            "hand-rust-1.73-asserteq-bt1",
            "rust-1.95-asserteq-bt1",
            "rust-1.96-asserteq-bt1",
        ],
        &[
            "rust-1.63-unwrap",
            "rust-1.95-unwrap",
            "rust-1.96-unwrap",
            "rust-1.63-unwrap-btfull",
            "rust-1.95-unwrap-btfull",
            "rust-1.96-unwrap-btfull",
        ],
        &[
            "rust-1.63-thread",
            "rust-1.95-thread",
            "rust-1.96-thread",
            "rust-1.63-thread-bt1",
            "rust-1.95-thread-bt1",
            "rust-1.96-thread-bt1",
        ],
        &[
            "rust-1.63-libtest",
            "rust-1.95-libtest",
            "rust-1.96-libtest",
        ],
        &["go-1.19-index", "go-1.21-index", "go-1.23-index"],
        &[
            "go-1.19-gotest",
            "go-1.21-gotest",
            "go-1.23-gotest",
            "hand-go-1.25-gotest",
        ],
        &["go-1.19-concmap", "go-1.21-concmap", "go-1.23-concmap"],
        &["go-1.19-race", "go-1.21-race", "go-1.23-race"],
        &["go-1.19-generic", "go-1.21-generic", "go-1.23-generic"],
        &[
            "gcc-11-asan-uaf",
            "gcc-12-asan-uaf",
            "clang-19-asan-uaf",
            "clang-22-asan-uaf",
        ],
        &[
            "gcc-11-tsan",
            "gcc-12-tsan",
            "clang-19-tsan",
            "clang-22-tsan",
        ],
        &[
            "gcc-11-ubsan",
            "gcc-12-ubsan",
            "clang-19-ubsan",
            "clang-22-ubsan",
            "gcc-11-ubsan-stack",
            "gcc-12-ubsan-stack",
            "clang-19-ubsan-stack",
            "clang-22-ubsan-stack",
        ],
        &[
            "gcc-11-assert",
            "gcc-12-assert",
            "clang-19-assert",
            "clang-22-assert",
            "musl-assert",
        ],
    ];
    for g in groups {
        for a in g.iter() {
            for b in g.iter() {
                assert!(same(a, b), "{a} and {b} are one crash");
            }
        }
    }
}

/// Different crashes, different identities: no two programs of one toolchain share a title,
/// which is what "every panic is `test failed with exit status 101`" got wrong.
#[test]
fn different_crashes_stay_apart() {
    let sets: &[&[&str]] = &[
        &[
            "rust-1.95-index",
            "rust-1.95-unwrap",
            "rust-1.95-asserteq",
            "rust-1.95-libtest",
            "rust-1.95-thread",
            "rust-1.95-named",
            "rust-1.95-overflow",
        ],
        &[
            "rust-1.63-index",
            "rust-1.63-unwrap",
            "rust-1.63-asserteq",
            "rust-1.63-libtest",
            "rust-1.63-thread",
            "rust-1.63-named",
            "rust-1.63-overflow",
        ],
        &[
            "go-1.23-index",
            "go-1.23-nilptr",
            "go-1.23-generic",
            "go-1.23-gotest",
            "go-1.23-concmap",
            "go-1.23-deadlock",
            "go-1.23-race",
        ],
        &[
            "clang-22-asan-uaf",
            "clang-22-asan-segv",
            "clang-22-asan-leak",
            "clang-22-ubsan",
            "clang-22-ubsan-shift",
            "clang-22-tsan",
            "clang-22-msan",
            "clang-22-assert",
            "clang-22-dfree",
            "clang-22-smash",
        ],
    ];
    for set in sets {
        for (i, a) in set.iter().enumerate() {
            for b in &set[i + 1..] {
                assert!(!same(a, b), "{a} and {b} are different crashes");
            }
        }
    }
    // The same message at two places is two crashes.
    let here = b"thread 'main' (1) panicked at src/a.rs:3:5:\nboom\n";
    let there = b"thread 'main' (1) panicked at src/b.rs:3:5:\nboom\n";
    let (a, b) = (
        culprit_report::first(here).expect("a panic"),
        culprit_report::first(there).expect("a panic"),
    );
    assert!(
        !culprit_report::same_crash(&a, &b),
        "{} / {}",
        a.title,
        b.title
    );
}

/// The report spans the panic and its backtrace, not the output after it.
#[test]
fn reports_end_where_the_crash_output_ends() {
    let l = log("rust-1.95-index-bt1");
    let r = culprit_report::first(&l).expect("a panic");
    let text = String::from_utf8_lossy(&l[r.start..r.end]);
    assert!(text.contains("index::parse_header"), "{text}");
    assert!(text.ends_with("for a verbose backtrace."), "{text}");
    let l = log("go-1.19-gotest");
    let r = culprit_report::first(&l).expect("a panic");
    let text = String::from_utf8_lossy(&l[r.start..r.end]);
    assert!(text.ends_with("testing.go:1493 +0x35f"), "{text}");
    // The re-raised `\tpanic:` line is part of it, not a second crash.
    assert_eq!(culprit_report::parse(&l).len(), 1);
}

/// The rustc on this machine, for real: compile a panicking program, run it with and without
/// a backtrace, and title what it prints. Skipped (with a note) only where rustc is absent.
#[test]
fn rustc_now() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    let version = match std::process::Command::new(&rustc).arg("--version").output() {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim().to_string(),
        _ => {
            eprintln!("NOTE: rustc_now skipped: no `{rustc}` to run");
            return;
        }
    };
    let tmp = tempfile::tempdir().expect("temp dir");
    let src = tmp.path().join("src");
    std::fs::create_dir(&src).expect("src dir");
    std::fs::write(
        src.join("main.rs"),
        "fn pick(v: &[u32], i: usize) -> u32 {\n    v[i]\n}\n\nfn main() {\n    \
         let i = std::env::args().count() + 6;\n    println!(\"{}\", pick(&[1, 2, 3], i));\n}\n",
    )
    .expect("write source");
    let bin = tmp.path().join("prog");
    let out = std::process::Command::new(&rustc)
        .current_dir(tmp.path())
        .args(["-g", "--edition", "2021", "-o"])
        .arg(&bin)
        .arg("src/main.rs")
        .output()
        .expect("run rustc");
    assert!(
        out.status.success(),
        "{version} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run = |backtrace: &str| {
        let o = std::process::Command::new(&bin)
            .env("RUST_BACKTRACE", backtrace)
            .output()
            .expect("run the program");
        assert_eq!(o.status.code(), Some(101), "{version}: a panic exits 101");
        o.stderr
    };
    let plain = run("0");
    let r = culprit_report::first(&plain).unwrap_or_else(|| {
        panic!(
            "{version}: its panic is not recognised:\n{}",
            String::from_utf8_lossy(&plain)
        )
    });
    assert_eq!(
        r.title,
        "Rust panic: index out of bounds: the len is NUM but the index is NUM in src/main.rs",
        "{version}:\n{}",
        String::from_utf8_lossy(&plain)
    );
    let traced = run("1");
    let t = culprit_report::first(&traced).unwrap_or_else(|| {
        panic!(
            "{version}: its panic with a backtrace is not recognised:\n{}",
            String::from_utf8_lossy(&traced)
        )
    });
    assert_eq!(
        t.title,
        "Rust panic: index out of bounds: the len is NUM but the index is NUM in main::pick",
        "{version}:\n{}",
        String::from_utf8_lossy(&traced)
    );
    assert!(culprit_report::same_crash(&r, &t), "{version}");
    let full = run("full");
    let f = culprit_report::first(&full).expect("a panic");
    assert_eq!(
        f.title,
        t.title,
        "{version}:\n{}",
        String::from_utf8_lossy(&full)
    );
    eprintln!("rustc_now: {version}: {}", r.title);
}
