//! Big synthetic histories written with one `git fast-import` stream: hundreds of thousands of
//! commits in seconds, where `git commit` in a loop would take hours.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::{AUTHOR_EMAIL, AUTHOR_NAME, BASE_TIME, Program, git_command, run_git};

/// Shape of a synthetic history on branch `main`.
///
/// Every commit changes `src/main.c`, a [`Program`] printing the commit's number. Commit `i`
/// (0-based, in creation order) is dated `BASE_TIME + 60 * i`. A bug planted at `bug_at` is in
/// every descendant of that commit until a descendant of `fix_at`; `broken` and `unrelated`
/// ranges (creation indices, end excluded) do not compile or abort with another crash.
#[derive(Clone, Debug)]
pub struct History {
    /// Total number of commits, merges and side-branch commits included.
    pub commits: u32,
    /// 0 for a linear history; else every `merge_every` main-line commits a side branch of
    /// `side_len` commits is forked from main, main gets one more commit, and the side is merged.
    pub merge_every: u32,
    /// Commits per side branch (at least 1 when `merge_every` is not 0).
    pub side_len: u32,
    /// 0 for no tags; else main-line commit number `k * tag_every` gets lightweight tag `v1.k`.
    pub tag_every: u32,
    /// Write a commit-graph file after the import (`git commit-graph write --reachable`).
    pub commit_graph: bool,
    /// The commit (creation index) that introduces the NULL dereference.
    pub bug_at: Option<u32>,
    /// The commit (creation index) that removes it again.
    pub fix_at: Option<u32>,
    /// Percentage of runs in which the bug fires (100 = deterministic).
    pub crash_percent: u32,
    /// Ranges of commits whose program does not compile.
    pub broken: Vec<(u32, u32)>,
    /// Ranges of commits whose program aborts with `unrelated failure` (another crash).
    pub unrelated: Vec<(u32, u32)>,
}

/// A repository created by [`History::import`].
pub struct Imported {
    _dir: Option<tempfile::TempDir>,
    /// Path of the (non-bare) repository.
    pub path: PathBuf,
    /// Every commit's hash in creation order (index `i` is the commit dated `BASE_TIME + 60 i`).
    pub ids: Vec<String>,
    /// The tip of `main`.
    pub tip: String,
    /// How many of the commits are merges.
    pub merges: u32,
    /// Whether each commit's program has the bug (by creation index).
    pub buggy: Vec<bool>,
    /// What each commit is (by creation index): the facts its source was written from.
    pub facts: Vec<Facts>,
}

/// What one commit of a [`History`] is: handed to the source writer of [`History::import_with`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Facts {
    /// Creation index (0-based).
    pub index: u32,
    /// The bug is present: introduced by this commit or an ancestor, not removed by a fix.
    pub bug: bool,
    /// In one of the `unrelated` ranges.
    pub unrelated: bool,
    /// In one of the `broken` ranges.
    pub broken: bool,
    /// On a side branch (not on main's first-parent line).
    pub side: bool,
    /// A merge commit.
    pub merge: bool,
}

impl Imported {
    /// Lightweight tag `name` at the commit of creation index `index`.
    pub fn tag(&self, name: &str, index: u32) {
        let mut cmd = git_command(&self.path);
        cmd.args(["tag", name, &self.ids[index as usize]]);
        run_git(cmd);
    }

    /// Creation indices of the commits on side branches.
    pub fn side_commits(&self) -> Vec<u32> {
        self.facts
            .iter()
            .filter(|f| f.side)
            .map(|f| f.index)
            .collect()
    }
}

impl History {
    /// A linear history of `commits` commits.
    pub fn linear(commits: u32) -> History {
        History {
            commits,
            merge_every: 0,
            side_len: 0,
            tag_every: 0,
            commit_graph: false,
            bug_at: None,
            fix_at: None,
            crash_percent: 100,
            broken: Vec::new(),
            unrelated: Vec::new(),
        }
    }

    /// A history of `commits` commits where every `merge_every` main-line commits a side branch
    /// of `side_len` commits is merged.
    pub fn with_merges(commits: u32, merge_every: u32, side_len: u32) -> History {
        History {
            merge_every,
            side_len: side_len.max(1),
            ..History::linear(commits)
        }
    }

    /// Import into a new temporary directory (deleted when the result is dropped).
    pub fn import(&self) -> Imported {
        self.import_with(&|f| self.program(f).source())
    }

    /// The [`Program`] of [`History::import`] for a commit.
    pub fn program(&self, f: &Facts) -> Program {
        Program {
            value: i64::from(f.index + 1),
            bug: f.bug,
            crash_percent: self.crash_percent,
            unrelated: f.unrelated,
            broken: f.broken,
        }
    }

    /// Like [`History::import`], but `src/main.c` of each commit is `source(facts)`: worlds with
    /// programs of their own (sanitizers, several bugs) on the same shapes.
    pub fn import_with(&self, source: &dyn Fn(&Facts) -> String) -> Imported {
        let dir = tempfile::Builder::new()
            .prefix("culprit-history-")
            .tempdir()
            .unwrap_or_else(|e| panic!("cannot create a temp dir: {e}"));
        let path = dir.path().join("repo");
        let mut imported = self.import_into_with(&path, source);
        imported._dir = Some(dir);
        imported
    }

    /// Import into a new repository at `path` (created; it must not exist yet or be empty).
    pub fn import_into(&self, path: &Path) -> Imported {
        self.import_into_with(path, &|f| self.program(f).source())
    }

    /// [`History::import_into`] with the source of each commit from `source`.
    pub fn import_into_with(&self, path: &Path, source: &dyn Fn(&Facts) -> String) -> Imported {
        std::fs::create_dir_all(path).unwrap_or_else(|e| panic!("cannot create {path:?}: {e}"));
        let mut init = git_command(path);
        init.args(["init", "--quiet", "--initial-branch=main"]);
        run_git(init);
        let marks_file = path.join(".git").join("culprit-testkit-marks");
        let mut cmd = git_command(path);
        cmd.arg("fast-import")
            .arg("--quiet")
            .arg(format!("--export-marks={}", marks_file.display()))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run git fast-import: {e}"));
        let stdin = child.stdin.take().expect("stdin was piped");
        let (merges, facts) = {
            let mut out = std::io::BufWriter::with_capacity(1 << 20, stdin);
            self.write_stream(&mut out, source)
                .unwrap_or_else(|e| panic!("cannot write to git fast-import: {e}"))
        };
        let output = child
            .wait_with_output()
            .unwrap_or_else(|e| panic!("git fast-import failed: {e}"));
        assert!(
            output.status.success(),
            "git fast-import failed with {}: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        let marks = std::fs::read_to_string(&marks_file)
            .unwrap_or_else(|e| panic!("cannot read {marks_file:?}: {e}"));
        let _ = std::fs::remove_file(&marks_file);
        let mut ids = vec![String::new(); self.commits as usize];
        for line in marks.lines() {
            let (mark, id) = line
                .split_once(' ')
                .unwrap_or_else(|| panic!("bad marks line {line:?}"));
            let mark: usize = mark
                .trim_start_matches(':')
                .parse()
                .unwrap_or_else(|e| panic!("bad mark {mark:?}: {e}"));
            ids[mark - 1] = id.to_string();
        }
        let mut reset = git_command(path);
        reset.args(["reset", "--quiet", "--hard", "main"]);
        run_git(reset);
        if self.commit_graph {
            let mut graph = git_command(path);
            graph.args(["commit-graph", "write", "--reachable"]);
            run_git(graph);
        }
        let mut tip = git_command(path);
        tip.args(["rev-parse", "main"]);
        let tip = run_git(tip);
        Imported {
            _dir: None,
            path: path.to_path_buf(),
            ids,
            tip,
            merges,
            buggy: facts.iter().map(|f| f.bug).collect(),
            facts,
        }
    }

    /// Write the fast-import stream; returns the number of merges and each commit's facts.
    /// Marks are 1-based creation order.
    fn write_stream(
        &self,
        out: &mut impl Write,
        source: &dyn Fn(&Facts) -> String,
    ) -> std::io::Result<(u32, Vec<Facts>)> {
        let mut stream = Stream {
            out,
            next_mark: 0,
            history: self,
            source,
            state: Vec::with_capacity(self.commits as usize),
            facts: Vec::with_capacity(self.commits as usize),
        };
        let mut main_tip: Option<u32> = None;
        let mut main_count = 0u32;
        let mut merges = 0u32;
        while stream.next_mark < self.commits {
            let merge_now = self.merge_every > 0
                && main_count > 0
                && main_count.is_multiple_of(self.merge_every)
                && stream.next_mark + self.side_len + 2 <= self.commits;
            if merge_now {
                let fork = main_tip.expect("main_count > 0");
                let mut side = fork;
                for k in 0..self.side_len {
                    side =
                        stream.commit("side", &[side], &format!("side commit {k} after {fork}"))?;
                }
                let main = stream.commit("main", &[fork], &format!("main commit {main_count}"))?;
                let merge = stream.commit("main", &[main, side], "Merge branch 'side'")?;
                merges += 1;
                main_tip = Some(merge);
                main_count += 2;
            } else {
                let parents: Vec<u32> = main_tip.into_iter().collect();
                main_tip =
                    Some(stream.commit("main", &parents, &format!("main commit {main_count}"))?);
                main_count += 1;
            }
            if self.tag_every > 0 && main_count.is_multiple_of(self.tag_every) {
                let tip = main_tip.expect("a commit was just made");
                writeln!(
                    stream.out,
                    "reset refs/tags/v1.{}\nfrom :{tip}\n",
                    main_count / self.tag_every
                )?;
            }
        }
        stream.out.flush()?;
        Ok((merges, stream.facts))
    }
}

struct Stream<'a, W: Write> {
    out: &'a mut W,
    next_mark: u32,
    history: &'a History,
    source: &'a dyn Fn(&Facts) -> String,
    /// By creation index.
    state: Vec<Inherited>,
    /// By creation index.
    facts: Vec<Facts>,
}

/// What a commit inherits from its ancestors.
#[derive(Clone, Copy, Default)]
struct Inherited {
    bug: bool,
    fixed: bool,
}

fn in_ranges(ranges: &[(u32, u32)], i: u32) -> bool {
    ranges.iter().any(|&(start, end)| (start..end).contains(&i))
}

impl<W: Write> Stream<'_, W> {
    /// One commit on `branch` with `parents` (marks); returns its mark.
    fn commit(&mut self, branch: &str, parents: &[u32], subject: &str) -> std::io::Result<u32> {
        self.next_mark += 1;
        let mark = self.next_mark;
        let out = &mut *self.out;
        let time = BASE_TIME + 60 * i64::from(mark - 1);
        let message = format!("{subject}\n\nSigned-off-by: {AUTHOR_NAME} <{AUTHOR_EMAIL}>\n");
        writeln!(out, "commit refs/heads/{branch}\nmark :{mark}")?;
        writeln!(out, "author {AUTHOR_NAME} <{AUTHOR_EMAIL}> {time} +0000")?;
        writeln!(out, "committer {AUTHOR_NAME} <{AUTHOR_EMAIL}> {time} +0000")?;
        writeln!(out, "data {}\n{message}", message.len())?;
        if let Some((first, rest)) = parents.split_first() {
            writeln!(out, "from :{first}")?;
            for parent in rest {
                writeln!(out, "merge :{parent}")?;
            }
        }
        let index = mark - 1;
        let mut inherited = Inherited::default();
        for &parent in parents {
            let from = self.state[parent as usize - 1];
            inherited.bug |= from.bug;
            inherited.fixed |= from.fixed;
        }
        inherited.bug |= self.history.bug_at == Some(index);
        inherited.fixed |= self.history.fix_at == Some(index);
        self.state.push(inherited);
        let facts = Facts {
            index,
            bug: inherited.bug && !inherited.fixed,
            unrelated: in_ranges(&self.history.unrelated, index),
            broken: in_ranges(&self.history.broken, index),
            side: branch != "main",
            merge: parents.len() > 1,
        };
        self.facts.push(facts);
        let source = (self.source)(&facts);
        writeln!(
            out,
            "M 100644 inline src/main.c\ndata {}\n{source}",
            source.len()
        )?;
        Ok(mark)
    }
}
