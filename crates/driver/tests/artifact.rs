//! `--artifact`: commits whose builds produce the same file share their runs, even when their
//! trees differ (documentation-only commits), and the culprit is still the commit that changed the
//! program.

use culprit_driver::{Control, Log, Options};
use culprit_exec::Cancel;
use culprit_testkit::{TestRepo, c_source};

#[test]
fn identical_artifacts_of_different_trees_share_runs() {
    let repo = TestRepo::new();
    let good = repo.commit_c("program", 1, false);
    let mut culprit = String::new();
    for i in 1..=30 {
        if i == 12 {
            culprit = repo.commit(
                "parser: dereference the header",
                &[("src/main.c", &c_source(1, true))],
            );
        } else {
            // Documentation only: another tree, the same program.
            repo.commit(
                &format!("docs: note {i}"),
                &[("README", &format!("note {i}\n"))],
            );
        }
    }
    let bad = repo.head();
    let scratch = tempfile::tempdir().expect("tempdir");
    let counter = scratch.path().join("runs");
    let state = scratch.path().join("state");
    let mut log = Log::new(Box::new(std::io::sink()));
    let s = culprit_driver::run(
        Some(Options {
            repo: repo.path().to_path_buf(),
            bad,
            goods: vec![good],
            fix: false,
            build: "cc -O0 -o prog src/main.c".into(),
            test: format!("echo run >> '{}'; ./prog", counter.display()),
            runs: None,
            jobs: 1,
            timeout_secs: 60,
            policy: "bayes".into(),
            artifact: Some("prog".into()),
            any_crash: false,
            confidence: None,
            kernel: None,
        }),
        Control {
            state: Some(state),
            resume: false,
            cancel: Cancel::new(),
            log: &mut log,
            progress: None,
        },
    )
    .expect("bisection runs");
    let text = log.text();
    assert_eq!(s.result, "culprit", "{text}");
    assert_eq!(s.candidates, vec![culprit], "{text}");
    assert!(!s.flags.no_op, "the culprit changed the program: {text}");
    assert!(text.contains("same artifact as "), "{text}");
    let executed = std::fs::read_to_string(&counter)
        .expect("the test ran")
        .lines()
        .count() as u32;
    assert!(
        executed < s.stats.runs,
        "{executed} runs executed, {} counted: nothing was reused\n{text}",
        s.stats.runs
    );
}
