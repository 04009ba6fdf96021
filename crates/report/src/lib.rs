//! Crash reports from console and test logs: bytes in, reports out.
//!
//! For a log (any bytes; Linux console output with or without printk prefixes, several CPUs
//! interleaved, several crashes; or the output of ordinary user-space tests) this crate finds
//! every crash in order and gives each its title (as syzkaller and kernel developers name
//! it), alternative titles, type, corrupted/suppressed/panicked flags, guilty frame and file,
//! the syzkaller executor, its byte range and the report text. `same_crash` tells whether two
//! reports are the same bug. Kernel rules are data tables (`formats.rs`, `formats_*.rs`,
//! `skip.rs`, `tables.rs`). `first_from_reader` does the same for a stream in bounded memory;
//! `symbolize` adds `file:line` and inlined frames from an ELF image's DWARF; `code` decodes x86
//! `Code:` lines.
//!
//! This crate must not know about git, processes, VMs or files: it only reads bytes (the
//! caller opens files and hands over their contents or a reader).

pub mod code;
mod compiled;
mod console;
mod formats;
mod formats_generic;
mod formats_other;
mod frames;
mod guilty;
mod kernel;
mod rust_panic;
mod skip;
mod stream;
pub mod symbolize;
mod tables;
mod title;
mod userspace;

use memchr::memmem;
use serde::{Serialize, Serializer};

/// The category of a crash, as named in syzkaller's corpus headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct CrashType(&'static str);

impl CrashType {
    /// The unknown type (serialises as `""`).
    pub const UNKNOWN: CrashType = CrashType("");

    /// The upper-case name (`KASAN-USE-AFTER-FREE-READ`, `WARNING`, ..; `""` when unknown).
    pub fn name(&self) -> &'static str {
        self.0
    }

    /// A type named by the user-space parser.
    pub(crate) fn userspace(name: &'static str) -> CrashType {
        CrashType(name)
    }

    /// The type of a final title.
    pub fn of_title(title: &str) -> CrashType {
        CrashType(title::crash_type(title))
    }
}

impl std::fmt::Display for CrashType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl Serialize for CrashType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

/// One crash found in a log.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The crash's title, normalised (`KASAN: use-after-free Read in foo`).
    pub title: String,
    /// Other titles the same bug may have (compare as a set).
    pub alt_titles: Vec<String>,
    /// The category of the crash.
    #[serde(rename = "type")]
    pub kind: CrashType,
    /// The report cannot be trusted (truncated, intermixed, no usable stack).
    pub corrupted: bool,
    /// Why it is corrupted.
    pub corrupted_reason: Option<String>,
    /// The log shows a reason not to report this crash (e.g. out of memory).
    pub suppressed: bool,
    /// The kernel panicked after the report's start.
    pub panicked: bool,
    /// The guilty function (read back from the title).
    pub frame: Option<String>,
    /// The source file to blame, when the report names files (symbolized reports).
    pub guilty_file: Option<String>,
    /// The syzkaller executor (`proc=N, id=M`) when the report names one.
    pub executor: Option<String>,
    /// Offset of the report's first line in the log.
    pub start: usize,
    /// Offset of the end of the report's region in the log.
    pub end: usize,
    /// The report text, cleaned of console prefixes.
    #[serde(skip)]
    pub text: Vec<u8>,
}

/// Most reports `parse` returns for one log (adversarial logs hold millions of markers).
pub const MAX_REPORTS: usize = 1000;

/// Every crash in the log, in order (at most [`MAX_REPORTS`]).
pub fn parse(log: &[u8]) -> Vec<Report> {
    let mut out: Vec<Report> = Vec::new();
    let mut from = 0;
    let log_facts = LogFacts::new(log);
    let console = looks_like_kernel(log);
    while out.len() < MAX_REPORTS {
        let Some(f) = kernel::parse_from(log, from, console) else {
            break;
        };
        let parsed_from = from;
        from = f.first_line_end + 1;
        let next = kernel::find_crash(log, from, false).map(|(l, _)| l.start);
        out.push(finish(
            log,
            f,
            parsed_from,
            next.unwrap_or(log.len()),
            &log_facts,
        ));
    }
    // User-space crashes (test output, never on a kernel console) go in between, by position.
    // A kernel report that starts inside one of them is the same lines read by the kernel's
    // rules (its `panic:` and `fatal error:` markers are syzkaller's own Go programs', and a
    // sanitizer's `==1==WARNING:` looks like a kernel warning): the user-space report, which
    // knows the format and its frames, is kept.
    let user = userspace::parse(log);
    if !user.is_empty() {
        out.retain(|k| !user.iter().any(|u| (u.start..=u.end).contains(&k.start)));
        out.extend(user);
        out.sort_by_key(|r| r.start);
        out.truncate(MAX_REPORTS);
    }
    out
}

/// The representative crash of a log: the first one (what syzkaller titles).
pub fn first(log: &[u8]) -> Option<Report> {
    let kernel = kernel::parse_from(log, 0, looks_like_kernel(log))
        .map(|f| finish(log, f, 0, log.len(), &LogFacts::new(log)));
    let user = userspace::parse(log).into_iter().next();
    match (kernel, user) {
        (Some(k), Some(u)) if u.start <= k.start => Some(u),
        (Some(k), _) => Some(k),
        (None, u) => u,
    }
}

pub use stream::first_from_reader;

/// Does the log contain a crash at all?
pub fn contains_crash(log: &[u8]) -> bool {
    first(log).is_some()
}

/// Are two reports the same bug? Titles first, then any overlap of alternative titles.
pub fn same_crash(a: &Report, b: &Report) -> bool {
    if a.title == b.title {
        return true;
    }
    let a_all = std::iter::once(&a.title).chain(a.alt_titles.iter());
    a_all
        .flat_map(|x| {
            std::iter::once(&b.title)
                .chain(b.alt_titles.iter())
                .map(move |y| (x, y))
        })
        .any(|(x, y)| x == y)
}

/// The guilty file of an already-symbolized report text (e.g. from `--vmlinux`).
pub fn guilty_file_of(report: &Report) -> Option<String> {
    guilty::guilty_file(
        &report.text,
        report.title.starts_with("INFO: rcu detected stall"),
    )
}

/// The guilty file of the first crash in an already-symbolized log: the whole text from the
/// crash's first line on is searched (symbolized inline frames can repeat the title line and
/// would cut the report short).
pub fn guilty_file_in_log(log: &[u8]) -> Option<String> {
    let r = first(log)?;
    let stall = r.title.starts_with("INFO: rcu detected stall");
    let text: Vec<u8> = console::Lines::new(log, r.start)
        .flat_map(|l| l.text.iter().copied().chain(std::iter::once(b'\n')))
        .collect();
    guilty::guilty_file(&text, stall)
}

/// The decoded `Code:` line of an x86 report (the first one that decodes, user-space
/// `RIP: 0033:` ones excluded), as an objdump-like listing; `None` for hangs, intentional
/// traps (`ud2` of WARN/BUG) and reports without a usable `Code:` line.
pub fn code_listing(report: &Report) -> Option<String> {
    if report.kind.name() == "HANG" {
        return None;
    }
    let text = String::from_utf8_lossy(&report.text);
    let mut user = false;
    for line in text.lines() {
        if line.contains("RIP: 0033:") {
            user = true;
            continue;
        }
        if line.contains("Code: ") {
            if std::mem::take(&mut user) {
                continue;
            }
            if let Some(d) = code::disassemble(line) {
                return (!d.intentional_trap()).then(|| d.render());
            }
        }
    }
    None
}

/// Signs that a log is a kernel console (looked for in its first 4 MiB): printk timestamps or
/// lines only kernels and syzkaller print.
static KERNEL_SIGNS: std::sync::LazyLock<regex::bytes::Regex> = std::sync::LazyLock::new(|| {
    compiled::re(
        r"(?m)^(?:<[0-9]+>)?\[ *[0-9]+\.[0-9]{6}\]|Call Trace:|Call trace:|RIP: [0-9]{4}:|Hardware name: |CPU: [0-9]+ PID: [0-9]+|Kernel panic - not syncing|Modules linked in|executing program|syzkaller",
    )
});

/// Does the log look like a kernel console (rather than plain test output)?
pub(crate) fn looks_like_kernel(log: &[u8]) -> bool {
    KERNEL_SIGNS.is_match(&log[..log.len().min(4 << 20)])
}

/// Facts about the whole log, computed once.
struct LogFacts {
    last_panic: Option<usize>,
    suppressed: bool,
    vm_disconnected: bool,
}

impl LogFacts {
    fn new(log: &[u8]) -> Self {
        LogFacts {
            last_panic: memmem::rfind(log, b"Kernel panic - not syncing"),
            suppressed: compiled::TABLES.suppressions.is_match(log),
            vm_disconnected: memmem::find(log, b"serialport: VM disconnected.").is_some(),
        }
    }
}

fn finish(log: &[u8], f: kernel::Found, from: usize, limit: usize, facts: &LogFacts) -> Report {
    // The region ends at the end of the last marker line before `limit`.
    let mut end = f.first_line_end;
    let mut pos = f.first_line_end + 1;
    while pos < limit {
        match kernel::find_crash(&log[..limit], pos, false) {
            Some((l, _)) => {
                end = l.end;
                pos = l.end + 1;
            }
            None => break,
        }
    }
    let mut corrupted_reason = f.corrupted;
    if corrupted_reason.is_none() && facts.vm_disconnected {
        corrupted_reason = Some("VM disconnected (report likely cut)".into());
    }
    let body = &f.text[f.text_start..];
    let guilty_file = guilty::guilty_file(body, f.rcu_stall);
    Report {
        kind: CrashType::of_title(&f.title),
        frame: title::frame_of(&f.title),
        alt_titles: f.alt_titles,
        corrupted: corrupted_reason.is_some(),
        corrupted_reason,
        suppressed: facts.suppressed,
        panicked: facts.last_panic.is_some_and(|p| p >= from),
        guilty_file,
        executor: f.executor,
        start: f.start,
        end,
        text: f.text,
        title: f.title,
    }
}
