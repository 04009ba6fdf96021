//! Helpers shared by the kbuild test binaries.

#![allow(clippy::expect_used, dead_code)] // test helpers: failures panic with their reason

use std::path::Path;
use std::process::Command;

pub fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().expect("binutils are installed");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// `readelf -S -W`, then for each allocated, non-NOBITS, non-NOTE section in header order
/// `objcopy -O binary --only-section` + `sha256sum`, then `sha256sum` over the digests.
pub fn independent_signature(elf: &Path, work: &Path) -> (String, usize) {
    let listing =
        String::from_utf8(run(Command::new("readelf").args(["-S", "-W"]).arg(elf))).expect("utf-8");
    let mut digests = Vec::new();
    let mut count = 0;
    for line in listing.lines() {
        let Some(rest) = line.trim_start().strip_prefix('[') else {
            continue;
        };
        let Some((index, rest)) = rest.split_once(']') else {
            continue;
        };
        if index.trim() == "Nr" || index.trim() == "0" {
            continue;
        }
        let f: Vec<&str> = rest.split_whitespace().collect();
        // Name Type Address Off Size ES [Flg] Lk Inf Al
        let (name, kind) = (f[0], f[1]);
        let flags = if f.len() == 10 { f[6] } else { "" };
        if !flags.contains('A') || kind == "NOBITS" || kind == "NOTE" {
            continue;
        }
        let out = work.join(format!("section-{count}.bin"));
        run(Command::new("objcopy")
            .args(["-O", "binary", &format!("--only-section={name}")])
            .arg(elf)
            .arg(&out));
        let sum = String::from_utf8(run(Command::new("sha256sum").arg(&out))).expect("utf-8");
        let hex = &sum[..64];
        digests
            .extend((0..32).map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex")));
        count += 1;
    }
    let all = work.join("digests.bin");
    std::fs::write(&all, &digests).expect("write digests");
    let sum = String::from_utf8(run(Command::new("sha256sum").arg(&all))).expect("utf-8");
    (sum[..64].to_string(), count)
}
