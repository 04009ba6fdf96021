//! Root causes of real failed compiles, and the builder's clear errors on bad input.

#![allow(clippy::expect_used)] // test setup failures should panic with their reason

use std::path::Path;
use std::process::Command;

use culprit_kbuild::{BuildError, BuildOptions, Ccache, build_kernel, extract_root_cause};

/// Runs make in `dir` (which must fail) and returns its combined output.
fn failing_make(dir: &Path, makefile: &str, files: &[(&str, &str)]) -> String {
    std::fs::write(dir.join("Makefile"), makefile).expect("write Makefile");
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("write file");
    }
    let out = Command::new("make")
        .arg("-C")
        .arg(dir)
        .env("LC_ALL", "C")
        .output()
        .expect("make is installed");
    assert!(!out.status.success(), "make was expected to fail");
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

const RULES: &str = "prog: main.o util.o\n\tcc -o $@ $^\n%.o: %.c\n\tcc -c -o $@ $(CURDIR)/$<\n";

#[test]
fn compile_error_is_first_error_with_file_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = failing_make(
        dir.path(),
        RULES,
        &[
            ("main.c", "int main(void)\n{\n\treturn 0\n}\n"),
            ("util.c", "int util(void) { return undeclared_thing; }\n"),
        ],
    );
    let rc = extract_root_cause(&out, dir.path(), Path::new("/nonexistent-build"));
    assert_eq!(
        rc.line, "main.c:3:17: error: expected ';' before '}' token",
        "{out}"
    );
    // The source prefix is stripped from every line, and make's "Error 1" chain is not an error.
    assert!(
        rc.errors
            .iter()
            .all(|l| !l.contains(&*dir.path().to_string_lossy()))
    );
    assert!(
        rc.errors.iter().all(|l| !l.contains("*** [")),
        "{:?}",
        rc.errors
    );
}

#[test]
fn link_error_is_the_undefined_reference() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = failing_make(
        dir.path(),
        RULES,
        &[
            (
                "main.c",
                "int missing_function(void);\nint main(void) { return missing_function(); }\n",
            ),
            ("util.c", "int util(void) { return 1; }\n"),
        ],
    );
    let rc = extract_root_cause(&out, dir.path(), dir.path());
    assert!(
        rc.line
            .contains("undefined reference to `missing_function'"),
        "{}",
        rc.line
    );
    assert!(rc.line.contains("main"), "{}", rc.line);
}

#[test]
fn missing_rule_and_fallbacks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = failing_make(dir.path(), "all: nothere.o\n", &[]);
    let rc = extract_root_cause(&out, dir.path(), dir.path());
    assert!(
        rc.line
            .contains("No rule to make target 'nothere.o', needed by 'all'"),
        "{}",
        rc.line
    );

    let out = failing_make(
        dir.path(),
        "all:\n\t@echo custom failure text; false\n",
        &[],
    );
    let rc = extract_root_cause(&out, dir.path(), dir.path());
    // No known error marker and only make's generic chain: the last line.
    assert!(rc.line.contains("Error 1"), "{}", rc.line);

    let killed = "  CC      mm/slub.o\ngcc: fatal error: Killed signal terminated program cc1\n\
                  make[2]: *** [scripts/Makefile.build:250: mm/slub.o] Error 1\n";
    let rc = extract_root_cause(killed, Path::new("/src"), Path::new("/b"));
    assert_eq!(
        rc.line,
        "gcc: fatal error: Killed signal terminated program cc1"
    );
}

#[test]
fn bad_inputs_are_clear_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let opts = BuildOptions {
        ccache: Ccache::Off,
        ..BuildOptions::default()
    };
    let tree = dir.path().join("linux");
    std::fs::create_dir_all(&tree).expect("mkdir");
    let config = dir.path().join("config");

    let err = build_kernel(&tree, &dir.path().join("b"), &config, &[], &opts, None)
        .expect_err("no config");
    assert!(matches!(err, BuildError::Config { .. }), "{err}");
    assert!(
        err.to_string().contains("cannot read kernel config"),
        "{err}"
    );

    std::fs::write(&config, "CONFIG_64BIT=y\n").expect("write config");
    let err = build_kernel(&tree, &dir.path().join("b"), &config, &[], &opts, None)
        .expect_err("not a kernel tree");
    assert!(matches!(err, BuildError::NotKernelTree(_)), "{err}");

    std::fs::write(tree.join("Makefile"), "all:\n").expect("write");
    std::fs::write(tree.join("Kconfig"), "").expect("write");
    let greedy = BuildOptions {
        min_free_bytes: u64::MAX,
        ..opts.clone()
    };
    let err = build_kernel(&tree, &dir.path().join("b"), &config, &[], &greedy, None)
        .expect_err("no space");
    assert!(
        err.to_string()
            .starts_with("no space for the build directory"),
        "{err}"
    );

    let missing_cc = BuildOptions {
        compiler: culprit_kbuild::Compiler::Path("/nonexistent/bin/gcc-99".into()),
        ..opts.clone()
    };
    let err = build_kernel(
        &tree,
        &dir.path().join("b"),
        &config,
        &[],
        &missing_cc,
        None,
    )
    .expect_err("no compiler");
    assert_eq!(
        err.to_string(),
        "/nonexistent/bin/gcc-99 is not installed (not found in PATH)"
    );
}

#[test]
fn relative_source_paths_are_stripped() {
    // With CCACHE_BASEDIR the compiler sees (and prints) the source relative to the build dir.
    let out = "  CC      fs/proc/version.o\n\
               ../src/fs/proc/version.c: In function 'version_proc_show':\n\
               ../src/fs/proc/version.c:21:17: error: expected ';' before '}' token\n";
    let rc = extract_root_cause(out, Path::new("/w/k.1/src"), Path::new("/w/k.1/build"));
    assert_eq!(
        rc.line,
        "fs/proc/version.c:21:17: error: expected ';' before '}' token"
    );
    let rc = extract_root_cause(
        "/w/linux/fs/a.c:1:2: error: x\n",
        Path::new("/w/linux"),
        Path::new("/tmp/b"),
    );
    assert_eq!(rc.line, "fs/a.c:1:2: error: x");
}
