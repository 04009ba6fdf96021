//! Loading the commit graph, compared with `git rev-list --parents` on real repositories, with and
//! without a commit-graph file (and with one that misses the newest commits).

#![allow(clippy::expect_used)] // test setup failures should panic with their reason

use std::collections::{HashMap, HashSet};

use culprit_git::{CommitId, Graph, Repo};
use culprit_testkit::{History, TestRepo};

fn id(hex: &str) -> CommitId {
    hex.parse().expect("git prints full hashes")
}

/// `commit -> (parents in order, committer time)` according to git.
fn git_view(dir: &std::path::Path, tips: &[&str]) -> HashMap<String, (Vec<String>, i64)> {
    let mut cmd = culprit_testkit::git_command(dir);
    cmd.args(["log", "--format=%H %ct %P"]).args(tips);
    let out = culprit_testkit::run_git(cmd);
    out.lines()
        .map(|line| {
            let mut words = line.split_whitespace();
            let commit = words.next().expect("hash").to_string();
            let time = words.next().expect("time").parse().expect("number");
            (commit, (words.map(str::to_string).collect(), time))
        })
        .collect()
}

/// Check every invariant of the graph and that it is exactly git's view.
fn assert_matches_git(graph: &Graph, git: &HashMap<String, (Vec<String>, i64)>) {
    assert_eq!(graph.len(), git.len());
    assert_eq!(graph.parent_start().len(), graph.len() + 1);
    assert_eq!(graph.parent_start()[0], 0);
    assert_eq!(
        *graph.parent_start().last().expect("n + 1 entries") as usize,
        graph.parents().len()
    );
    assert_eq!(graph.commit_time().len(), graph.len());
    let mut seen = HashSet::new();
    for i in 0..graph.len() as u32 {
        let commit = graph.id(i);
        assert!(seen.insert(commit), "{commit} twice");
        assert_eq!(graph.index_of(commit), Some(i));
        let (parents, time) = &git[&commit.to_hex()];
        let got: Vec<String> = graph
            .parents_of(i)
            .iter()
            .map(|&p| graph.id(p).to_hex())
            .collect();
        assert_eq!(&got, parents, "parents of {commit}");
        assert_eq!(graph.commit_time()[i as usize], *time, "time of {commit}");
        for &p in graph.parents_of(i) {
            assert!(p > i, "child {i} must come before parent {p}");
        }
    }
}

fn merge_repo() -> (TestRepo, Vec<String>) {
    let repo = TestRepo::new();
    let root = repo.commit("root", &[("a", "0\n")]);
    let a1 = repo.commit("a1", &[("a", "1\n")]);
    repo.branch("side", &root);
    let s1 = repo.commit("s1", &[("b", "1\n")]);
    let s2 = repo.commit("s2", &[("b", "2\n")]);
    repo.switch("main");
    let m1 = repo.merge("side", "merge side");
    let a2 = repo.commit("a2", &[("a", "2\n")]);
    (repo, vec![root, a1, s1, s2, m1, a2])
}

#[test]
fn small_history_with_merges_matches_git() {
    let (repo, commits) = merge_repo();
    let opened = Repo::open(repo.path()).expect("open");
    let tip = id(commits.last().expect("commits"));
    let graph = opened.load_graph(&[tip]).expect("graph");
    assert_matches_git(&graph, &git_view(repo.path(), &["main"]));
    assert_eq!(graph.id(0), tip, "the only tip comes first");
    let merge = graph.index_of(id(&commits[4])).expect("merge in graph");
    let parents: Vec<String> = graph
        .parents_of(merge)
        .iter()
        .map(|&p| graph.id(p).to_hex())
        .collect();
    assert_eq!(
        parents,
        [commits[1].clone(), commits[3].clone()],
        "first parent first"
    );
    assert_eq!(graph.index_of(id(&"0".repeat(40))), None);
}

#[test]
fn commit_graph_file_gives_the_same_graph_even_when_stale() {
    let (repo, commits) = merge_repo();
    let opened = Repo::open(repo.path()).expect("open");
    let tip = id(commits.last().expect("commits"));
    let without = opened.load_graph(&[tip]).expect("graph");

    repo.write_commit_graph();
    let opened = Repo::open(repo.path()).expect("open");
    let with = opened.load_graph(&[tip]).expect("graph");
    assert_eq!(with.ids(), without.ids());
    assert_eq!(with.parents(), without.parents());
    assert_eq!(with.commit_time(), without.commit_time());

    // Commits made after the file was written are decoded from objects.
    repo.branch("late", &commits[2]);
    let late1 = repo.commit("late1", &[("c", "1\n")]);
    repo.switch("main");
    let newest = repo.merge("late", "merge late");
    let opened = Repo::open(repo.path()).expect("open");
    let graph = opened.load_graph(&[id(&newest)]).expect("graph");
    assert_matches_git(&graph, &git_view(repo.path(), &["main"]));
    assert!(graph.index_of(id(&late1)).is_some());
}

#[test]
fn several_tips_and_duplicates() {
    let (repo, commits) = merge_repo();
    repo.branch("other", &commits[1]);
    let other = repo.commit("other", &[("o", "1\n")]);
    let opened = Repo::open(repo.path()).expect("open");
    let main = id(commits.last().expect("commits"));
    let graph = opened
        .load_graph(&[main, id(&other), main, id(&commits[2])])
        .expect("graph");
    assert_matches_git(&graph, &git_view(repo.path(), &["main", "other"]));
    assert!(opened.load_graph(&[]).expect("empty").is_empty());
}

#[test]
fn ancestors_flags_exactly_the_reachable_commits() {
    let (repo, commits) = merge_repo();
    let opened = Repo::open(repo.path()).expect("open");
    let graph = opened
        .load_graph(&[id(commits.last().expect("commits"))])
        .expect("graph");
    let s2 = graph.index_of(id(&commits[3])).expect("s2");
    let reachable = graph.ancestors(s2);
    let got: HashSet<String> = (0..graph.len())
        .filter(|&i| reachable[i])
        .map(|i| graph.id(i as u32).to_hex())
        .collect();
    let want: HashSet<String> = [&commits[0], &commits[2], &commits[3]]
        .into_iter()
        .cloned()
        .collect();
    assert_eq!(got, want);
}

#[test]
fn imported_history_with_merges_matches_git_with_and_without_commit_graph() {
    let history = History {
        commit_graph: false,
        ..History::with_merges(3000, 20, 4)
    };
    let imported = history.import();
    assert!(imported.merges > 100, "{} merges", imported.merges);
    let git = git_view(&imported.path, &["main"]);
    let opened = Repo::open(&imported.path).expect("open");
    let graph = opened.load_graph(&[id(&imported.tip)]).expect("graph");
    assert_matches_git(&graph, &git);

    let mut cmd = culprit_testkit::git_command(&imported.path);
    cmd.args(["commit-graph", "write", "--reachable"]);
    culprit_testkit::run_git(cmd);
    let opened = Repo::open(&imported.path).expect("open");
    let with_file = opened.load_graph(&[id(&imported.tip)]).expect("graph");
    assert_matches_git(&with_file, &git);
    assert_eq!(with_file.ids(), graph.ids());
}

#[test]
fn graph_cache_writes_a_commit_graph_of_its_own_and_refreshes_it_for_new_tips() {
    let (repo, commits) = merge_repo();
    let before = culprit_testkit::RepoSnapshot::take(repo.path());
    let opened = Repo::open(repo.path()).expect("open");
    let tip = id(commits.last().expect("commits"));
    let cache = repo.scratch("state").join("graph.git");
    let cached = opened
        .load_graph_cached(&[tip], &cache)
        .expect("cached load");
    let direct = opened.load_graph(&[tip]).expect("direct load");
    assert_eq!(cached.ids(), direct.ids());
    assert_eq!(cached.parents(), direct.parents());
    assert_eq!(cached.commit_time(), direct.commit_time());
    let file = cache.join("objects/info/commit-graph");
    let written = std::fs::metadata(&file)
        .expect("cache written")
        .modified()
        .expect("mtime");
    assert!(!repo.path().join(".git/objects/info/commit-graph").exists());
    assert_eq!(culprit_testkit::RepoSnapshot::take(repo.path()), before);

    // Same tips: the cache is reused as is.
    opened
        .load_graph_cached(&[tip], &cache)
        .expect("cached load");
    let again = std::fs::metadata(&file)
        .expect("cache")
        .modified()
        .expect("mtime");
    assert_eq!(again, written);

    // A new tip: rewritten, and the new commit is in the graph.
    let newer = repo.commit("newer", &[("n", "1\n")]);
    let opened = Repo::open(repo.path()).expect("open");
    let graph = opened
        .load_graph_cached(&[id(&newer)], &cache)
        .expect("cached load");
    assert_matches_git(&graph, &git_view(repo.path(), &["main"]));
    let cache_repo = Repo::open(&cache).expect("cache is a repository");
    let from_cache = cache_repo
        .load_graph(&[id(&newer)])
        .expect("load from the cache");
    assert_eq!(from_cache.ids(), graph.ids());

    // A repository that has its own commit-graph does not use the cache.
    repo.write_commit_graph();
    let opened = Repo::open(repo.path()).expect("open");
    let other_cache = repo.scratch("state2").join("graph.git");
    opened
        .load_graph_cached(&[id(&newer)], &other_cache)
        .expect("direct");
    assert!(!other_cache.exists());
}
