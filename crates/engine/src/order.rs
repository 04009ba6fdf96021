//! The order in which git lists bisection candidates.
//!
//! `git rev-list --bisect BAD ^GOOD...` walks history from the given commits through a queue kept
//! sorted by committer date (newest first, equal dates first-in first-out), marking everything
//! reachable from a good commit "uninteresting". The commits popped while interesting, minus those
//! found uninteresting later, reversed, are the list that git's midpoint search scans; its order
//! breaks ties between equally good midpoints. We emulate that walk step for step (including the
//! "slop" that lets the walk end early) so that our first probe is git's, even with equal dates.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::dag::{Dag, Rev};

const SEEN: u8 = 1;
const PARSED: u8 = 2;
const UNINTERESTING: u8 = 4;
const ADDED: u8 = 8;
const QUEUED: u8 = 16;

/// How many extra queue pops git allows once only uninteresting commits are queued.
const SLOP: u32 = 5;

/// Candidates of a bisection in git's scan order (oldest first), with a membership table.
#[derive(Debug, Clone)]
pub struct Candidates {
    /// Candidate commits in git's `find_bisection` order.
    pub list: Vec<Rev>,
    /// `position[c] = i` when `list[i] == c`, `u32::MAX` for non-candidates.
    pub position: Vec<u32>,
}

impl Candidates {
    /// Whether `rev` is a candidate.
    pub fn contains(&self, rev: Rev) -> bool {
        self.position[rev.idx()] != u32::MAX
    }

    /// Number of candidates.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there are no candidates.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

struct Walk<'a> {
    dag: &'a Dag,
    flags: Vec<u8>,
    queue: BinaryHeap<(i64, Reverse<u64>, u32)>,
    seq: u64,
    interesting_queued: usize,
    stack: Vec<u32>,
}

impl Walk<'_> {
    fn set_uninteresting(&mut self, c: u32) -> bool {
        let f = &mut self.flags[c as usize];
        if *f & UNINTERESTING != 0 {
            return false;
        }
        *f |= UNINTERESTING;
        if *f & QUEUED != 0 {
            self.interesting_queued -= 1;
        }
        true
    }

    fn push(&mut self, c: u32) {
        let f = &mut self.flags[c as usize];
        *f |= SEEN | QUEUED;
        if *f & UNINTERESTING == 0 {
            self.interesting_queued += 1;
        }
        self.queue
            .push((self.dag.time(Rev(c)), Reverse(self.seq), c));
        self.seq += 1;
    }

    /// git's `mark_parents_uninteresting`: parents of `c` become uninteresting, and so, through
    /// commits already parsed, do their ancestors.
    fn mark_parents_uninteresting(&mut self, c: u32) {
        let dag = self.dag;
        self.stack.clear();
        for &p in dag.parents(Rev(c)) {
            self.stack.push(p);
        }
        while let Some(p) = self.stack.pop() {
            if !self.set_uninteresting(p) {
                continue;
            }
            if self.flags[p as usize] & PARSED != 0 {
                self.stack.extend_from_slice(dag.parents(Rev(p)));
            }
        }
    }

    fn process_parents(&mut self, c: u32) {
        let dag = self.dag;
        if self.flags[c as usize] & ADDED != 0 {
            return;
        }
        self.flags[c as usize] |= ADDED;
        let uninteresting = self.flags[c as usize] & UNINTERESTING != 0;
        for &p in dag.parents(Rev(c)) {
            if uninteresting {
                self.set_uninteresting(p);
                self.flags[p as usize] |= PARSED;
                if !dag.parents(Rev(p)).is_empty() {
                    self.mark_parents_uninteresting(p);
                }
            } else {
                self.flags[p as usize] |= PARSED;
            }
            if self.flags[p as usize] & SEEN == 0 {
                self.push(p);
            }
        }
    }
}

/// Lists the candidates of `bad` against `goods` in git's order. `goods` order matters only for
/// commits with equal dates, as on git's command line.
pub fn candidates(dag: &Dag, bad: Rev, goods: &[Rev]) -> Candidates {
    let mut walk = Walk {
        dag,
        flags: vec![0; dag.len()],
        queue: BinaryHeap::new(),
        seq: 0,
        interesting_queued: 0,
        stack: Vec::new(),
    };
    // Command-line commits: parsed; a good one marks its parents uninteresting at once.
    let mut pending: Vec<u32> = Vec::with_capacity(goods.len() + 1);
    let mut push_pending = |walk: &mut Walk<'_>, c: Rev, good: bool| {
        walk.flags[c.idx()] |= PARSED;
        if good {
            walk.set_uninteresting(c.0);
            walk.mark_parents_uninteresting(c.0);
        }
        if walk.flags[c.idx()] & SEEN == 0 {
            walk.flags[c.idx()] |= SEEN;
            pending.push(c.0);
        }
    };
    push_pending(&mut walk, bad, false);
    for &g in goods {
        push_pending(&mut walk, g, true);
    }
    // Stable sort by date, newest first; the queue's sequence numbers keep that order.
    pending.sort_by_key(|&c| Reverse(dag.time(Rev(c))));
    for c in pending {
        walk.flags[c as usize] &= !SEEN;
        walk.push(c);
    }

    let mut popped: Vec<u32> = Vec::new();
    let mut date = i64::MAX;
    let mut slop = SLOP;
    while let Some((_, _, c)) = walk.queue.pop() {
        walk.flags[c as usize] &= !QUEUED;
        if walk.flags[c as usize] & UNINTERESTING == 0 {
            walk.interesting_queued -= 1;
        }
        walk.process_parents(c);
        if walk.flags[c as usize] & UNINTERESTING != 0 {
            walk.mark_parents_uninteresting(c);
            // git's still_interesting()
            slop = match walk.queue.peek() {
                None => 0,
                Some(&(head_date, _, _)) if date <= head_date => SLOP,
                Some(_) if walk.interesting_queued > 0 => SLOP,
                Some(_) => slop - 1,
            };
            if slop == 0 {
                break;
            }
            continue;
        }
        date = dag.time(Rev(c));
        popped.push(c);
    }

    let mut position = vec![u32::MAX; dag.len()];
    let mut list = Vec::with_capacity(popped.len());
    for &c in popped.iter().rev() {
        if walk.flags[c as usize] & UNINTERESTING == 0 {
            position[c as usize] = list.len() as u32;
            list.push(Rev(c));
        }
    }
    Candidates { list, position }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_history_lists_oldest_first() {
        // 0 <- 1 <- 2 <- 3 <- 4
        let dag = Dag::from_parents(&[vec![], vec![0], vec![1], vec![2], vec![3]], vec![]).unwrap();
        let c = candidates(&dag, Rev(4), &[Rev(1)]);
        assert_eq!(c.list, vec![Rev(2), Rev(3), Rev(4)]);
        assert!(!c.contains(Rev(1)));
        assert!(!c.contains(Rev(0)));
    }

    #[test]
    fn good_side_branch_removes_only_its_ancestors() {
        // 0 <- 1 <- 2 <- 4(merge 2,3); 0 <- 3
        let dag =
            Dag::from_parents(&[vec![], vec![0], vec![1], vec![0], vec![2, 3]], vec![]).unwrap();
        let c = candidates(&dag, Rev(4), &[Rev(3)]);
        let mut got: Vec<u32> = c.list.iter().map(|r| r.0).collect();
        got.sort();
        assert_eq!(got, vec![1, 2, 4]);
    }
}
