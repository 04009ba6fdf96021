//! Title post-processing: normalisation (numbers, addresses, executor names..), the 120-byte
//! sanitiser, the TYPE of a title and the frame read back from it.

use regex::bytes::Regex;
use std::sync::LazyLock;

use crate::compiled::TABLES;
use crate::tables::{MAX_TITLE, TYPES};

/// Normalise and sanitise a filled title.
pub(crate) fn normalise(title: &[u8]) -> String {
    let mut t = title.to_vec();
    for (re, rep) in &TABLES.normalise {
        // Repeat each rule until nothing changes (matches may overlap their neighbours).
        for _ in 0..64 {
            let n = re.replace_all(&t, rep.as_bytes());
            if n.as_ref() == t.as_slice() {
                break;
            }
            t = n.into_owned();
        }
    }
    sanitise(&t)
}

/// Keep the first bytes, tabs to spaces, drop control and non-ASCII bytes, collapse spaces.
pub(crate) fn sanitise(t: &[u8]) -> String {
    let mut out = String::new();
    for &b in t.iter().take(MAX_TITLE) {
        let c = if b == b'\t' { b' ' } else { b };
        if !(0x20..0x7f).contains(&c) {
            continue;
        }
        if c == b' ' && (out.is_empty() || out.ends_with(' ')) {
            continue;
        }
        out.push(c as char);
    }
    out.trim_end().to_string()
}

/// The TYPE name of a final title ("" for unknown).
pub(crate) fn crash_type(title: &str) -> &'static str {
    for (prefixes, ty) in TYPES {
        if prefixes.iter().any(|p| title.starts_with(p)) {
            return ty;
        }
    }
    ""
}

static FRAME_IN_TITLE: LazyLock<Regex> =
    LazyLock::new(|| crate::compiled::re(r"^(?:<[^>]*>)?[a-zA-Z0-9_:]+"));

/// The identifier after the last ` in ` of a title.
pub(crate) fn frame_of(title: &str) -> Option<String> {
    let i = title.rfind(" in ")?;
    let rest = &title[i + 4..];
    FRAME_IN_TITLE
        .find(rest.as_bytes())
        .map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation() {
        assert_eq!(
            normalise(b"kernel panic: VFS: Unable to mount root fs on unknown-block(0,0)"),
            "kernel panic: VFS: Unable to mount root fs on unknown-block(NUM,NUM)"
        );
        assert_eq!(
            normalise(
                b"KASAN: slab-out-of-bounds in ip6_fragment+0x1052/0x2d80 at addr ffff88004ec29b58"
            ),
            "KASAN: slab-out-of-bounds in ip6_fragment at addr ADDR"
        );
        assert_eq!(
            normalise(b"INFO: task syz-executor.3/1234 x"),
            "INFO: task syz-executor x"
        );
        assert_eq!(normalise(b"a at foo.c:123:4 b"), "a at foo.c:LINE b");
        assert_eq!(normalise(b"x 10.1.2.3 y"), "x IP y");
        assert_eq!(normalise(b"stuck CPU#3 for"), "stuck CPU for");
    }

    #[test]
    fn types() {
        assert_eq!(
            crash_type("KASAN: use-after-free Read in foo"),
            "KASAN-USE-AFTER-FREE-READ"
        );
        assert_eq!(
            crash_type("WARNING: possible circular locking dependency detected"),
            "WARNING"
        );
        assert_eq!(crash_type("possible deadlock in foo"), "LOCKDEP");
        assert_eq!(crash_type("BUG: stack guard page was hit in foo"), "");
        assert_eq!(crash_type("INFO: task hung in foo"), "HANG");
    }

    #[test]
    fn frames() {
        assert_eq!(
            frame_of("KCSAN: data-race in find_next_bit / rcu_report_exp_cpu_mult").as_deref(),
            Some("find_next_bit")
        );
        assert_eq!(
            frame_of("WARNING in foo/usb_submit_urb").as_deref(),
            Some("foo")
        );
        assert_eq!(frame_of("BUG: corrupted"), None);
    }
}
