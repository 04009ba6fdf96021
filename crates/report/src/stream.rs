//! The representative crash of a log read as a stream, in bounded memory: a 1 GB console log
//! is scanned chunk by chunk; only a window around the first crash is kept and parsed, and the
//! facts about the whole log (panicked, suppressed, where the crash region ends) are collected
//! on the way. Plain test output (not a kernel console) is small and read whole.

use std::io::Read;

use memchr::memmem;

use crate::compiled::TABLES;
use crate::{LogFacts, Report, finish, kernel, looks_like_kernel};

/// Bytes read at a time.
const CHUNK: usize = 8 << 20;
/// Log kept before the crash line (prefix lines).
const BACK: usize = 256 << 10;
/// Log kept after the crash line (the report window is bounded by `kernel::MAX_REPORT_SCAN`).
const AHEAD: usize = 17 << 20;

/// Like [`crate::first`] on everything `r` yields, with memory bounded by a few tens of MB.
pub fn first_from_reader<R: Read>(r: R) -> std::io::Result<Option<Report>> {
    first_with(r, CHUNK, BACK, AHEAD)
}

fn fill<R: Read>(r: &mut R, buf: &mut Vec<u8>, want: usize) -> std::io::Result<bool> {
    let start = buf.len();
    buf.resize(start + want, 0);
    let mut got = 0;
    while got < want {
        let n = r.read(&mut buf[start + got..])?;
        if n == 0 {
            buf.truncate(start + got);
            return Ok(true);
        }
        got += n;
    }
    Ok(false)
}

/// Facts gathered over complete lines of the stream.
#[derive(Default)]
struct Seen {
    panic: bool,
    suppressed: bool,
    vm_disconnected: bool,
}

impl Seen {
    fn scan(&mut self, lines: &[u8]) {
        self.panic |= memmem::find(lines, b"Kernel panic - not syncing").is_some();
        self.vm_disconnected |= memmem::find(lines, b"serialport: VM disconnected.").is_some();
        self.suppressed |= TABLES.suppressions.is_match(lines);
    }
}

/// End of the last complete line in `buf` (everything when at end of file).
fn complete_len(buf: &[u8], eof: bool) -> usize {
    if eof {
        buf.len()
    } else {
        memchr::memrchr(b'\n', buf).map_or(0, |i| i + 1)
    }
}

/// The first line start at or after `pos`.
fn next_line_start(buf: &[u8], pos: usize) -> usize {
    if pos == 0 {
        return 0;
    }
    memchr::memchr(b'\n', &buf[pos - 1..]).map_or(buf.len(), |i| pos + i)
}

/// Read a chunk and scan the new bytes (with some overlap) for whole-log facts.
fn more<R: Read>(
    r: &mut R,
    buf: &mut Vec<u8>,
    chunk: usize,
    seen: &mut Seen,
) -> std::io::Result<bool> {
    let before = buf.len();
    let eof = fill(r, buf, chunk)?;
    seen.scan(&buf[before.saturating_sub(1 << 16)..]);
    Ok(eof)
}

pub(crate) fn first_with<R: Read>(
    mut r: R,
    chunk: usize,
    back: usize,
    ahead: usize,
) -> std::io::Result<Option<Report>> {
    let mut buf: Vec<u8> = Vec::new();
    let mut eof = fill(&mut r, &mut buf, chunk)?;
    if !looks_like_kernel(&buf) {
        // Test output: small, and user-space reports need the whole text.
        if !eof {
            r.read_to_end(&mut buf)?;
        }
        return Ok(crate::first(&buf));
    }
    let mut seen = Seen::default();
    seen.scan(&buf);
    let mut base = 0usize; // log offset of buf[0]
    let mut search = 0usize; // where (in buf) the next crash line is looked for
    loop {
        let complete = complete_len(&buf, eof);
        // A crash line counts once the line after it is here too (replay rule).
        let found = kernel::find_crash(&buf[..complete], search.min(complete), true)
            .filter(|(l, _)| eof || l.end + 1 < complete)
            .map(|(l, _)| l.start);
        let Some(p) = found else {
            if eof {
                return Ok(None);
            }
            // Keep `back` bytes of whole lines for prefix lines, and the unfinished line.
            let keep = next_line_start(
                &buf,
                complete.saturating_sub(back).max(search.min(complete)),
            );
            let keep = keep.min(complete);
            buf.drain(..keep);
            base += keep;
            search = complete - keep;
            // Re-check the last complete line once its successor is here.
            search = search.saturating_sub(1);
            search = memchr::memrchr(b'\n', &buf[..search]).map_or(0, |i| i + 1);
            eof = more(&mut r, &mut buf, chunk, &mut seen)?;
            continue;
        };
        while !eof && buf.len() < p + ahead {
            eof = more(&mut r, &mut buf, chunk, &mut seen)?;
        }
        let wstart = next_line_start(&buf, p.saturating_sub(back)).min(p);
        let wend = complete_len(
            &buf[..buf.len().min(p + ahead)],
            eof && buf.len() <= p + ahead,
        );
        let wend = wend.max(p);
        let window = &buf[wstart..wend];
        let Some(f) = kernel::parse_from(window, 0, true) else {
            // Nothing in the window qualifies (untitled lines of plain test output): go on
            // after it.
            search = wend;
            continue;
        };
        let facts = LogFacts::new(window);
        let mut rep = finish(window, f, 0, window.len(), &facts);
        rep.start += base + wstart;
        let mut end_abs = base + wstart + rep.end;
        // The region ends at the last marker line of the whole log.
        let mut pos = wend;
        loop {
            let complete = complete_len(&buf, eof);
            while pos < complete {
                match kernel::find_crash(&buf[..complete], pos, false) {
                    Some((l, _)) => {
                        end_abs = base + l.end;
                        pos = l.end + 1;
                    }
                    None => pos = complete,
                }
            }
            if eof {
                break;
            }
            let keep = pos.min(complete);
            buf.drain(..keep);
            base += keep;
            pos -= keep;
            eof = more(&mut r, &mut buf, chunk, &mut seen)?;
        }
        rep.end = end_abs;
        rep.panicked = seen.panic;
        rep.suppressed |= seen.suppressed;
        if seen.vm_disconnected && !rep.corrupted {
            rep.corrupted = true;
            rep.corrupted_reason = Some("VM disconnected (report likely cut)".into());
        }
        return Ok(Some(rep));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log_with_crash(noise_lines: usize) -> Vec<u8> {
        let mut log = Vec::new();
        for i in 0..noise_lines {
            log.extend_from_slice(format!("[{:5}.000000] usb 1-1: device {i}\n", i).as_bytes());
        }
        log.extend_from_slice(b"[   99.000000] BUG: KASAN: use-after-free in foo+0x1/0x2\n");
        log.extend_from_slice(
            b"[   99.000001] Read of size 8 at addr ffff888012345678 by task a/1\n",
        );
        for i in 0..noise_lines {
            log.extend_from_slice(
                format!("[{:5}.000000] usb 1-1: device {i}\n", 100 + i).as_bytes(),
            );
        }
        log.extend_from_slice(b"[  999.000000] Kernel panic - not syncing: Fatal exception\n");
        log.extend_from_slice(b"[  999.000001] the end\n");
        log
    }

    #[test]
    fn small_chunks_give_what_first_gives() {
        let log = log_with_crash(5000);
        let want = crate::first(&log).expect("a crash");
        for chunk in [1 << 10, 4 << 10, 64 << 10, 1 << 20] {
            let got = first_with(&log[..], chunk, 8 << 10, 64 << 10)
                .expect("reads")
                .expect("a crash");
            assert_eq!(got.title, want.title, "chunk {chunk}");
            assert_eq!(got.start, want.start, "chunk {chunk}");
            assert_eq!(got.end, want.end, "chunk {chunk}");
            assert_eq!(got.panicked, want.panicked, "chunk {chunk}");
            assert_eq!(got.corrupted, want.corrupted, "chunk {chunk}");
        }
    }

    const PIECES: &[&str] = &[
        "[    1.000000][ T1] usb 1-1: new device\n",
        "[    2.000000][ T2] BUG: KASAN: use-after-free in foo+0x1/0x2\n",
        "[    2.000001][ T2] Read of size 8 at addr ffff888012345678 by task a/1\n",
        "[    3.000000][ T3] WARNING: CPU: 0 PID: 3 at net/x.c:1 bar+0x1/0x2\n",
        "** replaying previous printk message **\n",
        "[    4.000000][ T1] Kernel panic - not syncing: Fatal exception\n",
        "[    5.000000][ T2] Call Trace:\n",
        "[    5.000001][ T2]  baz+0x1/0x2\n",
        "plain line without prefix\n",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 64, ..Default::default() })]
        #[test]
        fn streaming_agrees_with_first(
            parts in proptest::collection::vec(0..PIECES.len(), 0..400),
            chunk in 64usize..4096,
        ) {
            let mut log = Vec::new();
            for i in parts {
                log.extend_from_slice(PIECES[i].as_bytes());
            }
            let want = crate::first(&log);
            let got = first_with(&log[..], chunk, 1 << 12, 1 << 14).expect("reads");
            let key = |r: &Option<Report>| r.as_ref().map(|r| (r.title.clone(), r.start, r.end, r.panicked));
            proptest::prop_assert_eq!(key(&got), key(&want));
        }
    }

    #[test]
    fn clean_stream_has_no_crash() {
        let mut log = Vec::new();
        for i in 0..20000 {
            log.extend_from_slice(format!("[{:5}.000000] usb 1-1: device {i}\n", i).as_bytes());
        }
        assert!(
            first_with(&log[..], 4 << 10, 1 << 10, 16 << 10)
                .expect("reads")
                .is_none()
        );
    }
}
