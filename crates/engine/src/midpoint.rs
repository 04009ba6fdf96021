//! git's choice of the next commit to test: the candidate whose "weight" (candidates it reaches)
//! is closest to half, scanning in git's order, stopping early at the first commit that is
//! (approximately) half-way, exactly as `git bisect` does without skipped commits.

use crate::dag::{Dag, Rev};
use crate::order::Candidates;
use crate::reach::Reach;

/// The chosen midpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Midpoint {
    /// The commit to test.
    pub rev: Rev,
    /// Candidates it reaches (itself included).
    pub reaches: usize,
    /// All candidates.
    pub all: usize,
}

impl Midpoint {
    /// git's "N revisions left to test after this".
    pub fn left(&self) -> usize {
        self.all.saturating_sub(self.reaches + 1)
    }
}

/// git's `approx_halfway`.
fn approx_halfway(weight: i64, nr: i64) -> bool {
    let diff = 2 * weight - nr;
    matches!(diff, -1..=1) || diff.abs() < nr / 1024
}

/// git's `estimate_bisect_steps`: the "(roughly N steps)" figure for `all` candidates.
pub fn estimate_steps(all: usize) -> u32 {
    if all < 3 {
        return 0;
    }
    let n = usize::BITS - 1 - all.leading_zeros();
    let e = 1usize << n;
    let x = all - e;
    if e < 3 * x { n } else { n - 1 }
}

/// Weights of every candidate (indexed by position in `cands.list`) computed as git does, or the
/// early half-way hit. Shared by [`find`] and [`ranked`].
enum Weights {
    Halfway(Midpoint),
    All(Vec<i64>),
}

fn weights(dag: &Dag, cands: &Candidates, bad: Rev, stop_early: bool) -> Weights {
    let nr = cands.len() as i64;
    let mut reach = Reach::new(dag, cands, bad);
    let prefix = reach.prefix(cands, |_| 1i64);
    let mut w = vec![-1i64; cands.len()];
    let mut counted = 0i64;
    let interesting = |c: Rev| {
        dag.parents(c)
            .iter()
            .filter(|&&p| cands.contains(Rev(p)))
            .count()
    };
    for (i, &c) in cands.list.iter().enumerate() {
        match interesting(c) {
            0 => {
                w[i] = 1;
                counted += 1;
            }
            1 => w[i] = -1,
            _ => w[i] = -2,
        }
    }
    for (i, &c) in cands.list.iter().enumerate() {
        if w[i] != -2 {
            continue;
        }
        w[i] = reach.reach_of(dag, cands, c.0, |_| 1i64, &prefix);
        if stop_early && approx_halfway(w[i], nr) {
            return Weights::Halfway(Midpoint {
                rev: c,
                reaches: w[i] as usize,
                all: cands.len(),
            });
        }
        counted += 1;
    }
    // Fill single-parent strands; git rescans the list until every weight is known.
    let mut todo: Vec<usize> = (0..cands.len()).filter(|&i| w[i] < 0).collect();
    while counted < nr && !todo.is_empty() {
        let mut next = Vec::new();
        for &i in &todo {
            if w[i] >= 0 {
                continue;
            }
            let c = cands.list[i];
            let known = dag.parents(c).iter().find_map(|&p| {
                let pos = cands.position[p as usize];
                (pos != u32::MAX && w[pos as usize] >= 0).then(|| w[pos as usize])
            });
            match known {
                Some(pw) => {
                    w[i] = pw + 1;
                    counted += 1;
                    if stop_early && approx_halfway(w[i], nr) {
                        return Weights::Halfway(Midpoint {
                            rev: c,
                            reaches: w[i] as usize,
                            all: cands.len(),
                        });
                    }
                }
                None => next.push(i),
            }
        }
        if next.len() == todo.len() {
            break; // cannot happen in a DAG; guards against looping forever
        }
        todo = next;
    }
    Weights::All(w)
}

/// git's midpoint for `bad` against the candidates `cands` (as listed by
/// [`crate::order::candidates`]). `None` when there is no candidate.
pub fn find(dag: &Dag, cands: &Candidates, bad: Rev) -> Option<Midpoint> {
    if cands.is_empty() {
        return None;
    }
    let nr = cands.len() as i64;
    match weights(dag, cands, bad, true) {
        Weights::Halfway(m) => Some(m),
        Weights::All(w) => {
            let mut best: Option<(usize, i64)> = None;
            for (i, &wi) in w.iter().enumerate() {
                let d = wi.min(nr - wi);
                if best.is_none_or(|(_, bd)| d > bd) {
                    best = Some((i, d));
                }
            }
            best.map(|(i, _)| Midpoint {
                rev: cands.list[i],
                reaches: w[i] as usize,
                all: cands.len(),
            })
        }
    }
}

/// Every candidate with its weight, best midpoints first (ties in git's list order). Used to step
/// past skipped commits deterministically.
pub fn ranked(dag: &Dag, cands: &Candidates, bad: Rev) -> Vec<Midpoint> {
    let nr = cands.len() as i64;
    let w = match weights(dag, cands, bad, false) {
        Weights::All(w) => w,
        Weights::Halfway(_) => unreachable!("weights() never stops early when asked not to"),
    };
    let mut idx: Vec<usize> = (0..cands.len()).collect();
    idx.sort_by_key(|&i| (std::cmp::Reverse(w[i].min(nr - w[i])), i));
    idx.into_iter()
        .map(|i| Midpoint {
            rev: cands.list[i],
            reaches: w[i] as usize,
            all: cands.len(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::candidates;

    #[test]
    fn steps_match_gits_examples() {
        // From the example log: 9083 left / 13 steps, etc. `all` there is left + reaches + 1.
        assert_eq!(estimate_steps(1), 0);
        assert_eq!(estimate_steps(2), 0);
        assert_eq!(estimate_steps(3), 1);
        assert_eq!(estimate_steps(4), 1);
        assert_eq!(estimate_steps(5), 1);
        assert_eq!(estimate_steps(6), 2);
        assert_eq!(estimate_steps(22), 4);
        assert_eq!(estimate_steps(18167), 13);
    }

    #[test]
    fn linear_midpoint() {
        let parents: Vec<Vec<u32>> = (0..10u32)
            .map(|i| if i == 0 { vec![] } else { vec![i - 1] })
            .collect();
        let dag = Dag::from_parents(&parents, vec![]).unwrap();
        let c = candidates(&dag, Rev(9), &[Rev(0)]);
        let m = find(&dag, &c, Rev(9)).unwrap();
        // 9 candidates 1..=9; weights 1..=9; halfway at weight 4 or 5: first in list order is 4.
        assert_eq!(m.rev, Rev(4));
        assert_eq!(m.left(), 4);
    }
}
