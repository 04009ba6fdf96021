//! Settings of one bisection.

/// What is being searched for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Mode {
    /// The first commit that crashes.
    Cause,
    /// The first commit that no longer crashes.
    Fix,
}

/// How runs become decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Policy {
    /// `git bisect run`: one run per commit, any crash is bad, git's midpoints.
    Git,
    /// syzbot's rules: 10 runs (20 for the first test and for flaky reproducers), fixed
    /// thresholds, git's midpoints, a confidence product with a 0.66 cut-off.
    Syzbot,
    /// A posterior over the culprit with a learned crash probability; runs and commits chosen
    /// for the most information per unit of cost. The default.
    Bayes,
}

/// Settings of one bisection. `Config::new` gives the defaults of a policy.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Config {
    /// Cause or fix bisection.
    pub mode: Mode,
    /// Decision policy.
    pub policy: Policy,
    /// Runs per test (git, syzbot) or the most runs one probe may ask for (bayes).
    pub runs: u32,
    /// Probes in flight at once (k-ary search; bayes only, the others are sequential).
    pub jobs: u32,
    /// Runs that execute at once within a probe (VMs per probe).
    pub vms: u32,
    /// Cost of one build, in the same unit as `run_cost`.
    pub build_cost: f64,
    /// Cost of one run.
    pub run_cost: f64,
    /// Posterior probability at which bayes names a culprit.
    pub target: f64,
    /// Most distinct commits bayes may test in the bisection proper before it reports what it
    /// has (and at most twenty times as many probes).
    pub max_probes: u32,
    /// Count a crash with any title as the crash being bisected (git and syzbot do).
    pub any_crash: bool,
    /// Test the crashing end first (the reproducibility check).
    pub repro_check: bool,
    /// Whether testing an already built commit again costs no build (the driver keeps
    /// artifacts per commit).
    pub builds_cached: bool,
    /// Fix bisection across trees (syzbot's fix candidates): the crashing commit is on another
    /// branch than the fixed one; the search starts at their merge base, which must crash.
    pub cross_tree: bool,
}

impl Config {
    /// Defaults for `policy` in `mode`.
    pub fn new(mode: Mode, policy: Policy) -> Config {
        let (runs, any_crash) = match policy {
            Policy::Git => (1, true),
            Policy::Syzbot => (10, true),
            Policy::Bayes => (20, false),
        };
        Config {
            mode,
            policy,
            runs,
            jobs: 1,
            vms: 10,
            build_cost: 10.0,
            run_cost: 1.0,
            target: 0.99,
            max_probes: 80,
            any_crash,
            repro_check: true,
            builds_cached: true,
            cross_tree: false,
        }
    }
}
