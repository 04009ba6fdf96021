//! The output of a command: to the log file up to its cap (the first and last bytes, with a line
//! where the middle was cut), the first and last bytes in memory, a SHA-256 of all of it.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use crate::budget::Keep;

/// What a reader thread has seen so far.
#[derive(Default)]
pub(crate) struct Capture {
    pub(crate) head: Vec<u8>,
    pub(crate) tail: VecDeque<u8>,
    pub(crate) bytes: u64,
    /// Bytes of output left out of the log file (0 when it holds everything).
    pub(crate) cut: u64,
    /// Bytes written to the log file.
    pub(crate) written: u64,
    /// SHA-256 of the whole output (hex), once the output has ended.
    pub(crate) sha256: Option<String>,
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

/// Limits of one capture.
#[derive(Clone, Copy)]
pub(crate) struct Limits {
    /// Bytes of the start and of the end kept in memory.
    pub(crate) head: usize,
    pub(crate) tail: usize,
    /// What the log file keeps.
    pub(crate) file: Keep,
}

/// Appends `chunk` to `ring`, keeping at most `limit` bytes; returns how many bytes fell out.
fn push_bounded(ring: &mut VecDeque<u8>, chunk: &[u8], limit: usize) -> u64 {
    let keep = &chunk[chunk.len().saturating_sub(limit)..];
    let skipped = (chunk.len() - keep.len()) as u64;
    ring.extend(keep);
    let excess = ring.len().saturating_sub(limit);
    ring.drain(..excess);
    skipped + excess as u64
}

/// Copy `pipe` to `log` until end of file, keeping what `limits` say in the file and in
/// `shared`.
pub(crate) fn pump(mut pipe: impl Read, mut log: File, shared: Shared, limits: Limits) {
    let mut buf = vec![0u8; 64 * 1024];
    let mut hash = Sha256::new();
    // Output past the file's head, waiting to be the file's tail.
    let mut file_tail: VecDeque<u8> = VecDeque::new();
    let file_tail_limit = usize::try_from(limits.file.tail).unwrap_or(usize::MAX);
    let mut in_head: u64 = 0;
    let mut cut: u64 = 0;
    let write = |log: &mut File, bytes: &[u8], shared: &Shared| {
        let result = log.write_all(bytes);
        let mut capture = lock(shared);
        match result {
            Ok(()) => capture.written += bytes.len() as u64,
            Err(e) => {
                capture.log_error.get_or_insert(e);
            }
        }
    };
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
        hash.update(chunk);
        let room = usize::try_from(limits.file.head.saturating_sub(in_head)).unwrap_or(usize::MAX);
        let (to_file, rest) = chunk.split_at(room.min(n));
        if !to_file.is_empty() {
            write(&mut log, to_file, &shared);
            in_head += to_file.len() as u64;
        }
        if !rest.is_empty() {
            cut += push_bounded(&mut file_tail, rest, file_tail_limit);
        }
        let mut capture = lock(&shared);
        capture.bytes += n as u64;
        let room = limits.head.saturating_sub(capture.head.len());
        capture.head.extend_from_slice(&chunk[..room.min(n)]);
        push_bounded(&mut capture.tail, chunk, limits.tail);
    }
    let sha256: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    if cut > 0 {
        let total = lock(&shared).bytes;
        let note = format!(
            "\n[culprit: {cut} bytes of output cut here: the first {in_head} and the last {} bytes are kept; the whole output was {total} bytes, sha256 {sha256}]\n",
            file_tail.len()
        );
        write(&mut log, note.as_bytes(), &shared);
    }
    let (a, b) = file_tail.as_slices();
    for part in [a, b] {
        if !part.is_empty() {
            write(&mut log, part, &shared);
        }
    }
    let flushed = log.flush();
    let mut capture = lock(&shared);
    if let Err(e) = flushed {
        capture.log_error.get_or_insert(e);
    }
    capture.cut = cut;
    capture.sha256 = Some(sha256);
}
