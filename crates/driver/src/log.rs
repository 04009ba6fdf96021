//! The bisection log: syzbot's line format, written as it happens.

use std::io::Write;

/// Where log lines go.
pub struct Log {
    out: Box<dyn Write + Send>,
    lines: Vec<String>,
}

impl Log {
    /// A log writing to `out`.
    pub fn new(out: Box<dyn Write + Send>) -> Log {
        Log {
            out,
            lines: Vec::new(),
        }
    }

    /// Writes one line (it may contain newlines).
    pub fn line(&mut self, text: &str) -> std::io::Result<()> {
        // One write per line: a progress display may redraw between two writes.
        let mut buf = String::with_capacity(text.len() + 1);
        buf.push_str(text);
        buf.push('\n');
        self.out.write_all(buf.as_bytes())?;
        self.out.flush()?;
        self.lines.push(text.to_string());
        Ok(())
    }

    /// Everything written so far.
    pub fn text(&self) -> String {
        let mut s = self.lines.join("\n");
        s.push('\n');
        s
    }
}
