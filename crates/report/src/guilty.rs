//! The guilty file: the source file whose maintainers should hear of a crash, read from the
//! `dir/file.c:N` references of a symbolized report.

use std::sync::LazyLock;

use regex::bytes::Regex;

use crate::compiled::TABLES;

static FILE_REF: LazyLock<Regex> = LazyLock::new(|| {
    crate::compiled::re(
        r"(?:^|[ \t(\[])(?:\./)?([a-zA-Z0-9_\-]+(?:/[a-zA-Z0-9_.\-]+)+\.(?:c|h|rs|S)):[0-9]+",
    )
});

/// Where the search starts for RCU stalls (the interrupt entry).
static STALL_ENTRY: LazyLock<Regex> = LazyLock::new(|| {
    crate::compiled::re(r"apic_timer_interrupt\+0x|el1h_64_irq\+0x|Exception stack")
});

/// The guilty file of a (symbolized) report text, prefix lines excluded.
pub(crate) fn guilty_file(text: &[u8], rcu_stall: bool) -> Option<String> {
    let mut start = 0;
    if rcu_stall && let Some(m) = STALL_ENTRY.find(text) {
        start = memchr::memrchr(b'\n', &text[..m.start()]).map_or(0, |j| j + 1);
    }
    let refs = file_refs(&text[start..], true);
    let tables = &*TABLES;
    // If every file is ignored, the first one seen (bookkeeping lines included) is blamed, so
    // that someone always hears of the crash.
    let first_seen = file_refs(&text[start..], false).first().cloned();
    let (idx, file) = match refs
        .iter()
        .enumerate()
        .find(|(_, f)| !tables.guilty_ignore.is_match(f.as_bytes()))
    {
        Some((i, f)) => (i, f.clone()),
        None => return first_seen,
    };
    // A deeper file under the same directory replaces it.
    let dir = match file.rfind('/') {
        Some(i) => &file[..=i],
        None => return Some(file),
    };
    for f in &refs[idx + 1..] {
        if f.starts_with(dir)
            && f[dir.len()..].contains('/')
            && !tables.guilty_ignore.is_match(f.as_bytes())
        {
            return Some(f.clone());
        }
    }
    Some(file)
}

fn file_refs(text: &[u8], skip_bookkeeping: bool) -> Vec<String> {
    let tables = &*TABLES;
    let mut out = Vec::new();
    for line in text.split(|&b| b == b'\n') {
        if skip_bookkeeping && tables.guilty_ignore_lines.is_match(line) {
            continue;
        }
        for c in FILE_REF.captures_iter(line) {
            if let Some(m) = c.get(1) {
                out.push(clean_path(&String::from_utf8_lossy(m.as_bytes())));
            }
        }
    }
    out
}

/// `a/b/../../c/d.c` -> `c/d.c` (paths as the kernel build prints them, relative to the tree).
fn clean_path(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_first_unignored_file() {
        let t = b"RIP: 0010:__read_once_size include/linux/compiler.h:254 [inline]\n\
RIP: 0010:__d_lookup_rcu+0x27b/0xa10 fs/dcache.c:2144\n lookup_fast+0x12c/0xf80 fs/namei.c:1554\n";
        assert_eq!(guilty_file(t, false).as_deref(), Some("fs/dcache.c"));
    }

    #[test]
    fn deeper_file_in_same_dir_wins() {
        let t = b" a+0x1/0x2 net/core/x.c:1\n b+0x1/0x2 net/core/sub/y.c:2\n";
        assert_eq!(guilty_file(t, false).as_deref(), Some("net/core/sub/y.c"));
    }

    #[test]
    fn all_ignored_gives_first() {
        let t = b" a+0x1/0x2 mm/slub.c:1\n b+0x1/0x2 kernel/locking/lockdep.c:2\n";
        assert_eq!(guilty_file(t, false).as_deref(), Some("mm/slub.c"));
    }
}
