//! Root causes of real failed compiles, and the builder's clear errors on bad input.

#![allow(clippy::expect_used)] // test setup failures should panic with their reason

use std::path::Path;
use std::process::Command;

use culprit_kbuild::{BuildError, BuildOptions, Cancel, Ccache, build_kernel, extract_root_cause};

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

    let err = build_kernel(
        &tree,
        &dir.path().join("b"),
        &config,
        &[],
        &opts,
        &Cancel::new(),
    )
    .expect_err("no config");
    assert!(matches!(err, BuildError::Config { .. }), "{err}");
    assert!(
        err.to_string().contains("cannot read kernel config"),
        "{err}"
    );

    std::fs::write(&config, "CONFIG_64BIT=y\n").expect("write config");
    let err = build_kernel(
        &tree,
        &dir.path().join("b"),
        &config,
        &[],
        &opts,
        &Cancel::new(),
    )
    .expect_err("not a kernel tree");
    assert!(matches!(err, BuildError::NotKernelTree(_)), "{err}");

    std::fs::write(tree.join("Makefile"), "all:\n").expect("write");
    std::fs::write(tree.join("Kconfig"), "").expect("write");
    let greedy = BuildOptions {
        min_free_bytes: u64::MAX,
        ..opts.clone()
    };
    let err = build_kernel(
        &tree,
        &dir.path().join("b"),
        &config,
        &[],
        &greedy,
        &Cancel::new(),
    )
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
        &Cancel::new(),
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

/// A stand-in kernel tree whose Makefile records make's view of the environment and produces a
/// real ELF as vmlinux; it runs the same two make invocations a kernel build does.
fn fake_tree(dir: &Path, bzimage_recipe: &str) -> std::path::PathBuf {
    let tree = dir.join("linux");
    std::fs::create_dir_all(&tree).expect("mkdir");
    std::fs::write(tree.join("Kconfig"), "").expect("write");
    std::fs::write(
        tree.join("Makefile"),
        format!(
            "olddefconfig:\n\t@echo olddefconfig O=$(O) CC=\"$(CC)\" ARCH=$(ARCH)\n\
             bzImage:\n{bzimage_recipe}"
        ),
    )
    .expect("write");
    tree
}

#[test]
fn make_gets_a_clean_reproducible_environment() {
    // Run the body in a copy of this test binary whose environment has stray host flags (the
    // test process's own environment cannot be changed without `unsafe`).
    if std::env::var_os("CULPRIT_KBUILD_ENV_CHILD").is_none() {
        let out = Command::new(std::env::current_exe().expect("test binary"))
            .args([
                "--exact",
                "make_gets_a_clean_reproducible_environment",
                "--nocapture",
            ])
            .env("CULPRIT_KBUILD_ENV_CHILD", "1")
            .env("CFLAGS", "-Werror=stray")
            .env("KCFLAGS", "-O0")
            .env("ARCH", "arm64")
            .env("CROSS_COMPILE", "aarch64-linux-gnu-")
            .env("LANG", "de_DE.UTF-8")
            .output()
            .expect("re-run test binary");
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("1 passed"));
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let recipe = "\tenv | sort > $(O)/env.txt\n\techo 'CC=$(CC) LOCALVERSION=[$(LOCALVERSION)] KCFLAGS=[$(KCFLAGS)]' > $(O)/vars.txt\n\
                  \tmkdir -p $(O)/arch/x86/boot $(O)/include/generated\n\
                  \tprintf 'int main(void){return 0;}' > $(O)/m.c && cc -o $(O)/vmlinux $(O)/m.c\n\
                  \tcp $(O)/vmlinux $(O)/arch/x86/boot/bzImage\n\
                  \tprintf '#define LINUX_COMPILER\\t\\t\"fake cc 1.0, fake ld 2.0\"\\n' > $(O)/include/generated/compile.h\n";
    let tree = fake_tree(dir.path(), recipe);
    let config = dir.path().join("config");
    std::fs::write(&config, "CONFIG_64BIT=y\nCONFIG_LOCALVERSION_AUTO=y\n").expect("write");
    let fixes = culprit_kbuild::fixes_for(culprit_kbuild::CONFIG_FIXES, &Default::default());
    let opts = BuildOptions {
        ccache: Ccache::Off,
        jobs: 2,
        ..BuildOptions::default()
    };
    let build = dir.path().join("build");
    let k =
        build_kernel(&tree, &build, &config, &fixes, &opts, &Cancel::new()).expect("fake build");
    let env = std::fs::read_to_string(build.join("env.txt")).expect("env");
    for want in [
        "LC_ALL=C",
        "KBUILD_BUILD_TIMESTAMP=Thu Jan  1 00:00:00 UTC 2025",
        "KBUILD_BUILD_USER=culprit",
        "KBUILD_BUILD_HOST=culprit",
        "KBUILD_BUILD_VERSION=0",
    ] {
        assert!(env.lines().any(|l| l == want), "{want} missing in\n{env}");
    }
    // ARCH reaches the environment only as make exports its own command line (x86_64).
    assert!(env.lines().any(|l| l == "ARCH=x86_64"), "{env}");
    for banned in [
        "CFLAGS=",
        "KCFLAGS=",
        "CROSS_COMPILE=",
        "LANG=",
        "CARGO",
        "RUST",
    ] {
        assert!(
            !env.lines().any(|l| l.starts_with(banned)),
            "{banned} leaked:\n{env}"
        );
    }
    let vars = std::fs::read_to_string(build.join("vars.txt")).expect("vars");
    assert_eq!(vars, "CC=gcc LOCALVERSION=[] KCFLAGS=[]\n");
    // The config went in with the unconditional fixes applied.
    let cfg = std::fs::read_to_string(build.join(".config")).expect(".config");
    assert_eq!(
        cfg,
        "CONFIG_64BIT=y\n# CONFIG_LOCALVERSION_AUTO is not set\n"
    );
    assert_eq!(k.compiler_line, "fake cc 1.0, fake ld 2.0");
    assert_eq!(
        k.signature,
        culprit_kbuild::kernel_signature(&k.vmlinux).expect("sig")
    );
    assert!(k.bzimage.ends_with("arch/x86/boot/bzImage"));
    assert!(k.log.ends_with("culprit-build.log"));
    let log = std::fs::read_to_string(build.join("culprit-olddefconfig.log")).expect("log");
    assert!(
        log.contains(&format!(
            "olddefconfig O={} CC=gcc ARCH=x86_64",
            build.canonicalize().expect("canon").display()
        )),
        "{log}"
    );
    // With ccache: CC is wrapped, __FILE__ is mapped back from the path relative to the build
    // dir that ccache's base_dir gives the compiler, and DWARF paths lose the base dir (so
    // ccache does not hash the build directory of debug builds).
    let with_ccache = BuildOptions {
        ccache: Ccache::Dir(dir.path().join("ccache")),
        ..opts.clone()
    };
    build_kernel(&tree, &build, &config, &fixes, &with_ccache, &Cancel::new()).expect("fake build");
    let vars = std::fs::read_to_string(build.join("vars.txt")).expect("vars");
    let base = dir.path().canonicalize().expect("canon");
    assert_eq!(
        vars,
        format!(
            "CC=ccache gcc LOCALVERSION=[] KCFLAGS=[-fmacro-prefix-map=../linux/= -fdebug-prefix-map={}/=]\n",
            base.display()
        )
    );
    let env = std::fs::read_to_string(build.join("env.txt")).expect("env");
    let ccache_dir = format!("CCACHE_DIR={}", dir.path().join("ccache").display());
    assert!(env.lines().any(|l| l == ccache_dir), "{env}");
}

/// Whether `pid` is still running 5 s from now (SIGKILLed processes take a moment to go).
fn alive(pid: &str) -> bool {
    let running = || {
        std::fs::read_to_string(format!("/proc/{}/stat", pid.trim()))
            .is_ok_and(|s| !s.contains(") Z ") && !s.contains(") X "))
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while running() {
        if std::time::Instant::now() > deadline {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    false
}

#[test]
fn timeout_and_cancel_kill_the_whole_make() {
    let dir = tempfile::tempdir().expect("tempdir");
    let recipe = "\tsleep 1000 & echo $$! > $(O)/child.pid; sleep 1000\n";
    let tree = fake_tree(dir.path(), recipe);
    let config = dir.path().join("config");
    std::fs::write(&config, "CONFIG_64BIT=y\n").expect("write");
    let opts = BuildOptions {
        ccache: Ccache::Off,
        timeout: std::time::Duration::from_secs(2),
        ..BuildOptions::default()
    };
    let build = dir.path().join("build");
    let err =
        build_kernel(&tree, &build, &config, &[], &opts, &Cancel::new()).expect_err("times out");
    assert!(matches!(err, BuildError::TimedOut { .. }), "{err}");
    let pid = std::fs::read_to_string(build.join("child.pid")).expect("child started");
    assert!(!alive(&pid), "make's child {pid} survived the timeout");

    let cancel = Cancel::new();
    let long = BuildOptions {
        timeout: std::time::Duration::from_secs(600),
        ..opts
    };
    std::fs::remove_file(build.join("child.pid")).expect("remove the first child's pid");
    std::thread::scope(|s| {
        let h = s.spawn(|| build_kernel(&tree, &build, &config, &[], &long, &cancel));
        // Cancel once make's recipe runs (it has written its child's pid).
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while !std::fs::read_to_string(build.join("child.pid")).is_ok_and(|p| p.ends_with('\n')) {
            assert!(
                std::time::Instant::now() < deadline,
                "make never ran its recipe"
            );
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        cancel.cancel();
        let r = h.join().expect("join");
        assert!(matches!(r, Err(BuildError::Cancelled)), "{r:?}");
    });
    let pid = std::fs::read_to_string(build.join("child.pid")).expect("child started");
    assert!(!alive(&pid), "make's child {pid} survived the cancel");
}
