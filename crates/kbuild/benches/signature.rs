//! Kernel signature of a vmlinux. Uses `$CULPRIT_BENCH_VMLINUX` when set (e.g. a build dir's
//! vmlinux), else a small static executable compiled here.

#![allow(missing_docs, clippy::expect_used)] // bench harness; setup failures should panic

use std::path::PathBuf;
use std::process::Command;

use criterion::{Criterion, criterion_group, criterion_main};
use culprit_kbuild::signature_of_elf;

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = std::env::var_os("CULPRIT_BENCH_VMLINUX").map_or_else(
        || {
            let src = dir.path().join("p.c");
            std::fs::write(&src, "int main(void) { return 0; }\n").expect("write");
            let out = dir.path().join("p");
            let ok = Command::new("cc")
                .args(["-static", "-O2", "-o"])
                .arg(&out)
                .arg(&src)
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "cc -static failed");
            out
        },
        PathBuf::from,
    );
    let data = std::fs::read(&path).expect("read ELF");
    let name = format!("signature of {} ({} bytes)", path.display(), data.len());
    c.bench_function(&name, |b| {
        b.iter(|| signature_of_elf(&data).expect("signature"))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
