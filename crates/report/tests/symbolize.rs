//! In-process symbolization compared with binutils `addr2line -f -i` on a small program that
//! the test compiles with `gcc -g -O2` (with inlining), and the report-line rewriting.

#![allow(clippy::expect_used, reason = "a test may panic")]

use std::process::Command;

use culprit_report::symbolize::Symbolizer;

const PROG: &str = r#"
#include <stdio.h>
#include <stdlib.h>
static inline int helper_add(int *p, int n) {
    int s = 0;
    for (int i = 0; i < n; i++)
        s += p[i] * (i + 3);
    return s;
}
static inline int helper_twice(int *p, int n) {
    return helper_add(p, n) * 2 + p[n / 2];
}
__attribute__((noinline)) int crunch(int *p, int n) {
    int r = helper_twice(p, n);
    if (r > 1000)
        r -= helper_add(p, n / 2);
    return r;
}
int main(int argc, char **argv) {
    int n = argc + 5;
    int *p = malloc(sizeof(int) * n);
    for (int i = 0; i < n; i++) p[i] = i ^ argc;
    printf("%d\n", crunch(p, n));
    return 0;
}
"#;

fn have(tool: &str) -> bool {
    Command::new(tool).arg("--version").output().is_ok()
}

/// binutils' chain for an address: (function, file:line) innermost first.
fn binutils(bin: &std::path::Path, pc: u64) -> Vec<(String, String)> {
    let out = Command::new("addr2line")
        .args(["-f", "-i", "-e"])
        .arg(bin)
        .arg(format!("{pc:#x}"))
        .output()
        .expect("addr2line runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let lines: Vec<&str> = text.lines().collect();
    lines
        .chunks(2)
        .filter(|c| c.len() == 2)
        .map(|c| {
            // "file:line (discriminator N)" -> "file:line"
            let loc = c[1].split(" (").next().unwrap_or(c[1]).to_string();
            (c[0].to_string(), loc)
        })
        .collect()
}

#[test]
fn chains_match_binutils_addr2line() {
    if !have("gcc") || !have("addr2line") {
        println!("gcc or binutils addr2line not installed: skipping");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let src = dir.path().join("prog.c");
    let bin = dir.path().join("prog");
    std::fs::write(&src, PROG).expect("write source");
    let st = Command::new("gcc")
        .args(["-g", "-O2", "-fno-pie", "-no-pie", "-o"])
        .arg(&bin)
        .arg(&src)
        .status()
        .expect("gcc runs");
    assert!(st.success(), "gcc failed");
    let elf = std::fs::read(&bin).expect("read binary");
    let sym = Symbolizer::new(&elf).expect("symbolizer");
    let start = sym.symbol("crunch", None).expect("crunch symbol");

    let mut compared = 0;
    let mut inlined = 0;
    for off in 0..0x60u64 {
        let pc = start + off;
        let theirs = binutils(&bin, pc);
        if theirs.iter().any(|(f, l)| f == "??" || l.starts_with("??")) {
            continue;
        }
        let ours: Vec<(String, String)> = sym
            .chain(pc)
            .into_iter()
            .map(|e| {
                (
                    e.function.unwrap_or_default(),
                    e.location.unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(ours, theirs, "chains differ at {pc:#x} (crunch+{off:#x})");
        compared += 1;
        if ours.len() > 1 {
            inlined += 1;
        }
    }
    println!("{compared} addresses compared, {inlined} with inlined frames");
    assert!(compared > 10, "too few addresses compared");
    assert!(
        inlined > 0,
        "no inlined frames met: the test program is not inlining"
    );

    // Report lines: a return-address frame is looked up at pc - 1, and inline chains become
    // extra lines marked [inline].
    let mut line_off = None;
    for off in 1..0x60u64 {
        if sym.chain(start + off - 1).len() > 1 {
            line_off = Some(off);
            break;
        }
    }
    let off = line_off.expect("an offset inside inlined code");
    let line = format!(" crunch+{off:#x}/0x80");
    let out = String::from_utf8_lossy(&sym.symbolize(format!("{line}\n").as_bytes())).into_owned();
    let out_lines: Vec<&str> = out.lines().collect();
    assert!(out_lines.len() > 1, "{out}");
    assert!(out_lines[0].ends_with(" [inline]"), "{out}");
    assert!(
        out_lines
            .last()
            .expect("a line")
            .starts_with(&format!(" crunch+{off:#x}/0x80 ")),
        "{out}"
    );
    assert!(out_lines.iter().all(|l| l.contains("prog.c:")), "{out}");
    // Unknown functions stay as they are.
    let plain = sym.symbolize(b" no_such_function+0x10/0x20\n");
    assert_eq!(plain, b" no_such_function+0x10/0x20\n");
}
