//! What a bisection is asked to do (its options and control), and the checks of the options
//! that need no repository.

use std::path::PathBuf;

use culprit_engine::Policy;
use culprit_exec::Cancel;

use crate::{Bad, Error, KernelOptions, Log};

/// What to bisect and how.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Options {
    /// The repository.
    pub repo: PathBuf,
    /// A commit where the crash happens (the newer end in cause bisection, the older in fix).
    pub bad: String,
    /// Commits where it does not (cause: older; fix: the newer end). Empty: release tags.
    pub goods: Vec<String>,
    /// Fix bisection.
    pub fix: bool,
    /// Build command (run with `sh -c` in the candidate's work tree).
    pub build: String,
    /// Test command: exit 0 = no crash, 125 = cannot test, anything else = crashed.
    pub test: String,
    /// Runs per test (git, syzbot) or the most runs per probe (bayes); the policy's default when
    /// unset.
    pub runs: Option<u32>,
    /// Jobs, each with its own checkout: probes at once where the policy allows
    /// ([`culprit_engine::Policy::jobs`]).
    pub jobs: u32,
    /// Timeout of one build or one run.
    pub timeout_secs: u64,
    /// The policy's name ([`culprit_engine::Policy::name`]: `bayes`, `syzbot` or `git`), as
    /// recorded in the state directory; the engine parses it and says what it means.
    pub policy: String,
    /// A file the build produces, hashed to reuse results of identical binaries.
    pub artifact: Option<PathBuf>,
    /// Count a crash with any title as the bisected one (git and syzbot always do).
    pub any_crash: bool,
    /// Kernel bisection: build with culprit-kbuild, test in VMs (`build`/`test` are unused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kernel: Option<KernelOptions>,
    /// bayes: stop when the likeliest culprit is this sure (default 0.99).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
}

/// How a bisection is driven beyond its options.
pub struct Control<'a> {
    /// State directory (default: the repository's `.git/culprit`).
    pub state: Option<PathBuf>,
    /// Continue the bisection recorded there.
    pub resume: bool,
    /// Cancellation (Ctrl-C).
    pub cancel: Cancel,
    /// Where the log goes.
    pub log: &'a mut Log,
    /// Called whenever a commit starts or a build or run finishes.
    pub progress: Option<&'a mut dyn FnMut(&Progress)>,
}

/// Called once the state directory is locked and the inputs are checked, before anything is
/// recorded or built: the caller opens its outputs there (a refused culprit, e.g. one that finds
/// the state directory locked, must not truncate the running one's log). An error stops the
/// bisection before it starts.
pub type OnReady<'a> = Box<dyn FnOnce(&std::path::Path) -> Result<(), Error> + 'a>;

/// Where a running bisection stands, for a progress display.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Progress {
    /// The commit tested last (short hash and subject).
    pub commit: String,
    /// Commits tested so far.
    pub tested: u32,
    /// Builds and runs finished so far.
    pub builds: u32,
    /// Runs finished so far.
    pub runs: u32,
    /// git's "roughly N steps" left, once the bisection proper has started.
    pub steps_left: Option<u32>,
    /// Seconds since the start.
    pub elapsed_secs: f64,
}

impl Progress {
    /// Estimated seconds left: the steps left at the mean time per tested commit so far.
    pub fn eta_secs(&self) -> Option<f64> {
        let steps = self.steps_left?;
        if self.tested == 0 {
            return None;
        }
        Some(f64::from(steps) * self.elapsed_secs / f64::from(self.tested))
    }
}

/// The policy named in the options (recorded options may name one that does not exist).
pub(crate) fn parse_policy(s: &str) -> Result<Policy, Error> {
    s.parse().map_err(|e| Bad::Policy(e).into())
}

/// `--runs`: runs per commit.
pub const RUNS: std::ops::RangeInclusive<u32> = 1..=1000;
/// `--jobs`: commits tested at once.
pub const JOBS: std::ops::RangeInclusive<u32> = 1..=64;
/// `--timeout`: seconds one build or run may take (a week at most).
pub const TIMEOUT_SECS: std::ops::RangeInclusive<u64> = 1..=604_800;

pub(crate) fn validate(o: &Options) -> Result<(), Error> {
    // The command line enforces these ranges; recorded options are checked again.
    if !TIMEOUT_SECS.contains(&o.timeout_secs) {
        return Err(Bad::OutOfRange {
            flag: "--timeout",
            min: *TIMEOUT_SECS.start(),
            max: *TIMEOUT_SECS.end(),
            unit: " seconds",
            got: o.timeout_secs,
        }
        .into());
    }
    if let Some(r) = o.runs.filter(|r| !RUNS.contains(r)) {
        return Err(Bad::OutOfRange {
            flag: "--runs",
            min: u64::from(*RUNS.start()),
            max: u64::from(*RUNS.end()),
            unit: "",
            got: u64::from(r),
        }
        .into());
    }
    // In kernel mode there are no commands: `kernel::prepare` checks the kernel inputs.
    if o.kernel.is_none() && o.build.trim().is_empty() {
        return Err(Bad::EmptyBuild.into());
    }
    if o.kernel.is_none() && o.test.trim().is_empty() {
        return Err(Bad::EmptyTest.into());
    }
    if let Some(runs) = o.runs {
        // The policy says how few runs its verdicts can work with.
        parse_policy(&o.policy)?
            .check_runs(runs)
            .map_err(Bad::Policy)?;
    }
    if !JOBS.contains(&o.jobs) {
        return Err(Bad::OutOfRange {
            flag: "--jobs",
            min: u64::from(*JOBS.start()),
            max: u64::from(*JOBS.end()),
            unit: "",
            got: u64::from(o.jobs),
        }
        .into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{Options, Progress, validate};

    fn options(policy: &str, runs: Option<u32>) -> Options {
        Options {
            repo: "r".into(),
            bad: "b".into(),
            goods: vec![],
            fix: false,
            build: "make".into(),
            test: "./t".into(),
            runs,
            jobs: 1,
            timeout_secs: 60,
            policy: policy.into(),
            artifact: None,
            any_crash: false,
            kernel: None,
            confidence: None,
        }
    }

    #[test]
    fn the_policy_refuses_too_few_runs_and_unknown_names() {
        let e = validate(&options("syzbot", Some(1))).map_err(|e| e.to_string());
        assert_eq!(
            e,
            Err("--runs must be at least 2 with --policy syzbot: its rules call a commit bad only after two crashing runs (use the git policy for one run per commit)".into())
        );
        assert!(validate(&options("syzbot", Some(2))).is_ok());
        assert!(validate(&options("git", Some(1))).is_ok());
        let e = validate(&options("fastest", Some(1))).map_err(|e| e.to_string());
        assert_eq!(
            e,
            Err("unknown policy 'fastest': use bayes, syzbot or git".into())
        );
    }

    #[test]
    fn eta_is_steps_left_at_the_mean_time_per_commit() {
        let mut p = Progress {
            tested: 4,
            steps_left: Some(3),
            elapsed_secs: 20.0,
            ..Progress::default()
        };
        assert_eq!(p.eta_secs(), Some(15.0));
        p.steps_left = None;
        assert_eq!(p.eta_secs(), None);
        p.steps_left = Some(3);
        p.tested = 0;
        assert_eq!(p.eta_secs(), None);
    }
}
