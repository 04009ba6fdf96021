//! `culprit report`: find and title the crash in a console or test log.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use serde::Serialize;

/// Find and title the crash in a kernel console log or a test log.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print JSON (one object for the representative crash; an array with --all).
    #[arg(long)]
    pub json: bool,
    /// Print every crash in the log, not only the representative one.
    #[arg(long)]
    pub all: bool,
    /// Kernel image (any ELF) with DWARF debug info: frames get file:line and inlined
    /// functions, and the guilty file is read from the symbolized report.
    #[arg(long, value_name = "FILE")]
    pub vmlinux: Option<PathBuf>,
    /// The log to read; `-` or nothing reads standard input.
    #[arg(value_name = "FILE|-")]
    pub file: Option<PathBuf>,
}

/// One crash as `--json` prints it.
#[derive(Debug, Serialize)]
struct JsonReport<'a> {
    title: Option<&'a str>,
    alt_titles: &'a [String],
    #[serde(rename = "type")]
    kind: &'a str,
    corrupted: bool,
    corrupted_reason: Option<&'a str>,
    suppressed: bool,
    panicked: bool,
    frame: Option<&'a str>,
    guilty_file: Option<&'a str>,
    executor: Option<&'a str>,
    start: Option<usize>,
    end: Option<usize>,
    report: Option<String>,
}

impl<'a> JsonReport<'a> {
    fn of(r: &'a culprit_report::Report) -> Self {
        JsonReport {
            title: Some(&r.title),
            alt_titles: &r.alt_titles,
            kind: r.kind.name(),
            corrupted: r.corrupted,
            corrupted_reason: r.corrupted_reason.as_deref(),
            suppressed: r.suppressed,
            panicked: r.panicked,
            frame: r.frame.as_deref(),
            guilty_file: r.guilty_file.as_deref(),
            executor: r.executor.as_deref(),
            start: Some(r.start),
            end: Some(r.end),
            report: Some(String::from_utf8_lossy(&r.text).into_owned()),
        }
    }

    fn none() -> Self {
        JsonReport {
            title: None,
            alt_titles: &[],
            kind: "",
            corrupted: false,
            corrupted_reason: None,
            suppressed: false,
            panicked: false,
            frame: None,
            guilty_file: None,
            executor: None,
            start: None,
            end: None,
            report: None,
        }
    }
}

/// A reader without carriage returns.
struct StripCr<R>(R);

impl<R: Read> Read for StripCr<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        loop {
            let n = self.0.read(out)?;
            if n == 0 {
                return Ok(0);
            }
            let mut w = 0;
            for i in 0..n {
                if out[i] != b'\r' {
                    out[w] = out[i];
                    w += 1;
                }
            }
            if w > 0 {
                return Ok(w);
            }
        }
    }
}

fn read_log(file: Option<&PathBuf>) -> anyhow::Result<Vec<u8>> {
    let mut log = Vec::new();
    match file {
        Some(p) if p.as_os_str() != "-" => {
            log = std::fs::read(p).with_context(|| format!("reading {}", p.display()))?;
        }
        _ => {
            std::io::stdin()
                .read_to_end(&mut log)
                .context("reading standard input")?;
        }
    }
    Ok(log)
}

/// The directory of the kernel image: the build tree whose prefix is dropped from paths.
fn tree_of(vmlinux: &std::path::Path) -> String {
    let abs = std::fs::canonicalize(vmlinux).unwrap_or_else(|_| vmlinux.to_path_buf());
    abs.parent()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn print_text(out: &mut impl Write, r: &culprit_report::Report) -> std::io::Result<()> {
    writeln!(out, "TITLE: {}", r.title)?;
    for a in &r.alt_titles {
        writeln!(out, "ALT: {a}")?;
    }
    if !r.kind.name().is_empty() {
        writeln!(out, "TYPE: {}", r.kind)?;
    }
    if let Some(f) = &r.frame {
        writeln!(out, "FRAME: {f}")?;
    }
    if let Some(reason) = &r.corrupted_reason {
        writeln!(out, "CORRUPTED: {reason}")?;
    }
    if r.suppressed {
        writeln!(out, "SUPPRESSED: Y")?;
    }
    if r.panicked {
        writeln!(out, "PANICKED: Y")?;
    }
    if let Some(e) = &r.executor {
        writeln!(out, "EXECUTOR: {e}")?;
    }
    if let Some(g) = &r.guilty_file {
        writeln!(out, "FILE: {g}")?;
    }
    writeln!(out)?;
    out.write_all(&r.text)?;
    if let Some(listing) = culprit_report::code_listing(r) {
        if !r.text.ends_with(b"\n") {
            writeln!(out)?;
        }
        out.write_all(listing.as_bytes())?;
    }
    Ok(())
}

/// Run `culprit report`: exit 0 when a crash was found, 1 when none, 2 on error.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let elf = match &args.vmlinux {
        Some(v) => {
            Some(std::fs::read(v).with_context(|| format!("reading --vmlinux {}", v.display()))?)
        }
        None => None,
    };
    let symbolizer = match (&elf, &args.vmlinux) {
        (Some(bytes), Some(path)) => Some(
            culprit_report::symbolize::Symbolizer::new(bytes)
                .with_context(|| format!("--vmlinux {}", path.display()))?
                // Paths relative to the tree the image was built in, as decode_stacktrace.sh
                // prints them.
                .strip_prefix(tree_of(path)),
        ),
        _ => None,
    };
    let mut reports: Vec<culprit_report::Report> = if args.all {
        let mut log = read_log(args.file.as_ref())?;
        // Serial consoles end lines with "\r\n": parse (and count offsets in) the log without
        // carriage returns, as the crash-report corpus does.
        log.retain(|&b| b != b'\r');
        culprit_report::parse(&log)
    } else {
        // The representative crash is found in bounded memory, however big the log.
        let input: Box<dyn Read> = match args.file.as_ref() {
            Some(p) if p.as_os_str() != "-" => Box::new(
                std::fs::File::open(p).with_context(|| format!("reading {}", p.display()))?,
            ),
            _ => Box::new(std::io::stdin().lock()),
        };
        culprit_report::first_from_reader(StripCr(input))
            .context("reading the log")?
            .into_iter()
            .collect()
    };
    if let Some(sym) = &symbolizer {
        for r in &mut reports {
            r.text = sym.symbolize(&r.text);
            r.guilty_file = culprit_report::guilty_file_of(r);
        }
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        let json = if args.all {
            let all: Vec<JsonReport<'_>> = reports.iter().map(JsonReport::of).collect();
            serde_json::to_string_pretty(&all)?
        } else {
            let one = reports
                .first()
                .map_or_else(JsonReport::none, JsonReport::of);
            serde_json::to_string_pretty(&one)?
        };
        writeln!(out, "{json}")?;
    } else {
        for (i, r) in reports.iter().enumerate() {
            if i > 0 {
                writeln!(out, "\n----------------\n")?;
            }
            print_text(&mut out, r)?;
        }
        if reports.is_empty() {
            writeln!(out, "no crash found")?;
        }
    }
    out.flush()?;
    Ok(if reports.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keys_for_a_crash_and_for_none() {
        let log = b"[    1.000000] BUG: KASAN: use-after-free in foo+0x1/0x2\n\
[    1.000001] Read of size 8 at addr ffff888012345678 by task syz/1\n";
        let r = culprit_report::first(log).expect("a crash");
        let v = serde_json::to_value(JsonReport::of(&r)).expect("serialises");
        assert_eq!(v["title"], "KASAN: use-after-free Read in foo");
        assert_eq!(v["type"], "KASAN-USE-AFTER-FREE-READ");
        assert_eq!(v["frame"], "foo");
        assert_eq!(v["start"], 0);
        for key in [
            "alt_titles",
            "corrupted",
            "corrupted_reason",
            "suppressed",
            "panicked",
            "guilty_file",
            "executor",
            "end",
            "report",
        ] {
            assert!(v.get(key).is_some(), "missing key {key}");
        }
        let none = serde_json::to_value(JsonReport::none()).expect("serialises");
        assert!(none["title"].is_null());
        assert_eq!(none["type"], "");
    }
}
