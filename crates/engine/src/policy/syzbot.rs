//! The `syzbot` policy: syzbot's bisection rules, line for line.
//!
//! - Runs: [`RULES`]`.runs` (10) per commit; [`FIRST_RUNS`] on the crashing commit (the
//!   reproducibility check) and [`FLAKY_RUNS`] on every commit once the reproducer turned out
//!   flaky. Fewer than two runs cannot work: a commit is bad only after two crashing runs.
//! - Verdicts: syzbot's fixed thresholds on the counts of crashing, clean and infrastructure runs
//!   ([`crate::search::verdicts::syzbot_verdict`]); the next commit is git's midpoint of what is
//!   left ([`crate::search::verdicts`]), and every verdict updates syzbot's confidence product
//!   (`Bisection::judge_step`), reported with its 0.66 cut-off.
//! - Jobs: one commit at a time, whatever the caller has, as syzbot does.
//! - Any crash counts, as in syzbot (transient infrastructure crashes excepted).
//! - Reproducibility check: the crashing commit is tested first; a crash that does not
//!   reproduce ends the bisection.

use super::Rules;
use crate::probe::Verdict;
use crate::tally::Tally;

/// What the syzbot policy means.
pub const RULES: Rules = Rules {
    runs: 10,
    min_runs: 2,
    min_runs_why: "its rules call a commit bad only after two crashing runs (use the git policy for one run per commit)",
    parallel: false,
    any_crash: true,
    repro_check: true,
    confidence: true,
};

/// Runs of the reproducibility check on the crashing commit.
pub const FIRST_RUNS: u32 = 20;

/// Runs per commit once the reproducer is known to be flaky.
pub const FLAKY_RUNS: u32 = 20;

/// A test's verdict by syzbot's thresholds.
pub fn verdict(t: &Tally, flaky: bool) -> Option<Verdict> {
    crate::search::verdicts::syzbot_verdict(t, flaky)
}
