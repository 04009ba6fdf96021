//! Settings of one bisection.

pub use crate::policy::Policy;

/// What is being searched for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Mode {
    /// The first commit that crashes.
    Cause,
    /// The first commit that no longer crashes.
    Fix,
}

/// Settings of one bisection. `Config::new` gives the defaults of a policy; the setters that take
/// what a caller asks for ([`Config::set_jobs`], [`Config::set_any_crash`]) apply its rules.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Config {
    /// Cause or fix bisection.
    pub mode: Mode,
    /// Decision policy.
    pub policy: Policy,
    /// Runs per test (git, syzbot) or the most runs one probe may ask for (bayes).
    pub runs: u32,
    /// Probes in flight at once (k-ary search with git and bayes; syzbot tests one commit at a
    /// time). Set it with [`Config::set_jobs`], which applies the policy's rule.
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
    /// Count a crash with any title as the crash being bisected (git and syzbot always do; see
    /// [`Config::set_any_crash`]).
    pub any_crash: bool,
    /// Test the crashing end first (the reproducibility check; all but git do).
    pub repro_check: bool,
    /// Whether testing an already built commit again costs no build (the driver keeps
    /// artifacts per commit).
    pub builds_cached: bool,
    /// Fix bisection across trees (syzbot's fix candidates): the crashing commit is on another
    /// branch than the fixed one; the search starts at their merge base, which must crash.
    pub cross_tree: bool,
}

impl Config {
    /// Defaults for `policy` in `mode`: its runs, crash counting and reproducibility check
    /// ([`Policy::rules`]), one job.
    pub fn new(mode: Mode, policy: Policy) -> Config {
        let rules = policy.rules();
        Config {
            mode,
            policy,
            runs: rules.runs,
            jobs: 1,
            vms: 10,
            build_cost: 0.0,
            run_cost: 0.0,
            target: 0.99,
            max_probes: 80,
            any_crash: rules.any_crash,
            repro_check: rules.repro_check,
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

    /// Probes in flight at once when the caller has `requested` jobs: as many with a policy that
    /// searches k-ary, one with syzbot's ([`Policy::jobs`]).
    pub fn set_jobs(&mut self, requested: u32) {
        self.jobs = self.policy.jobs(requested);
    }

    /// Counts a crash with any title as the bisected one when the caller `asked`, or always where
    /// the policy does ([`Policy::any_crash`]).
    pub fn set_any_crash(&mut self, asked: bool) {
        self.any_crash = self.policy.any_crash(asked);
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
