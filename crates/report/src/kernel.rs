//! Linux console logs: finding the first crash after an offset, cutting out its report
//! (prefix lines, context filter, tail cut, second report), choosing the title format and
//! building title, alternative titles, frame and the corrupted verdict.

use memchr::memmem;
use regex::bytes::Regex;
use std::sync::LazyLock;

use crate::compiled::{CFormat, CMarker, TABLES};
use crate::console::{self, Line, Lines};
use crate::frames;
use crate::tables::{INFO_WITH_STACK, NO_SECOND_REPORT};
use crate::title;

/// Stop cutting a report after this many kept lines (bounds work on endless logs).
const MAX_REPORT_LINES: usize = 2000;
/// ... or after scanning this many bytes of log past the marker line.
const MAX_REPORT_SCAN: usize = 16 << 20;
/// Titles, frames and stack checks look at most this far into a report.
const MAX_TITLE_SEARCH: usize = 64 << 10;
/// How far back prefix lines are looked for.
const MAX_PREFIX_SCAN: usize = 2000;

/// A kernel crash as the parser sees it, before it becomes a public `Report`.
#[derive(Debug)]
pub(crate) struct Found {
    pub title: String,
    pub alt_titles: Vec<String>,
    pub corrupted: Option<String>,
    pub start: usize,
    /// End of the marker line (where the next search starts).
    pub first_line_end: usize,
    pub text: Vec<u8>,
    /// Offset in `text` where the marker line starts (prefix lines come before).
    pub text_start: usize,
    pub executor: Option<String>,
    pub rcu_stall: bool,
}

/// Does `line` qualify as a crash line for some marker? Returns the marker's index.
pub(crate) fn marker_of(line: &[u8]) -> Option<usize> {
    TABLES.markers.iter().position(|m| qualifies(m, line))
}

fn qualifies(m: &CMarker, line: &[u8]) -> bool {
    memmem::find(line, m.text.as_bytes()).is_some()
        && !m.ignore.as_ref().is_some_and(|s| s.is_match(line))
}

/// Find the first crash line at or after `from`: (line, marker index).
pub(crate) fn find_crash(log: &[u8], from: usize, replay: bool) -> Option<(Line<'_>, usize)> {
    let mut pos = from;
    while pos < log.len() {
        let m = TABLES.marker_ac.find(&log[pos..])?;
        let ls = console::line_start(log, pos + m.start()).max(pos);
        let line = console::line_at(log, ls);
        if let Some(mi) = marker_of(line.raw) {
            let replayed = replay
                && line.end < log.len()
                && memmem::find(
                    console::line_at(log, line.end + 1).raw,
                    b"** replaying previous printk message **",
                )
                .is_some();
            if !replayed {
                return Some((line, mi));
            }
        }
        pos = line.end + 1;
    }
    None
}

/// Parse the first crash at or after `from`.
/// `console`: the log looks like a kernel console (see `crate::looks_like_kernel`).
pub(crate) fn parse_from(log: &[u8], mut from: usize, console: bool) -> Option<Found> {
    loop {
        let (mline, mi) = find_crash(log, from, true)?;
        match parse_crash(log, from, mline, mi, console) {
            Some(f) => return Some(f),
            None => from = mline.end + 1,
        }
    }
}

/// Markers whose untitled lines at the start of an unprefixed line count only when the log
/// looks like a kernel's: plain test output says "WARNING:" or "INFO:" too.
const WEAK_MARKERS: &[&str] = &["BUG:", "WARNING:", "INFO:"];

fn parse_crash(
    log: &[u8],
    from: usize,
    mline: Line<'_>,
    mi: usize,
    console: bool,
) -> Option<Found> {
    let marker = &TABLES.markers[mi];
    let ctx = mline.ctx;
    let task = mline.task_ctx();
    let caller_ids = mline.caller_id;

    // Prefix lines.
    let want = if task { 50 } else { 5 };
    let mut prefix: Vec<&[u8]> = Vec::new();
    let mut p = mline.start;
    let mut scanned = 0;
    while prefix.len() < want && scanned < MAX_PREFIX_SCAN && p > from {
        let Some(l) = console::prev_line(log, p) else {
            break;
        };
        p = l.start;
        scanned += 1;
        if l.ctx != ctx || l.text.is_empty() || l.questionable() {
            continue;
        }
        prefix.push(l.text);
    }
    prefix.reverse();
    let mut text = Vec::new();
    for l in &prefix {
        text.extend_from_slice(l);
        text.push(b'\n');
    }
    let text_start = text.len();

    // Kept lines from the marker line on.
    let is_kmsan = memmem::find(mline.raw, b"KMSAN").is_some();
    let cut_at = if is_kmsan { 16 } else { 22 };
    let mut kept = 0usize;
    let mut after_nmi = false;
    let mut second: Option<usize> = None;
    for l in Lines::new(log, mline.start) {
        if kept >= MAX_REPORT_LINES || l.start - mline.start > MAX_REPORT_SCAN {
            break;
        }
        let first = l.start == mline.start;
        if !first {
            let same = l.ctx == ctx || (after_nmi && l.cpu_ctx());
            if !same || l.questionable() {
                continue;
            }
        }
        if memmem::find(l.raw, b"Sending NMI from CPU").is_some() {
            after_nmi = true;
        }
        if !first && memmem::find(l.raw, b"Disabling lock debugging due to kernel taint").is_some()
        {
            continue;
        }
        if kept >= cut_at
            && (memmem::find(l.raw, b"Kernel panic - not syncing").is_some()
                || memmem::find(
                    l.raw,
                    b"WARNING: possible circular locking dependency detected",
                )
                .is_some())
        {
            break;
        }
        if !first && second.is_none() && starts_second(l.raw) {
            second = Some(text.len());
        }
        text.extend_from_slice(l.text);
        text.push(b'\n');
        kept += 1;
    }

    let search_end = if caller_ids {
        text.len()
    } else {
        second.unwrap_or(text.len())
    };
    let search_end = search_end.min(text_start + MAX_TITLE_SEARCH);
    let full_end = text.len().min(text_start + MAX_TITLE_SEARCH);
    let mut found = build_title(
        marker,
        &text[text_start..search_end],
        &text[text_start..full_end],
    );
    if found.untitled
        && ctx.is_empty()
        && !console
        && WEAK_MARKERS.contains(&marker.text)
        && mline.text.starts_with(marker.text.as_bytes())
    {
        return None;
    }
    if found.title.is_empty() {
        // Nothing printable was left of the marker line (binary garbage).
        found.title = format!("{} corrupted", marker.text.trim_end());
        found
            .corrupted
            .get_or_insert_with(|| "no printable title".into());
    }
    if found.raw_timestamp && found.corrupted.is_none() {
        found.corrupted = Some("title contains a console timestamp".into());
    }
    let executor = executor_of(&text);
    Some(Found {
        title: found.title,
        alt_titles: found.alt,
        corrupted: found.corrupted,
        start: mline.start,
        first_line_end: mline.end,
        rcu_stall: found.title_is_stall,
        text,
        text_start,
        executor,
    })
}

fn starts_second(raw: &[u8]) -> bool {
    if INFO_WITH_STACK
        .iter()
        .any(|s| memmem::find(raw, s.as_bytes()).is_some())
    {
        return true;
    }
    if TABLES.marker_ac.find(raw).is_none() || marker_of(raw).is_none() {
        return false;
    }
    !NO_SECOND_REPORT
        .iter()
        .any(|s| memmem::find(raw, s.as_bytes()).is_some())
}

static TIMESTAMP: LazyLock<Regex> = LazyLock::new(|| crate::compiled::re(r"\[ *[0-9]+\.[0-9]+\]"));

/// Does a title, before normalisation (which turns its digits into `NUM`), contain a console
/// timestamp: another line's output glued into the marker line?
fn has_timestamp(raw_title: &[u8]) -> bool {
    TIMESTAMP.is_match(raw_title)
}

static EXECUTOR: LazyLock<Regex> =
    LazyLock::new(|| crate::compiled::re(r" Comm: syz\.([0-9]+)\.([0-9]+) "));

fn executor_of(text: &[u8]) -> Option<String> {
    let c = EXECUTOR.captures(text)?;
    let n = String::from_utf8_lossy(&c[1]).into_owned();
    let m = String::from_utf8_lossy(&c[2]).into_owned();
    Some(format!("proc={n}, id={m}"))
}

struct Titled {
    title: String,
    alt: Vec<String>,
    corrupted: Option<String>,
    title_is_stall: bool,
    /// No format matched: the title is the marker line.
    untitled: bool,
    /// The title, as filled and before normalisation, contains a console timestamp.
    raw_timestamp: bool,
}

/// Choose the format and build the title from `search`, the part of the report (from the
/// marker line) where titles and frames are looked for.
fn build_title(marker: &CMarker, search: &[u8], full: &[u8]) -> Titled {
    // Every format's earliest match; the earliest wins, ties go to the earlier-listed one.
    let mut cands: Vec<(usize, usize)> = marker
        .formats
        .iter()
        .enumerate()
        .filter_map(|(i, f)| f.title.find(search).map(|m| (m.start(), i)))
        .collect();
    cands.sort();
    let mut matched_no_report = false;
    let mut winner = None;
    if let Some(&(first_pos, _)) = cands.first() {
        for &(pos, i) in cands.iter().filter(|(p, _)| *p == first_pos) {
            let f = &marker.formats[i];
            if f.report.as_ref().is_none_or(|r| r.is_match(search)) {
                winner = Some((pos, f));
                break;
            }
            matched_no_report = true;
        }
    }
    let Some((pos, f)) = winner else {
        // No format: the marker line from the marker on.
        let line_end = memchr::memchr(b'\n', search).unwrap_or(search.len());
        let line = &search[..line_end];
        let from = memmem::find(line, marker.text.as_bytes()).unwrap_or(0);
        return Titled {
            title: title::normalise(&line[from..]),
            raw_timestamp: has_timestamp(&line[from..]),
            alt: Vec::new(),
            corrupted: matched_no_report.then(|| "matched title but not report".to_string()),
            title_is_stall: false,
            untitled: !matched_no_report,
        };
    };
    fill(f, search, pos, full)
}

fn fill(f: &CFormat, search: &[u8], pos: usize, full: &[u8]) -> Titled {
    let caps = f.title.captures_at(search, pos);
    let group = |i: usize| -> Vec<u8> {
        caps.as_ref()
            .and_then(|c| c.get(i))
            .map(|m| m.as_bytes().to_vec())
            .unwrap_or_default()
    };
    let line_start = memchr::memrchr(b'\n', &search[..pos]).map_or(0, |i| i + 1);
    let lines: Vec<&[u8]> = search[line_start..].split(|&b| b == b'\n').collect();

    let mut corrupted: Option<String> = None;
    if f.src.corrupted {
        corrupted = Some("report format is always corrupted".into());
    }
    let mut frame_raw: Option<(String, String)> = None;
    if let Some(r) = &f.stack {
        let ex = frames::extract(&lines, r);
        if ex.fault_injection && corrupted.is_none() {
            corrupted = Some("fault injection frames in the report".into());
        }
        match ex.frame {
            Some(fr) => frame_raw = Some(fr),
            None => {
                if corrupted.is_none() {
                    corrupted = Some("extracted no frames".into());
                }
            }
        }
    }
    let origin_raw = f
        .origin
        .as_ref()
        .and_then(|r| frames::extract(&lines, r).frame)
        .map(|(shown, _)| shown);
    if corrupted.is_none()
        && let Some(r) = &f.origin
        && frames::announced_stack_missing(&lines, r)
    {
        corrupted = Some("no frames in the origin stack".into());
    }
    if corrupted.is_none()
        && !f.src.no_stack
        && let Some(reason) = stack_problem(full)
    {
        corrupted = Some(reason);
    }

    let frame = frame_raw.as_ref().map_or_else(
        || "corrupted".to_string(),
        |(shown, _)| frames::strip_prefix(shown),
    );
    let origin = origin_raw
        .as_deref()
        .map_or_else(|| "corrupted".to_string(), frames::strip_prefix);
    let render = |tpl: &str, fr: &str| -> Vec<u8> {
        let mut out = Vec::new();
        let b = tpl.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'{'
                && let Some(j) = b[i..].iter().position(|&c| c == b'}')
            {
                let key = &tpl[i + 1..i + j];
                match key {
                    "F" => out.extend_from_slice(fr.as_bytes()),
                    "G" => out.extend_from_slice(origin.as_bytes()),
                    k => match k.parse::<usize>() {
                        Ok(n) => out.extend_from_slice(&group(n)),
                        Err(_) => out.extend_from_slice(&b[i..=i + j]),
                    },
                }
                i += j + 1;
                continue;
            }
            out.push(b[i]);
            i += 1;
        }
        out
    };
    let raw_title = render(f.src.fmt, &frame);
    let raw_timestamp = has_timestamp(&raw_title);
    let title = title::normalise(&raw_title);
    let mut alt: Vec<String> = Vec::new();
    let mut add = |t: String| {
        if t != title && !alt.contains(&t) {
            alt.push(t);
        }
    };
    for a in f.src.alt {
        add(title::normalise(&render(a, &frame)));
    }
    if let Some((_, raw)) = &frame_raw {
        for v in frames::prefix_variants(raw) {
            add(title::normalise(&render(f.src.fmt, &v)));
            for a in f.src.alt {
                add(title::normalise(&render(a, &v)));
            }
        }
    }
    let title_is_stall = title.starts_with("INFO: rcu detected stall");
    Titled {
        title,
        alt,
        corrupted,
        title_is_stall,
        untitled: false,
        raw_timestamp,
    }
}

/// The stack checks of formats that need a stack: `None` when the report is fine.
fn stack_problem(text: &[u8]) -> Option<String> {
    let tables = &*TABLES;
    let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
    // Frames are looked for in the real lines only (without the trailing empty piece of the
    // final newline), but the "at least 4 lines from the keyword to the end" count includes
    // that piece: a `Call Trace:` followed by two frames at the very end is a stack.
    let n = if text.ends_with(b"\n") {
        lines.len() - 1
    } else {
        lines.len()
    };
    let mut seen = vec![false; tables.stack_start.len()];
    let mut any = false;
    for i in 0..n {
        let matches: Vec<usize> = tables.stack_start.matches(lines[i]).into_iter().collect();
        for k in matches {
            if seen[k] {
                continue;
            }
            seen[k] = true;
            any = true;
            if lines.len() - i < 4 {
                return Some("call trace is missed".into());
            }
            let riscv = k == tables.stack_start.len() - 1;
            if riscv {
                continue;
            }
            let mut ok = false;
            for l in lines.iter().take(n).skip(i + 1).take(15) {
                if tables.stack_start.is_match(l) {
                    break;
                }
                if frames::is_frame_line(l)
                    || memmem::find(l, b"(stack is not available)").is_some()
                {
                    ok = true;
                    break;
                }
            }
            if !ok {
                return Some("no frames in a stack trace".into());
            }
        }
    }
    (!any).then(|| "no stack trace in report".into())
}
