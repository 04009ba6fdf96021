//! The kernel signature against an independent computation with binutils + coreutils.

#![allow(clippy::expect_used)] // test setup failures should panic with their reason

use std::path::Path;
use std::process::Command;

use culprit_kbuild::{kernel_signature, signature_of_elf};

mod common;
use common::{independent_signature, run};

#[test]
fn signature_matches_objcopy_and_sha256sum() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path().join("prog.c");
    std::fs::write(
        &src,
        "#include <stdio.h>\nint counter = 7; static int zeroes[4096];\n\
         int main(void) { printf(\"%d\\n\", counter + zeroes[1]); return 0; }\n",
    )
    .expect("write source");
    let elf = dir.path().join("prog");
    run(Command::new("cc").arg("-O2").arg("-o").arg(&elf).arg(&src));

    let ours = kernel_signature(&elf).expect("signature");
    let (theirs, sections) = independent_signature(&elf, dir.path());
    assert!(
        sections >= 5,
        "a dynamic executable has many allocated sections, got {sections}"
    );
    assert_eq!(ours.to_string(), theirs);
    assert_eq!(ours.to_string().len(), 64);

    // Changing code changes it; .bss size (NOBITS) and notes do not count.
    std::fs::write(
        &src,
        "#include <stdio.h>\nint counter = 8; static int zeroes[4096];\n\
         int main(void) { printf(\"%d\\n\", counter + zeroes[1]); return 0; }\n",
    )
    .expect("write source");
    let elf2 = dir.path().join("prog2");
    run(Command::new("cc").arg("-O2").arg("-o").arg(&elf2).arg(&src));
    assert_ne!(kernel_signature(&elf2).expect("signature"), ours);

    let with_id = dir.path().join("prog-build-id");
    let other_id = dir.path().join("prog-other-build-id");
    run(Command::new("cc")
        .args([
            "-O2",
            "-Wl,--build-id=0x00112233445566778899aabbccddeeff00112233",
            "-o",
        ])
        .arg(&with_id)
        .arg(&src));
    run(Command::new("cc")
        .args([
            "-O2",
            "-Wl,--build-id=0xffeeddccbbaa99887766554433221100ffeeddcc",
            "-o",
        ])
        .arg(&other_id)
        .arg(&src));
    assert_ne!(std::fs::read(&with_id).ok(), std::fs::read(&other_id).ok());
    assert_eq!(
        kernel_signature(&with_id).expect("signature"),
        kernel_signature(&other_id).expect("signature"),
        "the build-id note is SHT_NOTE and must not count"
    );
}

#[test]
fn signature_rejects_non_elf() {
    assert!(signature_of_elf(b"#!/bin/sh\necho not an elf\n").is_err());
    let err = kernel_signature(Path::new("/nonexistent/vmlinux")).expect_err("missing file");
    assert!(err.to_string().contains("/nonexistent/vmlinux"), "{err}");
}
