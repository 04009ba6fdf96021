//! What turns a commit into something to test and tests it: the [`Backend`] interface, with
//! the commands backend (`--build`/`--test`, [`commands`]) and the kernel backend
//! (`crate::kernel`). A backend classifies its own runs (the one place where a run becomes an
//! engine outcome) and knows nothing of the engine, the log or where it executes: a slot
//! (`crate::slot`) drives it, an executor (`crate::executor`) runs the slots.

pub(crate) mod commands;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use culprit_engine::{Outcome, ProbeId};
use culprit_exec::Cancel;
use culprit_git::CommitId;

use crate::SlotFailure;

/// Work for a slot.
#[derive(Debug, Clone)]
pub(crate) struct Job {
    pub probe: ProbeId,
    pub commit: CommitId,
    /// The commit's tree id (hex).
    pub tree: String,
    /// Build first (false when the slot holds this commit's build).
    pub build: bool,
    /// Runs to do.
    pub runs: u32,
    /// Number of the first run (runs already recorded are not repeated).
    pub first_run: u32,
    /// Set by the driver when the engine needs no more runs.
    pub stop: Arc<AtomicBool>,
}

/// A finished build.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Built {
    /// Whether it succeeded.
    pub ok: bool,
    /// The identity of what was built (a kernel signature, an artifact hash): commits with
    /// equal artifacts behave identically.
    pub artifact: Option<String>,
    /// A failed build's first error lines.
    pub error_lines: Vec<String>,
    /// Seconds it took (0 when nothing was built).
    pub secs: f64,
    /// Nothing was built: kept from earlier in this bisection or from a cache.
    pub reused: bool,
    /// Lines for the log, before the build's result (`compiler: ...`).
    pub notes: Vec<String>,
}

impl Built {
    /// A failed build.
    pub(crate) fn failed(error_lines: Vec<String>, secs: f64) -> Built {
        Built {
            ok: false,
            artifact: None,
            error_lines,
            secs,
            reused: false,
            notes: Vec::new(),
        }
    }
}

/// A commit made ready to run in a slot.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ready {
    /// The build this job did, or `None` when the slot (or the backend) already held it.
    pub built: Option<Built>,
    /// The identity of the artifact the runs test, when known: runs are shared between
    /// commits with the same one.
    pub artifact: Option<String>,
}

/// One finished run, classified.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ran {
    /// As the engine counts it.
    pub outcome: Outcome,
    /// The crash report's text, when there is one.
    pub report: Option<String>,
    /// Seconds it took.
    pub secs: f64,
}

/// Why a slot's work stops before its end.
#[derive(Debug)]
pub(crate) enum Halt {
    /// Cancelled (Ctrl-C): nothing more to say.
    Cancelled,
    /// The machine failed (not the commit): the bisection stops, resumable.
    Failed(SlotFailure),
}

impl From<SlotFailure> for Halt {
    fn from(e: SlotFailure) -> Halt {
        Halt::Failed(e)
    }
}

impl From<culprit_git::CheckoutError> for Halt {
    fn from(e: culprit_git::CheckoutError) -> Halt {
        Halt::Failed(e.into())
    }
}

impl From<culprit_exec::Error> for Halt {
    fn from(e: culprit_exec::Error) -> Halt {
        Halt::Failed(e.into())
    }
}

/// Builds commits and runs their tests, in numbered slots (each slot has its own checkout and
/// build directory; a slot runs one job at a time).
pub(crate) trait Backend: Send + Sync {
    /// Makes `job.commit` ready to run in `slot`: checked out and built when `job.build`,
    /// otherwise only what the runs need (the slot, or the backend's keep, holds the build).
    fn prepare(&self, slot: usize, job: &Job, cancel: &Cancel) -> Result<Ready, Halt>;
    /// What the artifact identity is, for the log (`kernel signature`, `artifact`).
    fn artifact_kind(&self) -> &'static str;
    /// Most runs started at once: a slot asks for at most this many per [`Backend::run`], and
    /// checks between calls whether the engine still wants runs.
    fn batch(&self) -> u32;
    /// Runs the test `n` times on what [`Backend::prepare`] made ready in `slot`; the runs are
    /// numbered from `index` (their logs are named after it).
    fn run(
        &self,
        slot: usize,
        job: &Job,
        index: u32,
        n: u32,
        cancel: &Cancel,
    ) -> Result<Vec<Ran>, Halt>;
}
