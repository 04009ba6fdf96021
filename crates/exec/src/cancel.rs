//! [`Cancel`]: a cancellation token that also knows every live process group started under it.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use nix::sys::signal::{SigHandler, Signal, killpg};
use nix::unistd::Pid;

/// Errors of [`Cancel::install`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Another Ctrl-C handler is installed already (by someone else than this crate).
    #[error("cannot install the Ctrl-C handler: {0}")]
    Handler(String),
}

/// A cancellation token. Clones share the same state. Commands run under a token register their
/// process group with it; [`Cancel::cancel`] sends SIGTERM to every registered group at once, and
/// each waiting command then finishes the kill (SIGKILL after its grace period) and reports
/// [`crate::Status::Cancelled`].
#[derive(Clone, Default)]
pub struct Cancel {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    cancelled: AtomicBool,
    groups: Mutex<HashSet<i32>>,
    escaped: AtomicUsize,
}

static PROCESS_WIDE: OnceLock<Cancel> = OnceLock::new();

impl Cancel {
    /// A fresh token, not cancelled, not tied to any signal.
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// The process-wide token, cancelled by Ctrl-C (SIGINT), SIGTERM and SIGHUP. The handler is
    /// installed on the first call; later calls return the same token. A second signal after
    /// cancellation SIGKILLs every live group and exits with status 130.
    pub fn install() -> Result<Cancel, Error> {
        if let Some(token) = PROCESS_WIDE.get() {
            return Ok(token.clone());
        }
        let token = Cancel::new();
        let handler_token = token.clone();
        // A signal ignored by whoever started culprit stays ignored (a script's `culprit ... &`
        // ignores SIGINT, nohup SIGHUP); ctrlc refuses to install over an ignored signal, so it
        // is set back to the default for the install and ignored again after.
        let ignored = ignored_signals();
        for &sig in &ignored {
            set_disposition(sig, SigHandler::SigDfl);
        }
        let installed = ctrlc::try_set_handler(move || {
            if handler_token.is_cancelled() {
                handler_token.signal_all(Signal::SIGKILL);
                // Processes that left their groups would outlive this exit.
                crate::escaped::stop_escaped();
                std::process::exit(130);
            }
            handler_token.cancel();
        });
        for &sig in &ignored {
            set_disposition(sig, SigHandler::SigIgn);
        }
        installed.map_err(|e| Error::Handler(e.to_string()))?;
        // Only the first caller gets here successfully: `try_set_handler` fails on a second call.
        Ok(PROCESS_WIDE.get_or_init(|| token).clone())
    }

    /// Cancel: every command started under this token afterwards reports cancelled at once, and
    /// every live one is sent SIGTERM now.
    pub fn cancel(&self) {
        self.inner.cancelled.store(true, Ordering::SeqCst);
        self.signal_all(Signal::SIGTERM);
    }

    /// Whether [`Cancel::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.inner.cancelled.load(Ordering::SeqCst)
    }

    /// Number of live process groups registered (for tests and progress displays).
    pub fn live_groups(&self) -> usize {
        self.groups().len()
    }

    /// Processes that had left the group of a command started under this token and were killed
    /// when it ended (see [`crate::Outcome::escaped`]).
    pub fn escaped(&self) -> usize {
        self.inner.escaped.load(Ordering::SeqCst)
    }

    pub(crate) fn add_escaped(&self, n: usize) {
        self.inner.escaped.fetch_add(n, Ordering::SeqCst);
    }

    /// Register a live group. Returns `false` (and does not register) when already cancelled: the
    /// caller must kill the group itself.
    pub(crate) fn register(&self, pgid: i32) -> bool {
        let mut groups = self.groups();
        // Checked under the lock: a concurrent `cancel` either sees this group or we see its flag.
        if self.is_cancelled() {
            return false;
        }
        groups.insert(pgid);
        true
    }

    pub(crate) fn unregister(&self, pgid: i32) {
        self.groups().remove(&pgid);
    }

    fn signal_all(&self, signal: Signal) {
        for &pgid in self.groups().iter() {
            let _ = killpg(Pid::from_raw(pgid), signal);
        }
    }

    fn groups(&self) -> std::sync::MutexGuard<'_, HashSet<i32>> {
        // A panic while holding this lock cannot leave the set inconsistent: keep using it.
        self.inner
            .groups
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The signals ctrlc handles (SIGINT, SIGTERM, SIGHUP) that this process ignores, read from
/// `/proc/self/status` (`SigIgn:`, a hex mask with bit N-1 for signal N); none elsewhere.
fn ignored_signals() -> Vec<Signal> {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return Vec::new();
    };
    let mask = status
        .lines()
        .find_map(|l| l.strip_prefix("SigIgn:"))
        .and_then(|m| u64::from_str_radix(m.trim(), 16).ok())
        .unwrap_or(0);
    [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP]
        .into_iter()
        .filter(|&s| mask & (1u64 << (s as i32 - 1)) != 0)
        .collect()
}

/// Sets `sig` to the default action or to ignored.
#[allow(unsafe_code)]
fn set_disposition(sig: Signal, handler: SigHandler) {
    debug_assert!(matches!(handler, SigHandler::SigDfl | SigHandler::SigIgn));
    // SAFETY: `signal` is unsafe because a handler function must be async-signal-safe; the
    // default action and "ignore" run no code of ours.
    let _ = unsafe { nix::sys::signal::signal(sig, handler) };
}
