//! Parses a Linux `MAINTAINERS` file and finds who looks after a set of changed files: the
//! `M:` maintainers, `R:` reviewers and `L:` lists of every section whose `F:`/`N:`/`K:` entries
//! match (and whose `X:` entries do not), matched the way `scripts/get_maintainer.pl` matches
//! them, then split into the `recipients (to)` / `recipients (cc)` sets syzbot prints.
//!
//! This crate does not run git (no commit-signer fallback), read commits, or send mail: callers
//! pass the changed file paths (and optionally the patch text for `K:` keywords).

mod parse;
mod pattern;
mod recipients;

pub use parse::{Entry, MaintainersError, Section};
pub use recipients::{LKML, Recipient, Recipients, Role, split_recipients};

use std::path::Path;

/// A parsed `MAINTAINERS` file.
#[derive(Clone, Debug)]
pub struct Maintainers {
    sections: Vec<Section>,
}

impl Maintainers {
    /// Parses the text of a `MAINTAINERS` file. `F:`/`X:` patterns without a trailing slash are
    /// taken as files (use [`Maintainers::from_tree`] to detect directories as get_maintainer does).
    pub fn parse(text: &str) -> Maintainers {
        Maintainers {
            sections: parse::parse_sections(text, &|_| false),
        }
    }

    /// Parses the text of a `MAINTAINERS` file of a tree that is not checked out (e.g. read with
    /// `git show REV:MAINTAINERS`): `is_dir(pattern)` says whether a pattern without a trailing
    /// slash names a directory of that tree (e.g. from `git ls-tree -r -d --name-only REV`).
    pub fn parse_with_dirs(text: &str, is_dir: impl Fn(&str) -> bool) -> Maintainers {
        Maintainers {
            sections: parse::parse_sections(text, &is_dir),
        }
    }

    /// Reads `ROOT/MAINTAINERS`; an `F:`/`X:` pattern naming a directory of the tree without a
    /// trailing slash gets one, as get_maintainer.pl does.
    pub fn from_tree(root: &Path) -> Result<Maintainers, MaintainersError> {
        let path = root.join("MAINTAINERS");
        let text = std::fs::read_to_string(&path).map_err(|source| MaintainersError::Read {
            path: path.clone(),
            source,
        })?;
        Ok(Maintainers {
            sections: parse::parse_sections(&text, &|p| root.join(p).is_dir()),
        })
    }

    /// All sections (entries with at least one tag line).
    pub fn sections(&self) -> &[Section] {
        &self.sections
    }

    /// The sections that cover `file` (a path relative to the tree root), most specific first.
    /// Catch-all sections (patterns starting with `*`, i.e. THE REST) come only when nothing else
    /// matched. `patch` (optional) is the diff text for `K:` keyword matches.
    pub fn sections_for(&self, file: &str, patch: Option<&str>) -> Vec<&Section> {
        let changed: Vec<&str> = patch.map(pattern::changed_lines).unwrap_or_default();
        let mut hits: Vec<(i32, usize)> = Vec::new();
        for (i, s) in self.sections.iter().enumerate() {
            if s.excludes(file) {
                continue;
            }
            if let Some(depth) = s.file_match_depth(file) {
                hits.push((depth, i));
            } else if s.matches_regex(file) || s.matches_keywords(&changed) {
                // Regex and keyword hits rank after every F: match but before the catch-alls.
                hits.push((0, i));
            }
        }
        if hits.iter().any(|(d, _)| *d >= 0) {
            hits.retain(|(d, _)| *d >= 0);
        }
        // Stable: equal depths keep file order.
        hits.sort_by_key(|h| std::cmp::Reverse(h.0));
        hits.into_iter().map(|(_, i)| &self.sections[i]).collect()
    }

    /// Maintainers, reviewers and lists for `files`, in get_maintainer order (per file: most
    /// specific section first; within a section: maintainers, reviewers, lists), each address once.
    pub fn recipients(&self, files: &[&str], patch: Option<&str>) -> Vec<Recipient> {
        let mut out: Vec<Recipient> = Vec::new();
        for file in files {
            for s in self.sections_for(file, patch) {
                for r in s.recipients() {
                    if !out.iter().any(|o| o.email == r.email) {
                        out.push(r);
                    }
                }
            }
        }
        out
    }
}
