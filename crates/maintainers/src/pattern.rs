//! get_maintainer.pl's matching rules for `F:`/`X:` file patterns.
//!
//! A pattern is a shell-like glob where `*` matches any run of characters (slashes included) and
//! `?` one character, anchored at the start of the path only. A pattern ending in `/` matches
//! everything below that directory; any other pattern must also have exactly as many `/` as the
//! path, so `drivers/net/*` covers files in `drivers/net` but not below it.

use regex::Regex;

/// A compiled `F:`/`X:` pattern.
#[derive(Clone, Debug)]
pub(crate) struct FilePattern {
    pub(crate) text: String,
    regex: Regex,
    is_dir: bool,
}

impl FilePattern {
    pub(crate) fn new(text: &str) -> Option<FilePattern> {
        let mut re = String::from("^");
        for c in text.chars() {
            match c {
                '*' => re.push_str(".*"),
                '?' => re.push('.'),
                c => re.push_str(&regex::escape(&c.to_string())),
            }
        }
        Some(FilePattern {
            text: text.to_string(),
            regex: Regex::new(&re).ok()?,
            is_dir: text.ends_with('/'),
        })
    }

    pub(crate) fn matches(&self, file: &str) -> bool {
        if !self.regex.is_match(file) {
            return false;
        }
        self.is_dir || slashes(file) == slashes(&self.text)
    }

    /// How specific a match is: the pattern's directory depth (one more for a file pattern);
    /// -1 for catch-alls that start with `*`.
    pub(crate) fn depth(&self) -> i32 {
        if self.text.starts_with('*') {
            return -1;
        }
        slashes(&self.text) + i32::from(!self.is_dir)
    }
}

pub(crate) fn slashes(s: &str) -> i32 {
    i32::try_from(s.bytes().filter(|b| *b == b'/').count()).unwrap_or(i32::MAX)
}

/// The added and removed lines of a unified diff (without the `+++`/`---` file headers), which
/// is what `K:` keywords are matched against.
pub(crate) fn changed_lines(patch: &str) -> Vec<&str> {
    patch
        .lines()
        .filter(|l| {
            (l.starts_with('+') || l.starts_with('-'))
                && !l.starts_with("+++ ")
                && !l.starts_with("--- ")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)] // test setup failures should panic with their reason
    use super::*;

    fn m(p: &str, f: &str) -> bool {
        FilePattern::new(p).expect("pattern").matches(f)
    }

    #[test]
    fn glob_rules() {
        assert!(m(
            "drivers/net/",
            "drivers/net/ethernet/intel/e1000/e1000_main.c"
        ));
        assert!(m("drivers/net/*", "drivers/net/loopback.c"));
        assert!(!m("drivers/net/*", "drivers/net/ethernet/x.c"));
        assert!(m("*/net/*", "drivers/net/loopback.c"));
        assert!(!m("*/net/*", "net/core/dev.c"));
        assert!(m("drivers/scsi/3w-*", "drivers/scsi/3w-9xxx.c"));
        assert!(m("fs/proc/version.c", "fs/proc/version.c"));
        assert!(!m("fs/proc/version.c", "fs/proc/base.c"));
        assert!(m("include/linux/sl?b*.h", "include/linux/slab.h"));
        assert!(!m("include/linux/sl?b*.h", "include/linux/slb.h"));
        assert!(m("*", "Makefile") && !m("*", "fs/open.c"));
        assert!(m("*/", "fs/open.c"));
        assert!(!m("fs/proc/", "fs/procfs.c"));
        assert!(m("lib/a.b", "lib/a.b") && !m("lib/a.b", "lib/axb"));
        assert_eq!(FilePattern::new("fs/proc/").expect("p").depth(), 2);
        assert_eq!(FilePattern::new("fs/proc/version.c").expect("p").depth(), 3);
        assert_eq!(FilePattern::new("*/").expect("p").depth(), -1);
    }
}
