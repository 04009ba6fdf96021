//! The fixtures themselves: reproducible hashes, and synthetic worlds whose programs really
//! build, crash and abort where the history says.

#![allow(clippy::expect_used)] // test setup failures should panic with their reason

use std::path::Path;
use std::process::Command;

use culprit_testkit::{History, Program, TestRepo, git_command, run_git};

fn scripted() -> (TestRepo, Vec<String>) {
    let repo = TestRepo::new();
    let a = repo.commit_c("a", 1, false);
    repo.branch("side", &a);
    let b = repo.commit("b", &[("README", "side\n")]);
    repo.switch("main");
    let c = repo.commit_c("c", 2, true);
    let m = repo.merge("side", "merge side");
    repo.annotated_tag("v1.0", &m);
    (repo, vec![a, b, c, m])
}

#[test]
fn scripted_repositories_have_the_same_hashes_every_time() {
    let (first, ids1) = scripted();
    let (second, ids2) = scripted();
    assert_eq!(ids1, ids2);
    assert_eq!(first.rev_parse("v1.0"), second.rev_parse("v1.0"));
    assert_eq!(
        first.git(&["log", "-1", "--format=%an <%ae> %at", &ids1[0]]),
        "A U Thor <author@example.com> 1672628705"
    );
    assert_eq!(
        first.git(&["rev-list", "--parents", "-1", &ids1[3]]),
        format!("{} {} {}", ids1[3], ids1[2], ids1[1])
    );
}

/// Build `src/main.c` of `commit` and run it: `None` if it does not compile, else the signal that
/// killed it (0 when it exited normally).
fn build_and_run(repo: &Path, commit: &str, scratch: &Path) -> Option<i32> {
    let mut show = git_command(repo);
    show.args(["show", &format!("{commit}:src/main.c")]);
    let source = run_git(show);
    let c_file = scratch.join(format!("{commit}.c"));
    let binary = scratch.join(commit);
    std::fs::write(&c_file, source + "\n").expect("write source");
    let built = Command::new("cc")
        .arg("-o")
        .arg(&binary)
        .arg(&c_file)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run cc");
    if !built.success() {
        return None;
    }
    let status = Command::new(&binary).output().expect("run program").status;
    use std::os::unix::process::ExitStatusExt;
    Some(status.signal().unwrap_or(0))
}

#[test]
fn worlds_plant_bug_fix_broken_and_unrelated_commits() {
    let history = History {
        tag_every: 10,
        bug_at: Some(40),
        fix_at: Some(90),
        broken: vec![(20, 25)],
        unrelated: vec![(60, 63)],
        ..History::with_merges(120, 6, 2)
    };
    let world = history.import();
    assert_eq!(world.ids.len(), 120);
    assert!(world.merges > 5);
    assert!(!world.buggy[39] && world.buggy[40] && !world.buggy[119]);
    let scratch = tempfile::tempdir().expect("scratch");
    // SIGSEGV = 11, SIGABRT = 6.
    for (index, expected) in [
        (0, Some(0)),
        (21, None),
        (40, Some(11)),
        (61, Some(6)),
        (70, Some(11)),
        (119, Some(0)),
    ] {
        let got = build_and_run(&world.path, &world.ids[index], scratch.path());
        assert_eq!(got, expected, "commit {index}");
    }
    // Side-branch commits forked before the bug do not have it; merges after it do.
    let mut parents = git_command(&world.path);
    parents.args(["rev-list", "--parents", "--merges", "main"]);
    let merge_lines = run_git(parents);
    let index_of = |id: &str| {
        world
            .ids
            .iter()
            .position(|x| x == id)
            .expect("known commit")
    };
    for line in merge_lines.lines() {
        let ids: Vec<&str> = line.split_whitespace().collect();
        let merge = index_of(ids[0]);
        let any_parent = ids[1..].iter().any(|p| world.buggy[index_of(p)]);
        let fixed = merge >= 90 && ids[1..].iter().any(|p| index_of(p) >= 90);
        assert_eq!(
            world.buggy[merge],
            (any_parent || merge == 40) && !fixed,
            "merge {merge}"
        );
    }
    let mut tags = git_command(&world.path);
    tags.args(["tag", "--list", "v1.*"]);
    assert!(run_git(tags).lines().count() >= 8);
}

#[test]
fn flaky_programs_crash_only_sometimes() {
    let source = Program {
        bug: true,
        crash_percent: 30,
        ..Program::default()
    }
    .source();
    assert!(source.contains("/dev/urandom"), "{source}");
    assert!(source.contains("r % 100 >= 30"), "{source}");
    assert!(Program::default().source().contains("crash_here();"));
}
