//! `culprit bisect` end to end on real repositories: a C program whose history has merges, a
//! flaky NULL dereference, an unrelated crash in part of the history and commits that do not
//! build. The user's repository must be left exactly as it was.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use culprit_driver::{Control, Log, Options};
use culprit_exec::Cancel;
use culprit_testkit::{History, RepoSnapshot};

fn options(repo: &std::path::Path, bad: &str, goods: Vec<String>, policy: &str) -> Options {
    Options {
        repo: repo.to_path_buf(),
        bad: bad.to_string(),
        goods,
        fix: false,
        build: "cc -O0 -o prog src/main.c".into(),
        test: "./prog".into(),
        runs: None,
        jobs: 2,
        timeout_secs: 60,
        policy: policy.into(),
        artifact: None,
        any_crash: false,
        // A 40% crash: at the default 0.99 about one bisection in a hundred names another commit.
        confidence: Some(0.999),
        kernel: None,
    }
}

/// A plain control: state in `state`, no cancellation, no progress.
fn control<'a>(state: &std::path::Path, resume: bool, log: &'a mut Log) -> Control<'a> {
    Control {
        state: Some(state.to_path_buf()),
        resume,
        cancel: Cancel::new(),
        log,
        progress: None,
    }
}

fn world() -> culprit_testkit::Imported {
    History {
        commits: 90,
        merge_every: 9,
        side_len: 3,
        bug_at: Some(55),
        crash_percent: 40,
        unrelated: vec![(10, 30)],
        broken: vec![(40, 41)],
        tag_every: 0,
        commit_graph: false,
        fix_at: None,
    }
    .import()
}

#[test]
fn finds_a_flaky_culprit_past_unrelated_crashes_and_leaves_the_repo_alone() {
    let w = world();
    let before = RepoSnapshot::take(&w.path);
    let state = tempfile::tempdir().expect("tempdir");
    let mut log = Log::new(Box::new(std::io::sink()));
    let ctl = control(state.path(), false, &mut log);
    let s = culprit_driver::run(
        Some(options(&w.path, &w.tip, vec![w.ids[0].clone()], "bayes")),
        ctl,
    )
    .expect("bisection runs");
    let text = log.text();
    assert_eq!(s.result, "culprit", "{text}");
    assert_eq!(s.candidates, vec![w.ids[55].clone()], "{text}");
    assert!(
        s.confidence.is_some_and(|c| c >= 0.99),
        "{:?}",
        s.confidence
    );
    assert!(text.contains("# git bisect start"), "{text}");
    assert!(text.contains("revisions tested: "), "{text}");
    assert_eq!(
        RepoSnapshot::take(&w.path),
        before,
        "the user's repository changed"
    );
}

#[test]
fn resumes_after_an_interruption_without_losing_runs() {
    let w = world();
    let state = tempfile::tempdir().expect("tempdir");
    let opts = options(&w.path, &w.tip, vec![w.ids[0].clone()], "bayes");
    // First session: interrupted after a few runs.
    let cancel = Cancel::new();
    let seen = Arc::new(AtomicU32::new(0));
    let (c2, s2) = (cancel.clone(), Arc::clone(&seen));
    let mut stop_early = move |_: &culprit_driver::Progress| {
        if s2.fetch_add(1, Ordering::SeqCst) == 12 {
            c2.cancel();
        }
    };
    let mut log = Log::new(Box::new(std::io::sink()));
    let ctl = Control {
        state: Some(state.path().to_path_buf()),
        resume: false,
        cancel,
        log: &mut log,
        progress: Some(&mut stop_early),
    };
    let first = culprit_driver::run(Some(opts.clone()), ctl);
    assert!(
        matches!(first, Err(culprit_driver::Error::Interrupted)),
        "{first:?}"
    );
    // Without --resume the recorded state is refused.
    let mut log = Log::new(Box::new(std::io::sink()));
    let ctl = control(state.path(), false, &mut log);
    assert!(matches!(
        culprit_driver::run(Some(opts.clone()), ctl),
        Err(culprit_driver::Error::Input(_))
    ));
    // Second session: resumes from the state directory alone.
    let mut log = Log::new(Box::new(std::io::sink()));
    let ctl = control(state.path(), true, &mut log);
    let s = culprit_driver::run(Some(opts), ctl).expect("resumed bisection runs");
    let text = log.text();
    assert!(text.contains("resuming: "), "{text}");
    assert_eq!(s.candidates, vec![w.ids[55].clone()], "{text}");
}

#[test]
fn bad_input_is_refused_with_a_clear_message() {
    let w = world();
    let state = tempfile::tempdir().expect("tempdir");
    let cases: Vec<(Options, &str)> = vec![
        (
            options(&w.path, "no-such-rev", vec![w.ids[0].clone()], "bayes"),
            "no-such-rev",
        ),
        (
            options(&w.path, &w.tip, vec![w.tip.clone()], "bayes"),
            "itself",
        ),
        (
            options(&w.path, &w.ids[3], vec![w.tip.clone()], "bayes"),
            "not an ancestor",
        ),
        (
            options(&w.path, &w.tip, vec![w.ids[0].clone()], "nonsense"),
            "unknown policy",
        ),
        (
            Options {
                build: " ".into(),
                ..options(&w.path, &w.tip, vec![w.ids[0].clone()], "bayes")
            },
            "--build",
        ),
        (
            options(&state.path().join("nothing"), &w.tip, vec![], "bayes"),
            "git repository",
        ),
    ];
    for (i, (o, want)) in cases.into_iter().enumerate() {
        let st = tempfile::tempdir().expect("tempdir");
        let mut log = Log::new(Box::new(std::io::sink()));
        let ctl = control(st.path(), false, &mut log);
        match culprit_driver::run(Some(o), ctl) {
            Err(culprit_driver::Error::Input(bad)) => {
                let msg = bad.to_string();
                assert!(msg.contains(want), "case {i}: {msg}")
            }
            other => panic!("case {i}: expected an input error, got {other:?}"),
        }
    }
}
