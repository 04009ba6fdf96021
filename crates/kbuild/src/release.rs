//! Kernel release versions (`v6.1`) as reachable release tags name them.

use std::fmt;

/// A mainline release `vMAJOR.MINOR`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Release {
    /// Major version (`6` in `v6.1`).
    pub major: u32,
    /// Minor version (`1` in `v6.1`).
    pub minor: u32,
}

impl Release {
    /// `Release::new(6, 1)` is `v6.1`.
    pub const fn new(major: u32, minor: u32) -> Release {
        Release { major, minor }
    }

    /// Parses a release tag: `v6.1` or a stable tag `v6.1.5` (counted as `v6.1`). Release
    /// candidates (`v6.2-rc1`) and other tags give `None`: syzbot only counts non-rc releases.
    pub fn from_tag(tag: &str) -> Option<Release> {
        let rest = tag.strip_prefix('v')?;
        let mut parts = rest.split('.');
        let major = parse_number(parts.next()?)?;
        let minor = parse_number(parts.next()?)?;
        if let Some(patch) = parts.next() {
            parse_number(patch)?;
        }
        if parts.next().is_some() {
            return None;
        }
        Some(Release { major, minor })
    }
}

fn parse_number(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

impl fmt::Display for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}.{}", self.major, self.minor)
    }
}

/// The set of releases reachable from a commit (its own tag included), as the caller found them
/// with git.
#[derive(Clone, Debug, Default)]
pub struct Reachable {
    releases: Vec<Release>,
}

impl Reachable {
    /// From release values.
    pub fn new(releases: impl IntoIterator<Item = Release>) -> Reachable {
        let mut releases: Vec<Release> = releases.into_iter().collect();
        releases.sort();
        releases.dedup();
        Reachable { releases }
    }

    /// From tag names; tags that are not releases are ignored.
    pub fn from_tags<'a>(tags: impl IntoIterator<Item = &'a str>) -> Reachable {
        Reachable::new(tags.into_iter().filter_map(Release::from_tag))
    }

    /// True when no release is known to be reachable (a tree without release tags): then only
    /// the unconditional rules of the tables apply, rather than treating the tree as older than
    /// every release.
    pub fn is_empty(&self) -> bool {
        self.releases.is_empty()
    }

    /// Whether `release` is reachable.
    pub fn contains(&self, release: Release) -> bool {
        self.releases.binary_search(&release).is_ok()
    }

    /// Whether the commit is at or after `release`: the newest reachable release is `release` or
    /// newer. In a real history every older release is reachable too, so this equals syzbot's
    /// "tag vX is reachable"; it also stays right when only some release tags were fetched.
    pub fn has_reached(&self, release: Release) -> bool {
        self.newest().is_some_and(|n| n >= release)
    }

    /// The newest reachable release.
    pub fn newest(&self) -> Option<Release> {
        self.releases.last().copied()
    }
}
