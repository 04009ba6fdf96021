//! The result of a bisection as `--json` writes it.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::Error;

/// How a bisection ended (the JSON's `result`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Ending {
    /// One commit named.
    Culprit,
    /// Several candidates left (or the crash is older than the range).
    Inconclusive,
    /// The crash did not show on the crashing commit.
    NoRepro,
    /// The bisection could not go on (the crash changed, nothing testable): see `error`.
    #[default]
    Error,
}

impl Ending {
    /// The word the JSON uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Ending::Culprit => "culprit",
            Ending::Inconclusive => "inconclusive",
            Ending::NoRepro => "no-repro",
            Ending::Error => "error",
        }
    }
}

/// Compares with the JSON's word (`ending == "culprit"`).
impl PartialEq<&str> for Ending {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Display for Ending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The JSON result.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Summary {
    /// `culprit`, `inconclusive`, `no-repro` or `error`.
    pub result: Ending,
    /// The culprit commit.
    pub culprit: Option<CommitSummary>,
    /// Candidate commits (the culprit alone, or several).
    pub candidates: Vec<String>,
    /// Confidence reported by the policy: the probability that the culprit is right (or that
    /// the candidates hold it); `null` when the policy can justify none (`--policy git` trusts
    /// single runs).
    pub confidence: Option<f64>,
    /// The bisected crash.
    pub crash: Option<CrashSummary>,
    /// Crashes with other titles, with counts.
    pub unrelated_crashes: Vec<TitleCount>,
    /// Who should hear about it.
    pub recipients: Recipients,
    /// Flags on the culprit.
    pub flags: Flags,
    /// Work done.
    pub stats: Stats,
    /// Error text when `result` is `error` or `no-repro`.
    pub error: Option<String>,
}

/// A commit in the result.
#[derive(Debug, Clone, Serialize)]
pub struct CommitSummary {
    /// Full hash.
    pub commit: String,
    /// Subject line.
    pub subject: String,
    /// `Name <email>`.
    pub author: String,
    /// Author date.
    pub date: String,
}

/// The bisected crash.
#[derive(Debug, Clone, Serialize)]
pub struct CrashSummary {
    /// Title.
    pub title: String,
    /// Report text from a run on the culprit (or the crashing commit).
    pub report: String,
}

/// A title and how often it was seen.
#[derive(Debug, Clone, Serialize)]
pub struct TitleCount {
    /// Title.
    pub title: String,
    /// Runs that showed it.
    pub count: u32,
}

/// Recipients of the result.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Recipients {
    /// To.
    pub to: Vec<String>,
    /// Cc.
    pub cc: Vec<String>,
}

/// Flags on the culprit.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Flags {
    /// Its artifact equals its parent's.
    pub no_op: bool,
    /// It is a merge.
    pub merge: bool,
    /// A release tag points at it.
    pub release: bool,
    /// The history is not monotone: this tested commit's runs contradict the culprit as the
    /// only change (it contains the culprit and never crashed in many runs, or lacks it and
    /// crashed), so another "first bad" commit exists (the bug was reverted and came back).
    pub non_monotone: Option<String>,
}

/// Work counters.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Stats {
    /// Commits tested (reached the runs).
    pub revisions_tested: u32,
    /// Builds done.
    pub builds: u32,
    /// Runs done.
    pub runs: u32,
    /// Seconds in builds.
    pub build_secs: f64,
    /// Seconds in runs.
    pub test_secs: f64,
    /// Wall-clock seconds.
    pub wall_secs: f64,
}

/// Writes the JSON result to `path`.
pub fn write_json(path: &Path, summary: &Summary) -> Result<(), Error> {
    let text = serde_json::to_string_pretty(summary).map_err(|source| Error::Encode {
        what: "the result",
        source,
    })?;
    let written = |source| Error::File {
        action: "write",
        path: path.to_path_buf(),
        source,
    };
    let mut f = std::fs::File::create(path).map_err(written)?;
    f.write_all(text.as_bytes()).map_err(written)?;
    Ok(())
}
