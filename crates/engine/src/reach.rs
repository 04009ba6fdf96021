//! How much of the candidate set each candidate reaches: git's "weight" (how many candidates are
//! ancestors of X, X included) and its weighted form (how much posterior mass sits below X).
//!
//! git counts the ancestors of every merge with a full walk, which is quadratic on merge-heavy
//! ranges. We get the same exact numbers in linear time for the common shape of real histories:
//! take the first-parent chain from the bad commit (the "mainline"), and for every candidate note
//! the lowest mainline commit that reaches it (its *entry*). The ancestors of a mainline commit are
//! then exactly the candidates whose entry is at or below it, a prefix sum. A merge off the
//! mainline walks only its own side region, stopping at the mainline. Single-parent commits add
//! one to their parent, as git does.

use crate::dag::{Dag, Rev};
use crate::order::Candidates;

const NONE: u32 = u32::MAX;

/// The ancestors of one candidate, as [`Reach::ancestors`] describes them.
#[derive(Debug, Clone)]
pub struct Ancestry {
    top: Option<u32>,
    side: Vec<u32>,
}

/// Precomputed reachability structure over one candidate set.
#[derive(Debug, Clone)]
pub struct Reach {
    /// Mainline index of each candidate on the mainline (0 = oldest), `NONE` elsewhere.
    chain_pos: Vec<u32>,
    /// Mainline commits, oldest first.
    chain: Vec<u32>,
    /// For each candidate, the lowest mainline index that reaches it.
    entry: Vec<u32>,
    /// Candidates in a parents-first order (computed on first use).
    topo: Option<Vec<u32>>,
    /// Per candidate in that order: its single candidate parent, or root/merge (first use).
    steps: Option<Vec<(u32, u32)>>,
    /// Scratch for side walks.
    stamp: Vec<u32>,
    epoch: u32,
    stack: Vec<u32>,
}

impl Reach {
    /// Builds the structure for `cands`, whose newest commit is `bad`.
    pub fn new(dag: &Dag, cands: &Candidates, bad: Rev) -> Reach {
        let n = dag.len();
        let mut chain = Vec::new();
        let mut c = bad.0;
        if cands.contains(bad) {
            loop {
                chain.push(c);
                match dag.parents(Rev(c)).first() {
                    Some(&p) if cands.contains(Rev(p)) => c = p,
                    _ => break,
                }
            }
        }
        chain.reverse();
        let mut chain_pos = vec![NONE; n];
        for (i, &c) in chain.iter().enumerate() {
            chain_pos[c as usize] = i as u32;
        }
        let mut entry = vec![NONE; n];
        let mut stack = Vec::new();
        for (j, &m) in chain.iter().enumerate() {
            entry[m as usize] = j as u32;
            stack.push(m);
            while let Some(x) = stack.pop() {
                for &p in dag.parents(Rev(x)) {
                    if cands.contains(Rev(p)) && entry[p as usize] == NONE {
                        entry[p as usize] = j as u32;
                        stack.push(p);
                    }
                }
            }
        }
        Reach {
            chain_pos,
            chain,
            entry,
            topo: None,
            steps: None,
            stamp: Vec::new(),
            epoch: 0,
            stack,
        }
    }

    /// Candidates in an order where every parent comes before its children.
    pub fn topo(&mut self, dag: &Dag, cands: &Candidates) -> &[u32] {
        self.topo.get_or_insert_with(|| topo_order(dag, cands))
    }

    /// Exact weighted reach of `x`: the sum of `mass` over candidates that are ancestors of `x`
    /// (x included). `prefix[j]` must hold the sum of `mass` over candidates with entry <= j (see
    /// [`Reach::prefix`]). Works for any candidate; cheap for mainline commits.
    pub fn reach_of<T: Copy + std::ops::Add<Output = T> + Default>(
        &mut self,
        dag: &Dag,
        cands: &Candidates,
        x: u32,
        mass: impl Fn(u32) -> T,
        prefix: &[T],
    ) -> T {
        let pos = self.chain_pos[x as usize];
        if pos != NONE {
            return prefix[pos as usize];
        }
        // Walk the side region: candidates off the mainline reachable from x without crossing
        // the mainline; remember the highest mainline commit touched.
        if self.stamp.is_empty() {
            self.stamp = vec![0; dag.len()];
        }
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.epoch = 1;
        }
        let epoch = self.epoch;
        let mut top: Option<u32> = None;
        let mut visited: Vec<u32> = Vec::new();
        self.stamp[x as usize] = epoch;
        self.stack.clear();
        self.stack.push(x);
        while let Some(y) = self.stack.pop() {
            visited.push(y);
            for &p in dag.parents(Rev(y)) {
                if !cands.contains(Rev(p)) || self.stamp[p as usize] == epoch {
                    continue;
                }
                self.stamp[p as usize] = epoch;
                let pos = self.chain_pos[p as usize];
                if pos != NONE {
                    top = Some(top.map_or(pos, |t| t.max(pos)));
                } else {
                    self.stack.push(p);
                }
            }
        }
        let mut sum = match top {
            Some(t) => prefix[t as usize],
            None => T::default(),
        };
        for y in visited {
            let inside = matches!(top, Some(t) if self.entry[y as usize] <= t);
            if !inside {
                sum = sum + mass(y);
            }
        }
        sum
    }

    /// Which candidates are ancestors of candidate `x` (x included), as a cheap membership test:
    /// for a mainline commit a bound on the entry index, for others that bound plus the side
    /// region walked from `x`.
    pub fn ancestors(&mut self, dag: &Dag, cands: &Candidates, x: u32) -> Ancestry {
        let pos = self.chain_pos[x as usize];
        if pos != NONE {
            return Ancestry {
                top: Some(pos),
                side: Vec::new(),
            };
        }
        let mut top: Option<u32> = None;
        let mut side = vec![x];
        let mut seen = std::collections::HashSet::from([x]);
        let mut i = 0;
        while i < side.len() {
            let y = side[i];
            i += 1;
            for &p in dag.parents(Rev(y)) {
                if !cands.contains(Rev(p)) || !seen.insert(p) {
                    continue;
                }
                let pos = self.chain_pos[p as usize];
                if pos != NONE {
                    top = Some(top.map_or(pos, |t| t.max(pos)));
                } else {
                    side.push(p);
                }
            }
        }
        side.sort_unstable();
        Ancestry { top, side }
    }

    /// Whether candidate `y` is in `a`.
    pub fn within(&self, a: &Ancestry, y: u32) -> bool {
        matches!(a.top, Some(t) if self.entry[y as usize] <= t) || a.side.binary_search(&y).is_ok()
    }

    /// Prefix sums of `mass` by entry: `prefix[j]` = sum over candidates whose entry is <= j.
    pub fn prefix<T: Copy + std::ops::Add<Output = T> + Default>(
        &self,
        cands: &Candidates,
        mass: impl Fn(u32) -> T,
    ) -> Vec<T> {
        let mut by_entry = vec![T::default(); self.chain.len()];
        for &c in &cands.list {
            let e = self.entry[c.idx()];
            if e != NONE {
                by_entry[e as usize] = by_entry[e as usize] + mass(c.0);
            }
        }
        let mut acc = T::default();
        for v in by_entry.iter_mut() {
            acc = acc + *v;
            *v = acc;
        }
        by_entry
    }

    /// Weighted reach of every candidate at once (indexed by commit; 0 for non-candidates).
    pub fn all<T: Copy + std::ops::Add<Output = T> + Default>(
        &mut self,
        dag: &Dag,
        cands: &Candidates,
        mass: &[T],
    ) -> Vec<T> {
        let mut out = Vec::new();
        self.all_into(dag, cands, mass, &mut out);
        out
    }

    /// [`Reach::all`] into a buffer the caller keeps between calls (no reallocation).
    pub fn all_into<T: Copy + std::ops::Add<Output = T> + Default>(
        &mut self,
        dag: &Dag,
        cands: &Candidates,
        mass: &[T],
        out: &mut Vec<T>,
    ) {
        let prefix = self.prefix(cands, |c| mass[c as usize]);
        out.clear();
        out.resize(dag.len(), T::default());
        let steps = match self.steps.take() {
            Some(s) => s,
            None => steps(dag, cands, self.topo(dag, cands)),
        };
        for &(c, p) in &steps {
            out[c as usize] = match p {
                ROOT => mass[c as usize],
                MERGE => self.reach_of(dag, cands, c, |y| mass[y as usize], &prefix),
                p => out[p as usize] + mass[c as usize],
            };
        }
        self.steps = Some(steps);
    }
}

const ROOT: u32 = u32::MAX;
const MERGE: u32 = u32::MAX - 1;

/// For each candidate in parents-first order: its only candidate parent, or [`ROOT`] (none) or
/// [`MERGE`] (several).
fn steps(dag: &Dag, cands: &Candidates, topo: &[u32]) -> Vec<(u32, u32)> {
    topo.iter()
        .map(|&c| {
            let mut interesting = dag
                .parents(Rev(c))
                .iter()
                .filter(|&&p| cands.contains(Rev(p)));
            let kind = match (interesting.next(), interesting.next()) {
                (None, _) => ROOT,
                (Some(&p), None) => p,
                _ => MERGE,
            };
            (c, kind)
        })
        .collect()
}

/// Candidates ordered parents first (Kahn's algorithm over the candidate subgraph).
fn topo_order(dag: &Dag, cands: &Candidates) -> Vec<u32> {
    let n = dag.len();
    let mut pending = vec![0u32; n];
    let mut children_start = vec![0u32; n + 1];
    for &c in &cands.list {
        for &p in dag.parents(c) {
            if cands.contains(Rev(p)) {
                pending[c.idx()] += 1;
                children_start[p as usize + 1] += 1;
            }
        }
    }
    for i in 0..n {
        children_start[i + 1] += children_start[i];
    }
    let mut fill = children_start.clone();
    let mut children = vec![0u32; children_start[n] as usize];
    for &c in &cands.list {
        for &p in dag.parents(c) {
            if cands.contains(Rev(p)) {
                children[fill[p as usize] as usize] = c.0;
                fill[p as usize] += 1;
            }
        }
    }
    let mut out = Vec::with_capacity(cands.len());
    let mut stack: Vec<u32> = cands
        .list
        .iter()
        .rev()
        .filter(|c| pending[c.idx()] == 0)
        .map(|c| c.0)
        .collect();
    while let Some(c) = stack.pop() {
        out.push(c);
        let (s, e) = (
            children_start[c as usize] as usize,
            children_start[c as usize + 1] as usize,
        );
        for &ch in &children[s..e] {
            pending[ch as usize] -= 1;
            if pending[ch as usize] == 0 {
                stack.push(ch);
            }
        }
    }
    out
}
