//! How much of a command's output its log file keeps.
//!
//! Per command: the first and last [`Keep`] bytes; whatever is between is cut and replaced by a
//! line that says how many bytes were cut, the size of the whole output and its SHA-256.
//!
//! Per directory: an [`OutputBudget`] registered for a directory (a state directory's logs)
//! counts what the log files under it hold; once it is spent, commands writing there keep only
//! [`Keep::MIN`] (enough for a crash report at the end or at the start of the output).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};

/// The bytes of a command's output its log file keeps: the first `head` and the last `tail`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Keep {
    /// Bytes kept from the start.
    pub head: u64,
    /// Bytes kept from the end.
    pub tail: u64,
}

impl Keep {
    /// The default per command: the first and the last MiB.
    pub const DEFAULT: Keep = Keep {
        head: 1 << 20,
        tail: 1 << 20,
    };
    /// What a command keeps once its directory's budget is spent: the first and last 64 KiB.
    pub const MIN: Keep = Keep {
        head: 64 << 10,
        tail: 64 << 10,
    };
    /// No cap.
    pub const ALL: Keep = Keep {
        head: u64::MAX,
        tail: 0,
    };

    /// Most bytes a log file keeps.
    pub fn total(&self) -> u64 {
        self.head.saturating_add(self.tail)
    }
}

#[derive(Debug)]
pub(crate) struct Inner {
    dir: PathBuf,
    limit: u64,
    used: AtomicU64,
    cut: AtomicU64,
    reduced: AtomicU64,
}

impl Inner {
    /// What a command writing under this directory may keep, at most `wanted`.
    pub(crate) fn allow(&self, wanted: Keep) -> Keep {
        let left = self.limit.saturating_sub(self.used.load(Ordering::SeqCst));
        if left >= wanted.total() {
            return wanted;
        }
        if left >= Keep::MIN.total() {
            Keep {
                head: left / 2,
                tail: left - left / 2,
            }
        } else {
            Keep {
                head: Keep::MIN.head.min(wanted.head),
                tail: Keep::MIN.tail.min(wanted.tail),
            }
        }
    }

    /// A command's log file is complete: `bytes` written, `cut` bytes of output left out,
    /// `kept` what it was allowed of the `wanted`.
    pub(crate) fn charge(&self, bytes: u64, cut: u64, kept: Keep, wanted: Keep) {
        self.used.fetch_add(bytes, Ordering::SeqCst);
        if cut > 0 {
            self.cut.fetch_add(1, Ordering::SeqCst);
            if kept != wanted {
                self.reduced.fetch_add(1, Ordering::SeqCst);
            }
        }
    }
}

type Registry = Mutex<HashMap<PathBuf, Weak<Inner>>>;

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(Registry::default)
}

/// The budget of the directory holding `log` (or of one of its ancestors), if one is registered.
pub(crate) fn budget_for(log: &Path) -> Option<Arc<Inner>> {
    let map = registry().lock().unwrap_or_else(|p| p.into_inner());
    log.ancestors()
        .skip(1)
        .find_map(|dir| map.get(dir).and_then(Weak::upgrade))
}

/// A cap on the bytes the log files under a directory hold, for as long as this value lives.
/// Commands whose log file is under the directory are charged what their file keeps.
#[derive(Debug)]
pub struct OutputBudget {
    inner: Arc<Inner>,
}

impl OutputBudget {
    /// Registers a budget of `limit` bytes for `dir`, counting the files already there (a
    /// resumed bisection's earlier logs).
    pub fn register(dir: &Path, limit: u64) -> OutputBudget {
        let inner = Arc::new(Inner {
            dir: dir.to_path_buf(),
            limit,
            used: AtomicU64::new(size_of_tree(dir)),
            cut: AtomicU64::new(0),
            reduced: AtomicU64::new(0),
        });
        registry()
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(dir.to_path_buf(), Arc::downgrade(&inner));
        OutputBudget { inner }
    }

    /// Bytes the log files under the directory hold (as counted).
    pub fn used(&self) -> u64 {
        self.inner.used.load(Ordering::SeqCst)
    }

    /// The limit.
    pub fn limit(&self) -> u64 {
        self.inner.limit
    }

    /// Commands whose output was cut (longer than what their file keeps).
    pub fn cut(&self) -> u64 {
        self.inner.cut.load(Ordering::SeqCst)
    }

    /// Commands whose output was cut shorter than it would have been without the budget.
    pub fn reduced(&self) -> u64 {
        self.inner.reduced.load(Ordering::SeqCst)
    }
}

impl Drop for OutputBudget {
    fn drop(&mut self) {
        let mut map = registry().lock().unwrap_or_else(|p| p.into_inner());
        if map
            .get(&self.inner.dir)
            .is_some_and(|w| w.as_ptr() == Arc::as_ptr(&self.inner))
        {
            map.remove(&self.inner.dir);
        }
    }
}

/// Bytes of the regular files under `dir` (0 when it cannot be read).
fn size_of_tree(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut total = 0u64;
    for e in entries.flatten() {
        let Ok(meta) = e.metadata() else { continue };
        if meta.is_dir() {
            total = total.saturating_add(size_of_tree(&e.path()));
        } else if meta.is_file() {
            total = total.saturating_add(meta.len());
        }
    }
    total
}
