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
    /// Cost of one run: its share of the wall time and of the machines it occupies (see
    /// [`Config::set_times`]).
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
            build_cost: 0.0,
            run_cost: 0.0,
            target: 0.99,
            max_probes: 80,
            any_crash,
            repro_check: true,
            builds_cached: true,
            cross_tree: false,
        }
        .with_times(DEFAULT_BUILD_SECS, DEFAULT_RUN_SECS)
    }

    /// Sets the costs from how long one build and one run take (`vms` runs at once). A build
    /// costs its time. A run costs its share of the wall time, `run_secs / vms`, plus
    /// [`RUN_MACHINE_SHARE`] of the VM time it takes: the VMs are shared (by the other runs,
    /// by other bisections), so runs that go in parallel are cheap but not free. Only the
    /// ratio matters; with a 10-minute build and 5-minute runs on 10 VMs a build costs as much
    /// as about six runs.
    pub fn set_times(&mut self, build_secs: f64, run_secs: f64) {
        let (build, run) = (build_secs.max(1e-3), run_secs.max(1e-3));
        self.build_cost = build;
        self.run_cost = run / f64::from(self.vms.max(1)) + run * RUN_MACHINE_SHARE;
    }

    fn with_times(mut self, build_secs: f64, run_secs: f64) -> Config {
        self.set_times(build_secs, run_secs);
        self
    }
}

/// Share of a run's VM time counted in its cost (see [`Config::set_times`]).
pub const RUN_MACHINE_SHARE: f64 = 0.25;
/// Build time assumed until the caller says (a kernel build).
const DEFAULT_BUILD_SECS: f64 = 600.0;
/// Run time assumed until the caller says (a reproducer run in a VM).
const DEFAULT_RUN_SECS: f64 = 300.0;
