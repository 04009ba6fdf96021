//! The `bayes` policy, culprit's default: a posterior over which candidate is the culprit.
//!
//! - Runs: as many as the choice finds worth their cost, at most [`RULES`]`.runs` (20) per probe
//!   (the caller may change the cap); a probe stops at its first crash. A commit may be tested
//!   again while its answer is unsettled.
//! - Verdicts: the search does not judge commits, it updates a posterior with every run and picks
//!   the commit and number of runs with the most information per unit of cost
//!   ([`crate::search::bayes`]); it names a culprit when it is `Config::target` sure. The
//!   per-commit [`verdict`] here serves the log and the phases around the search (the release
//!   search, the ends).
//! - Jobs: several probes in flight when the caller has several jobs: the best probes given
//!   those running (`Bisection::schedule_bayes`), and a speculative start of the search during
//!   the reproducibility check.
//! - Any crash counts only when the caller asks: otherwise the crash is identified on the
//!   crashing commit (title and kind, [`crate::identify`]) and only that one counts.
//! - Reproducibility check: the crashing commit is tested first, which identifies the crash and
//!   gives the search its first crash rate.

use super::Rules;
use crate::probe::Verdict;
use crate::tally::Tally;

/// What the bayes policy means.
pub const RULES: Rules = Rules {
    runs: 20,
    min_runs: 1,
    min_runs_why: "",
    parallel: true,
    any_crash: false,
    repro_check: true,
    confidence: true,
};

/// A test's verdict: bad on a crash, good when at least half the runs were clean, none when most
/// runs (three at least) failed for the infrastructure, skip otherwise.
pub fn verdict(t: &Tally) -> Option<Verdict> {
    Some(if t.target > 0 {
        Verdict::Bad
    } else if t.ok > 0 && t.ok * 2 >= t.total() {
        Verdict::Good
    } else if t.infra * 2 > t.total() && t.infra >= 3 {
        return None;
    } else {
        Verdict::Skip
    })
}
