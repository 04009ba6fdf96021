//! Bad input to a kernel bisection is refused with one clear line before anything is recorded:
//! a missing config, a missing reproducer, a reproducer that does not compile. Cheap (no kernel
//! is built), so it runs in the default `cargo test`.

use culprit_driver::{Control, Error, KernelOptions, Log, Options};
use culprit_exec::Cancel;
use culprit_testkit::TestRepo;

fn attempt(repo: &TestRepo, kernel: KernelOptions, state: &std::path::Path) -> Result<(), String> {
    let bad = repo.head();
    let options = Options {
        repo: repo.path().to_path_buf(),
        bad,
        goods: vec!["HEAD~1".into()],
        fix: false,
        build: String::new(),
        test: String::new(),
        runs: None,
        jobs: 1,
        timeout_secs: 60,
        policy: "bayes".into(),
        artifact: None,
        any_crash: false,
        confidence: None,
        kernel: Some(kernel),
    };
    let mut log = Log::new(Box::new(std::io::sink()));
    let ctl = Control {
        state: Some(state.to_path_buf()),
        resume: false,
        cancel: Cancel::new(),
        log: &mut log,
        progress: None,
    };
    match culprit_driver::run(Some(options), ctl) {
        Err(Error::Input(bad)) => Err(bad.to_string()),
        other => panic!("expected an input error, got {other:?}"),
    }
}

#[test]
fn bad_kernel_inputs_are_one_line_and_leave_no_state() {
    let repo = TestRepo::new();
    repo.commit("one", &[("a.txt", "1\n")]);
    repo.commit("two", &[("a.txt", "2\n")]);
    let state = tempfile::tempdir().expect("tempdir");
    let config = repo.scratch("kernel.config");
    std::fs::write(&config, "CONFIG_64BIT=y\n").expect("write config");
    let good_c = repo.scratch("repro.c");
    std::fs::write(&good_c, "int main(void) { return 0; }\n").expect("write repro");
    let broken_c = repo.scratch("broken.c");
    std::fs::write(&broken_c, "int main(void) { return missing; }\n").expect("write repro");

    let missing = repo.scratch("no-such.config");
    let err = attempt(
        &repo,
        KernelOptions::new(missing, good_c.clone()),
        state.path(),
    )
    .expect_err("missing config");
    assert!(
        err.starts_with("--config ") && err.contains("no such file"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");

    let err = attempt(
        &repo,
        KernelOptions::new(config.clone(), repo.scratch("no-such.c")),
        state.path(),
    )
    .expect_err("missing repro");
    assert!(
        err.starts_with("--repro ") && err.contains("no such file"),
        "{err}"
    );

    // Whether QEMU is installed decides which check speaks first; both are one line.
    let err = attempt(&repo, KernelOptions::new(config, broken_c), state.path())
        .expect_err("broken repro");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        (err.contains("does not compile") && err.contains("'missing' undeclared"))
            || err.contains("is not installed"),
        "{err}"
    );
    // Nothing was recorded: the same state directory still takes a new bisection.
    let db = culprit_store::Store::open(state.path()).expect("open store");
    assert!(db.params().expect("params").is_none());
}
