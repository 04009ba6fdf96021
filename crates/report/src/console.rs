//! Console lines: splitting a log into lines, recognising the printk prefix
//! (`[  12.345678]`, `[ T123]`/`[ C1]` caller ids, dropped-message notes, glued login
//! prompts) and the line's context (which task, CPU or "console" printed it).
//!
//! Written by hand: the prefix grammar is tiny and this runs on every line of a report
//! window, so a byte scanner is both simpler and faster than a regex here.

use memchr::memmem;

/// One line of the log, with what the prefix tells about it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line<'a> {
    /// Offset of the first byte of the line in the log.
    pub start: usize,
    /// Offset one past the line's last byte (before its `\n`).
    pub end: usize,
    /// The whole raw line, without the newline.
    pub raw: &'a [u8],
    /// The line with the printk prefix stripped (the raw line when it has no context).
    pub text: &'a [u8],
    /// Context: the caller id (`T123`, `C1`), `console` for a bare timestamp, empty when
    /// the line has no printk prefix.
    pub ctx: &'a [u8],
    /// True when the context is a real caller id (`T..`/`C..`).
    pub caller_id: bool,
}

impl Line<'_> {
    /// Is this line an unreliable stack entry (` ? func`, PowerPC ` (unreliable)`)?
    pub fn questionable(&self) -> bool {
        if self.ctx.is_empty() {
            return false;
        }
        (memmem::find(self.raw, b" ? ").is_some() || self.raw.ends_with(b" (unreliable)"))
            && memmem::find(self.raw, b"<EOI>").is_none()
    }

    /// Is the context a task id (`T123`)?
    pub fn task_ctx(&self) -> bool {
        self.caller_id && self.ctx.first() == Some(&b'T')
    }

    /// Is the context a CPU id (`C1`)?
    pub fn cpu_ctx(&self) -> bool {
        self.caller_id && self.ctx.first() == Some(&b'C')
    }
}

/// Parse the line that starts at `start` in `log` (ending at `\n` or the end of the log).
pub(crate) fn line_at(log: &[u8], start: usize) -> Line<'_> {
    let end = memchr::memchr(b'\n', &log[start..]).map_or(log.len(), |i| start + i);
    parse_line(log, start, end)
}

/// Start of the line that contains offset `pos`.
pub(crate) fn line_start(log: &[u8], pos: usize) -> usize {
    memchr::memrchr(b'\n', &log[..pos]).map_or(0, |i| i + 1)
}

/// The line that ends just before `start` (which must be a line start > 0).
pub(crate) fn prev_line(log: &[u8], start: usize) -> Option<Line<'_>> {
    if start == 0 {
        return None;
    }
    let end = start - 1;
    let s = line_start(log, end);
    Some(parse_line(log, s, end))
}

/// Iterator over lines from a line start.
pub(crate) struct Lines<'a> {
    log: &'a [u8],
    pos: usize,
}

impl<'a> Lines<'a> {
    pub fn new(log: &'a [u8], pos: usize) -> Self {
        Lines { log, pos }
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = Line<'a>;
    fn next(&mut self) -> Option<Line<'a>> {
        if self.pos >= self.log.len() {
            return None;
        }
        let l = line_at(self.log, self.pos);
        self.pos = l.end + 1;
        Some(l)
    }
}

fn parse_line(log: &[u8], start: usize, end: usize) -> Line<'_> {
    let raw = &log[start..end];
    match prefix(raw) {
        Some((ctx, caller_id)) => {
            // Everything up to the first "] " goes.
            let text = memmem::find(raw, b"] ").map_or(raw, |i| &raw[i + 2..]);
            Line {
                start,
                end,
                raw,
                text,
                ctx,
                caller_id,
            }
        }
        None => Line {
            start,
            end,
            raw,
            text: raw,
            ctx: b"",
            caller_id: false,
        },
    }
}

const CONSOLE: &[u8] = b"console";

/// Recognise the printk prefix; returns the context and whether it is a caller id.
fn prefix(raw: &[u8]) -> Option<(&[u8], bool)> {
    let mut s = raw;
    if let Some(rest) = s.strip_prefix(b"** ")
        && let Some(i) = memmem::find(rest, b" printk messages dropped ** ")
        && rest[..i].iter().all(u8::is_ascii_digit)
    {
        s = &rest[i + b" printk messages dropped ** ".len()..];
    }
    // A getty prompt glued in front: anything up to " login: ".
    if !s.starts_with(b"[")
        && !s.starts_with(b"<")
        && let Some(i) = memmem::find(s, b" login: ")
    {
        s = &s[i + b" login: ".len()..];
    }
    if s.first() == Some(&b'<') {
        let n = s[1..].iter().take_while(|b| b.is_ascii_digit()).count();
        if n > 0 && s.get(1 + n) == Some(&b'>') {
            s = &s[n + 2..];
        }
    }
    // Timestamp: "[" spaces digits "." digits "]".
    let s = s.strip_prefix(b"[")?;
    let sp = s.iter().take_while(|&&b| b == b' ').count();
    let s = &s[sp..];
    let d1 = s.iter().take_while(|b| b.is_ascii_digit()).count();
    if d1 == 0 || s.get(d1) != Some(&b'.') {
        return None;
    }
    let s = &s[d1 + 1..];
    let d2 = s.iter().take_while(|b| b.is_ascii_digit()).count();
    if d2 == 0 || s.get(d2) != Some(&b']') {
        return None;
    }
    let s = &s[d2 + 1..];
    // Optional caller id "[ T123]" / "[    C1]"; either way the prefix ends with a space (a
    // bare "[  12.345678]" line is not prefixed: its context is empty).
    if let Some(c) = s.strip_prefix(b"[") {
        let sp = c.iter().take_while(|&&b| b == b' ').count();
        let c = &c[sp..];
        if matches!(c.first(), Some(b'T' | b'C')) {
            let n = c[1..].iter().take_while(|b| b.is_ascii_digit()).count();
            if n > 0 && c.get(1 + n) == Some(&b']') && c.get(2 + n) == Some(&b' ') {
                return Some((&c[..1 + n], true));
            }
        }
    }
    (s.first() == Some(&b' ')).then_some((CONSOLE, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        let log = b"[   12.345678][ T4242] BUG: x\n[  1.0] hello\nplain\n** 3 printk messages dropped ** [ 2.5][    C1] y\nsyzkaller login: [ 3.1] z\n";
        let lines: Vec<_> = Lines::new(log, 0).collect();
        assert_eq!(lines.len(), 5);
        assert_eq!(lines[0].ctx, b"T4242");
        assert_eq!(lines[0].text, b"BUG: x");
        assert!(lines[0].task_ctx());
        assert_eq!(lines[1].ctx, b"console");
        assert_eq!(lines[1].text, b"hello");
        assert_eq!(lines[2].ctx, b"");
        assert_eq!(lines[2].text, b"plain");
        assert_eq!(lines[3].ctx, b"C1");
        assert_eq!(lines[3].text, b"y");
        assert_eq!(lines[4].ctx, b"console");
        assert_eq!(lines[4].text, b"z");
    }

    #[test]
    fn questionable_lines() {
        let l = line_at(b"[ 1.0]  ? kasan_report+0x1/0x2", 0);
        assert!(l.questionable());
        let l = line_at(b"[ 1.0]  ? foo <EOI>", 0);
        assert!(!l.questionable());
        let l = line_at(b" ? foo+0x1/0x2", 0);
        assert!(!l.questionable());
    }
}
