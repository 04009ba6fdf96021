//! A named culprit you can trust (issue 11), through the real binary on real repositories: a
//! commit bayes comes back to is not built again, a history where the bug was reverted and came
//! back is flagged, and `--policy git` claims no confidence it cannot justify and names the
//! crash it bisected.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::collections::HashMap;

use common::{BUILD, Outputs};
use culprit_testkit::{Facts, History, Program};

/// Builds per commit, read from the log: each build prints `artifact signature: …` under the
/// `testing commit HASH` line of its probe (one job: blocks are not interleaved).
fn builds_per_commit(log: &str) -> HashMap<String, u32> {
    let mut current = String::new();
    let mut builds: HashMap<String, u32> = HashMap::new();
    for line in log.lines() {
        if let Some(rest) = line.strip_prefix("testing commit ") {
            current = rest.split_whitespace().next().unwrap_or("").to_string();
        } else if line.starts_with("artifact signature: ") {
            *builds.entry(current.clone()).or_default() += 1;
        }
    }
    builds
}

#[test]
fn a_commit_tested_again_is_not_built_again() {
    // A 30% crash from commit 70 of 120: bayes comes back to commits for more runs.
    let w = History {
        bug_at: Some(70),
        crash_percent: 30,
        ..History::linear(120)
    }
    .import();
    let out = Outputs::new();
    let f = out.run(out.bisect(
        &w.path,
        &[
            "--bad",
            &w.tip,
            "--good",
            &w.ids[0],
            "--build",
            BUILD,
            "--test",
            "./prog",
            "--artifact",
            "prog",
            "--confidence",
            "0.999",
        ],
    ));
    let d = f.dump();
    assert_eq!(f.result(), "culprit", "{d}");
    assert_eq!(f.culprit(), w.ids[70], "{d}");
    let again = f.lines_starting("more runs: ");
    assert!(again > 0, "no commit was tested twice: {d}");
    let builds = builds_per_commit(&f.log);
    for (commit, n) in &builds {
        assert_eq!(*n, 1, "{commit} was built {n} times: {d}");
    }
    assert_eq!(
        f.json["stats"]["builds"].as_u64(),
        Some(builds.len() as u64),
        "{d}"
    );
}

/// The program of the revert world: the NULL dereference is in commits `[c1, r)` and
/// `[c2, ...)`, deterministic.
fn reverted_source(f: &Facts, (c1, r, c2): (u32, u32, u32)) -> String {
    let bug = (c1..r).contains(&f.index) || f.index >= c2;
    Program {
        value: i64::from(f.index + 1),
        bug,
        crash_percent: 100,
        unrelated: false,
        broken: false,
    }
    .source()
}

#[test]
fn a_bug_reverted_and_landed_again_is_flagged() {
    // The bug comes in at 20, is reverted at 50 and lands again at 80, in 120 commits. Two jobs:
    // the one left idle at the end checks the widest untested stretch above the culprit.
    let spans = (20, 50, 80);
    let w = History::linear(120).import_with(&|f| reverted_source(f, spans));
    let out = Outputs::new();
    let f = out.run(out.bisect(
        &w.path,
        &[
            "--bad", &w.tip, "--good", &w.ids[0], "--build", BUILD, "--test", "./prog", "--jobs",
            "2",
        ],
    ));
    let d = f.dump();
    let named = f.json["candidates"][0].as_str().unwrap_or("");
    assert!(
        named == w.ids[20] || named == w.ids[80],
        "named {named}, not one of the two first bad commits: {d}"
    );
    let other = f.json["flags"]["non_monotone"].as_str().unwrap_or("");
    assert!(!other.is_empty(), "not flagged non-monotone: {d}");
    // The commit that contradicts the culprit is one whose state differs from what the culprit
    // alone would give.
    let i = w
        .ids
        .iter()
        .position(|c| c == other)
        .expect("a commit of the history");
    let has_bug = (20..50).contains(&i) || i >= 80;
    let contains = if named == w.ids[20] { i >= 20 } else { i >= 80 };
    assert_ne!(
        has_bug, contains,
        "{other} does not contradict {named}: {d}"
    );
    assert!(
        f.log.contains("the history is not monotone: the runs of "),
        "{d}"
    );
    assert!(f.log.contains("flags: [non-monotone commit]"), "{d}");
}

#[test]
fn git_policy_claims_no_confidence_and_names_its_crash() {
    let w = History {
        bug_at: Some(40),
        crash_percent: 40,
        ..History::linear(80)
    }
    .import();
    let out = Outputs::new();
    let f = out.run(out.bisect(
        &w.path,
        &[
            "--bad", &w.tip, "--good", &w.ids[0], "--build", BUILD, "--test", "./prog", "--policy",
            "git",
        ],
    ));
    let d = f.dump();
    // A flaky crash may send git's rules anywhere; what it claims must not say otherwise.
    assert!(matches!(f.result(), "culprit" | "inconclusive"), "{d}");
    assert!(f.json["confidence"].is_null(), "{d}");
    assert!(f.log.contains("confidence: none"), "{d}");
    assert!(!f.log.contains("confidence: 1.000"), "{d}");
    // The crash it bisected is named whenever one was seen (git trusts --bad untested: with
    // every run clean it names --bad and has seen no crash at all).
    if f.result() == "culprit" && f.log.contains("crashed: ") {
        let title = f.json["crash"]["title"].as_str().unwrap_or("");
        assert!(!title.is_empty(), "no crash named: {d}");
        assert!(f.log.contains(&format!("crash: {title}")), "{d}");
        let unrelated = f.json["unrelated_crashes"].as_array().expect("an array");
        assert!(
            unrelated.iter().all(|u| u["title"].as_str() != Some(title)),
            "the bisected crash is listed as unrelated: {d}"
        );
    }
}
