//! Checkouts in culprit's own clones: right content, cleaned between uses, and the user's
//! repository (HEAD, index, work tree, refs, stash, bisect state, `.git` entries) untouched.

#![allow(clippy::expect_used)] // test setup failures should panic with their reason

use culprit_git::{Checkouts, Clean, CommitId, Repo};
use culprit_testkit::{RepoSnapshot, TestRepo};

fn id(hex: &str) -> CommitId {
    hex.parse().expect("git prints full hashes")
}

fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path:?}: {e}"))
}

#[test]
fn slots_check_out_commits_without_touching_the_user_repository() {
    let repo = TestRepo::new();
    std::fs::create_dir_all(repo.path().join("src")).expect("mkdir");
    let c1 = repo.commit_c("one", 1, false);
    let c2 = repo.commit(
        "two",
        &[
            ("src/main.c", "int main(void) { return 2; }\n"),
            (".gitignore", "*.o\n"),
        ],
    );
    let c3 = repo.commit_c("three", 3, true);
    // The user is in the middle of things: a stash, a dirty tree, an untracked file, a bisection.
    repo.write("src/main.c", "local edit\n");
    repo.git(&["stash", "push", "--quiet"]);
    repo.write("src/main.c", "another local edit\n");
    repo.write("notes.txt", "untracked\n");
    repo.git(&["add", "src/main.c"]);
    repo.write("src/main.c", "unstaged on top\n");
    repo.git(&["bisect", "start"]);
    repo.git(&["bisect", "bad", &c3]);
    let before = RepoSnapshot::take(repo.path());
    assert!(!before.bisect.is_empty(), "bisect state recorded");
    assert!(!before.stash.is_empty(), "stash recorded");

    let opened = Repo::open(repo.path()).expect("open");
    let state = repo.path().join(".git").join("culprit");
    let checkouts = Checkouts::new(&opened, &state).expect("checkouts");

    let slot0 = checkouts.checkout(0, id(&c1)).expect("checkout c1");
    assert!(slot0.starts_with(&state));
    assert_eq!(
        read(&slot0.join("src/main.c")),
        culprit_testkit::c_source(1, false)
    );
    let slot1 = checkouts.checkout(1, id(&c3)).expect("checkout c3");
    assert_ne!(slot0, slot1);
    assert_eq!(
        read(&slot1.join("src/main.c")),
        culprit_testkit::c_source(3, true)
    );

    // Build outputs, ignored files and edits are gone after the next checkout of the slot.
    std::fs::write(slot0.join("src/main.c"), "edited by a build\n").expect("write");
    std::fs::write(slot0.join("main.o"), "object\n").expect("write");
    std::fs::write(slot0.join("stray"), "stray\n").expect("write");
    let again = checkouts.checkout(0, id(&c2)).expect("checkout c2");
    assert_eq!(again, slot0);
    assert_eq!(
        read(&slot0.join("src/main.c")),
        "int main(void) { return 2; }\n"
    );
    assert!(!slot0.join("main.o").exists());
    assert!(!slot0.join("stray").exists());

    // A commit object written to the user's repository after the slot was cloned is reachable
    // too (`commit-tree` writes no ref, so the snapshot stays valid).
    let c4 = repo.git(&[
        "commit-tree",
        "-p",
        &c3,
        "-m",
        "four",
        &format!("{c2}^{{tree}}"),
    ]);
    let slot1 = checkouts.checkout(1, id(&c4)).expect("checkout c4");
    assert_eq!(
        read(&slot1.join("src/main.c")),
        "int main(void) { return 2; }\n"
    );
    let mut head = culprit_testkit::git_command(&slot1);
    head.args(["rev-parse", "HEAD"]);
    assert_eq!(culprit_testkit::run_git(head), c4);

    // A stale index.lock left by a killed checkout does not block the slot.
    std::fs::write(slot1.join(".git").join("index.lock"), "").expect("write");
    checkouts
        .checkout(1, id(&c1))
        .expect("checkout after a stale lock");

    assert_eq!(RepoSnapshot::take(repo.path()), before);
    assert_eq!(
        std::fs::read_to_string(repo.path().join(".git/objects/info/alternates")).ok(),
        None,
        "the user's object store gained no alternates"
    );
}

#[test]
fn checkout_of_a_missing_commit_is_a_clear_error() {
    let repo = TestRepo::new();
    repo.commit("one", &[("a", "1\n")]);
    let opened = Repo::open(repo.path()).expect("open");
    let state = repo.scratch("state");
    let checkouts = Checkouts::new(&opened, &state).expect("checkouts");
    let missing = id(&"1".repeat(40));
    let err = checkouts.checkout(0, missing).expect_err("missing commit");
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("checkout of {missing} in slot 0 failed")),
        "{text}"
    );
}

#[test]
fn bare_repositories_and_linked_worktrees_work_too() {
    let repo = TestRepo::new();
    let c1 = repo.commit("one", &[("a", "1\n")]);
    let c2 = repo.commit("two", &[("a", "2\n")]);

    // A linked worktree of the user's repository: state and objects live in the common dir.
    let linked = repo.scratch("linked");
    repo.git(&[
        "worktree",
        "add",
        "--quiet",
        "--detach",
        &linked.display().to_string(),
        &c1,
    ]);
    let opened = Repo::open(&linked).expect("open linked worktree");
    let git_dir = repo.path().join(".git").canonicalize().expect("exists");
    assert_eq!(opened.default_state_dir(), git_dir.join("culprit"));
    let before = RepoSnapshot::take(&linked);
    let checkouts = Checkouts::new(&opened, &repo.scratch("state-linked")).expect("checkouts");
    let slot = checkouts.checkout(0, id(&c2)).expect("checkout");
    assert_eq!(read(&slot.join("a")), "2\n");
    assert_eq!(RepoSnapshot::take(&linked), before);

    // A bare clone.
    let bare = repo.scratch("bare.git");
    repo.git(&[
        "clone",
        "--quiet",
        "--bare",
        &repo.path().display().to_string(),
        &bare.display().to_string(),
    ]);
    let opened = Repo::open(&bare).expect("open bare");
    assert_eq!(opened.workdir(), None);
    let graph = opened.load_graph(&[id(&c2)]).expect("graph");
    assert_eq!(graph.len(), 2);
    let checkouts = Checkouts::new(&opened, &repo.scratch("state-bare")).expect("checkouts");
    let slot = checkouts.checkout(0, id(&c1)).expect("checkout");
    assert_eq!(read(&slot.join("a")), "1\n");
}

#[test]
fn hooks_do_not_run_in_slots() {
    let repo = TestRepo::new();
    let c1 = repo.commit("one", &[("a", "1\n")]);
    let c2 = repo.commit("two", &[("a", "2\n")]);
    let opened = Repo::open(repo.path()).expect("open");
    let checkouts = Checkouts::new(&opened, &repo.scratch("state")).expect("checkouts");
    let slot = checkouts.checkout(0, id(&c1)).expect("checkout");
    // A post-checkout hook configured for the slot (as a global core.hooksPath would be).
    let hooks = repo.scratch("hooks");
    std::fs::create_dir_all(&hooks).expect("mkdir");
    let marker = repo.scratch("hook-ran");
    let hook = hooks.join("post-checkout");
    std::fs::write(&hook, format!("#!/bin/sh\ntouch '{}'\n", marker.display()))
        .expect("write hook");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let mut config = culprit_testkit::git_command(&slot);
    config.args(["config", "core.hooksPath", &hooks.display().to_string()]);
    culprit_testkit::run_git(config);
    // Check the hook works when git runs it normally.
    let mut manual = culprit_testkit::git_command(&slot);
    manual.args(["checkout", "--quiet", "--detach", &c2]);
    culprit_testkit::run_git(manual);
    assert!(marker.exists(), "the hook is set up correctly");
    std::fs::remove_file(&marker).expect("rm");

    checkouts.checkout(0, id(&c1)).expect("checkout");
    assert!(!marker.exists(), "culprit's checkout ran the hook");
}

#[test]
fn incremental_checkouts_keep_ignored_outputs_and_current_tells_the_commit() {
    let repo = TestRepo::new();
    let c1 = repo.commit("one", &[("a", "1\n"), (".gitignore", "*.o\n")]);
    let c2 = repo.commit("two", &[("a", "2\n")]);
    let opened = Repo::open(repo.path()).expect("open");
    let checkouts = Checkouts::new(&opened, &repo.scratch("state")).expect("checkouts");
    assert_eq!(checkouts.current(0), None);
    let slot = checkouts.checkout(0, id(&c1)).expect("checkout");
    assert_eq!(checkouts.current(0), Some(id(&c1)));
    let write = |name: &str| std::fs::write(slot.join(name), "x").expect("write");

    write("main.o");
    write("stray");
    std::fs::write(slot.join("a"), "edited\n").expect("write");
    checkouts
        .checkout_with(0, id(&c2), Clean::KeepIgnored)
        .expect("checkout");
    assert_eq!(checkouts.current(0), Some(id(&c2)));
    assert_eq!(read(&slot.join("a")), "2\n");
    assert!(slot.join("main.o").exists(), "ignored output kept");
    assert!(!slot.join("stray").exists(), "untracked file removed");

    write("stray");
    std::fs::write(slot.join("a"), "edited\n").expect("write");
    checkouts
        .checkout_with(0, id(&c1), Clean::Nothing)
        .expect("checkout");
    assert_eq!(
        read(&slot.join("a")),
        "1\n",
        "tracked changes are always dropped"
    );
    assert!(slot.join("stray").exists() && slot.join("main.o").exists());

    checkouts.checkout(0, id(&c2)).expect("checkout");
    assert!(!slot.join("stray").exists() && !slot.join("main.o").exists());
}
