//! A commit-graph file of culprit's own, for repositories that have none.
//!
//! Without a commit-graph, loading a history decodes every commit (about 7 s for a million
//! commits, against 0.4 s with one). We may not write one into the user's repository, so the
//! cache is a bare repository under the state directory that borrows the user's objects through
//! `objects/info/alternates` and holds only `objects/info/commit-graph`. It is written once with
//! `git commit-graph write` and rewritten only when a tip is missing from it, so a resumed
//! bisection loads quickly.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::cli;
use crate::graph::{Error, Graph};
use crate::id::CommitId;
use crate::repo::Repo;

impl Repo {
    /// Like [`Repo::load_graph`], but for a repository without a commit-graph file, first write
    /// one into a cache repository at `cache_dir` (created if needed, e.g.
    /// `<state dir>/graph.git`) and load through it. Repositories that have a commit-graph load
    /// directly. If the cache cannot be made (no `git`, read-only state), this falls back to
    /// decoding the objects.
    pub fn load_graph_cached(&self, tips: &[CommitId], cache_dir: &Path) -> Result<Graph, Error> {
        if self.has_commit_graph() || tips.is_empty() {
            return self.load_graph(tips);
        }
        match self.graph_cache(tips, cache_dir) {
            Some(cache) => cache.load_graph(tips),
            None => self.load_graph(tips),
        }
    }

    fn has_commit_graph(&self) -> bool {
        self.repo.commit_graph_if_enabled().ok().flatten().is_some()
    }

    /// Open the cache repository, (re)writing its commit-graph when it misses a tip.
    fn graph_cache(&self, tips: &[CommitId], cache_dir: &Path) -> Option<Repo> {
        let objects = self.common_dir().join("objects").canonicalize().ok()?;
        let alternates = cache_dir.join("objects").join("info").join("alternates");
        let wanted = format!("{}\n", objects.display());
        if std::fs::read_to_string(&alternates).ok().as_deref() != Some(wanted.as_str()) {
            // New, or made for another repository: start over.
            if cache_dir.exists() {
                std::fs::remove_dir_all(cache_dir).ok()?;
            }
            let parent = cache_dir.parent().unwrap_or(Path::new("."));
            std::fs::create_dir_all(parent).ok()?;
            let mut init = cli::git(parent);
            init.args(["init", "--quiet", "--bare"]).arg(cache_dir);
            cli::run(&mut init).ok()?;
            std::fs::write(&alternates, &wanted).ok()?;
        }
        let covered = Repo::open(cache_dir).ok().is_some_and(|cache| {
            cache
                .repo
                .commit_graph_if_enabled()
                .ok()
                .flatten()
                .is_some_and(|graph| tips.iter().all(|tip| graph.lookup(tip.0).is_some()))
        });
        if !covered {
            write_commit_graph(cache_dir, tips)?;
        }
        Repo::open(cache_dir).ok()
    }
}

/// `git commit-graph write --stdin-commits` with the tips on stdin: every commit reachable from
/// them, read through the alternates.
fn write_commit_graph(cache_dir: &Path, tips: &[CommitId]) -> Option<PathBuf> {
    let mut cmd = cli::git(cache_dir);
    cmd.args(["commit-graph", "write", "--stdin-commits", "--no-progress"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = cmd.spawn().ok()?;
    let mut stdin = child.stdin.take()?;
    let written = tips.iter().try_for_each(|tip| writeln!(stdin, "{tip}"));
    drop(stdin);
    let status = child.wait().ok()?;
    (written.is_ok() && status.success()).then(|| cache_dir.join("objects/info/commit-graph"))
}
