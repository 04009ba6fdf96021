//! The `Code:` line of an x86 oops: the bytes around the faulting instruction, decoded in AT&T
//! syntax (like the kernel's `decodecode`), with the faulting instruction marked.
//!
//! The dump may start in the middle of an instruction: 0 to 7 leading bytes (never past the
//! trap) are cut until an instruction starts exactly at the trap byte, preferring a cut with
//! no undecodable bytes before the trap.

use iced_x86::{Decoder, DecoderOptions, Formatter, GasFormatter, Instruction, Mnemonic};

/// One decoded instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeLine {
    /// Offset of the instruction in the decoded bytes (after the skipped ones).
    pub offset: usize,
    /// The instruction's bytes.
    pub bytes: Vec<u8>,
    /// AT&T text, e.g. `mov %r12,%rdi` (`(bad)` for undecodable bytes).
    pub text: String,
    /// This is the faulting instruction.
    pub trap: bool,
}

/// A decoded `Code:` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disassembly {
    /// Leading bytes cut so that an instruction starts at the trap.
    pub skipped: usize,
    /// The decoded instructions, in order.
    pub lines: Vec<CodeLine>,
}

/// The bytes of a `Code:` line and the index of the marked (faulting) byte. Only 1-byte
/// groups (x86) are read; anything else gives `None`.
pub fn parse_code_line(line: &str) -> Option<(Vec<u8>, usize)> {
    let rest = &line[line.find("Code: ")? + "Code: ".len()..];
    let mut bytes = Vec::new();
    let mut trap = None;
    for tok in rest.split_ascii_whitespace() {
        let (hex, marked) = match (tok.strip_prefix('<'), tok.strip_prefix('(')) {
            (Some(t), _) => (t.strip_suffix('>')?, true),
            (_, Some(t)) => (t.strip_suffix(')')?, true),
            _ => (tok, false),
        };
        if hex.len() != 2 {
            return None;
        }
        let b = u8::from_str_radix(hex, 16).ok()?;
        if marked {
            if trap.is_some() {
                return None;
            }
            trap = Some(bytes.len());
        }
        bytes.push(b);
    }
    Some((bytes, trap?))
}

fn decode(bytes: &[u8], base: usize, trap: usize) -> (Vec<CodeLine>, bool, bool) {
    let mut dec = Decoder::with_ip(64, bytes, base as u64, DecoderOptions::NONE);
    let mut fmt = GasFormatter::new();
    let mut ins = Instruction::default();
    let mut out = Vec::new();
    let mut at_trap = false;
    let mut bad_before = false;
    while dec.can_decode() {
        dec.decode_out(&mut ins);
        let off = ins.ip() as usize;
        let len = ins.len().max(1);
        let invalid = ins.mnemonic() == Mnemonic::INVALID;
        // A truncated last instruction is not "bad", just cut.
        if invalid && off + len >= base + bytes.len() && off > trap {
            break;
        }
        let mut text = String::new();
        if invalid {
            text.push_str("(bad)");
            if off < trap {
                bad_before = true;
            }
        } else {
            fmt.format(&ins, &mut text);
        }
        if off == trap {
            at_trap = true;
        }
        let start = off - base;
        out.push(CodeLine {
            offset: off,
            bytes: bytes[start..(start + len).min(bytes.len())].to_vec(),
            text,
            trap: off == trap,
        });
    }
    (out, at_trap, bad_before)
}

/// Decode a `Code:` line (x86-64).
pub fn disassemble(line: &str) -> Option<Disassembly> {
    let (bytes, trap) = parse_code_line(line)?;
    let mut fallback = None;
    for skip in 0..=trap.min(7) {
        let (lines, at_trap, bad_before) = decode(&bytes[skip..], skip, trap);
        if !at_trap {
            continue;
        }
        let d = Disassembly {
            skipped: skip,
            lines,
        };
        if !bad_before {
            return Some(d);
        }
        fallback.get_or_insert(d);
    }
    fallback
}

impl Disassembly {
    /// Is the faulting instruction an intentional trap (`ud2`: WARN/BUG)?
    pub fn intentional_trap(&self) -> bool {
        self.lines
            .iter()
            .any(|l| l.trap && l.text.split_whitespace().next() == Some("ud2"))
    }

    /// The listing as appended to a report, objdump-like, the trap line starting with `*`.
    pub fn render(&self) -> String {
        let mut s = String::from("----------------\nCode disassembly (best guess)");
        if self.skipped > 0 {
            s.push_str(&format!(", {} bytes skipped", self.skipped));
        }
        s.push_str(":\n");
        for l in &self.lines {
            let hex: Vec<String> = l.bytes.iter().map(|b| format!("{b:02x}")).collect();
            let mark = if l.trap { '*' } else { ' ' };
            let mut text = l.text.clone();
            if l.trap {
                text.push_str(" <-- trapping instruction");
            }
            s.push_str(&format!(
                "{mark}{:>3x}:\t{:<21}\t{text}\n",
                l.offset - self.skipped,
                hex.join(" ")
            ));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_trap_and_skips_partial_prefix() {
        // "0f" alone (tail of a previous instruction: decoded from there, `0f 4c 89` would be
        // a cmovl that runs over the trap), then mov %r12,%rdi; div %rbp; pop %rbx.
        let d = disassemble("Code: 0f 4c 89 e7 <48> f7 f5 5b c3").expect("decodes");
        assert_eq!(d.skipped, 1);
        let trap = d.lines.iter().find(|l| l.trap).expect("a trap line");
        assert_eq!(trap.text, "div %rbp");
        assert_eq!(trap.bytes, vec![0x48, 0xf7, 0xf5]);
        assert!(!d.intentional_trap());
        let r = d.render();
        assert!(r.contains("1 bytes skipped"), "{r}");
        assert!(r.contains("div %rbp <-- trapping instruction"), "{r}");
    }

    #[test]
    fn ud2_is_intentional() {
        let d = disassemble("Code: 48 89 e5 <0f> 0b 66 90").expect("decodes");
        assert!(d.intentional_trap());
    }

    #[test]
    fn rejects_lines_without_one_mark() {
        assert!(parse_code_line("Code: 48 89 e5 0f 0b").is_none());
        assert!(parse_code_line("Code: <48> 89 <e5>").is_none());
        assert!(parse_code_line("Code: Unable to access opcode bytes at 0x1").is_none());
    }
}
