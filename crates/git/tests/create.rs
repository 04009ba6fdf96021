//! [`NewRepo`]: a repository culprit creates itself, the same on every machine.

#![allow(clippy::expect_used)] // test setup failures should panic with their reason

use culprit_git::{CreateError, NewRepo, Repo};

fn make(dir: &std::path::Path) -> Vec<culprit_git::CommitId> {
    let repo = NewRepo::init(dir, "main", "Ada Example", "ada@example.org").expect("init");
    (1..=3)
        .map(|i| {
            std::fs::write(dir.join("file"), format!("{i}\n")).expect("write");
            repo.commit_all(
                &format!("step {i}\n\nSigned-off-by: Ada Example <ada@example.org>\n"),
                &format!("2024-01-01T00:00:0{i}Z"),
            )
            .expect("commit");
            repo.head().expect("head")
        })
        .collect()
}

#[test]
fn the_same_content_and_dates_give_the_same_commits() {
    let a = tempfile::tempdir().expect("temp dir");
    let b = tempfile::tempdir().expect("temp dir");
    let commits = make(a.path());
    assert_eq!(commits, make(b.path()));
    let repo = Repo::open(a.path()).expect("open");
    assert_eq!(repo.resolve("main").expect("branch"), commits[2]);
    let info = repo.commit_info(commits[0]).expect("info");
    assert_eq!(info.subject, "step 1");
    assert_eq!(info.author_name, "Ada Example");
    assert_eq!(info.author_email, "ada@example.org");
    assert_eq!(info.author_date, "Mon Jan 1 00:00:01 2024 +0000");
    assert_eq!(info.parents, []);
    assert_eq!(
        repo.commit_info(commits[2]).expect("info").parents,
        [commits[1]]
    );
}

#[test]
fn failures_name_the_git_command() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("missing");
    let err = NewRepo::init(&missing, "main", "A", "a@example.org").expect_err("no directory");
    assert!(matches!(err, CreateError::Git { .. }), "{err:?}");
    assert!(err.to_string().contains("init -q -b main"), "{err}");
}
