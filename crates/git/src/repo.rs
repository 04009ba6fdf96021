//! [`Repo`]: open a repository and read revisions, ancestry, tags and commit metadata in-process.

use std::path::{Path, PathBuf};

use gix::bstr::ByteSlice;

use crate::id::CommitId;
use crate::version::{Version, release_version};

/// Errors of [`Repo`]'s reading operations.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The path is not inside a git repository.
    #[error("{path} is not a git repository: {message}")]
    NotARepo {
        /// The path given.
        path: PathBuf,
        /// gix's reason.
        message: String,
    },
    /// A revision did not resolve.
    #[error("unknown revision {rev:?}: {message}")]
    UnknownRev {
        /// The revision as given.
        rev: String,
        /// gix's reason.
        message: String,
    },
    /// A revision resolved to something that does not peel to a commit (a tree, a blob).
    #[error("revision {rev:?} is not a commit: {message}")]
    NotACommit {
        /// The revision as given.
        rev: String,
        /// gix's reason.
        message: String,
    },
    /// A commit object could not be read or decoded.
    #[error("cannot read commit {id}: {message}")]
    ReadCommit {
        /// The commit.
        id: CommitId,
        /// gix's reason.
        message: String,
    },
    /// Ancestry could not be computed.
    #[error("cannot tell whether {ancestor} is an ancestor of {descendant}: {message}")]
    Ancestry {
        /// The would-be ancestor.
        ancestor: CommitId,
        /// The would-be descendant.
        descendant: CommitId,
        /// gix's reason.
        message: String,
    },
    /// The tag references could not be listed.
    #[error("cannot list tags: {message}")]
    Tags {
        /// gix's reason.
        message: String,
    },
    /// `git show` failed.
    #[error("`{command}` failed: {detail}")]
    Show {
        /// The command line.
        command: String,
        /// Exit status and the end of stderr.
        detail: String,
    },
    /// Another read through the `git` CLI failed (it did not start, or exited non-zero: for
    /// example an unknown commit, or a path the commit does not have).
    #[error("`{command}` failed: {detail}")]
    Git {
        /// The command line.
        command: String,
        /// Exit status and the end of stderr.
        detail: String,
    },
}

impl From<crate::cli::Failure> for Error {
    fn from(f: crate::cli::Failure) -> Error {
        Error::Git {
            command: f.command,
            detail: f.detail,
        }
    }
}

/// An open repository (read-only).
pub struct Repo {
    pub(crate) repo: gix::Repository,
}

/// Metadata of one commit, as culprit logs and mails it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitInfo {
    /// The commit.
    pub id: CommitId,
    /// Hash of its root tree (lowercase hex): two commits with the same tree build the same.
    pub tree: String,
    /// Its parents in git order.
    pub parents: Vec<CommitId>,
    /// The subject as `git log --format=%s` gives it (first paragraph joined into one line).
    pub subject: String,
    /// Author name.
    pub author_name: String,
    /// Author e-mail as written (not lowercased).
    pub author_email: String,
    /// Author date as `git log`'s default `Date:` line shows it, e.g.
    /// `Fri Mar 10 16:03:32 2023 -0600`.
    pub author_date: String,
    /// Committer timestamp (seconds since the epoch).
    pub committer_time: i64,
    /// The whole message.
    pub message: String,
}

/// A release tag: its name, parsed version and commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReleaseTag {
    /// Tag name without `refs/tags/`.
    pub name: String,
    /// The version parsed from the name.
    pub version: Version,
    /// The commit it peels to.
    pub commit: CommitId,
}

impl Repo {
    /// Open the repository containing `path` (a work tree, a subdirectory of one, or a git dir).
    pub fn open(path: &Path) -> Result<Repo, Error> {
        let mut repo = gix::discover(path).map_err(|e| Error::NotARepo {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        // Commit metadata is read repeatedly for the same few commits (log lines, tags).
        repo.object_cache_size_if_unset(16 << 20);
        Ok(Repo { repo })
    }

    /// The work tree, if the repository has one.
    pub fn workdir(&self) -> Option<&Path> {
        self.repo.workdir()
    }

    /// The git directory (`.git`, or the repository itself when bare).
    pub fn git_dir(&self) -> &Path {
        self.repo.git_dir()
    }

    /// The common git directory (differs from [`Repo::git_dir`] in a linked worktree): where the
    /// objects and shared refs live.
    pub fn common_dir(&self) -> &Path {
        self.repo.common_dir()
    }

    /// culprit's default state directory for this repository: `culprit` in the common git
    /// directory (`.git/culprit`), shared by all linked worktrees. Nothing is created here.
    pub fn default_state_dir(&self) -> PathBuf {
        // A linked worktree names the common dir as `.git/worktrees/<name>/../..`.
        let common = self.common_dir();
        common
            .canonicalize()
            .unwrap_or_else(|_| common.to_path_buf())
            .join("culprit")
    }

    /// Resolve a revision (`HEAD`, a branch, a tag, a hash or prefix, `v6.1~3`, ...) to the commit it
    /// peels to.
    pub fn resolve(&self, rev: &str) -> Result<CommitId, Error> {
        let id = self
            .repo
            .rev_parse_single(rev)
            .map_err(|e| Error::UnknownRev {
                rev: rev.to_string(),
                message: e.to_string(),
            })?;
        let commit = id
            .object()
            .and_then(|object| object.peel_to_commit())
            .map_err(|e| Error::NotACommit {
                rev: rev.to_string(),
                message: e.to_string(),
            })?;
        Ok(CommitId(commit.id))
    }

    /// Whether `ancestor` is reachable from `descendant` (a commit is its own ancestor), like
    /// `git merge-base --is-ancestor`.
    pub fn is_ancestor(&self, ancestor: CommitId, descendant: CommitId) -> Result<bool, Error> {
        if ancestor == descendant {
            return Ok(true);
        }
        let base = self
            .repo
            .merge_base(ancestor.0, descendant.0)
            .map_err(|e| Error::Ancestry {
                ancestor,
                descendant,
                message: e.to_string(),
            })?;
        // When `ancestor` is reachable from `descendant` it is their only best merge base.
        Ok(base.is_some_and(|base| base.detach() == ancestor.0))
    }

    /// Every tag (name without `refs/tags/`) whose target peels to a commit, sorted by name. Tags of
    /// trees or blobs are left out.
    pub fn tags(&self) -> Result<Vec<(String, CommitId)>, Error> {
        let tags_error = |e: gix::Error| Error::Tags {
            message: e.to_string(),
        };
        let platform = self.repo.references().map_err(tags_error)?;
        let mut tags = Vec::new();
        for reference in platform.tags().map_err(tags_error)? {
            let Ok(mut reference) = reference else {
                continue;
            };
            let name = reference.name().shorten().to_str_lossy().into_owned();
            let Ok(target) = reference.peel_to_id() else {
                continue;
            };
            let target = target.detach();
            let is_commit = self
                .repo
                .find_header(target)
                .is_ok_and(|header| header.kind() == gix::objs::Kind::Commit);
            if is_commit {
                tags.push((name, CommitId(target)));
            }
        }
        tags.sort();
        Ok(tags)
    }

    /// Release tags strictly before `commit`, newest version first, as syzbot's release search
    /// wants them: tags whose name is a release version ([`release_version`]) and whose commit is
    /// a proper ancestor of `commit` (a tag on `commit` itself is excluded).
    pub fn release_tags(
        &self,
        graph: &crate::Graph,
        commit: CommitId,
    ) -> Result<Vec<ReleaseTag>, Error> {
        let Some(start) = graph.index_of(commit) else {
            return Ok(Vec::new());
        };
        let reachable = graph.ancestors(start);
        let mut releases: Vec<ReleaseTag> = self
            .tags()?
            .into_iter()
            .filter(|(_, tagged)| *tagged != commit)
            .filter(|(_, tagged)| {
                graph
                    .index_of(*tagged)
                    .is_some_and(|i| reachable[i as usize])
            })
            .filter_map(|(name, tagged)| {
                release_version(&name).map(|version| ReleaseTag {
                    name,
                    version,
                    commit: tagged,
                })
            })
            .collect();
        releases.sort_by(|a, b| b.version.cmp(&a.version).then_with(|| a.name.cmp(&b.name)));
        Ok(releases)
    }

    /// Read a commit's metadata.
    pub fn commit_info(&self, id: CommitId) -> Result<CommitInfo, Error> {
        let read_error = |e: gix::Error| Error::ReadCommit {
            id,
            message: e.to_string(),
        };
        let commit = self.repo.find_commit(id.0).map_err(read_error)?;
        let decoded = commit.decode().map_err(read_error)?;
        let author = decoded.author().map_err(read_error)?.trim();
        let committer = decoded.committer().map_err(read_error)?;
        let author_date = author
            .time()
            .map_err(read_error)?
            .format_or_unix(gix::date::time::format::DEFAULT);
        let message = decoded.message.to_str_lossy().into_owned();
        let subject = gix::objs::commit::MessageRef::from_bytes(decoded.message)
            .summary()
            .to_str_lossy()
            .into_owned();
        Ok(CommitInfo {
            id,
            tree: decoded.tree().to_string(),
            parents: decoded.parents().map(CommitId).collect(),
            subject,
            author_name: author.name.to_str_lossy().into_owned(),
            author_email: author.email.to_str_lossy().into_owned(),
            author_date,
            committer_time: committer.seconds(),
            message,
        })
    }

    /// The root tree of a commit (lowercase hex).
    pub fn tree_id(&self, id: CommitId) -> Result<String, Error> {
        let commit = self.repo.find_commit(id.0).map_err(|e| Error::ReadCommit {
            id,
            message: e.to_string(),
        })?;
        let tree = commit.tree_id().map_err(|e| Error::ReadCommit {
            id,
            message: e.to_string(),
        })?;
        Ok(tree.to_string())
    }

    /// The text `git show --stat --summary` prints for the commit (header, indented message,
    /// diffstat, summary of created/deleted files), as in syzbot's "is the first bad commit" block.
    /// Settings of the user that would change that text (colour, decorations, a custom pretty
    /// format, signature display) are overridden.
    pub fn show_commit(&self, id: CommitId) -> Result<String, Error> {
        let mut cmd = crate::cli::git(self.git_dir());
        cmd.args([
            "-c",
            "color.ui=never",
            "show",
            "--no-color",
            "--no-decorate",
            "--no-show-signature",
            "--pretty=medium",
            "--stat",
            "--summary",
        ])
        .arg(id.to_hex());
        let output = crate::cli::run(&mut cmd).map_err(|f| Error::Show {
            command: f.command,
            detail: f.detail,
        })?;
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// The names of the tags matching `pattern` (a glob, as `git tag --list` takes it, e.g. `v*`)
    /// that point at `id` or one of its ancestors (`git tag --merged`), in git's order.
    pub fn tags_merged_into(&self, id: CommitId, pattern: &str) -> Result<Vec<String>, Error> {
        let text = self.read(&["tag", "--merged", &id.to_hex(), "--list", pattern])?;
        Ok(text.lines().map(|l| l.trim().to_string()).collect())
    }

    /// The content of the file `path` (relative to the root) in commit `id`, as text (invalid
    /// UTF-8 replaced): `git show ID:PATH`. An error when the commit has no such file.
    pub fn file_at(&self, id: CommitId, path: &str) -> Result<String, Error> {
        self.read(&["show", &format!("{}:{path}", id.to_hex())])
    }

    /// Every directory of commit `id`'s tree, recursively, as paths from the root without a
    /// trailing `/` (`git ls-tree -r -d --name-only`: unusual names come quoted as git quotes
    /// them).
    pub fn dirs_at(&self, id: CommitId) -> Result<Vec<String>, Error> {
        let text = self.read(&["ls-tree", "-r", "-d", "--name-only", &id.to_hex()])?;
        Ok(text.lines().map(str::to_string).collect())
    }

    /// The paths commit `id` changes against its first parent (every path of a root commit),
    /// as `git diff-tree -r --root --name-only` lists them.
    pub fn changed_paths(&self, id: CommitId) -> Result<Vec<String>, Error> {
        let text = self.read(&[
            "diff-tree",
            "--no-commit-id",
            "-r",
            "--root",
            "--name-only",
            &id.to_hex(),
        ])?;
        Ok(text
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect())
    }

    /// The patch of commit `id` without its header (`git show --format=`), no colour and no
    /// external diff driver of the user.
    pub fn patch(&self, id: CommitId) -> Result<String, Error> {
        self.read(&[
            "show",
            "--format=",
            "--no-color",
            "--no-ext-diff",
            &id.to_hex(),
        ])
    }

    /// stdout (invalid UTF-8 replaced) of a read-only `git` command on this repository.
    fn read(&self, args: &[&str]) -> Result<String, Error> {
        let mut cmd = crate::cli::git(self.git_dir());
        cmd.args(args);
        let output = crate::cli::run(&mut cmd)?;
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }
}
