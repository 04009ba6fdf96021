//! Who hears about a kernel culprit: the author and trailers, plus the maintainers, reviewers
//! and lists of the touched files from the culprit's own `MAINTAINERS`.

use std::path::Path;

use culprit_git::{CommitId, Repo};

/// Recipients of a kernel culprit (syzbot-bisection.md §9.1): the author and trailer addresses
/// (`base`, all To); when they are two or fewer, the maintainers, reviewers and lists of the
/// files the commit touches, from the `MAINTAINERS` file of the commit's own tree, split To/Cc
/// the way syzbot splits get_maintainer's roles. Without a `MAINTAINERS` file (not a kernel tree)
/// `base` is returned as is. (syzbot's `--git-blame` fallback for fewer than three entries is not
/// done: culprit does not guess recipients from history.)
pub(crate) fn recipients(
    git_dir: &Path,
    commit: &str,
    base: culprit_git::Recipients,
) -> culprit_git::Recipients {
    if base.to.len() > 2 {
        return base;
    }
    // Not a kernel tree, or anything git cannot read: the recipients stay as they are.
    let Ok(id) = commit.parse::<CommitId>() else {
        return base;
    };
    let Ok(repo) = Repo::open(git_dir) else {
        return base;
    };
    let Ok(text) = repo.file_at(id, "MAINTAINERS") else {
        return base;
    };
    let dirs: std::collections::HashSet<String> =
        repo.dirs_at(id).unwrap_or_default().into_iter().collect();
    let files_list = repo.changed_paths(id).unwrap_or_default();
    let files: Vec<&str> = files_list.iter().map(String::as_str).collect();
    let patch = repo.patch(id).ok();
    let maintainers = culprit_maintainers::Maintainers::parse_with_dirs(&text, |p| {
        dirs.contains(p.trim_end_matches('/'))
    });
    let found = maintainers.recipients(&files, patch.as_deref());
    let split = culprit_maintainers::split_recipients(&found);
    let mut to = base.to;
    to.extend(split.to);
    to.sort();
    to.dedup();
    let mut cc: Vec<String> = base.cc.into_iter().chain(split.cc).collect();
    cc.sort();
    cc.dedup();
    cc.retain(|c| to.binary_search(c).is_err());
    culprit_git::Recipients { to, cc }
}
