//! What goes in and out of the engine: probes to run, run outcomes, events and the conclusion.

use crate::dag::Rev;

/// Identifies one probe handed out by the engine.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct ProbeId(pub u32);

/// Why a commit is being tested; decides the log lines the driver prints around it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub enum Purpose {
    /// The reproducibility check on the crashing end (syzbot: "ensuring issue is reproducible").
    ReproCheck,
    /// A release tag tested while looking for a good commit (syzbot: "testing release vX.Y").
    Release,
    /// Fix bisection: the newest commit, which must not crash.
    Head,
    /// A merge base tested to learn whether the bug is present on a side branch.
    MergeBase,
    /// A bisection step. `left`/`steps` are git's "Bisecting: N revisions left to test after
    /// this (roughly K steps)" figures for this step.
    Step {
        /// Revisions left after this one.
        left: u64,
        /// git's step estimate.
        steps: u32,
    },
    /// Build only (no runs), to compare the culprit's artifact with its parent's.
    ParentBuild,
    /// bayes, an idle job at the end: the middle of the widest stretch of history next to the
    /// likely culprit where nothing was tested is run, to see the change there (above the
    /// culprit) or not (below): a revert and re-land shows as a commit that disagrees.
    Verify,
    /// bayes: the end assumed clean (the good commit; the fixed head in fix bisection) is run,
    /// to tell which of several crashes is new in the range, or whether the bisected crash is
    /// older than the range.
    GoodEnd,
}

/// A request to build `rev` and run the test `runs` times.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Probe {
    /// Identifier to report results with.
    pub id: ProbeId,
    /// Commit to build and test.
    pub rev: Rev,
    /// Number of runs wanted (0 = build only).
    pub runs: u32,
    /// Why.
    pub purpose: Purpose,
}

/// Result of building a probe's commit.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Build {
    /// Built. `artifact` identifies the binary (e.g. the kernel signature) when known: commits
    /// with equal artifacts behave identically.
    Built {
        /// Artifact identity, if computed.
        artifact: Option<String>,
    },
    /// The build failed: the commit cannot be tested (skip).
    Failed {
        /// Root cause, for the log.
        reason: String,
    },
}

/// Outcome of one run of the test.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Outcome {
    /// The test crashed with this report title.
    Crash {
        /// Crash title.
        title: String,
        /// Alternative titles of the same report.
        #[serde(default)]
        alt_titles: Vec<String>,
        /// Crash type (e.g. `KASAN-READ`, `WARNING`), empty when unknown.
        #[serde(default)]
        kind: String,
    },
    /// The test ran and did not crash.
    Ok,
    /// The run could not test the commit (boot failure, test said it cannot test).
    Skip {
        /// Why.
        reason: String,
    },
    /// The infrastructure failed (VM could not start, lost machine).
    Infra {
        /// Why.
        reason: String,
    },
}

impl Outcome {
    /// A crash with only a title.
    pub fn crash(title: impl Into<String>) -> Outcome {
        Outcome::Crash {
            title: title.into(),
            alt_titles: Vec::new(),
            kind: String::new(),
        }
    }
}

/// One input to the engine. A driver records each input as it feeds it: feeding the same
/// inputs in the same order to a fresh engine (with the same history and configuration) rebuilds
/// the same state, which is how a bisection resumes. serde writes and reads it as is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Input {
    /// A probe's build finished.
    Build {
        /// The probe.
        probe: ProbeId,
        /// Its result.
        build: Build,
    },
    /// One of a probe's runs finished.
    Run {
        /// The probe.
        probe: ProbeId,
        /// Its outcome.
        outcome: Outcome,
    },
}

/// How a probe was judged. In fix bisection the words keep git's meaning (the culprit side is
/// "bad"), so a commit that no longer crashes is `Bad`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Verdict {
    /// Lacks the change being searched for.
    Good,
    /// Has the change.
    Bad,
    /// Cannot tell.
    Skip,
}

impl Verdict {
    /// git's word for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Good => "good",
            Verdict::Bad => "bad",
            Verdict::Skip => "skip",
        }
    }
}

/// Something the driver may want to log or act on.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub enum Event {
    /// Bisection proper starts between `new` (has the change) and `olds` (lack it): the
    /// driver prints `# git bisect start NEW OLD...`.
    Start {
        /// git's "bad" end.
        new: Rev,
        /// git's "good" ends.
        olds: Vec<Rev>,
    },
    /// A commit has been judged (`# git bisect good|bad|skip REV`).
    Verdict {
        /// The probe, or `None` when the verdict was inferred without testing (syzbot's fix
        /// bisection: "the bug was not introduced yet; pretend that kernel crashed").
        probe: Option<ProbeId>,
        /// Its commit.
        rev: Rev,
        /// The verdict.
        verdict: Verdict,
    },
    /// The engine has what it needs from this probe: remaining runs may be cancelled (their
    /// results, if they still arrive, are counted).
    Stop {
        /// The probe.
        probe: ProbeId,
    },
    /// The release tags the cause bisection will test, newest first, out of `total` reachable
    /// from the crashing commit (syzbot's `picked [v5.10 v5.9 …] out of N release tags`).
    Releases {
        /// The picked tags' commits, in testing order.
        picked: Vec<Rev>,
        /// Release tags reachable from the crashing commit.
        total: usize,
    },
    /// A free-form line for the log (syzbot prints several, e.g. `false negative chance: 0.001`).
    Note(String),
}

/// Flags on a single-commit result, as syzbot sets them.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Flags {
    /// The culprit is a merge commit.
    pub merge: bool,
    /// The culprit's artifact equals its parent's: the change cannot be the cause.
    pub no_op: bool,
    /// A release tag points at the culprit.
    pub release: bool,
    /// The history looks non-monotone (the bug came in, went away and came back): a commit
    /// that contains the culprit tested clean where the crash should have shown. Holds that
    /// commit; another "first bad" commit lies between it and the crashing end.
    pub non_monotone: Option<Rev>,
}

/// How the bisection ended.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub enum Conclusion {
    /// One commit.
    Culprit {
        /// The commit.
        rev: Rev,
        /// Probability that it is right, by the policy's model; `None` when the policy trusts
        /// single runs and can justify none (git).
        confidence: Option<f64>,
        /// Flags.
        flags: Flags,
    },
    /// Several commits remain (git: "There are only 'skip'ped commits left to test").
    Inconclusive {
        /// The commits, most probable first.
        candidates: Vec<Rev>,
        /// Probability that the culprit is among them (`None` as for a culprit).
        confidence: Option<f64>,
    },
    /// Cause: the oldest tested release already crashes. Fix: the newest commit still crashes.
    Horizon {
        /// That release or head.
        rev: Rev,
    },
    /// The crashing end did not crash.
    NotReproduced,
    /// The bisection could not go on.
    Failed(Failure),
}

/// Why a bisection failed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, thiserror::Error)]
pub enum Failure {
    /// Too many infrastructure errors to decide (syzbot aborts on them).
    #[error("unable to determine the verdict because of infra errors")]
    Infra,
    /// The crashing end could not be built or booted.
    #[error("the crashing commit could not be built or tested")]
    Untestable,
    /// No good commit was given and no release tag lies before the bad commit.
    #[error("no release tags found before the bad commit; give a good commit")]
    NoReleases,
    /// The oldest release tested could not be built, booted or tested.
    #[error("oldest tested release had kernel build, boot or test errors")]
    OldestReleaseBroken,
}
