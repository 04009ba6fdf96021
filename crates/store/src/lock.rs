//! [`StateLock`]: one culprit process per state directory.
//!
//! An advisory `flock` on `<dir>/lock`, whose content is the owner's pid. The kernel drops the
//! lock when its owner dies, however it dies, so a lock file left by a killed process is simply
//! taken over; its pid is reported so the caller can say so.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg};

/// Errors of [`StateLock::acquire`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Another live process holds the lock.
    #[error("state directory {path} is locked by pid {}", pid.map_or("(unknown)".to_string(), |p| p.to_string()))]
    Locked {
        /// The state directory.
        path: PathBuf,
        /// The owner's pid, as written in the lock file.
        pid: Option<u32>,
    },
    /// The lock file could not be created, locked or written.
    #[error("cannot lock state directory {path}: {source}")]
    Io {
        /// The lock file.
        path: PathBuf,
        /// The IO error.
        source: std::io::Error,
    },
}

/// The held lock; released when dropped (the pid is cleared first, so the next owner does not
/// report a takeover).
#[derive(Debug)]
pub struct StateLock {
    file: Flock<File>,
    path: PathBuf,
    previous: Option<u32>,
}

impl StateLock {
    /// Take the lock of state directory `dir` (which must exist).
    pub fn acquire(dir: &Path) -> Result<StateLock, Error> {
        let path = dir.join("lock");
        let io = |source| Error::Io {
            path: path.clone(),
            source,
        };
        let file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        let mut file = match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
            Ok(locked) => locked,
            Err((mut file, Errno::EWOULDBLOCK)) => {
                return Err(Error::Locked {
                    path: dir.to_path_buf(),
                    pid: read_pid(&mut file),
                });
            }
            Err((_, errno)) => return Err(io(errno.into())),
        };
        let previous = read_pid(&mut file).filter(|&pid| pid != std::process::id());
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        writeln!(file, "{}", std::process::id()).map_err(io)?;
        file.sync_all().map_err(io)?;
        Ok(StateLock {
            file,
            path,
            previous,
        })
    }

    /// The pid written by a previous owner that died without releasing cleanly (killed, crashed):
    /// its lock was taken over.
    pub fn took_over_from(&self) -> Option<u32> {
        self.previous
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for StateLock {
    fn drop(&mut self) {
        let _ = self.file.set_len(0);
    }
}

fn read_pid(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.rewind().ok()?;
    file.read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}
