//! The `MAINTAINERS` file format: sections of `T:<tab>value` lines after a title line.

use std::path::PathBuf;

use regex::Regex;

use crate::pattern::FilePattern;
use crate::recipients::{Recipient, Role, parse_address};

/// Errors reading a MAINTAINERS file.
#[derive(Debug, thiserror::Error)]
pub enum MaintainersError {
    /// The file cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// One tag line of a section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The tag letter (`M`, `R`, `L`, `S`, `F`, `X`, `N`, `K`, ...).
    pub tag: char,
    /// The value, trimmed.
    pub value: String,
}

/// A section: a title (`PROC FILESYSTEM`) and its entries.
#[derive(Clone, Debug)]
pub struct Section {
    /// The title line.
    pub title: String,
    /// Entries in file order.
    pub entries: Vec<Entry>,
    files: Vec<FilePattern>,
    excludes: Vec<FilePattern>,
    regexes: Vec<Regex>,
    keywords: Vec<Regex>,
}

impl Section {
    fn new(title: String, entries: Vec<Entry>, is_dir: &dyn Fn(&str) -> bool) -> Section {
        let pattern = |e: &Entry| {
            let mut text = e.value.clone();
            // A pattern naming a directory without the trailing slash is a directory pattern.
            if !text.ends_with('/') && is_dir(&text) {
                text.push('/');
            }
            FilePattern::new(&text)
        };
        let regex = |e: &Entry| Regex::new(&format!("(?x){}", e.value)).ok();
        let by = |tag: char| entries.iter().filter(move |e| e.tag == tag);
        Section {
            files: by('F').filter_map(pattern).collect(),
            excludes: by('X').filter_map(pattern).collect(),
            regexes: by('N').filter_map(regex).collect(),
            keywords: by('K').filter_map(regex).collect(),
            title,
            entries,
        }
    }

    /// The `S:` status, lower-cased (`maintained`, `supported`, `odd fixes`, ...).
    pub fn status(&self) -> Option<String> {
        self.entries
            .iter()
            .find(|e| e.tag == 'S')
            .map(|e| e.value.to_lowercase())
    }

    pub(crate) fn excludes(&self, file: &str) -> bool {
        self.excludes.iter().any(|p| p.matches(file))
    }

    /// The depth of the most specific `F:` pattern matching `file`.
    pub(crate) fn file_match_depth(&self, file: &str) -> Option<i32> {
        self.files
            .iter()
            .filter(|p| p.matches(file))
            .map(FilePattern::depth)
            .max()
    }

    pub(crate) fn matches_regex(&self, file: &str) -> bool {
        self.regexes.iter().any(|r| r.is_match(file))
    }

    pub(crate) fn matches_keywords(&self, changed: &[&str]) -> bool {
        self.keywords
            .iter()
            .any(|k| changed.iter().any(|l| k.is_match(l)))
    }

    /// `M:` (role by the section's status), `R:` and `L:` entries in that order.
    pub fn recipients(&self) -> Vec<Recipient> {
        let status = self.status().unwrap_or_default();
        let mut out = Vec::new();
        for tag in ['M', 'R', 'L'] {
            for e in self.entries.iter().filter(|e| e.tag == tag) {
                let Some((name, email)) = parse_address(&e.value) else {
                    continue;
                };
                let role = match tag {
                    'M' => Role::from_status(&status),
                    'R' => Role::Reviewer,
                    _ => Role::list(&e.value),
                };
                out.push(Recipient {
                    name,
                    email,
                    role,
                    section: self.title.clone(),
                });
            }
        }
        out
    }
}

fn tag_line(line: &str) -> Option<Entry> {
    let mut chars = line.chars();
    let tag = chars.next()?;
    if !tag.is_ascii_uppercase() || chars.next()? != ':' {
        return None;
    }
    Some(Entry {
        tag,
        value: chars.as_str().trim().to_string(),
    })
}

/// Splits the file into sections: a non-tag line opens a section, tag lines fill it, an empty
/// line closes it. Blocks without tag lines (the prose at the top) are dropped.
pub(crate) fn parse_sections(text: &str, is_dir: &dyn Fn(&str) -> bool) -> Vec<Section> {
    let mut out = Vec::new();
    let mut title: Option<String> = None;
    let mut entries: Vec<Entry> = Vec::new();
    let mut flush = |title: &mut Option<String>, entries: &mut Vec<Entry>| {
        if !entries.is_empty() {
            out.push(Section::new(
                title.take().unwrap_or_default(),
                std::mem::take(entries),
                is_dir,
            ));
        }
        *title = None;
        entries.clear();
    };
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            flush(&mut title, &mut entries);
        } else if let Some(e) = tag_line(line) {
            entries.push(e);
        } else if entries.is_empty() {
            title = Some(line.to_string());
        } else {
            // A new title right after a section with no empty line between them.
            flush(&mut title, &mut entries);
            title = Some(line.to_string());
        }
    }
    flush(&mut title, &mut entries);
    out
}
