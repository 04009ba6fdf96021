//! The records kept in `state.db`.

use serde::{Deserialize, Serialize};

/// Row id of a recorded build.
pub type BuildId = i64;
/// Row id of a recorded run.
pub type RunId = i64;

/// One finished build of one commit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Build {
    /// The commit built (hex).
    pub commit: String,
    /// Its root tree (hex): commits with the same tree and build key build the same.
    pub tree_id: String,
    /// What else determines the build (the build command, its environment): chosen by the caller.
    pub build_key: String,
    /// Whether the build succeeded.
    pub ok: bool,
    /// Hash of the artifact the build produced, when one is configured and the build succeeded.
    pub artifact_hash: Option<String>,
    /// Wall time of the build in seconds.
    pub secs: f64,
    /// The first error lines of a failed build (empty when it succeeded).
    pub error_lines: Vec<String>,
}

/// One finished test run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// The probe it belongs to (the engine's id).
    pub probe_id: u64,
    /// The commit tested (hex).
    pub commit: String,
    /// The build whose output was tested, when there is one.
    pub build_id: Option<BuildId>,
    /// The run's number within its probe (0-based).
    pub index: u32,
    /// The outcome, as the caller encodes it.
    pub outcome: serde_json::Value,
    /// Wall time of the run in seconds.
    pub secs: f64,
}

/// One entry of the append-only event log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Position in the log, from 1, without gaps.
    pub seq: i64,
    /// What kind of event (chosen by the caller, e.g. `"probe_result"`).
    pub kind: String,
    /// The payload.
    pub payload: serde_json::Value,
}
