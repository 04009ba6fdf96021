//! Search by hard verdicts, as `git bisect` does: every probe is judged good, bad or skip, and
//! the next commit is git's midpoint of what is left. Used by the `git` and `syzbot` policies.

use std::collections::HashSet;

use crate::dag::{Dag, Rev};
use crate::midpoint;
use crate::order;
use crate::probe::Verdict;
use crate::tally::Tally;

/// What the search wants next.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    /// Test this commit; git's "revisions left" and "steps" figures.
    Test {
        /// Commit.
        rev: Rev,
        /// Revisions left after this one.
        left: u64,
        /// Step estimate.
        steps: u32,
    },
    /// Only this commit is left.
    Found(Rev),
    /// Only skipped commits (and the bad end) are left.
    OnlySkipped(Vec<Rev>),
}

/// State of a verdict search: git's `bad`, `good` and `skip` refs.
#[derive(Debug, Clone)]
pub struct VerdictSearch {
    /// git's "bad": newest commit known to have the change.
    pub new: Rev,
    /// git's "good" commits.
    pub olds: Vec<Rev>,
    skipped: HashSet<u32>,
}

impl VerdictSearch {
    /// Starts between `new` and `olds`.
    pub fn new(new: Rev, olds: Vec<Rev>) -> VerdictSearch {
        VerdictSearch {
            new,
            olds,
            skipped: HashSet::new(),
        }
    }

    /// Records a verdict on `rev`.
    pub fn apply(&mut self, rev: Rev, verdict: Verdict) {
        match verdict {
            Verdict::Bad => self.new = rev,
            Verdict::Good => {
                if !self.olds.contains(&rev) {
                    self.olds.push(rev);
                }
            }
            Verdict::Skip => {
                self.skipped.insert(rev.0);
            }
        }
    }

    /// The next step.
    pub fn next(&self, dag: &Dag) -> Next {
        let cands = order::candidates(dag, self.new, &self.olds);
        let skipped_in: Vec<Rev> = cands
            .list
            .iter()
            .copied()
            .filter(|r| self.skipped.contains(&r.0))
            .collect();
        let chosen = if skipped_in.is_empty() {
            midpoint::find(dag, &cands, self.new)
        } else {
            midpoint::ranked(dag, &cands, self.new)
                .into_iter()
                .find(|m| !self.skipped.contains(&m.rev.0))
        };
        match chosen {
            Some(m) if m.rev != self.new => Next::Test {
                rev: m.rev,
                left: m.left() as u64,
                steps: midpoint::estimate_steps(m.all),
            },
            _ if skipped_in.is_empty() => Next::Found(self.new),
            _ => {
                let mut all = skipped_in;
                all.push(self.new);
                Next::OnlySkipped(all)
            }
        }
    }
}

impl VerdictSearch {
    /// The candidates left (git's list, the `new` end included).
    pub fn candidates(&self, dag: &Dag) -> order::Candidates {
        order::candidates(dag, self.new, &self.olds)
    }

    /// Up to `k` commits to test at once (k-ary search, a whole round): the candidates are laid
    /// on an axis by git's weight (how many candidates a commit reaches) and the probes go to
    /// its `k+1`-quantiles, so two probes cut it in thirds. With `k` of 1, or nothing left to
    /// split, it is [`Self::next`] (git's midpoint, found, or only skipped left).
    pub fn next_batch(&self, dag: &Dag, k: usize) -> Vec<Next> {
        if k <= 1 {
            return vec![self.next(dag)];
        }
        let cands = self.candidates(dag);
        let ranked = midpoint::ranked(dag, &cands, self.new);
        let usable: Vec<&midpoint::Midpoint> = ranked
            .iter()
            .filter(|m| m.rev != self.new && !self.skipped.contains(&m.rev.0))
            .collect();
        if usable.is_empty() {
            return vec![self.next(dag)];
        }
        let nr = cands.len() as f64;
        let mut chosen: Vec<&midpoint::Midpoint> = Vec::new();
        for j in 1..=k {
            let t = nr * j as f64 / (k + 1) as f64;
            // Nearest weight; ties go to git's ranking (the list is sorted best midpoint first).
            let best = usable
                .iter()
                .filter(|m| !chosen.iter().any(|c| c.rev == m.rev))
                .min_by(|a, b| {
                    (a.reaches as f64 - t)
                        .abs()
                        .total_cmp(&(b.reaches as f64 - t).abs())
                });
            // A commit with the weight of one already chosen would tell nothing more.
            if let Some(m) = best
                && !chosen.iter().any(|c| c.reaches == m.reaches)
            {
                chosen.push(m);
            }
        }
        chosen
            .into_iter()
            .map(|m| Next::Test {
                rev: m.rev,
                left: m.left() as u64,
                steps: midpoint::estimate_steps(m.all),
            })
            .collect()
    }
}

/// syzbot's running state: flakiness, reproduction chance and the confidence product.
#[derive(Debug, Clone, PartialEq)]
pub struct SyzbotState {
    /// Sticky flaky flag: 20 runs per test and a higher bar for good.
    pub flaky: bool,
    /// Estimated chance that one run reproduces the crash.
    pub repro_chance: f64,
    /// Product of per-test confidences.
    pub confidence: f64,
}

/// syzbot's `bisectionDecision`. `None` means: abort, too many infrastructure errors.
pub fn syzbot_verdict(t: &Tally, flaky: bool) -> Option<Verdict> {
    let total = t.total() as i64;
    let (bad, good, infra) = (t.target as i64, t.ok as i64, t.infra as i64);
    let skip = total - bad - good - infra;
    let want_bad = 2.max((total - infra) / 6);
    let want_good = if flaky { total * 3 / 4 } else { total / 2 };
    let want_total = total / 2;
    if bad == 0 && good >= want_good {
        Some(Verdict::Good)
    } else if bad >= want_bad && good + bad >= want_total {
        Some(Verdict::Bad)
    } else if infra > skip {
        None
    } else {
        Some(Verdict::Skip)
    }
}

/// syzbot's bad-run ratio of a test.
pub fn bad_ratio(t: &Tally) -> f64 {
    let n = t.target + t.ok;
    if n == 0 {
        0.0
    } else {
        f64::from(t.target) / f64::from(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(total: u32, good: u32, bad: u32, infra: u32, skip: u32) -> Tally {
        assert_eq!(total, good + bad + infra + skip);
        Tally {
            target: bad,
            other: 0,
            ok: good,
            skip,
            infra,
        }
    }

    /// syzbot's `TestBisectVerdict` table.
    #[test]
    fn verdict_table() {
        let cases = [
            ("bad-but-many-infra", false, tally(10, 0, 1, 8, 1), None),
            (
                "many-good-and-infra",
                false,
                tally(10, 5, 0, 3, 2),
                Some(Verdict::Good),
            ),
            (
                "many-total-and-infra",
                false,
                tally(10, 4, 2, 2, 2),
                Some(Verdict::Bad),
            ),
            (
                "too-many-skips",
                false,
                tally(10, 2, 2, 3, 3),
                Some(Verdict::Skip),
            ),
            (
                "flaky-need-more-good",
                true,
                tally(20, 10, 0, 3, 7),
                Some(Verdict::Skip),
            ),
            (
                "flaky-enough-good",
                true,
                tally(20, 15, 0, 3, 2),
                Some(Verdict::Good),
            ),
            (
                "flaky-too-many-skips",
                true,
                tally(20, 6, 1, 0, 13),
                Some(Verdict::Skip),
            ),
            (
                "flaky-many-skips",
                true,
                tally(20, 7, 3, 0, 10),
                Some(Verdict::Bad),
            ),
            (
                "outlier-bad",
                false,
                tally(10, 9, 1, 0, 0),
                Some(Verdict::Skip),
            ),
        ];
        for (name, flaky, t, want) in cases {
            assert_eq!(syzbot_verdict(&t, flaky), want, "{name}");
        }
    }

    #[test]
    fn only_skipped_left_lists_them_and_the_bad_end() {
        // c0 <- c1 <- c2 <- c3 <- c4 ; bad = c4, good = c0 (syzkaller's vcs TestBisect shape).
        let parents: Vec<Vec<u32>> = (0..5u32)
            .map(|i| if i == 0 { vec![] } else { vec![i - 1] })
            .collect();
        let dag = Dag::from_parents(&parents, vec![]).unwrap();
        let mut s = VerdictSearch::new(Rev(4), vec![Rev(0)]);
        // all skip -> [c1, c2, c3, c4]
        for _ in 0..3 {
            match s.next(&dag) {
                Next::Test { rev, .. } => s.apply(rev, Verdict::Skip),
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(
            s.next(&dag),
            Next::OnlySkipped(vec![Rev(1), Rev(2), Rev(3), Rev(4)])
        );
    }

    #[test]
    fn vcs_table() {
        // From syzkaller's vcs TestBisect: verdict per commit -> expected result.
        let parents: Vec<Vec<u32>> = (0..5u32)
            .map(|i| if i == 0 { vec![] } else { vec![i - 1] })
            .collect();
        let dag = Dag::from_parents(&parents, vec![]).unwrap();
        let run = |v: [Verdict; 5]| {
            let mut s = VerdictSearch::new(Rev(4), vec![Rev(0)]);
            loop {
                match s.next(&dag) {
                    Next::Test { rev, .. } => s.apply(rev, v[rev.idx()]),
                    Next::Found(r) => return vec![r],
                    Next::OnlySkipped(mut rs) => {
                        rs.sort();
                        return rs;
                    }
                }
            }
        };
        use Verdict::{Bad as B, Good as G, Skip as S};
        assert_eq!(run([G, B, B, B, B]), vec![Rev(1)]);
        assert_eq!(run([G, G, G, G, B]), vec![Rev(4)]);
        assert_eq!(run([G, S, S, G, B]), vec![Rev(4)]);
        assert_eq!(run([G, G, S, B, B]), vec![Rev(2), Rev(3)]);
    }
}
