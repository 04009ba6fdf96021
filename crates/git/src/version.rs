//! Release versions in tag names: syzbot's `vX.Y[.Z]` scheme (syzbot-bisection.md §6.1),
//! generalised to `X.Y[.Z]` and `name-X.Y[.Z]`. Release candidates and junk are rejected.

use std::fmt;

/// A release version. `Ord` sorts oldest first by number (`v4.9 < v4.10 < v4.10.1`; a plain
/// `X.Y` sorts before its `X.Y.0`); sort with `b.cmp(a)` for newest first. The scheme (prefix)
/// is compared last and only breaks ties.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    /// First number.
    pub major: u32,
    /// Second number.
    pub minor: u32,
    /// Third number, when the tag has one (stable sub-releases such as `v5.15.10`).
    pub patch: Option<u32>,
    /// What came before the numbers: `"v"`, `""` or `"name-"`.
    pub prefix: String,
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}.{}", self.prefix, self.major, self.minor)?;
        if let Some(patch) = self.patch {
            write!(f, ".{patch}")?;
        }
        Ok(())
    }
}

/// Parse a tag name as a release version: `vX.Y`, `vX.Y.Z`, `X.Y`, `X.Y.Z`, `name-X.Y` or
/// `name-X.Y.Z` (name: a letter, then letters, digits, `_` or `-`). Anything else is `None`:
/// release candidates (`v6.1-rc3`), `vv4.1`, `v4.1foo`, `v1.`, `v10.2.foo`, four numbers.
pub fn release_version(tag: &str) -> Option<Version> {
    // Hand-written rather than a regex: three small alternatives, and no regex dependency here.
    if let Some(numbers) = tag.strip_prefix('v')
        && let Some(version) = numbers_of(numbers, "v")
    {
        return Some(version);
    }
    if let Some(version) = numbers_of(tag, "") {
        return Some(version);
    }
    let (name, numbers) = tag.rsplit_once('-')?;
    let mut chars = name.chars();
    let valid_name = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !valid_name {
        return None;
    }
    numbers_of(numbers, &format!("{name}-"))
}

/// `X.Y` or `X.Y.Z`, each a non-empty run of ASCII digits that fits a `u32`.
fn numbers_of(text: &str, prefix: &str) -> Option<Version> {
    let mut parts = text.split('.');
    let major = number(parts.next()?)?;
    let minor = number(parts.next()?)?;
    let patch = match parts.next() {
        None => None,
        Some(part) => Some(number(part)?),
    };
    if parts.next().is_some() {
        return None;
    }
    Some(Version {
        major,
        minor,
        patch,
        prefix: prefix.to_string(),
    })
}

fn number(part: &str) -> Option<u32> {
    if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    part.parse().ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)] // test setup failures should panic with their reason
    use super::*;

    fn v(major: u32, minor: u32, patch: Option<u32>, prefix: &str) -> Option<Version> {
        Some(Version {
            major,
            minor,
            patch,
            prefix: prefix.into(),
        })
    }

    #[test]
    fn accepted_schemes() {
        assert_eq!(release_version("v4.1"), v(4, 1, None, "v"));
        assert_eq!(release_version("v5.15.10"), v(5, 15, Some(10), "v"));
        assert_eq!(release_version("2.6"), v(2, 6, None, ""));
        assert_eq!(release_version("1.2.3"), v(1, 2, Some(3), ""));
        assert_eq!(release_version("curl-7.88"), v(7, 88, None, "curl-"));
        assert_eq!(
            release_version("linux-firmware-20.1.2"),
            v(20, 1, Some(2), "linux-firmware-")
        );
        assert_eq!(
            release_version("v4.1").map(|v| v.to_string()),
            Some("v4.1".into())
        );
    }

    #[test]
    fn rejected_junk_and_rc() {
        for tag in [
            "vv4.1",
            "v4.1foo",
            "v1.",
            "v10.2.foo",
            "v6.1-rc3",
            "6.1-rc1",
            "name-1.2-rc1",
            "v1",
            "1",
            "v1.2.3.4",
            "",
            "v",
            "-1.2",
            "1-1.2",
            "v.1.2",
            "v1..2",
            "v1.2.",
            "name-",
            "na me-1.2",
            "v99999999999.1",
        ] {
            assert_eq!(release_version(tag), None, "{tag:?} must be rejected");
        }
    }

    /// syzbot's TestGitParseReleaseTags facts: junk rejected, rc dropped, newest first.
    #[test]
    fn syzbot_release_order() {
        let tags = [
            "v3.0",
            "v3.1",
            "v3.10",
            "v3.11",
            "v3.19",
            "v3.2",
            "v3.9",
            "v4.0",
            "v4.0-rc1",
            "v4.9",
            "v4.9-rc2",
            "v2.6.12",
            "v2.6.13",
            "v2.6.32",
            "v2.6.39",
            "vv4.1",
            "v4.1foo",
            "v1.",
            "v10.2.foo",
        ];
        let mut parsed: Vec<(Version, &str)> = tags
            .iter()
            .filter_map(|t| release_version(t).map(|v| (v, *t)))
            .collect();
        parsed.sort_by(|a, b| b.0.cmp(&a.0));
        let names: Vec<&str> = parsed.iter().map(|p| p.1).collect();
        assert_eq!(
            names,
            [
                "v4.9", "v4.0", "v3.19", "v3.11", "v3.10", "v3.9", "v3.2", "v3.1", "v3.0",
                "v2.6.39", "v2.6.32", "v2.6.13", "v2.6.12"
            ]
        );
    }

    #[test]
    fn sub_releases_sort_above_their_release() {
        let mut versions: Vec<Version> = ["v5.15", "v5.15.10", "v5.15.9", "v5.16", "v5.14"]
            .iter()
            .filter_map(|t| release_version(t))
            .collect();
        versions.sort_by(|a, b| b.cmp(a));
        let names: Vec<String> = versions.iter().map(|v| v.to_string()).collect();
        assert_eq!(names, ["v5.16", "v5.15.10", "v5.15.9", "v5.15", "v5.14"]);
    }
}
