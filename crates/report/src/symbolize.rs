//! Symbolization of report frames with the DWARF of an ELF image (vmlinux, or any binary),
//! computed in-process with `object`, `gimli` and `addr2line`: `func+0x1a/0x40` gets
//! ` file:line`, and inlined functions are listed first, each as its own line ending in
//! ` [inline]`, as the kernel's `decode_stacktrace.sh` does.
//!
//! The caller reads the file; this module only sees its bytes.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use gimli::{EndianSlice, RunTimeEndian};
use object::{Object, ObjectSection, ObjectSymbol, SymbolKind};
use regex::bytes::Regex;

use crate::compiled::re;

/// Why an image cannot be used for symbolization.
#[derive(Debug, thiserror::Error)]
pub enum SymbolizeError {
    /// The bytes are not an object file `object` can read.
    #[error("not a readable ELF image")]
    Parse(#[from] object::Error),
    /// The DWARF sections are broken.
    #[error("bad DWARF debug info")]
    Dwarf(#[from] gimli::Error),
    /// The image has no debug info at all.
    #[error("the image has no DWARF debug info (.debug_info)")]
    NoDebugInfo,
}

type Reader<'a> = EndianSlice<'a, RunTimeEndian>;

/// One function symbol: start address and size (distance to the next symbol).
#[derive(Debug, Clone, Copy)]
struct Sym {
    start: u64,
    size: u64,
}

/// Symbolizes report lines against one ELF image with debug info.
pub struct Symbolizer<'a> {
    ctx: addr2line::Context<Reader<'a>>,
    syms: HashMap<String, Vec<Sym>>,
    /// Removed from the front of file paths (e.g. the kernel tree's absolute path).
    strip: Option<String>,
}

/// One entry of an address's inline chain: innermost first, the real function last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainEntry {
    /// Function name (demangled), when the debug info names it.
    pub function: Option<String>,
    /// `file:line`, when known.
    pub location: Option<String>,
}

/// A frame on a report line: `[<addr>] (N:)name+0xOFF/0xSIZE`.
static FRAME: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(.*?)([a-zA-Z0-9_.$]+)\+0x([0-9a-f]+)/0x([0-9a-f]+)((?: \[[a-zA-Z0-9_.\-]+(?: [0-9a-f]+)?\])?)(.*)$",
    )
});

/// Lines whose frame is the faulting instruction itself (no "return address - 1").
static FAULTING: &[&str] = &["RIP: ", "IP: ", "pc : ", "PC is at ", "NIP ", "epc : "];

impl<'a> Symbolizer<'a> {
    /// Read the symbols and DWARF of an ELF image.
    pub fn new(elf: &'a [u8]) -> Result<Self, SymbolizeError> {
        let file = object::File::parse(elf)?;
        let endian = if file.is_little_endian() {
            RunTimeEndian::Little
        } else {
            RunTimeEndian::Big
        };
        if file.section_by_name(".debug_info").is_none() {
            return Err(SymbolizeError::NoDebugInfo);
        }
        let load = |id: gimli::SectionId| -> Result<Reader<'a>, gimli::Error> {
            let data = file
                .section_by_name(id.name())
                .and_then(|s| s.data().ok())
                .unwrap_or(&[]);
            Ok(EndianSlice::new(data, endian))
        };
        let dwarf = gimli::Dwarf::load(load)?;
        let ctx = addr2line::Context::from_dwarf(dwarf)?;
        // Function symbols; a size is the distance to the next symbol, as the kernel's
        // scripts compute it (symbol sizes of assembly functions are often 0).
        let mut all: Vec<(u64, u64, String)> = file
            .symbols()
            .filter(|s| s.kind() == SymbolKind::Text && s.address() != 0)
            .filter_map(|s| Some((s.address(), s.size(), s.name().ok()?.to_string())))
            .collect();
        all.sort_by_key(|(a, _, _)| *a);
        let mut syms: HashMap<String, Vec<Sym>> = HashMap::new();
        for (i, (start, size, name)) in all.iter().enumerate() {
            let next = all[i + 1..].iter().map(|(a, _, _)| *a).find(|a| a > start);
            let size = next.map_or(*size, |n| n - start);
            syms.entry(name.clone()).or_default().push(Sym {
                start: *start,
                size,
            });
        }
        Ok(Symbolizer {
            ctx,
            syms,
            strip: None,
        })
    }

    /// Remove this prefix (and a following `/`) from file paths.
    pub fn strip_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.strip = Some(prefix.into());
        self
    }

    /// Start address of a function symbol; among duplicates the one of that size.
    pub fn symbol(&self, name: &str, size: Option<u64>) -> Option<u64> {
        let v = self.syms.get(name)?;
        size.and_then(|sz| v.iter().find(|s| s.size == sz))
            .or_else(|| v.first())
            .map(|s| s.start)
    }

    fn path(&self, p: &str) -> String {
        let mut p = p;
        if let Some(s) = &self.strip
            && let Some(rest) = p.strip_prefix(s.as_str())
        {
            p = rest.trim_start_matches('/');
        }
        p.trim_start_matches("./").to_string()
    }

    /// The inline chain at an address: innermost inlined function first, real one last.
    pub fn chain(&self, pc: u64) -> Vec<ChainEntry> {
        let mut out = Vec::new();
        let Ok(mut frames) = self.ctx.find_frames(pc).skip_all_loads() else {
            return out;
        };
        while let Ok(Some(f)) = frames.next() {
            let function = f
                .function
                .as_ref()
                .and_then(|n| n.demangle().ok())
                .map(Cow::into_owned);
            let location = f.location.as_ref().and_then(|l| {
                let file = self.path(l.file?);
                Some(match l.line {
                    Some(n) => format!("{file}:{n}"),
                    None => file,
                })
            });
            if function.is_none() && location.is_none() {
                continue;
            }
            out.push(ChainEntry { function, location });
        }
        out
    }

    /// Symbolize one report line: the line, or one line per inline-chain entry.
    pub fn symbolize_line(&self, line: &[u8]) -> Vec<Vec<u8>> {
        let Some(c) = FRAME.captures(line) else {
            return vec![line.to_vec()];
        };
        let name = String::from_utf8_lossy(&c[2]).into_owned();
        let (Ok(off), Ok(size)) = (
            u64::from_str_radix(&String::from_utf8_lossy(&c[3]), 16),
            u64::from_str_radix(&String::from_utf8_lossy(&c[4]), 16),
        ) else {
            return vec![line.to_vec()];
        };
        let Some(start) = self.symbol(&name, Some(size)) else {
            return vec![line.to_vec()];
        };
        let text = String::from_utf8_lossy(line);
        let faulting = FAULTING.iter().any(|f| text.contains(f));
        let pc = start + off - u64::from(!faulting && off > 0);
        let chain = self.chain(pc);
        if chain.is_empty() {
            return vec![line.to_vec()];
        }
        let head = &c[1];
        let module = &c[5];
        let tail = &c[6];
        let last = chain.len() - 1;
        chain
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let mut l = head.to_vec();
                if i == last {
                    l.extend_from_slice(
                        &line[c.get(2).map_or(0, |m| m.start())..c.get(4).map_or(0, |m| m.end())],
                    );
                } else {
                    l.extend_from_slice(e.function.as_deref().unwrap_or("??").as_bytes());
                }
                if let Some(loc) = &e.location {
                    l.push(b' ');
                    l.extend_from_slice(loc.as_bytes());
                }
                if i == last {
                    l.extend_from_slice(module);
                    l.extend_from_slice(tail);
                } else {
                    l.extend_from_slice(b" [inline]");
                }
                l
            })
            .collect()
    }

    /// Symbolize every frame line of a report text.
    pub fn symbolize(&self, text: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() * 2);
        for line in text.split_inclusive(|&b| b == b'\n') {
            let (body, nl) = match line.strip_suffix(b"\n") {
                Some(b) => (b, true),
                None => (line, false),
            };
            let lines = self.symbolize_line(body);
            let n = lines.len();
            for (i, l) in lines.into_iter().enumerate() {
                out.extend_from_slice(&l);
                if nl || i + 1 < n {
                    out.push(b'\n');
                }
            }
        }
        out
    }
}
