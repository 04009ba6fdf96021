//! The guilty frame: running a format's frame recipe over report lines, skipping frames that
//! are never guilty, choosing among candidates (first survivor, stall anchor, hang), and
//! stripping syscall-wrapper prefixes.

use regex::bytes::{Captures, Regex};

use crate::compiled::{CPart, CRecipe, TABLES};
use crate::formats::Chooser;
use crate::tables::{HANG_ANCHORS, HANG_WAIT_WORDS, STALL_ANCHORS, SYSCALL_PREFIXES};

/// What a recipe found.
#[derive(Debug, Default)]
pub(crate) struct Extracted {
    /// The guilty frame as the title shows it (prefixes not yet stripped) and its raw name.
    pub frame: Option<(String, String)>,
    /// A fault-injection frame line was met (intermixed output).
    pub fault_injection: bool,
}

fn first_group(c: &Captures<'_>) -> Option<String> {
    (1..c.len())
        .find_map(|i| c.get(i))
        .map(|m| demangle(&String::from_utf8_lossy(m.as_bytes())))
}

fn all_groups(c: &Captures<'_>) -> Vec<String> {
    (1..c.len())
        .filter_map(|i| c.get(i))
        .map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned())
        .collect()
}

/// Frame names on a stack-trace line (ARM lines name two), demangled.
pub(crate) fn frame_names(line: &[u8]) -> Vec<String> {
    for re in &TABLES.frames {
        if let Some(c) = re.captures(line) {
            return all_groups(&c).iter().map(|n| demangle(n)).collect();
        }
    }
    Vec::new()
}

/// Rust (v0 and legacy) and C++ symbol names as people write them, without hashes or
/// parameters: `_Z8fakeNameiii` -> `fakeName`, `_RNv..4core9panicking9panic_fmt` ->
/// `core::panicking::panic_fmt`.
pub(crate) fn demangle(name: &str) -> String {
    if (name.starts_with("_R") || name.starts_with("_ZN") && name.ends_with('E'))
        && let Ok(d) = rustc_demangle::try_demangle(name)
    {
        return format!("{d:#}");
    }
    if let Some(rest) = name.strip_prefix("_Z") {
        return itanium_name(rest).unwrap_or_else(|| name.to_string());
    }
    name.to_string()
}

/// The qualified name of an Itanium C++ symbol (after `_Z`): `<len><id>` or `N(<len><id>)+E`.
/// Written by hand: only the name is wanted, never the parameter types, and a full C++
/// demangler would be a large dependency for the few C++ frames a kernel prints.
fn itanium_name(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let (nested, mut i) = if b.first() == Some(&b'N') {
        (true, 1)
    } else {
        (false, 0)
    };
    let mut parts: Vec<&str> = Vec::new();
    loop {
        let n_len = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if n_len == 0 {
            break;
        }
        let n: usize = s[i..i + n_len].parse().ok()?;
        i += n_len;
        parts.push(s.get(i..i + n)?);
        i += n;
        if !nested {
            break;
        }
    }
    (!parts.is_empty()).then(|| parts.join("::"))
}

/// Is this line a stack frame line?
pub(crate) fn is_frame_line(line: &[u8]) -> bool {
    TABLES.frames.iter().any(|re| re.is_match(line))
}

/// The recipe's first line step matched (e.g. KMSAN's `Uninit was created at:`) but no frame
/// line follows it before the next stack start or blank line, within 15 lines: the stack
/// it announces was lost (`(stack is not available)`, output cut or intermixed). A report
/// without the header at all is not judged here.
pub(crate) fn announced_stack_missing(lines: &[&[u8]], recipe: &CRecipe) -> bool {
    let Some(CPart::Line(header)) = recipe.parts.first() else {
        return false;
    };
    let Some(at) = lines.iter().position(|l| header.is_match(l)) else {
        return false;
    };
    !lines
        .iter()
        .skip(at + 1)
        .take(15)
        .take_while(|l| !l.trim_ascii().is_empty() && !TABLES.stack_start.is_match(l))
        .any(|l| is_frame_line(l))
}

/// Run `recipe` over `lines`; the first recipe is tried, then the second.
pub(crate) fn extract(lines: &[&[u8]], recipe: &CRecipe) -> Extracted {
    let mut out = Extracted::default();
    for parts in [&recipe.parts, &recipe.parts2] {
        if parts.is_empty() {
            continue;
        }
        if let Some(f) = run_parts(lines, parts, &recipe.skip, recipe.chooser, &mut out) {
            out.frame = Some(f);
            return out;
        }
    }
    out
}

fn push(cands: &mut Vec<String>, names: Vec<String>, skip: &Regex) {
    for n in names {
        if !skip.is_match(n.as_bytes()) {
            cands.push(n);
        }
    }
}

fn run_parts(
    lines: &[&[u8]],
    parts: &[CPart],
    skip: &Regex,
    chooser: Chooser,
    out: &mut Extracted,
) -> Option<(String, String)> {
    let tables = &*TABLES;
    let mut cands: Vec<String> = Vec::new();
    let mut pos = 0;
    let mut i = 0;
    while i < parts.len() {
        match &parts[i] {
            CPart::Line(re) => {
                let mut p = pos;
                let mut found = false;
                while p < lines.len() {
                    let ln = lines[p];
                    p += 1;
                    if tables.corrupted_frames.is_match(ln) {
                        out.fault_injection = true;
                        return None;
                    }
                    if let Some(c) = re.captures(ln) {
                        if let Some(n) = first_group(&c) {
                            push(&mut cands, vec![n], skip);
                        }
                        found = true;
                        break;
                    }
                }
                // Like a scanner: a line that is never found leaves nothing to read.
                pos = if found { p } else { lines.len() };
                i += 1;
            }
            CPart::Trace => {
                let next = match parts.get(i + 1) {
                    Some(CPart::Line(re)) => Some(re),
                    _ => None,
                };
                let mut skip_next = false;
                while pos < lines.len() {
                    let ln = lines[pos];
                    pos += 1;
                    if tables.corrupted_frames.is_match(ln) {
                        out.fault_injection = true;
                        return None;
                    }
                    if tables.stack_start.is_match(ln) {
                        break;
                    }
                    if let Some(re) = next
                        && let Some(c) = re.captures(ln)
                    {
                        if let Some(n) = first_group(&c) {
                            push(&mut cands, vec![n], skip);
                        }
                        skip_next = true;
                        break;
                    }
                    push(&mut cands, frame_names(ln), skip);
                }
                i += if skip_next { 2 } else { 1 };
            }
        }
    }
    choose(&cands, chooser)
}

/// The chosen frame: `(shown in the title, raw name)`; they differ when a chooser names the
/// family (`smp_call_function`, `synchronize_rcu`) instead of the exact function.
fn choose(cands: &[String], chooser: Chooser) -> Option<(String, String)> {
    let pick = |i: usize| (cands[i].clone(), cands[i].clone());
    match chooser {
        Chooser::First => (!cands.is_empty()).then(|| pick(0)),
        Chooser::Stall => {
            for (i, f) in cands.iter().enumerate() {
                if let Some(a) = STALL_ANCHORS.iter().find(|a| anchor_matches(a, f)) {
                    if a.contains("smp_call_function") {
                        return Some(("smp_call_function".to_string(), f.clone()));
                    }
                    return Some(pick(i.saturating_sub(1)));
                }
            }
            None
        }
        Chooser::Hang => {
            // First the whole stack is searched for the frames that group hangs (every task
            // stuck behind rtnl or an RCU grace period is one bug), then for the first frame
            // that is not a waiting primitive.
            for f in cands {
                if let Some((_, shown)) = HANG_ANCHORS.iter().find(|(a, _)| f.contains(a)) {
                    return Some((shown.map_or_else(|| f.clone(), str::to_string), f.clone()));
                }
            }
            let i = cands
                .iter()
                .position(|f| !HANG_WAIT_WORDS.iter().any(|w| f.contains(w)))?;
            Some(pick(i))
        }
    }
}

/// `^x` is a prefix test, `x$` a suffix test, `^x$` equality, plain `x` a substring test.
fn anchor_matches(anchor: &str, frame: &str) -> bool {
    match (anchor.strip_prefix('^'), anchor.strip_suffix('$')) {
        (Some(p), _) if p.ends_with('$') => frame == &p[..p.len() - 1],
        (Some(p), None) => frame.starts_with(p),
        (None, Some(s)) => frame.ends_with(s),
        _ => frame.contains(anchor),
    }
}

/// The frame with its syscall-wrapper prefix removed (shortest result of any single prefix).
pub(crate) fn strip_prefix(frame: &str) -> String {
    let mut best = frame.to_string();
    for p in SYSCALL_PREFIXES {
        if let Some(rest) = frame.strip_prefix(p)
            && !rest.is_empty()
            && rest.len() < best.len()
        {
            best = rest.to_string();
        }
    }
    best
}

/// The raw frame and the raw frame minus each single applicable prefix.
pub(crate) fn prefix_variants(frame: &str) -> Vec<String> {
    let mut v = vec![frame.to_string()];
    for p in SYSCALL_PREFIXES {
        if let Some(rest) = frame.strip_prefix(p)
            && !rest.is_empty()
        {
            v.push(rest.to_string());
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        assert_eq!(strip_prefix("__se_sys_mremap"), "mremap");
        assert_eq!(strip_prefix("SyS_ioctl"), "ioctl");
        assert_eq!(strip_prefix("tcp_sendmsg"), "tcp_sendmsg");
        let v = prefix_variants("__se_sys_mremap");
        assert!(v.contains(&"sys_mremap".to_string()));
        assert!(v.contains(&"mremap".to_string()));
    }

    #[test]
    fn anchors() {
        assert!(anchor_matches("^kthread$", "kthread"));
        assert!(!anchor_matches("^kthread$", "kthread_should_park"));
        assert!(anchor_matches("do_syscall_", "do_syscall_64"));
        assert!(anchor_matches("^vfs_", "vfs_write"));
        assert!(anchor_matches("_ioctl$", "kvm_vm_ioctl"));
    }

    #[test]
    fn demangling() {
        assert_eq!(demangle("_Z8fakeNameiii"), "fakeName");
        assert_eq!(demangle("_ZN3foo3barEv"), "foo::bar");
        assert_eq!(demangle("tcp_sendmsg"), "tcp_sendmsg");
        assert_eq!(
            demangle("_RNvNtCs9jEwPDbx20M_4core9panicking9panic_fmt"),
            "core::panicking::panic_fmt"
        );
    }

    #[test]
    fn frame_lines() {
        assert_eq!(frame_names(b" dump_stack+0x194/0x257"), vec!["dump_stack"]);
        assert_eq!(
            frame_names(b" [<ffffffff8233c8bc>] foo.isra.0+0x194/0x257"),
            vec!["foo"]
        );
        assert_eq!(
            frame_names(
                b"[<c0101f04>] (unwind_backtrace) from [<c010c6c8>] (show_stack+0x10/0x14)"
            ),
            vec!["unwind_backtrace", "show_stack"]
        );
        // Inlined frames of symbolized reports are not candidates: the title names the
        // function the code was inlined into.
        assert!(frame_names(b" do_syscall_x64 arch/x86/entry/common.c:50 [inline]").is_empty());
        assert!(frame_names(b"RIP: 0033:0x7f00").is_empty());
    }
}
