//! The `git` policy: what `git bisect run` does.
//!
//! - Runs: [`RULES`]`.runs` (one) per commit; the caller may ask for more, and a crash in any of
//!   them makes the commit bad.
//! - Verdicts: [`verdict`] here (bad on a crash, good on a clean run, skip otherwise); the next
//!   commit is git's midpoint of what is left ([`crate::search::verdicts`], [`crate::midpoint`]).
//! - Jobs: several probes in flight when the caller has several jobs: a k-ary search that cuts
//!   what is left in equal parts, in whole rounds (`Bisection::schedule_verdicts_kary`).
//! - Any crash counts: a crash with any title is the crash, as an exit code is to git.
//! - No reproducibility check: git trusts `--bad` and never tests it.
//! - No confidence: one run per commit and an unchecked crashing end justify none.

use super::Rules;
use crate::probe::Verdict;
use crate::tally::Tally;

/// What the git policy means.
pub const RULES: Rules = Rules {
    runs: 1,
    min_runs: 1,
    min_runs_why: "",
    parallel: true,
    any_crash: true,
    repro_check: false,
    confidence: false,
};

/// A test's verdict: bad when a run crashed with the crash, good when one was clean, skip when
/// no run could tell (the build failed or every run was skipped).
pub fn verdict(t: &Tally) -> Option<Verdict> {
    Some(if t.target > 0 {
        Verdict::Bad
    } else if t.ok > 0 {
        Verdict::Good
    } else {
        Verdict::Skip
    })
}
