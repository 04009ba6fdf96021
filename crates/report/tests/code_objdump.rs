//! `Code:` decoding compared with binutils `objdump` on the same bytes: the same instruction
//! boundaries and mnemonics. Uses real `Code:` lines from the corpus when it is there.

#![allow(clippy::expect_used, reason = "a test may panic")]

use std::path::Path;
use std::process::Command;

/// objdump's `(offset, mnemonic)` list for raw x86-64 bytes.
fn objdump(bytes: &[u8]) -> Option<Vec<(usize, String)>> {
    let dir = tempfile::tempdir().expect("temp dir");
    let f = dir.path().join("code.bin");
    std::fs::write(&f, bytes).expect("write bytes");
    let out = Command::new("objdump")
        .args(["-b", "binary", "-m", "i386:x86-64", "-z", "-D"])
        .arg(&f)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut v = Vec::new();
    for line in text.lines() {
        // "   3:\t48 f7 f5             \tdiv    %rbp"
        let parts: Vec<&str> = line.split('\t').collect();
        if parts.len() < 3 {
            continue; // continuation lines of long instructions carry no mnemonic
        }
        let Some(off) = parts[0].trim().strip_suffix(':') else {
            continue;
        };
        let Ok(off) = usize::from_str_radix(off, 16) else {
            continue;
        };
        let mnem = parts[2].split_whitespace().next().unwrap_or("").to_string();
        v.push((off, mnem));
    }
    Some(v)
}

fn same_mnemonic(a: &str, b: &str) -> bool {
    // Size suffixes (`movl` / `mov`) and prefixes printed apart (`rep stos`, `lock`, `data16`)
    // differ between the two printers; the instruction is the same.
    a == b
        || (a.len() == b.len() + 1 && a.starts_with(b))
        || (b.len() == a.len() + 1 && b.starts_with(a))
        || [
            "rep", "repz", "repnz", "lock", "data16", "cs", "ds", "notrack", "bnd", "rex", "rex.W",
        ]
        .iter()
        .any(|p| a == *p || b == *p || a.starts_with("rex") || b.starts_with("rex"))
}

fn compare(line: &str) -> Option<(usize, usize)> {
    let d = culprit_report::code::disassemble(line)?;
    let (bytes, _) = culprit_report::code::parse_code_line(line)?;
    let theirs = objdump(&bytes[d.skipped..])?;
    let ours: Vec<(usize, String)> = d
        .lines
        .iter()
        .map(|l| {
            (
                l.offset - d.skipped,
                l.text.split_whitespace().next().unwrap_or("").to_string(),
            )
        })
        .collect();
    let mut agree = 0;
    // Compare up to the faulting instruction and a few after it (the tail may be cut).
    let trap_off = d.lines.iter().find(|l| l.trap)?.offset - d.skipped;
    for (o, m) in ours.iter().filter(|(o, _)| *o <= trap_off) {
        let t = theirs.iter().find(|(to, _)| to == o);
        let t =
            t.unwrap_or_else(|| panic!("{line}: objdump has no instruction at {o:#x}: {theirs:?}"));
        assert!(
            same_mnemonic(m, &t.1) || m == "(bad)" || t.1 == "(bad)",
            "{line}: at {o:#x} we say {m}, objdump says {}",
            t.1
        );
        agree += 1;
    }
    Some((agree, ours.len()))
}

#[test]
fn code_lines_agree_with_objdump() {
    if Command::new("objdump").arg("--version").output().is_err() {
        println!("objdump not installed: skipping");
        return;
    }
    let mut lines = vec![
        "Code: 0f 4c 89 e7 <48> f7 f5 5b c3".to_string(),
        "Code: 48 8b 45 d0 48 8b 40 10 48 85 c0 74 05 <0f> 0b 66 90 48 83 c4 18 5b 5d c3"
            .to_string(),
    ];
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/linux-report");
    if let Ok(rd) = std::fs::read_dir(&corpus) {
        let mut files: Vec<_> = rd.filter_map(|e| e.ok()).map(|e| e.path()).collect();
        files.sort();
        for f in files {
            let data = std::fs::read(&f).expect("read corpus file");
            for l in String::from_utf8_lossy(&data).lines() {
                if l.contains("Code: ")
                    && l.contains('<')
                    && !l.contains("RIP: 0033")
                    && lines.len() < 60
                {
                    lines.push(l.to_string());
                }
            }
        }
    } else {
        println!("corpus not found: only the built-in lines are compared");
    }
    let mut decoded = 0;
    for l in &lines {
        if let Some((agree, _)) = compare(l) {
            assert!(agree > 0, "{l}: nothing compared");
            decoded += 1;
        }
    }
    println!(
        "{decoded} of {} Code: lines decoded and matched objdump",
        lines.len()
    );
    assert!(decoded >= 2, "too few Code: lines decoded ({decoded})");
}
