//! Synthetic worlds: a history with a planted culprit, a flaky reproducer, unrelated crashes and
//! commits that do not build.

use culprit_engine::{Dag, Outcome, Rev};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Title of the crash being bisected.
pub const TARGET_TITLE: &str = "KASAN: null-ptr-deref Read in parse_header";
/// Title of the crash that appears anywhere, unrelated to the culprit.
pub const UNRELATED_TITLE: &str = "WARNING in unrelated_function";

/// Parameters of a world.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WorldParams {
    /// Commits in the history.
    pub commits: u32,
    /// Merges of random side branches instead of a straight line.
    pub dag: bool,
    /// Chance that one run on a commit with the bug crashes with the bug's title.
    pub repro_rate: f64,
    /// Chance that one run anywhere crashes with an unrelated title instead.
    pub unrelated_rate: f64,
    /// Chance that a commit does not build (never the culprit or the bad end).
    pub build_fail_rate: f64,
}

/// The history shared by all trials of a run (only the culprit and the failures vary).
#[derive(Debug)]
pub struct History {
    /// The graph; commit 0 is the root (the good end), the last commit the bad end.
    pub dag: Dag,
    children_start: Vec<u32>,
    children: Vec<u32>,
}

impl History {
    /// Builds the history for `params` from `seed`.
    pub fn new(params: &WorldParams, seed: u64) -> History {
        let n = params.commits.max(2) as usize;
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5157_0000);
        let mut parents: Vec<Vec<u32>> = Vec::with_capacity(n);
        parents.push(vec![]);
        let mut tip = 0u32;
        while parents.len() < n {
            let id = parents.len() as u32;
            let left = n - parents.len();
            if params.dag && left > 3 && rng.random_bool(0.08) {
                // A side branch forked from a recent main-line commit, merged back at once.
                let fork = rng.random_range(tip.saturating_sub(200)..=tip);
                let len = rng.random_range(1..=8usize).min(left - 1);
                let mut prev = fork;
                for k in 0..len {
                    parents.push(vec![prev]);
                    prev = id + k as u32;
                }
                let merge = parents.len() as u32;
                parents.push(vec![tip, prev]);
                tip = merge;
            } else {
                parents.push(vec![tip]);
                tip = id;
            }
        }
        // Make the last commit the single tip: merge any branch head left behind (none with the
        // construction above, but keep the invariant explicit).
        let dag = Dag::from_parents(&parents, vec![]).expect("generated history is a DAG");
        let mut children_start = vec![0u32; n + 1];
        for ps in &parents {
            for &p in ps {
                children_start[p as usize + 1] += 1;
            }
        }
        for i in 0..n {
            children_start[i + 1] += children_start[i];
        }
        let mut fill = children_start.clone();
        let mut children = vec![0u32; children_start[n] as usize];
        for (c, ps) in parents.iter().enumerate() {
            for &p in ps {
                children[fill[p as usize] as usize] = c as u32;
                fill[p as usize] += 1;
            }
        }
        History {
            dag,
            children_start,
            children,
        }
    }

    /// The bad end.
    pub fn bad(&self) -> Rev {
        Rev(self.dag.len() as u32 - 1)
    }

    /// The good end.
    pub fn good(&self) -> Rev {
        Rev(0)
    }

    /// Marks the commits that contain `culprit` (its descendants, itself included).
    fn descendants(&self, culprit: Rev) -> Vec<bool> {
        let mut mark = vec![false; self.dag.len()];
        let mut stack = vec![culprit.0];
        mark[culprit.idx()] = true;
        while let Some(c) = stack.pop() {
            let (s, e) = (
                self.children_start[c as usize],
                self.children_start[c as usize + 1],
            );
            for &ch in &self.children[s as usize..e as usize] {
                if !mark[ch as usize] {
                    mark[ch as usize] = true;
                    stack.push(ch);
                }
            }
        }
        mark
    }
}

/// One trial's hidden truth.
#[derive(Debug)]
pub struct World {
    /// The culprit.
    pub culprit: Rev,
    has_bug: Vec<bool>,
    builds: Vec<bool>,
    repro_rate: f64,
    unrelated_rate: f64,
    rng: ChaCha8Rng,
}

impl World {
    /// Plants a culprit and build failures in `history`.
    pub fn new(history: &History, params: &WorldParams, seed: u64) -> World {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let n = history.dag.len() as u32;
        let culprit = Rev(rng.random_range(1..n));
        let has_bug = history.descendants(culprit);
        let mut builds: Vec<bool> = (0..n)
            .map(|_| !rng.random_bool(params.build_fail_rate.clamp(0.0, 1.0)))
            .collect();
        builds[culprit.idx()] = true;
        builds[history.bad().idx()] = true;
        builds[history.good().idx()] = true;
        World {
            culprit,
            has_bug,
            builds,
            repro_rate: params.repro_rate.clamp(0.0, 1.0),
            unrelated_rate: params.unrelated_rate.clamp(0.0, 1.0),
            rng,
        }
    }

    /// Whether `rev` builds.
    pub fn builds(&self, rev: Rev) -> bool {
        self.builds[rev.idx()]
    }

    /// Whether `rev` has the bug.
    pub fn has_bug(&self, rev: Rev) -> bool {
        self.has_bug[rev.idx()]
    }

    /// One run on `rev`: its outcome and the fraction of the run time it took.
    pub fn run(&mut self, rev: Rev) -> (Outcome, f64) {
        if self.rng.random_bool(self.unrelated_rate) {
            let at = self.rng.random_range(0.1..1.0);
            return (Outcome::crash(UNRELATED_TITLE), at);
        }
        if self.has_bug[rev.idx()] && self.rng.random_bool(self.repro_rate) {
            let at = self.rng.random_range(0.1..1.0);
            return (Outcome::crash(TARGET_TITLE), at);
        }
        (Outcome::Ok, 1.0)
    }
}
