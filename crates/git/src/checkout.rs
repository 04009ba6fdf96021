//! [`Checkouts`]: one checkout per job slot under culprit's state directory, never in the user's
//! work tree.
//!
//! Each slot is a `git clone --shared --no-checkout` of the user's repository: the clone reads
//! objects through `objects/info/alternates`, so it costs no copy and writes nothing into the
//! user's `.git` (unlike `git worktree add`, which registers the worktree there). Commits made in
//! the user's repository later are visible too, since the alternates point at its object store.

use std::path::{Path, PathBuf};

use crate::cli;
use crate::id::CommitId;
use crate::repo::Repo;

/// Errors of [`Checkouts`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The slots' directory could not be created.
    #[error("cannot create checkout directory {path}: {source}")]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// The IO error.
        source: std::io::Error,
    },
    /// A git command failed while preparing or updating a slot.
    #[error("checkout of {commit} in slot {slot} failed: `{command}`: {detail}")]
    Git {
        /// The slot.
        slot: usize,
        /// The commit being checked out.
        commit: CommitId,
        /// The command line.
        command: String,
        /// Exit status and the end of stderr.
        detail: String,
    },
}

/// What a checkout removes besides local changes to tracked files (always dropped).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Clean {
    /// Untracked and ignored files (`git clean -ffdx`): every build starts from scratch.
    #[default]
    All,
    /// Untracked files but not ignored ones (`git clean -ffd`): build outputs listed in
    /// `.gitignore` survive for incremental builds.
    KeepIgnored,
    /// Nothing.
    Nothing,
}

/// The checkout slots of one bisection: `<state_dir>/checkouts/slot-<n>`. Holds only paths, so it
/// can be shared between threads; two threads must not use the same slot at once.
#[derive(Clone, Debug)]
pub struct Checkouts {
    source: PathBuf,
    root: PathBuf,
    /// `Some(leaf)`: slot N's work tree is `root/slot-N/leaf` (room beside it for the slot's
    /// other directories).
    leaf: Option<String>,
}

impl Checkouts {
    /// Slots for `repo` under `state_dir` (created if needed).
    pub fn new(repo: &Repo, state_dir: &Path) -> Result<Checkouts, Error> {
        Checkouts::in_dir(repo, &state_dir.join("checkouts"))
    }

    /// Slots for `repo` directly in `root` (`root/slot-N`; created if needed): slots kept
    /// between bisections. The caller makes sure one bisection at a time uses them.
    pub fn in_dir(repo: &Repo, root: &Path) -> Result<Checkouts, Error> {
        let root = root.to_path_buf();
        std::fs::create_dir_all(&root).map_err(|source| Error::CreateDir {
            path: root.clone(),
            source,
        })?;
        Ok(Checkouts {
            source: repo.common_dir().to_path_buf(),
            root,
            leaf: None,
        })
    }

    /// Slots whose work trees are `root/slot-N/leaf`, so each slot's other directories (a build
    /// directory `root/slot-N/build`) sit at the same relative place for every slot: compilers
    /// and caches that see relative paths (`../src/fs/x.c`) then see the same ones in every slot.
    pub fn nested(repo: &Repo, root: &Path, leaf: &str) -> Result<Checkouts, Error> {
        let mut c = Checkouts::in_dir(repo, root)?;
        c.leaf = Some(leaf.to_string());
        Ok(c)
    }

    /// The work tree of slot `slot` (it exists after the first [`Checkouts::checkout`]).
    pub fn path(&self, slot: usize) -> PathBuf {
        let dir = self.root.join(format!("slot-{slot}"));
        match &self.leaf {
            Some(leaf) => dir.join(leaf),
            None => dir,
        }
    }

    /// Check `commit` out in slot `slot`: detached HEAD, forced (local changes dropped) and
    /// cleaned (`git clean -ffdx`: untracked and ignored files, build outputs included, removed).
    /// Returns the slot's work tree.
    pub fn checkout(&self, slot: usize, commit: CommitId) -> Result<PathBuf, Error> {
        self.checkout_with(slot, commit, Clean::All)
    }

    /// The commit checked out in slot `slot` by the last successful checkout, if any.
    pub fn current(&self, slot: usize) -> Option<CommitId> {
        let head = std::fs::read_to_string(self.path(slot).join(".git").join("HEAD")).ok()?;
        head.trim().parse().ok()
    }

    /// Like [`Checkouts::checkout`], choosing what to remove besides local changes to tracked
    /// files: [`Clean::KeepIgnored`] keeps ignored build outputs so an incremental build only
    /// redoes what changed.
    pub fn checkout_with(
        &self,
        slot: usize,
        commit: CommitId,
        clean: Clean,
    ) -> Result<PathBuf, Error> {
        let path = self.path(slot);
        let git_error = |f: cli::Failure| Error::Git {
            slot,
            commit,
            command: f.command,
            detail: f.detail,
        };
        if !path.join(".git").is_dir() {
            // A half-made slot (interrupted clone) is ours to remove.
            if path.exists() {
                std::fs::remove_dir_all(&path).map_err(|source| Error::CreateDir {
                    path: path.clone(),
                    source,
                })?;
            }
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|source| Error::CreateDir {
                    path: parent.to_path_buf(),
                    source,
                })?;
            }
            let mut clone = cli::git(&self.root);
            clone
                .args(["clone", "--quiet", "--shared", "--no-checkout"])
                .arg(&self.source)
                .arg(&path);
            cli::run(&mut clone).map_err(git_error)?;
            let mut config = cli::git(&path);
            config.args(["config", "gc.auto", "0"]);
            cli::run(&mut config).map_err(git_error)?;
        }
        // A previous run killed mid-checkout leaves the lock behind; the slot is ours alone.
        let lock = path.join(".git").join("index.lock");
        if lock.exists() {
            let _ = std::fs::remove_file(&lock);
        }
        let mut checkout = cli::git(&path);
        // The user's global hooks and fsmonitor must not run (or start daemons) in our slots.
        checkout
            .args([
                "-c",
                "core.hooksPath=/dev/null",
                "-c",
                "core.fsmonitor=false",
                "-c",
                "advice.detachedHead=false",
                // Files written by as many workers as cores: a fresh Linux checkout (78k files)
                // in 8.8 s instead of 11.5 s here.
                "-c",
                "checkout.workers=0",
                "checkout",
                "--quiet",
                "--force",
                "--detach",
            ])
            .arg(commit.to_hex());
        cli::run(&mut checkout).map_err(git_error)?;
        let flags = match clean {
            Clean::All => Some("-ffdxq"),
            Clean::KeepIgnored => Some("-ffdq"),
            Clean::Nothing => None,
        };
        if let Some(flags) = flags {
            let mut clean = cli::git(&path);
            clean.args(["clean", flags]);
            cli::run(&mut clean).map_err(git_error)?;
        }
        Ok(path)
    }
}
