//! [`NewRepo`]: a repository culprit creates and fills itself (the bundled example), never the
//! user's.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cli;
use crate::id::CommitId;

/// Errors of [`NewRepo`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A `git` command did not start or exited non-zero.
    #[error("`{command}` failed: {detail}")]
    Git {
        /// The command line.
        command: String,
        /// Exit status and the end of stderr (or why git did not start: is it installed?).
        detail: String,
    },
    /// `git rev-parse HEAD` printed something that is not a commit hash.
    #[error("git printed {printed:?} for HEAD, not a commit hash")]
    BadHash {
        /// What it printed.
        printed: String,
    },
}

impl From<cli::Failure> for Error {
    fn from(f: cli::Failure) -> Error {
        Error::Git {
            command: f.command,
            detail: f.detail,
        }
    }
}

/// A new repository whose commits are all made by one identity (author and committer) at dates
/// the caller gives, with the user's system and global git configuration ignored (no signing,
/// hooks or templates of theirs): the same history, hashes included, on every machine.
#[derive(Clone, Debug)]
pub struct NewRepo {
    dir: PathBuf,
    name: String,
    email: String,
}

impl NewRepo {
    /// `git init` in `dir` (an existing directory) with `branch` as the initial branch; commits
    /// will be made by `name <email>`.
    pub fn init(dir: &Path, branch: &str, name: &str, email: &str) -> Result<NewRepo, Error> {
        let repo = NewRepo {
            dir: dir.to_path_buf(),
            name: name.to_string(),
            email: email.to_string(),
        };
        cli::run(repo.git().args(["init", "-q", "-b", branch]))?;
        Ok(repo)
    }

    /// Stages everything in the work tree (`git add -A`) and commits it with `message`, authored
    /// and committed at `date` (any date git takes, e.g. `2024-01-01T00:00:01Z`).
    pub fn commit_all(&self, message: &str, date: &str) -> Result<(), Error> {
        cli::run(self.git().args(["add", "-A"]))?;
        cli::run(
            self.git()
                .args(["commit", "-q", "-m", message])
                .env("GIT_AUTHOR_DATE", date)
                .env("GIT_COMMITTER_DATE", date),
        )?;
        Ok(())
    }

    /// The commit HEAD points at (the last one [`NewRepo::commit_all`] made).
    pub fn head(&self) -> Result<CommitId, Error> {
        let output = cli::run(self.git().args(["rev-parse", "HEAD"]))?;
        let printed = String::from_utf8_lossy(&output.stdout).trim().to_string();
        printed.parse().map_err(|_| Error::BadHash { printed })
    }

    /// A `git` command in the repository, with the identity and without the user's config.
    fn git(&self) -> Command {
        let mut cmd = cli::git(&self.dir);
        cmd.env("GIT_AUTHOR_NAME", &self.name)
            .env("GIT_AUTHOR_EMAIL", &self.email)
            .env("GIT_COMMITTER_NAME", &self.name)
            .env("GIT_COMMITTER_EMAIL", &self.email)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null");
        cmd
    }
}
