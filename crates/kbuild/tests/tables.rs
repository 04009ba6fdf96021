//! syzbot's per-release tables, the compiler line, and the reproducible make environment.

#![allow(clippy::expect_used)] // test setup failures should panic with their reason

use std::path::{Path, PathBuf};

use culprit_kbuild::{
    COMPILER_TABLE, CONFIG_FIXES, Compiler, CompilerKind, Reachable, Release, apply_config_fixes,
    compiler_for_commit, compiler_line_from_build, fixes_for,
};

fn reach(tags: &[&str]) -> Reachable {
    Reachable::from_tags(tags.iter().copied())
}

#[test]
fn release_tags() {
    assert_eq!(Release::from_tag("v6.1"), Some(Release::new(6, 1)));
    assert_eq!(Release::from_tag("v5.15.3"), Some(Release::new(5, 15)));
    assert_eq!(Release::from_tag("v6.2-rc1"), None);
    assert_eq!(Release::from_tag("e2e-base"), None);
    assert_eq!(Release::from_tag("v6"), None);
    assert!(Release::new(5, 9) < Release::new(5, 16));
    assert_eq!(Release::new(4, 19).to_string(), "v4.19");
    let r = reach(&["v4.19", "v5.9", "v5.9-rc2", "junk", "v5.4"]);
    assert_eq!(r.newest(), Some(Release::new(5, 9)));
    assert!(r.contains(Release::new(5, 4)) && !r.contains(Release::new(5, 10)));
}

#[test]
fn compiler_by_release() {
    let bin = Path::new("/opt/compilers");
    let gcc = Compiler::Gcc;
    let pick = |tags: &[&str], default: &Compiler| {
        compiler_for_commit(COMPILER_TABLE, default, &reach(tags), bin)
    };
    assert_eq!(pick(&["v5.15", "v5.16", "v6.1"], &gcc), Compiler::Gcc);
    assert_eq!(
        pick(&["v5.9", "v5.10", "v5.15"], &gcc),
        Compiler::Path(PathBuf::from("/opt/compilers/gcc-10.1.0/bin/gcc"))
    );
    assert_eq!(
        pick(&["v4.12", "v4.19"], &gcc),
        Compiler::Path(PathBuf::from("/opt/compilers/gcc-8.1.0/bin/gcc"))
    );
    assert_eq!(
        pick(&["v4.11"], &gcc),
        Compiler::Path(PathBuf::from("/opt/compilers/gcc-7.3.0/bin/gcc"))
    );
    assert_eq!(
        pick(&["v4.9", "v4.10"], &gcc),
        Compiler::Path(PathBuf::from("/opt/compilers/gcc-5.5.0/bin/gcc"))
    );
    // No release tags at all: nothing to date the commit by, the default stays.
    assert_eq!(pick(&[], &gcc), Compiler::Gcc);

    let clang = Compiler::Clang;
    assert_eq!(pick(&["v6.15"], &clang), Compiler::Clang);
    assert_eq!(
        pick(&["v6.14", "v5.9"], &clang),
        Compiler::Path(PathBuf::from("clang-15"))
    );
    assert_eq!(
        pick(&["v5.4"], &clang),
        Compiler::Path(PathBuf::from("/opt/compilers/llvm-9.0.1/bin/clang"))
    );

    assert_eq!(Compiler::from_flag("gcc"), Compiler::Gcc);
    assert_eq!(Compiler::from_flag("clang"), Compiler::Clang);
    assert_eq!(
        Compiler::from_flag("/usr/bin/clang-15").kind(),
        CompilerKind::Clang
    );
    assert_eq!(
        Compiler::from_flag("/usr/bin/gcc-12").kind().as_str(),
        "gcc"
    );
}

const CONFIG: &str = "\
CONFIG_64BIT=y
CONFIG_LOCALVERSION_AUTO=y
CONFIG_CAN=m
CONFIG_KCOV=y
# CONFIG_UBSAN is not set
CONFIG_UNWINDER_ORC=y
# CONFIG_UNWINDER_FRAME_POINTER is not set
CONFIG_DEBUG_INFO_BTF=y
CONFIG_BLK_DEV_INITRD=y
";

#[test]
fn config_fixes_by_release() {
    // A v4.12 tree: everything "before v4.13" and later applies.
    let fixes = fixes_for(CONFIG_FIXES, &reach(&["v4.11", "v4.12"]));
    let out = apply_config_fixes(CONFIG, &fixes);
    assert_eq!(
        out,
        "\
CONFIG_64BIT=y
# CONFIG_LOCALVERSION_AUTO is not set
# CONFIG_CAN is not set
# CONFIG_KCOV is not set
# CONFIG_UBSAN is not set
# CONFIG_UNWINDER_ORC is not set
# CONFIG_DEBUG_INFO_BTF is not set
CONFIG_BLK_DEV_INITRD=y
CONFIG_UNWINDER_FRAME_POINTER=y
"
    );

    // A v6.1 tree: only the unconditional edits.
    let fixes = fixes_for(CONFIG_FIXES, &reach(&["v5.4", "v5.15", "v6.1", "v4.13"]));
    let names: Vec<&str> = fixes.iter().map(|f| f.option).collect();
    assert_eq!(
        names,
        ["LOCALVERSION_AUTO", "DEBUG_INFO_BTF", "DEBUG_KOBJECT"]
    );
    let out = apply_config_fixes(CONFIG, &fixes);
    assert!(
        out.contains("CONFIG_CAN=m\n") && out.contains("CONFIG_UNWINDER_ORC=y\n"),
        "{out}"
    );
    assert!(out.contains("# CONFIG_LOCALVERSION_AUTO is not set\n"));
    // Options absent from the config are not added.
    assert!(!out.contains("DEBUG_KOBJECT"));

    // No release tags: only the unconditional edits, not "older than every release".
    assert_eq!(fixes_for(CONFIG_FIXES, &Reachable::default()).len(), 3);
}

#[test]
fn compiler_line_from_compile_h() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert_eq!(compiler_line_from_build(dir.path()), None);
    let gen_dir = dir.path().join("include/generated");
    std::fs::create_dir_all(&gen_dir).expect("mkdir");
    // The exact layout Linux 6.1's scripts/mkcompile_h writes (tabs).
    std::fs::write(
        gen_dir.join("compile.h"),
        "#define UTS_MACHINE\t\t\"x86_64\"\n#define LINUX_COMPILE_BY\t\"culprit\"\n\
         #define LINUX_COMPILE_HOST\t\"e2e\"\n#define LINUX_COMPILER\t\t\"gcc (Debian 12.2.0-14+deb12u1) \
         12.2.0, GNU ld (GNU Binutils for Debian) 2.40\"\n",
    )
    .expect("write");
    assert_eq!(
        compiler_line_from_build(dir.path()).as_deref(),
        Some("gcc (Debian 12.2.0-14+deb12u1) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40")
    );
}
