//! The policies: how runs become decisions. One module per policy says, in code and in its doc,
//! what the policy means: how many runs a commit gets, how a commit's runs become a verdict, how
//! many probes may be in flight at once (`jobs`), whether a crash with any title counts as the
//! bisected one (`any_crash`) and whether the crashing commit is tested first (the
//! reproducibility check). [`Config::new`](crate::Config::new) takes the policy's defaults from
//! [`Policy::rules`]; [`Config::set_jobs`](crate::Config::set_jobs) and
//! [`Config::set_any_crash`](crate::Config::set_any_crash) apply its rules to what a caller asks
//! for, so neither the driver nor the simulator decides them.
//!
//! - [`git`]: `git bisect run`: one run per commit, any crash is bad, git's midpoints (k-ary with
//!   several jobs), no reproducibility check, no confidence.
//! - [`syzbot`]: syzbot's rules: 10 runs (20 for the first test and for flaky reproducers), fixed
//!   thresholds, git's midpoints one commit at a time, a confidence product.
//! - [`bayes`]: a posterior over the culprit with a learned crash rate; runs and commits chosen
//!   for the most information per unit of cost. The default.

pub mod bayes;
pub mod git;
pub mod syzbot;

use std::fmt;
use std::str::FromStr;

use crate::probe::Verdict;
use crate::tally::Tally;

/// How runs become decisions. Serialized (in [`Config`](crate::Config)) by its variant name; the
/// command line and the recorded options of the driver use [`Policy::name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Policy {
    /// `git bisect run`: one run per commit, any crash is bad, git's midpoints (see [`git`]).
    Git,
    /// syzbot's rules: 10 runs (20 for the first test and for flaky reproducers), fixed
    /// thresholds, git's midpoints, a confidence product with a 0.66 cut-off (see [`syzbot`]).
    Syzbot,
    /// A posterior over the culprit with a learned crash probability; runs and commits chosen
    /// for the most information per unit of cost. The default (see [`bayes`]).
    Bayes,
}

/// What a policy means, beyond how it judges runs (its module's `verdict`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// Runs per test by default (git, syzbot), or the most runs one probe may ask for (bayes).
    pub runs: u32,
    /// The fewest runs per test the policy's verdicts can work with.
    pub min_runs: u32,
    /// Why fewer than `min_runs` cannot work, for the error that refuses them.
    pub min_runs_why: &'static str,
    /// Several probes in flight at once (k-ary search) when the caller has several jobs;
    /// otherwise one commit at a time whatever the caller has.
    pub parallel: bool,
    /// A crash with any title counts as the bisected crash, whether asked or not. Where it is
    /// false, only the crash identified on the crashing commit counts unless the caller asks.
    pub any_crash: bool,
    /// The crashing commit is tested first, to check that the crash reproduces.
    pub repro_check: bool,
    /// The policy can justify a confidence in its answer.
    pub confidence: bool,
}

impl Policy {
    /// Every policy, in the order the simulator compares them.
    pub const fn all() -> [Policy; 3] {
        [Policy::Git, Policy::Syzbot, Policy::Bayes]
    }

    /// The policy's name on the command line, in recorded options and in the simulator's tables.
    pub const fn name(self) -> &'static str {
        match self {
            Policy::Git => "git",
            Policy::Syzbot => "syzbot",
            Policy::Bayes => "bayes",
        }
    }

    /// What the policy means (its module's `RULES`).
    pub const fn rules(self) -> &'static Rules {
        match self {
            Policy::Git => &git::RULES,
            Policy::Syzbot => &syzbot::RULES,
            Policy::Bayes => &bayes::RULES,
        }
    }

    /// Probes in flight at once when the caller has `requested` jobs (machines, checkouts): all
    /// of them where the policy searches k-ary, one otherwise.
    pub const fn jobs(self, requested: u32) -> u32 {
        if self.rules().parallel && requested > 1 {
            requested
        } else {
            1
        }
    }

    /// Whether a crash with any title counts, when the caller `asked` for it or not.
    pub const fn any_crash(self, asked: bool) -> bool {
        self.rules().any_crash || asked
    }

    /// Checks that `runs` per test are enough for the policy's verdicts.
    pub fn check_runs(self, runs: u32) -> Result<(), PolicyError> {
        let r = self.rules();
        if runs < r.min_runs {
            return Err(PolicyError::TooFewRuns {
                policy: self,
                runs,
                min: r.min_runs,
                why: r.min_runs_why,
            });
        }
        Ok(())
    }

    /// The verdict on a test's runs: `Bad` = crashes, `Good` = does not, `Skip` = cannot tell,
    /// `None` = too many infrastructure errors to judge. `flaky` is syzbot's flag for a
    /// reproducer that crashed only some of its runs on the crashing commit.
    pub fn verdict(self, t: &Tally, flaky: bool) -> Option<Verdict> {
        match self {
            Policy::Git => git::verdict(t),
            Policy::Syzbot => syzbot::verdict(t, flaky),
            Policy::Bayes => bayes::verdict(t),
        }
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Policy {
    type Err = PolicyError;

    /// Parses a [`Policy::name`].
    fn from_str(s: &str) -> Result<Policy, PolicyError> {
        Policy::all()
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| PolicyError::Unknown(s.to_string()))
    }
}

/// A policy that does not exist or cannot work with what it was given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// No policy has this name.
    #[error("unknown policy '{0}': use bayes, syzbot or git")]
    Unknown(String),
    /// Fewer runs per test than the policy's verdicts need.
    #[error("{policy} needs at least {min} runs per test, got {runs}: {why}")]
    TooFewRuns {
        /// The policy.
        policy: Policy,
        /// Runs asked for.
        runs: u32,
        /// The fewest it can work with.
        min: u32,
        /// Why.
        why: &'static str,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back_and_others_are_refused() {
        for p in Policy::all() {
            assert_eq!(p.name().parse::<Policy>(), Ok(p));
            assert_eq!(p.to_string(), p.name());
        }
        let e = "fastest".parse::<Policy>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown policy 'fastest': use bayes, syzbot or git"
        );
        assert!("Bayes".parse::<Policy>().is_err());
    }

    #[test]
    fn jobs_follow_the_policy() {
        assert_eq!(Policy::Git.jobs(4), 4);
        assert_eq!(Policy::Bayes.jobs(4), 4);
        assert_eq!(Policy::Syzbot.jobs(4), 1);
        for p in Policy::all() {
            assert_eq!(p.jobs(0), 1);
            assert_eq!(p.jobs(1), 1);
        }
    }

    #[test]
    fn any_crash_is_forced_by_git_and_syzbot_and_asked_for_with_bayes() {
        assert!(Policy::Git.any_crash(false));
        assert!(Policy::Syzbot.any_crash(false));
        assert!(!Policy::Bayes.any_crash(false));
        assert!(Policy::Bayes.any_crash(true));
    }

    #[test]
    fn syzbot_refuses_one_run() {
        assert!(Policy::Git.check_runs(1).is_ok());
        assert!(Policy::Bayes.check_runs(1).is_ok());
        assert!(Policy::Syzbot.check_runs(2).is_ok());
        let e = Policy::Syzbot.check_runs(1).unwrap_err();
        assert!(matches!(e, PolicyError::TooFewRuns { min: 2, .. }), "{e}");
    }

    #[test]
    fn serialized_as_today() {
        // `Config` is serialized with the policy's variant name, as before the policy module.
        let json: Vec<String> = Policy::all()
            .iter()
            .map(|p| serde_json::to_string(p).unwrap_or_default())
            .collect();
        assert_eq!(json, [r#""Git""#, r#""Syzbot""#, r#""Bayes""#]);
    }
}
