//! Test fixtures for culprit: real git repositories in temporary directories, built with the `git`
//! CLI and fixed identities and dates, so hashes are the same on every machine.
//!
//! [`TestRepo`] scripts small repositories commit by commit (files, merges, tags). [`History`]
//! writes big ones (hundreds of thousands of commits) in one `git fast-import` stream.
//!
//! This crate is only for tests and benchmarks: its helpers panic with a clear message when git
//! fails, because a broken fixture is a broken test. It must not know culprit's own crates.

// Fixtures panic with their reason: a broken fixture is a broken test.
#![allow(clippy::expect_used)]

mod history;

pub use history::{Facts, History, Imported};

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Name used for every author and committer.
pub const AUTHOR_NAME: &str = "A U Thor";
/// E-mail used for every author and committer.
pub const AUTHOR_EMAIL: &str = "author@example.com";
/// Timestamp of the first commit of every fixture (2023-01-02 03:04:05 UTC); each further commit is
/// one minute later.
pub const BASE_TIME: i64 = 1_672_628_645;

/// A `git` command with a reproducible environment: no system or global config, fixed identity,
/// none of the caller's `GIT_*` repository variables.
pub fn git_command(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir);
    for var in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_COMMON_DIR",
        "GIT_CEILING_DIRECTORIES",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", AUTHOR_NAME)
        .env("GIT_AUTHOR_EMAIL", AUTHOR_EMAIL)
        .env("GIT_COMMITTER_NAME", AUTHOR_NAME)
        .env("GIT_COMMITTER_EMAIL", AUTHOR_EMAIL)
        .env("LC_ALL", "C");
    cmd
}

/// Run a prepared git command, panicking with its stderr if it fails; returns stdout, trimmed.
pub fn run_git(mut cmd: Command) -> String {
    let out: Output = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed with {}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim_end().to_string()
}

/// A git repository in a temporary directory, deleted on drop.
pub struct TestRepo {
    dir: tempfile::TempDir,
    path: PathBuf,
    clock: Cell<i64>,
}

impl TestRepo {
    /// `git init` a repository with branch `main` and the fixed identity.
    pub fn new() -> TestRepo {
        let dir = tempfile::Builder::new()
            .prefix("culprit-testkit-")
            .tempdir()
            .unwrap_or_else(|e| panic!("cannot create a temp dir: {e}"));
        let path = dir.path().join("repo");
        std::fs::create_dir(&path).unwrap_or_else(|e| panic!("cannot create {path:?}: {e}"));
        let repo = TestRepo {
            dir,
            path,
            clock: Cell::new(BASE_TIME),
        };
        repo.git(&["init", "--quiet", "--initial-branch=main"]);
        repo.git(&["config", "commit.gpgsign", "false"]);
        repo.git(&["config", "tag.gpgsign", "false"]);
        repo
    }

    /// The repository's working tree.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A scratch directory next to the repository (inside the same temp dir), e.g. for state.
    pub fn scratch(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Run git in the repository with the fixed environment and the current fixture time; panics on
    /// failure. Returns stdout without the trailing newline.
    pub fn git(&self, args: &[&str]) -> String {
        let date = format!("@{} +0000", self.clock.get());
        let mut cmd = git_command(&self.path);
        cmd.args(args)
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date);
        run_git(cmd)
    }

    /// Write files (path relative to the work tree, created with parents), `git add` them and
    /// commit with `message` (subject, blank line, body). Returns the new commit's hash.
    pub fn commit(&self, message: &str, files: &[(&str, &str)]) -> String {
        for (name, content) in files {
            self.write(name, content);
            self.git(&["add", "--", name]);
        }
        self.tick();
        self.git(&["commit", "--quiet", "--allow-empty", "-m", message]);
        self.head()
    }

    /// Commit with an explicit author (`Name <email>`) and author date (`@secs +hhmm`).
    pub fn commit_as(
        &self,
        message: &str,
        author: &str,
        date: &str,
        files: &[(&str, &str)],
    ) -> String {
        for (name, content) in files {
            self.write(name, content);
            self.git(&["add", "--", name]);
        }
        self.tick();
        let author_arg = format!("--author={author}");
        let date_arg = format!("--date={date}");
        self.git(&[
            "commit",
            "--quiet",
            "--allow-empty",
            &author_arg,
            &date_arg,
            "-m",
            message,
        ]);
        self.head()
    }

    /// Write a file in the work tree without staging it.
    pub fn write(&self, name: &str, content: &str) {
        let file = self.path.join(name);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent)
                .unwrap_or_else(|e| panic!("cannot create {parent:?}: {e}"));
        }
        std::fs::write(&file, content).unwrap_or_else(|e| panic!("cannot write {file:?}: {e}"));
    }

    /// Commit a C program `src/main.c` whose `main` returns `value`; with `null_deref` it
    /// dereferences a NULL pointer first (a crash when run).
    pub fn commit_c(&self, message: &str, value: i32, null_deref: bool) -> String {
        self.commit(message, &[("src/main.c", &c_source(value, null_deref))])
    }

    /// Lightweight tag `name` at `rev`.
    pub fn tag(&self, name: &str, rev: &str) {
        self.git(&["tag", name, rev]);
    }

    /// Annotated tag `name` at `rev`.
    pub fn annotated_tag(&self, name: &str, rev: &str) {
        self.tick();
        self.git(&["tag", "-a", "-m", name, name, rev]);
    }

    /// Create branch `name` at `rev` and switch to it.
    pub fn branch(&self, name: &str, rev: &str) {
        self.git(&["switch", "--quiet", "-c", name, rev]);
    }

    /// Switch to an existing branch.
    pub fn switch(&self, name: &str) {
        self.git(&["switch", "--quiet", name]);
    }

    /// Merge `branch` into the current branch with a merge commit (never fast-forward); conflicts
    /// are resolved in favour of the current branch. Returns the merge commit.
    pub fn merge(&self, branch: &str, message: &str) -> String {
        self.tick();
        self.git(&[
            "merge", "--quiet", "--no-ff", "-X", "ours", "-m", message, branch,
        ]);
        self.head()
    }

    /// The current HEAD commit.
    pub fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"])
    }

    /// `git rev-parse rev`.
    pub fn rev_parse(&self, rev: &str) -> String {
        self.git(&["rev-parse", rev])
    }

    /// Write a commit-graph file covering every reachable commit.
    pub fn write_commit_graph(&self) {
        self.git(&["commit-graph", "write", "--reachable"]);
    }

    fn tick(&self) {
        self.clock.set(self.clock.get() + 60);
    }
}

impl Default for TestRepo {
    fn default() -> Self {
        TestRepo::new()
    }
}

/// The C program used by [`TestRepo::commit_c`]: prints `value`; with `null_deref` it
/// dereferences a NULL pointer first (a crash when run).
pub fn c_source(value: i32, null_deref: bool) -> String {
    Program {
        value: i64::from(value),
        bug: null_deref,
        ..Program::default()
    }
    .source()
}

/// A C program for synthetic histories: `src/main.c` of every commit of a [`History`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    /// Printed by the program (makes every commit's tree distinct).
    pub value: i64,
    /// Dereference a NULL pointer (SIGSEGV) in `crash_here()`.
    pub bug: bool,
    /// Percentage of runs in which the bug fires (independently each run, from /dev/urandom);
    /// 100 = always.
    pub crash_percent: u32,
    /// Abort with `unrelated failure` (SIGABRT) before reaching the bug: another crash.
    pub unrelated: bool,
    /// Does not compile (a syntax error).
    pub broken: bool,
}

impl Default for Program {
    fn default() -> Self {
        Program {
            value: 0,
            bug: false,
            crash_percent: 100,
            unrelated: false,
            broken: false,
        }
    }
}

impl Program {
    /// The source text.
    pub fn source(&self) -> String {
        let mut text =
            String::from("#include <stdio.h>\n#include <stdlib.h>\n#include <unistd.h>\n\n");
        if self.broken {
            text.push_str("this does not compile\n\n");
        }
        text.push_str("static void crash_here(void)\n{\n");
        if self.bug {
            if self.crash_percent < 100 {
                // Independent runs: a fresh random number each time (process ids are consecutive,
                // so `getpid() % 100` would crash in long streaks and long clean stretches).
                text.push_str(&format!(
                    "    unsigned r = 0;\n    FILE *u = fopen(\"/dev/urandom\", \"rb\");\n    if (u) {{\n        if (fread(&r, sizeof r, 1, u) != 1)\n            r = (unsigned)getpid();\n        fclose(u);\n    }}\n    if (r % 100 >= {})\n        return;\n",
                    self.crash_percent
                ));
            }
            text.push_str("    int *volatile p = 0;\n    *p = 1;\n");
        }
        text.push_str("}\n\nint main(void)\n{\n");
        if self.unrelated {
            text.push_str("    fprintf(stderr, \"unrelated failure\\n\");\n    abort();\n");
        }
        text.push_str(&format!(
            "    crash_here();\n    printf(\"%d\\n\", {});\n    return 0;\n}}\n",
            self.value
        ));
        text
    }
}

/// A snapshot of everything culprit promises not to change in a user's repository: HEAD, the
/// index, the status of the work tree, every ref, the stash list and the bisect state.
#[derive(Debug, PartialEq, Eq)]
pub struct RepoSnapshot {
    /// `git symbolic-ref -q HEAD` plus `git rev-parse HEAD`.
    pub head: String,
    /// `git ls-files --stage` (index entries with their blob ids).
    pub index: String,
    /// `git status --porcelain=v1 --ignored --untracked-files=all`.
    pub status: String,
    /// `git for-each-ref` with object names.
    pub refs: String,
    /// `git stash list`.
    pub stash: String,
    /// `git bisect log`, or empty when no bisection is running.
    pub bisect: String,
    /// Names of the entries in `.git` (new files there would be a change too), except `culprit`,
    /// culprit's default state directory.
    pub git_dir_entries: Vec<String>,
}

impl RepoSnapshot {
    /// Take a snapshot of the repository at `path` (a work tree).
    pub fn take(path: &Path) -> RepoSnapshot {
        // `GIT_OPTIONAL_LOCKS=0` keeps `git status` from refreshing (writing) the index.
        let git = |args: &[&str]| {
            let mut cmd = git_command(path);
            cmd.args(args).env("GIT_OPTIONAL_LOCKS", "0");
            run_git(cmd)
        };
        let lenient = |args: &[&str]| {
            let mut cmd = git_command(path);
            cmd.args(args).env("GIT_OPTIONAL_LOCKS", "0");
            cmd.output()
                .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
                .unwrap_or_default()
        };
        let head = format!(
            "{}\n{}",
            lenient(&["symbolic-ref", "-q", "HEAD"]),
            git(&["rev-parse", "HEAD"])
        );
        let git_dir = PathBuf::from(git(&["rev-parse", "--absolute-git-dir"]));
        let mut git_dir_entries: Vec<String> = std::fs::read_dir(&git_dir)
            .unwrap_or_else(|e| panic!("cannot list {git_dir:?}: {e}"))
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| name != "culprit")
            .collect();
        git_dir_entries.sort();
        RepoSnapshot {
            head,
            index: git(&["ls-files", "--stage"]),
            status: git(&[
                "status",
                "--porcelain=v1",
                "--ignored",
                "--untracked-files=all",
            ]),
            refs: git(&["for-each-ref", "--format=%(objectname) %(refname)"]),
            stash: git(&["stash", "list"]),
            bisect: lenient(&["bisect", "log"]),
            git_dir_entries,
        }
    }
}
