//! What a kernel bisection keeps for the next ones (`--cache DIR`): built kernels (in
//! `culprit-kbuild`'s kernel cache, `DIR/kernels`) and, per repository, the checkouts with their
//! build directories (`DIR/worktrees/KEY/slot-N`), so the next bisection of the same tree starts from
//! incremental builds instead of a fresh checkout and a full build.

use std::path::{Path, PathBuf};

use crate::{Bad, Error};

/// Default size cap of the kernel cache: 10 GiB (about 700 tiny kernels with their vmlinux, a
/// dozen distribution kernels with debug info).
pub const DEFAULT_CACHE_BYTES: u64 = 10 << 30;

/// The default cache directory: `$XDG_CACHE_HOME/culprit`, else `$HOME/.cache/culprit`.
pub fn default_cache_dir() -> Option<PathBuf> {
    let xdg = std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty());
    match xdg {
        Some(x) => Some(PathBuf::from(x).join("culprit")),
        None => std::env::var_os("HOME")
            .filter(|v| !v.is_empty())
            .map(|h| PathBuf::from(h).join(".cache").join("culprit")),
    }
}

/// A directory of kept slots (`slot-N/src` checkouts, `slot-N/build` build directories), used by
/// one bisection at a time.
#[derive(Debug)]
pub struct Workspace {
    pub dir: PathBuf,
    _lock: culprit_store::StateLock,
}

/// Locks `CACHE/worktrees/KEY` (KEY from the repository's path) for this bisection. When another
/// culprit holds it, `None`: this bisection checks out and builds in its state directory. Once
/// held, any process still working inside it was left by a killed culprit and is stopped.
pub(super) fn take_workspace(cache: &Path, git_dir: &Path) -> Result<Option<Workspace>, Error> {
    let canonical = git_dir
        .canonicalize()
        .unwrap_or_else(|_| git_dir.to_path_buf());
    let key = format!(
        "{:016x}",
        crate::hash::hash_str(&canonical.to_string_lossy())
    );
    let dir = cache.join("worktrees").join(key);
    std::fs::create_dir_all(&dir).map_err(|source| Bad::CacheDir {
        cache: cache.to_path_buf(),
        dir: dir.clone(),
        source,
    })?;
    match culprit_store::StateLock::acquire(&dir) {
        Ok(lock) => {
            crate::strays::kill_strays(&dir);
            Ok(Some(Workspace { dir, _lock: lock }))
        }
        Err(culprit_store::LockError::Locked { .. }) => Ok(None),
        Err(e) => Err(Error::Store(e.into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_bisection_at_a_time_per_repository() {
        let cache = tempfile::tempdir().expect("tempdir");
        let repo = tempfile::tempdir().expect("tempdir");
        let other = tempfile::tempdir().expect("tempdir");
        let first = take_workspace(cache.path(), repo.path())
            .expect("no error")
            .expect("free");
        // Held: a second bisection of the same repository builds elsewhere.
        assert!(
            take_workspace(cache.path(), repo.path())
                .expect("no error")
                .is_none()
        );
        // Another repository has its own.
        let third = take_workspace(cache.path(), other.path())
            .expect("no error")
            .expect("free");
        assert_ne!(first.dir, third.dir);
        drop(first);
        let again = take_workspace(cache.path(), repo.path())
            .expect("no error")
            .expect("free once released");
        assert_eq!(again.dir.parent(), third.dir.parent());
    }
}
