//! Who hears about a kernel culprit: the author and trailers, plus the maintainers, reviewers
//! and lists of the touched files from the culprit's own `MAINTAINERS`.

use std::path::Path;

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
    let git = |args: &[&str]| -> Option<String> {
        let out = std::process::Command::new("git")
            .arg("--git-dir")
            .arg(git_dir)
            .args(args)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let Some(text) = git(&["show", &format!("{commit}:MAINTAINERS")]) else {
        return base;
    };
    let dirs: std::collections::HashSet<String> =
        git(&["ls-tree", "-r", "-d", "--name-only", commit])
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect();
    let files_text = git(&[
        "diff-tree",
        "--no-commit-id",
        "-r",
        "--root",
        "--name-only",
        commit,
    ])
    .unwrap_or_default();
    let files: Vec<&str> = files_text.lines().filter(|l| !l.is_empty()).collect();
    let patch = git(&["show", "--format=", "--no-color", "--no-ext-diff", commit]);
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
