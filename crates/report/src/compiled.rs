//! The data tables of `formats.rs` and `tables.rs`, compiled once into regexes and automata.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};
use regex::bytes::{Regex, RegexSet};

use crate::formats::{Chooser, Format, MARKERS, Part, Recipe};
use crate::{skip, tables};

/// Expand the `{{..}}` placeholders of a table pattern.
pub(crate) fn expand(pat: &str) -> String {
    const RIP: &str = concat!(
        r"(?:RIP: (?:[0-9]{4}:)?(?:{{PC}} +){0,2}(?:{{FUNC}}|[0-9a-fx]+|\(null\))",
        r"|(?:^|[^R])IP: (?:[0-9]+:)?(?:{{PC}} +){0,2}(?:{{FUNC}}|[0-9a-fx]+|\(null\))",
        r"|NIP \[[0-9a-f]+\] (?:{{FUNC}}|[0-9a-fx]+)",
        r"|(?:^|[^a-z])pc ?: (?:{{PC}} )?(?:{{FUNC}}|[0-9a-fx]+)",
        r"|PC is at (?:{{FUNC}}|[0-9a-fx]+)",
        r"|epc ?: (?:{{PC}} )?(?:{{FUNC}}|[0-9a-fx]+))"
    );
    pat.replace("{{RIP}}", RIP)
        .replace("{{FUNC}}", r"([a-zA-Z0-9_]+)(?:\.|\+)")
        .replace("{{PC}}", r"\[<?(?:0x)?[0-9a-f]+>?\]")
        .replace("{{ADDR}}", r"0x[0-9a-f]+")
        .replace("{{SRC}}", r"[a-zA-Z0-9\-_/.]+\.[a-z]+:[0-9]+")
}

/// Compile a constant pattern of this crate (placeholders expanded).
pub(crate) fn re(pat: &str) -> Regex {
    Regex::new(&expand(pat)).unwrap_or_else(|e| panic!("bad table regex {pat:?}: {e}"))
}

/// One compiled frame recipe.
pub(crate) struct CRecipe {
    pub parts: Vec<CPart>,
    pub parts2: Vec<CPart>,
    pub skip: Regex,
    pub chooser: Chooser,
}

pub(crate) enum CPart {
    Line(Regex),
    Trace,
}

/// One compiled format.
pub(crate) struct CFormat {
    pub src: &'static Format,
    pub title: Regex,
    pub report: Option<Regex>,
    pub stack: Option<CRecipe>,
    pub origin: Option<CRecipe>,
}

/// One compiled marker.
pub(crate) struct CMarker {
    pub text: &'static str,
    pub ignore: Option<RegexSet>,
    pub formats: Vec<CFormat>,
}

/// All compiled tables.
pub(crate) struct Tables {
    pub markers: Vec<CMarker>,
    /// Finds any marker text (prefilter).
    pub marker_ac: AhoCorasick,
    pub stack_start: RegexSet,
    pub frames: Vec<Regex>,
    pub corrupted_frames: Regex,
    pub normalise: Vec<(Regex, &'static str)>,
    pub suppressions: RegexSet,
    pub guilty_ignore: RegexSet,
    pub guilty_ignore_lines: RegexSet,
}

fn skip_re(extra: &[&str]) -> Regex {
    let all: Vec<String> = skip::GLOBAL
        .iter()
        .chain(extra.iter())
        .map(|p| format!("(?:{p})"))
        .collect();
    re(&all.join("|"))
}

fn parts(p: &[Part]) -> Vec<CPart> {
    p.iter()
        .map(|p| match p {
            Part::Line(s) => CPart::Line(re(s)),
            Part::Trace => CPart::Trace,
        })
        .collect()
}

fn recipe(r: &Recipe) -> CRecipe {
    CRecipe {
        parts: parts(r.parts),
        parts2: parts(r.parts2),
        skip: skip_re(r.skip),
        chooser: r.chooser,
    }
}

#[allow(
    clippy::expect_used,
    reason = "the tables are constants, checked by a unit test"
)]
fn set(pats: &[&str]) -> RegexSet {
    // guard: infallible — the patterns are this crate's constant tables, all compiled by a unit test.
    RegexSet::new(pats.iter().map(|p| expand(p))).expect("table regex set compiles")
}

/// The compiled tables (built on first use).
#[allow(
    clippy::expect_used,
    reason = "the tables are constants, checked by a unit test"
)]
pub(crate) static TABLES: LazyLock<Tables> = LazyLock::new(|| {
    let markers = MARKERS
        .iter()
        .map(|m| CMarker {
            text: m.text,
            ignore: (!m.ignore.is_empty()).then(|| set(m.ignore)),
            formats: m
                .formats
                .iter()
                .map(|f| CFormat {
                    src: f,
                    title: re(f.title),
                    report: f.report.map(re),
                    stack: f.stack.as_ref().map(recipe),
                    origin: f.origin.as_ref().map(recipe),
                })
                .collect(),
        })
        .collect();
    let marker_ac = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostFirst)
        .build(MARKERS.iter().map(|m| m.text))
        // guard: infallible — a few constant literal markers, far below any automaton size limit;
        // built by every test that parses a log.
        .expect("marker automaton builds");
    Tables {
        markers,
        marker_ac,
        stack_start: set(tables::STACK_START),
        frames: tables::FRAME_LINES.iter().map(|p| re(p)).collect(),
        corrupted_frames: re(tables::CORRUPTED_FRAMES.join("|").as_str()),
        normalise: tables::NORMALISE.iter().map(|(p, r)| (re(p), *r)).collect(),
        suppressions: set(tables::SUPPRESSIONS),
        guilty_ignore: set(tables::GUILTY_IGNORE),
        guilty_ignore_lines: set(tables::GUILTY_IGNORE_LINES),
    }
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_tables_compile() {
        let t = &*TABLES;
        assert_eq!(t.markers.len(), MARKERS.len());
        let skip = skip_re(&[]);
        assert!(skip.is_match(b"kasan_report"));
        assert!(!skip.is_match(b"tcp_sendmsg"));
    }

    /// Every format-specific row of the reference is applied by some format, and a format
    /// adds nothing but one of those rows.
    #[test]
    fn format_skips_are_the_reference_rows() {
        let recipes: Vec<&Recipe> = MARKERS
            .iter()
            .flat_map(|m| m.formats.iter())
            .flat_map(|f| f.stack.iter().chain(f.origin.iter()))
            .collect();
        for r in &recipes {
            assert!(
                r.skip.is_empty() || skip::BY_FORMAT.iter().any(|(_, row)| *row == r.skip),
                "a format skips {:?}, which is no row of skip-frames.md",
                r.skip
            );
        }
        for (title, row) in skip::BY_FORMAT {
            assert!(
                recipes.iter().any(|r| r.skip == *row),
                "the row of {title:?} is applied by no format"
            );
        }
    }
}
