//! The output of a command: everything to the log file, the first and last bytes in memory.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};

/// What a reader thread has seen so far.
#[derive(Default)]
pub(crate) struct Capture {
    pub(crate) head: Vec<u8>,
    pub(crate) tail: VecDeque<u8>,
    pub(crate) bytes: u64,
    /// The first error writing the log (reading goes on so the command never blocks on a full
    /// pipe).
    pub(crate) log_error: Option<std::io::Error>,
}

pub(crate) type Shared = Arc<Mutex<Capture>>;

pub(crate) fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, Capture> {
    // The reader never panics while holding the lock; if it did, the data is still usable.
    shared
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Copy `pipe` to `log` until end of file, keeping up to `head_limit` first and `tail_limit`
/// last bytes in `shared`.
pub(crate) fn pump(
    mut pipe: impl Read,
    mut log: File,
    shared: Shared,
    head_limit: usize,
    tail_limit: usize,
) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match pipe.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                lock(&shared).log_error.get_or_insert(e);
                break;
            }
        };
        let chunk = &buf[..n];
        let write_result = log.write_all(chunk);
        let mut capture = lock(&shared);
        if let Err(e) = write_result {
            capture.log_error.get_or_insert(e);
        }
        capture.bytes += n as u64;
        let room = head_limit.saturating_sub(capture.head.len());
        capture.head.extend_from_slice(&chunk[..room.min(n)]);
        let keep = &chunk[n.saturating_sub(tail_limit)..];
        capture.tail.extend(keep);
        let excess = capture.tail.len().saturating_sub(tail_limit);
        capture.tail.drain(..excess);
    }
    if let Err(e) = log.flush() {
        lock(&shared).log_error.get_or_insert(e);
    }
}
