//! Reading real repositories: open, resolve, ancestry, tags, commit metadata, `git show` text.

#![allow(clippy::expect_used)] // test setup failures should panic with their reason

use culprit_git::{CommitId, Error, Repo, release_version};
use culprit_testkit::{RepoSnapshot, TestRepo};

fn id(hex: &str) -> CommitId {
    hex.parse().expect("git prints full hashes")
}

#[test]
fn open_rejects_a_directory_that_is_not_a_repository() {
    let dir = tempfile::tempdir().expect("temp dir");
    let Err(err) = Repo::open(dir.path()) else {
        panic!("not a repository");
    };
    assert!(matches!(err, Error::NotARepo { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains(&dir.path().display().to_string()), "{text}");
    assert!(text.contains("is not a git repository"), "{text}");
}

#[test]
fn open_finds_the_repository_from_a_subdirectory() {
    let repo = TestRepo::new();
    repo.commit("first", &[("sub/dir/file", "x\n")]);
    let opened = Repo::open(&repo.path().join("sub/dir")).expect("open from subdir");
    assert_eq!(
        opened.workdir().map(|p| p.canonicalize().expect("exists")),
        Some(repo.path().canonicalize().expect("exists"))
    );
}

#[test]
fn resolve_revisions_and_reject_unknown_ones() {
    let repo = TestRepo::new();
    let c1 = repo.commit("one", &[("a", "1\n")]);
    let c2 = repo.commit("two", &[("a", "2\n")]);
    repo.annotated_tag("v1.0", &c1);
    let opened = Repo::open(repo.path()).expect("open");
    assert_eq!(opened.resolve("HEAD").expect("HEAD").to_hex(), c2);
    assert_eq!(opened.resolve("main~1").expect("main~1").to_hex(), c1);
    assert_eq!(
        opened
            .resolve("v1.0")
            .expect("annotated tag peels")
            .to_hex(),
        c1
    );
    assert_eq!(opened.resolve(&c2[..10]).expect("prefix").to_hex(), c2);

    let err = opened.resolve("no-such-branch").expect_err("unknown");
    assert!(matches!(err, Error::UnknownRev { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("unknown revision \"no-such-branch\""),
        "{err}"
    );

    let err = opened.resolve("HEAD^{tree}").expect_err("a tree");
    assert!(matches!(err, Error::NotACommit { .. }), "{err:?}");
}

#[test]
fn ancestry_follows_both_parents_of_merges() {
    let repo = TestRepo::new();
    let base = repo.commit("base", &[("a", "0\n")]);
    repo.branch("side", &base);
    let side = repo.commit("side", &[("b", "1\n")]);
    repo.switch("main");
    let main = repo.commit("main", &[("a", "1\n")]);
    let merge = repo.merge("side", "merge side");
    let opened = Repo::open(repo.path()).expect("open");
    let anc = |a: &str, b: &str| opened.is_ancestor(id(a), id(b)).expect("ancestry");
    assert!(anc(&base, &merge));
    assert!(anc(&side, &merge));
    assert!(anc(&main, &merge));
    assert!(anc(&merge, &merge));
    assert!(!anc(&merge, &base));
    assert!(!anc(&side, &main));
    assert!(!anc(&main, &side));
}

#[test]
fn tags_peel_to_commits_and_release_tags_are_ancestors_newest_first() {
    let repo = TestRepo::new();
    let c1 = repo.commit("one", &[("a", "1\n")]);
    repo.tag("v1.0", &c1);
    let c2 = repo.commit("two", &[("a", "2\n")]);
    repo.annotated_tag("v1.1", &c2);
    repo.tag("v1.2-rc1", &c2);
    repo.tag("junk", &c2);
    let c3 = repo.commit("three", &[("a", "3\n")]);
    repo.tag("v1.1.1", &c3);
    let c4 = repo.commit("four", &[("a", "4\n")]);
    repo.tag("v1.2", &c4); // on the commit itself: excluded
    repo.branch("other", &c1);
    let other = repo.commit("other", &[("b", "1\n")]);
    repo.tag("v9.0", &other); // not an ancestor: excluded
    repo.git(&["tag", "tree-tag", "main^{tree}"]); // not a commit: not listed

    let opened = Repo::open(repo.path()).expect("open");
    let tags = opened.tags().expect("tags");
    let names: Vec<&str> = tags.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["junk", "v1.0", "v1.1", "v1.1.1", "v1.2", "v1.2-rc1", "v9.0"]
    );
    assert_eq!(tags[2].1.to_hex(), c2, "annotated tag peeled to its commit");

    let bad = id(&c4);
    let graph = opened.load_graph(&[bad]).expect("graph");
    let releases = opened.release_tags(&graph, bad).expect("release tags");
    let got: Vec<(&str, String)> = releases
        .iter()
        .map(|t| (t.name.as_str(), t.commit.to_hex()))
        .collect();
    assert_eq!(got, [("v1.1.1", c3.clone()), ("v1.1", c2), ("v1.0", c1)]);
    assert_eq!(
        releases[0].version,
        release_version("v1.1.1").expect("valid")
    );
}

#[test]
fn commit_info_matches_git_log() {
    let repo = TestRepo::new();
    repo.commit("first", &[("a", "1\n")]);
    let message = "vhost: use vhost_tasks for worker threads\n\nBody line.\n\nSigned-off-by: Mike Christie <michael.christie@oracle.com>\n";
    let c = repo.commit_as(
        message,
        "Mike Christie <michael.christie@oracle.com>",
        "@1678485812 -0600",
        &[("drivers/vhost/vhost.c", "int x;\n")],
    );
    let opened = Repo::open(repo.path()).expect("open");
    let info = opened.commit_info(id(&c)).expect("info");
    assert_eq!(info.id.to_hex(), c);
    assert_eq!(info.subject, "vhost: use vhost_tasks for worker threads");
    assert_eq!(info.author_name, "Mike Christie");
    assert_eq!(info.author_email, "michael.christie@oracle.com");
    assert_eq!(info.author_date, "Fri Mar 10 16:03:32 2023 -0600");
    assert_eq!(
        info.author_date,
        repo.git(&["log", "-1", "--format=%ad", &c])
    );
    assert_eq!(
        info.committer_time.to_string(),
        repo.git(&["log", "-1", "--format=%ct", &c])
    );
    assert_eq!(info.tree, repo.rev_parse(&format!("{c}^{{tree}}")));
    assert_eq!(opened.tree_id(info.id).expect("tree"), info.tree);
    assert_eq!(
        info.parents.iter().map(|p| p.to_hex()).collect::<Vec<_>>(),
        [repo.rev_parse("HEAD~1")]
    );
    assert_eq!(info.message, message);

    // A subject wrapped over two lines is joined, as `%s` does.
    let wrapped = repo.commit("line one\nline two\n\nbody", &[]);
    let info = opened.commit_info(id(&wrapped)).expect("info");
    assert_eq!(
        info.subject,
        repo.git(&["log", "-1", "--format=%s", &wrapped])
    );
    assert_eq!(info.subject, "line one line two");

    // A single-digit day is not zero-padded, like git's default format.
    let early = repo.commit_as("early", "X <x@y.z>", "@1677834000 +0100", &[]);
    let info = opened.commit_info(id(&early)).expect("info");
    assert_eq!(info.author_date, "Fri Mar 3 10:00:00 2023 +0100");
}

#[test]
fn show_commit_is_git_show_stat_summary() {
    let repo = TestRepo::new();
    repo.commit("first", &[("a.c", "int a;\n")]);
    let c = repo.commit(
        "second\n\nSigned-off-by: A <a@b.c>",
        &[("a.c", "int a;\nint b;\n"), ("new.h", "#pragma once\n")],
    );
    let opened = Repo::open(repo.path()).expect("open");
    let shown = opened.show_commit(id(&c)).expect("show");
    assert!(
        shown.starts_with(&format!(
            "commit {c}\nAuthor: A U Thor <author@example.com>\nDate:   "
        )),
        "{shown}"
    );
    assert!(
        shown.contains("\n    second\n    \n    Signed-off-by: A <a@b.c>\n\n"),
        "{shown}"
    );
    assert!(shown.contains(" a.c   | 1 +\n"), "{shown}");
    assert!(
        shown.contains(" 2 files changed, 2 insertions(+)\n"),
        "{shown}"
    );
    assert!(shown.contains(" create mode 100644 new.h\n"), "{shown}");
    assert_eq!(
        shown.trim_end(),
        repo.git(&["show", "--stat", "--summary", &c])
    );
}

#[test]
fn reading_leaves_the_repository_untouched() {
    let repo = TestRepo::new();
    let c1 = repo.commit("one", &[("a", "1\n")]);
    repo.commit("two", &[("a", "2\n")]);
    repo.tag("v1.0", &c1);
    repo.write("a", "dirty\n");
    repo.write("untracked", "u\n");
    let before = RepoSnapshot::take(repo.path());
    let opened = Repo::open(repo.path()).expect("open");
    let head = opened.resolve("HEAD").expect("HEAD");
    let graph = opened.load_graph(&[head]).expect("graph");
    opened.release_tags(&graph, head).expect("tags");
    opened.commit_info(head).expect("info");
    opened.show_commit(head).expect("show");
    opened.is_ancestor(id(&c1), head).expect("ancestry");
    assert_eq!(RepoSnapshot::take(repo.path()), before);
}

#[test]
fn types_shared_with_worker_threads_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    send_sync::<culprit_git::Graph>();
    send_sync::<culprit_git::Checkouts>();
    send_sync::<CommitId>();
    send::<Repo>();
}

#[test]
fn tags_merged_into_a_commit_match_the_pattern() {
    let repo = TestRepo::new();
    let c1 = repo.commit("one", &[("a", "1\n")]);
    let c2 = repo.commit("two", &[("a", "2\n")]);
    let c3 = repo.commit("three", &[("a", "3\n")]);
    repo.tag("v1.0", &c1);
    repo.annotated_tag("v1.1", &c2);
    repo.tag("other", &c1);
    repo.tag("v2.0", &c3);
    let opened = Repo::open(repo.path()).expect("open");
    assert_eq!(
        opened.tags_merged_into(id(&c2), "v*").expect("tags"),
        ["v1.0", "v1.1"]
    );
    assert!(
        opened
            .tags_merged_into(id(&c1), "nothing*")
            .expect("tags")
            .is_empty()
    );
    let unknown = id("0123456789012345678901234567890123456789");
    let err = opened
        .tags_merged_into(unknown, "v*")
        .expect_err("unknown commit");
    assert!(matches!(err, Error::Git { .. }), "{err:?}");
    assert!(err.to_string().contains("tag --merged"), "{err}");
}

#[test]
fn files_paths_and_patch_of_a_commit() {
    let repo = TestRepo::new();
    let c1 = repo.commit("one", &[("MAINTAINERS", "M: a\n"), ("fs/ext4/a.c", "a\n")]);
    let c2 = repo.commit("two", &[("fs/ext4/a.c", "b\n"), ("mm/new dir/x.c", "x\n")]);
    repo.write("fs/ext4/a.c", "dirty\n");
    let before = RepoSnapshot::take(repo.path());
    let opened = Repo::open(repo.path()).expect("open");
    assert_eq!(
        opened.file_at(id(&c1), "MAINTAINERS").expect("file"),
        "M: a\n"
    );
    assert!(matches!(
        opened.file_at(id(&c1), "no/such/file"),
        Err(Error::Git { .. })
    ));
    assert_eq!(opened.dirs_at(id(&c1)).expect("dirs"), ["fs", "fs/ext4"]);
    assert_eq!(
        opened.dirs_at(id(&c2)).expect("dirs"),
        ["fs", "fs/ext4", "mm", "mm/new dir"]
    );
    assert_eq!(
        opened.changed_paths(id(&c1)).expect("root commit"),
        ["MAINTAINERS", "fs/ext4/a.c"]
    );
    assert_eq!(
        opened.changed_paths(id(&c2)).expect("paths"),
        ["fs/ext4/a.c", "mm/new dir/x.c"]
    );
    let patch = opened.patch(id(&c2)).expect("patch");
    assert!(
        patch.starts_with("diff --git a/fs/ext4/a.c b/fs/ext4/a.c\n"),
        "{patch}"
    );
    assert!(patch.contains("\n-a\n+b\n"), "{patch}");
    assert!(!patch.contains("two"), "no header: {patch}");
    assert_eq!(RepoSnapshot::take(repo.path()), before);
}
