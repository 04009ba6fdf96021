//! Synthetic worlds: a history with a planted culprit, a flaky reproducer, unrelated crashes and
//! commits that do not build, and the worlds that break bisections: a trap (another bug that came
//! and went), long stretches that do not build, a crash rate that differs per commit, a crash
//! title that changes along the history, and a bug that was reverted and landed again.
//!
//! A world's structure (culprit, build failures, trap, stretches, per-commit rates, title change,
//! revert) is drawn once per trial from its seed; its runs draw from the same seeded generator, so
//! a trial is reproducible. With every new kind off, a world is exactly what it was before they
//! existed (same culprit, same build failures, same runs for the same seed): the new kinds draw
//! their structure from a generator of their own.

use culprit_engine::{Dag, Outcome, Rev};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Title of the crash being bisected.
pub const TARGET_TITLE: &str = "KASAN: null-ptr-deref Read in parse_header";
/// Title of the same crash after the title change (another frame of the same bug).
pub const CHANGED_TITLE: &str = "KASAN: null-ptr-deref Read in parse_body";
/// Title of the crash that appears anywhere, unrelated to the culprit.
pub const UNRELATED_TITLE: &str = "WARNING in unrelated_function";
/// Title of the trap: another bug that came and went.
pub const TRAP_TITLE: &str = "WARNING in trap_function";

/// Shortest stretch of commits that do not build.
pub const STRETCH_MIN: u32 = 20;
/// Longest stretch of commits that do not build.
pub const STRETCH_MAX: u32 = 200;

/// Why world parameters are unusable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParamsError {
    /// A probability outside [0, 1] (or not a number).
    #[error("{name} must be between 0 and 1, got {value}")]
    Rate {
        /// Which parameter.
        name: &'static str,
        /// Its value.
        value: f64,
    },
    /// The history is too short for what was asked.
    #[error("{what} needs at least {min} commits, got {commits}")]
    TooFewCommits {
        /// What needs them.
        what: &'static str,
        /// Least number of commits.
        min: u32,
        /// Commits asked for.
        commits: u32,
    },
    /// The spread of per-commit rates is negative or not a number.
    #[error("the repro spread must be a finite number at least 0, got {0}")]
    Spread(f64),
}

/// Parameters of a world. [`WorldParams::default`] is `culprit sim`'s default world (10,000
/// commits, linear, repro 0.3, unrelated 0.02, build failures 0.02, no other kind).
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
    /// The trap: when above 0, another bug (its own title, [`TRAP_TITLE`]) crashes a run with
    /// this chance on a range of commits strictly inside the history. The range's start is
    /// uniform over the commits after the good end; its length is uniform between 1% and 20% of
    /// the history (at least one commit), cut so that it ends before the bad end. On a history
    /// with merges the range is the commits that contain its first commit and not its end (the
    /// bug came in at the first and was fixed at the end). The trap crash masks the bisected one:
    /// a run that draws it reports it alone.
    pub trap_rate: f64,
    /// Stretches of consecutive commits (by index) that do not build, besides the independent
    /// failures: each is [`STRETCH_MIN`]..=[`STRETCH_MAX`] commits long (uniform, cut to the
    /// history) and never holds the culprit (nor the second one of a non-monotone world), the good
    /// end or the bad end; a stretch that cannot be placed so is dropped.
    pub build_stretches: u32,
    /// Per-commit flakiness: when above 0, each commit's crash rate is `repro_rate × 2^u`, `u`
    /// uniform in [-spread, spread] drawn once per commit, clipped to [0, 1] (spread 1: between
    /// half and twice the nominal rate). The bad end has its own draw like every commit.
    pub repro_spread: f64,
    /// The bisected crash's title changes at a random commit with the bug after the culprit
    /// (uniform among them): runs on that commit and on the commits that contain it crash with
    /// [`CHANGED_TITLE`] and [`TARGET_TITLE`] as an alternative title; before it, with
    /// [`TARGET_TITLE`] alone.
    pub title_change: bool,
    /// Non-monotone history: the bug came in at `c1` (the culprit), was reverted at `r` and came
    /// in again at `c2` (`c1 < r < c2 <= bad`); commits that contain `c1` and not `r`, or contain
    /// `c2`, have it (on a straight line: `[c1, r)` and `[c2, bad]`). Both `c1` and `c2` are
    /// right answers.
    pub non_monotone: bool,
}

impl Default for WorldParams {
    fn default() -> WorldParams {
        WorldParams {
            commits: 10_000,
            dag: false,
            repro_rate: 0.3,
            unrelated_rate: 0.02,
            build_fail_rate: 0.02,
            trap_rate: 0.0,
            build_stretches: 0,
            repro_spread: 0.0,
            title_change: false,
            non_monotone: false,
        }
    }
}

impl WorldParams {
    /// Checks that the parameters describe a world.
    pub fn validate(&self) -> Result<(), ParamsError> {
        for (name, value) in [
            ("the repro rate", self.repro_rate),
            ("the unrelated rate", self.unrelated_rate),
            ("the build failure rate", self.build_fail_rate),
            ("the trap rate", self.trap_rate),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(ParamsError::Rate { name, value });
            }
        }
        if !self.repro_spread.is_finite() || self.repro_spread < 0.0 {
            return Err(ParamsError::Spread(self.repro_spread));
        }
        let need = |what, min| {
            if self.commits < min {
                Err(ParamsError::TooFewCommits {
                    what,
                    min,
                    commits: self.commits,
                })
            } else {
                Ok(())
            }
        };
        need("a history", 2)?;
        if self.trap_rate > 0.0 {
            need("a trap", 3)?;
        }
        if self.title_change {
            need("a title change", 3)?;
        }
        if self.non_monotone {
            need("a non-monotone history", 4)?;
        }
        Ok(())
    }
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

    /// Marks the commits that contain `rev` (its descendants, itself included).
    pub fn descendants(&self, rev: Rev) -> Vec<bool> {
        let mut mark = vec![false; self.dag.len()];
        let mut stack = vec![rev.0];
        mark[rev.idx()] = true;
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

/// The trap of a world: another bug, present on the commits that contain `start` and not `end`
/// (on a straight line: `start..end`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trap {
    /// First commit with the other bug.
    pub start: Rev,
    /// The commit that fixed it (first commit without it again).
    pub end: Rev,
}

/// One trial's hidden truth.
#[derive(Debug)]
pub struct World {
    /// The culprit (in a non-monotone world, the first landing `c1`).
    pub culprit: Rev,
    /// Non-monotone world: the revert `r` and the second landing `c2`.
    pub relanded: Option<(Rev, Rev)>,
    has_bug: Vec<bool>,
    builds: Vec<bool>,
    repro_rate: f64,
    unrelated_rate: f64,
    /// Per-commit crash rates (per-commit flakiness), else `repro_rate` everywhere.
    rates: Option<Vec<f64>>,
    trap: Option<(Trap, Vec<bool>)>,
    trap_rate: f64,
    stretches: Vec<(Rev, Rev)>,
    /// The title change: its commit and the commits that crash with the new title.
    title_change: Option<(Rev, Vec<bool>)>,
    rng: ChaCha8Rng,
}

impl World {
    /// Plants a culprit, build failures and the kinds `params` asks for in `history`. A kind
    /// that does not fit the history (too short) is left out.
    pub fn new(history: &History, params: &WorldParams, seed: u64) -> World {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        // The new kinds draw from their own generator: with all of them off, the culprit, the
        // build failures and the runs are the same as before they existed.
        let mut kinds = ChaCha8Rng::seed_from_u64(seed ^ 0x6b69_6e64_7321);
        let n = history.dag.len() as u32;
        let bad = history.bad();
        let mut culprit = Rev(rng.random_range(1..n));
        let mut relanded = None;
        let mut has_bug = None;
        if params.non_monotone
            && let Some((c1, r, c2, bugs)) = non_monotone(history, &mut kinds)
        {
            culprit = c1;
            relanded = Some((r, c2));
            has_bug = Some(bugs);
        }
        let has_bug = has_bug.unwrap_or_else(|| history.descendants(culprit));
        let mut builds: Vec<bool> = (0..n)
            .map(|_| !rng.random_bool(params.build_fail_rate.clamp(0.0, 1.0)))
            .collect();
        builds[culprit.idx()] = true;
        builds[bad.idx()] = true;
        builds[history.good().idx()] = true;
        if let Some((_, c2)) = relanded {
            builds[c2.idx()] = true;
        }
        let mut keep = vec![culprit];
        keep.extend(relanded.map(|(_, c2)| c2));
        let stretches = place_stretches(n, params.build_stretches, &keep, &mut kinds);
        for &(s, e) in &stretches {
            builds[s.idx()..e.idx()].fill(false);
        }
        let trap = (params.trap_rate > 0.0)
            .then(|| trap(history, &mut kinds))
            .flatten();
        let rates = (params.repro_spread > 0.0).then(|| {
            let s = params.repro_spread;
            (0..n)
                .map(|_| {
                    let u: f64 = kinds.random_range(-s..=s);
                    (params.repro_rate * u.exp2()).clamp(0.0, 1.0)
                })
                .collect()
        });
        let title_change = if params.title_change {
            let after: Vec<u32> = (culprit.0 + 1..n)
                .filter(|&c| has_bug[c as usize])
                .collect();
            (!after.is_empty()).then(|| {
                let at = Rev(after[kinds.random_range(0..after.len())]);
                (at, history.descendants(at))
            })
        } else {
            None
        };
        World {
            culprit,
            relanded,
            has_bug,
            builds,
            repro_rate: params.repro_rate.clamp(0.0, 1.0),
            unrelated_rate: params.unrelated_rate.clamp(0.0, 1.0),
            rates,
            trap,
            trap_rate: params.trap_rate.clamp(0.0, 1.0),
            stretches,
            title_change,
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

    /// Whether naming `rev` is right: the culprit, or in a non-monotone world the second landing
    /// (both are "first bad" commits in git's sense).
    pub fn is_right(&self, rev: Rev) -> bool {
        rev == self.culprit || self.relanded.is_some_and(|(_, c2)| c2 == rev)
    }

    /// Chance that one run on `rev` crashes with the bug when nothing masks it (0 without the
    /// bug).
    pub fn repro_rate(&self, rev: Rev) -> f64 {
        if !self.has_bug(rev) {
            return 0.0;
        }
        match &self.rates {
            Some(r) => r[rev.idx()],
            None => self.repro_rate,
        }
    }

    /// The trap, if the world has one.
    pub fn trap(&self) -> Option<Trap> {
        self.trap.as_ref().map(|(t, _)| *t)
    }

    /// Whether `rev` has the trap's bug.
    pub fn in_trap(&self, rev: Rev) -> bool {
        self.trap.as_ref().is_some_and(|(_, m)| m[rev.idx()])
    }

    /// The stretches of commits that do not build, as index ranges `start..end`.
    pub fn stretches(&self) -> &[(Rev, Rev)] {
        &self.stretches
    }

    /// The commit where the crash title changes, if it does.
    pub fn title_change(&self) -> Option<Rev> {
        self.title_change.as_ref().map(|(at, _)| *at)
    }

    /// The title a crash of the bisected bug has on `rev`, and its alternative titles.
    pub fn crash_titles(&self, rev: Rev) -> (&'static str, &'static [&'static str]) {
        match &self.title_change {
            Some((_, later)) if later[rev.idx()] => (CHANGED_TITLE, &[TARGET_TITLE]),
            _ => (TARGET_TITLE, &[]),
        }
    }

    /// One run on `rev`: its outcome and the fraction of the run time it took. An unrelated
    /// crash is drawn first, then the trap's, then the bug's: the first that fires masks the
    /// others.
    pub fn run(&mut self, rev: Rev) -> (Outcome, f64) {
        if self.rng.random_bool(self.unrelated_rate) {
            let at = self.rng.random_range(0.1..1.0);
            return (Outcome::crash(UNRELATED_TITLE), at);
        }
        if self.in_trap(rev) && self.rng.random_bool(self.trap_rate) {
            let at = self.rng.random_range(0.1..1.0);
            return (Outcome::crash(TRAP_TITLE), at);
        }
        if self.has_bug[rev.idx()] && self.rng.random_bool(self.repro_rate(rev)) {
            let at = self.rng.random_range(0.1..1.0);
            let (title, alt) = self.crash_titles(rev);
            let outcome = Outcome::Crash {
                title: title.to_string(),
                alt_titles: alt.iter().map(|a| a.to_string()).collect(),
                kind: String::new(),
            };
            return (outcome, at);
        }
        (Outcome::Ok, 1.0)
    }
}

/// A uniformly drawn commit among those marked in `mark` with an index in `range`.
fn pick_marked(mark: &[bool], range: std::ops::Range<u32>, rng: &mut ChaCha8Rng) -> Option<Rev> {
    let all: Vec<u32> = range.filter(|&c| mark[c as usize]).collect();
    (!all.is_empty()).then(|| Rev(all[rng.random_range(0..all.len())]))
}

/// Draws `c1 < r < c2 <= bad` with `r` containing `c1` and `c2` containing `r`, and the commits
/// with the bug: those that contain `c1` and not `r`, or contain `c2`.
fn non_monotone(history: &History, rng: &mut ChaCha8Rng) -> Option<(Rev, Rev, Rev, Vec<bool>)> {
    let bad = history.bad();
    if bad.0 < 3 {
        return None;
    }
    // On a straight line every draw fits; with merges a commit whose only descendant after it is
    // the bad end does not: draw again.
    for _ in 0..1000 {
        let c1 = Rev(rng.random_range(1..bad.0 - 1));
        let d1 = history.descendants(c1);
        let Some(r) = pick_marked(&d1, c1.0 + 1..bad.0, rng) else {
            continue;
        };
        let dr = history.descendants(r);
        // With merges, `c2` must not merge a branch that still has the first landing (then it
        // would not be a first bad commit).
        let reverted_only: Vec<bool> = (0..dr.len())
            .map(|i| {
                dr[i]
                    && history
                        .dag
                        .parents(Rev(i as u32))
                        .iter()
                        .all(|&p| !d1[p as usize] || dr[p as usize])
            })
            .collect();
        let Some(c2) = pick_marked(&reverted_only, r.0 + 1..bad.0 + 1, rng) else {
            continue;
        };
        let d2 = history.descendants(c2);
        let bugs = (0..d1.len()).map(|i| (d1[i] && !dr[i]) || d2[i]).collect();
        return Some((c1, r, c2, bugs));
    }
    None
}

/// Draws the trap's range (see [`WorldParams::trap_rate`]) and marks its commits.
fn trap(history: &History, rng: &mut ChaCha8Rng) -> Option<(Trap, Vec<bool>)> {
    let n = history.dag.len() as u32;
    let bad = history.bad();
    if bad.0 < 2 {
        return None;
    }
    let start = Rev(rng.random_range(1..bad.0));
    let len = rng.random_range((n / 100).max(1)..=(n / 5).max(1));
    let from = start.0.saturating_add(len).min(bad.0);
    let ds = history.descendants(start);
    // The first commit from `from` on that contains `start` (the bad end always does).
    let end = Rev((from..=bad.0).find(|&c| ds[c as usize]).unwrap_or(bad.0));
    let de = history.descendants(end);
    let mark = (0..ds.len()).map(|i| ds[i] && !de[i]).collect();
    Some((Trap { start, end }, mark))
}

/// Places `count` stretches that do not build, clear of the good end, the bad end and `keep`.
fn place_stretches(n: u32, count: u32, keep: &[Rev], rng: &mut ChaCha8Rng) -> Vec<(Rev, Rev)> {
    let mut out = Vec::new();
    // Room between the good end (0) and the bad end (n - 1).
    let room = n.saturating_sub(2);
    if room == 0 {
        return out;
    }
    for _ in 0..count {
        let len = rng.random_range(STRETCH_MIN..=STRETCH_MAX).min(room);
        for _ in 0..100 {
            // start in 1..=n-1-len, so start..start+len stays in 1..n-1.
            let start = rng.random_range(1..=n - 1 - len);
            let end = start + len;
            if keep.iter().all(|k| k.0 < start || k.0 >= end) {
                out.push((Rev(start), Rev(end)));
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(commits: u32, dag: bool) -> WorldParams {
        WorldParams {
            commits,
            dag,
            repro_rate: 0.5,
            unrelated_rate: 0.0,
            build_fail_rate: 0.0,
            ..WorldParams::default()
        }
    }

    /// Runs `k` times on `rev` and returns the outcomes.
    fn runs(world: &mut World, rev: Rev, k: usize) -> Vec<Outcome> {
        (0..k).map(|_| world.run(rev).0).collect()
    }

    fn title(o: &Outcome) -> Option<&str> {
        match o {
            Outcome::Crash { title, .. } => Some(title),
            _ => None,
        }
    }

    #[test]
    fn default_kinds_off_keep_the_old_world() {
        // The old world drew the culprit, then the build failures, then the runs from one
        // generator: the same draws give the same world.
        let p = WorldParams {
            commits: 300,
            ..WorldParams::default()
        };
        let h = History::new(&p, 4);
        for seed in 0..20 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let culprit = Rev(rng.random_range(1..300));
            let builds: Vec<bool> = (0..300).map(|_| !rng.random_bool(0.02)).collect();
            let w = World::new(&h, &p, seed);
            assert_eq!(w.culprit, culprit);
            for c in 1..299 {
                if Rev(c) != culprit {
                    assert_eq!(w.builds(Rev(c)), builds[c as usize]);
                }
            }
            assert!(w.trap().is_none() && w.stretches().is_empty());
            assert!(w.title_change().is_none() && w.relanded.is_none());
        }
    }

    #[test]
    fn trap_fires_only_inside_its_range_strictly_inside_the_history() {
        for dag in [false, true] {
            let p = WorldParams {
                trap_rate: 0.5,
                ..params(1000, dag)
            };
            let h = History::new(&p, 1);
            let mut lengths = Vec::new();
            for seed in 0..30 {
                let mut w = World::new(&h, &p, seed);
                let t = w.trap().expect("a trap");
                assert!(
                    t.start.0 >= 1 && t.start < t.end && t.end <= h.bad(),
                    "{t:?}"
                );
                assert!(!w.in_trap(h.good()) && !w.in_trap(h.bad()));
                assert!(w.in_trap(t.start) && !w.in_trap(t.end));
                if !dag {
                    for c in 0..1000 {
                        assert_eq!(w.in_trap(Rev(c)), (t.start.0..t.end.0).contains(&c));
                    }
                }
                lengths.push(t.end.0 - t.start.0);
                // Inside: about half the runs crash with the trap's title; outside: never.
                let inside = runs(&mut w, t.start, 400);
                let traps = inside
                    .iter()
                    .filter(|o| title(o) == Some(TRAP_TITLE))
                    .count();
                assert!((140..=260).contains(&traps), "{traps}");
                for c in [h.good(), t.end, h.bad()] {
                    let out = runs(&mut w, c, 100);
                    assert!(out.iter().all(|o| title(o) != Some(TRAP_TITLE)));
                }
            }
            if !dag {
                // Random position and length per trial.
                lengths.sort_unstable();
                lengths.dedup();
                assert!(lengths.len() > 10, "{lengths:?}");
            }
        }
    }

    #[test]
    fn stretch_commits_do_not_build_and_spare_the_ends_and_the_culprit() {
        let p = WorldParams {
            build_stretches: 10,
            ..params(3000, false)
        };
        let h = History::new(&p, 2);
        for seed in 0..30 {
            let w = World::new(&h, &p, seed);
            assert!(w.stretches().len() >= 8, "{:?}", w.stretches());
            for &(s, e) in w.stretches() {
                let len = e.0 - s.0;
                assert!((STRETCH_MIN..=STRETCH_MAX).contains(&len), "{len}");
                assert!(s.0 >= 1 && e < h.bad());
                assert!(!(s.0..e.0).contains(&w.culprit.0));
                for c in s.0..e.0 {
                    assert!(!w.builds(Rev(c)));
                }
            }
            assert!(w.builds(w.culprit) && w.builds(h.good()) && w.builds(h.bad()));
            // Without independent failures, every other commit builds.
            let broken = (0..3000).filter(|&c| !w.builds(Rev(c))).count();
            let stretched: std::collections::BTreeSet<u32> =
                w.stretches().iter().flat_map(|&(s, e)| s.0..e.0).collect();
            assert_eq!(broken, stretched.len());
        }
    }

    #[test]
    fn per_commit_rates_spread_around_the_repro_rate() {
        let p = WorldParams {
            repro_rate: 0.3,
            repro_spread: 1.0,
            ..params(2000, false)
        };
        let h = History::new(&p, 3);
        let mut w = World::new(&h, &p, 9);
        let rates: Vec<f64> = (0..2000)
            .map(Rev)
            .filter(|&c| w.has_bug(c))
            .map(|c| w.repro_rate(c))
            .collect();
        assert!(rates.len() > 10);
        assert!(
            rates
                .iter()
                .all(|&r| (0.15 - 1e-9..=0.6 + 1e-9).contains(&r))
        );
        let lo = rates.iter().filter(|&&r| r < 0.25).count();
        let hi = rates.iter().filter(|&&r| r > 0.4).count();
        assert!(lo > rates.len() / 5 && hi > rates.len() / 5, "{lo} {hi}");
        assert_eq!(w.repro_rate(h.good()), 0.0);
        // The runs follow the commit's own rate.
        for c in [w.culprit, h.bad()] {
            let rate = w.repro_rate(c);
            let crashes = runs(&mut w, c, 2000)
                .iter()
                .filter(|o| title(o) == Some(TARGET_TITLE))
                .count() as f64;
            assert!((crashes / 2000.0 - rate).abs() < 0.05, "{c:?} {rate}");
        }
        // Rates clip to [0, 1].
        let p = WorldParams {
            repro_rate: 0.9,
            repro_spread: 2.0,
            ..params(500, false)
        };
        let h = History::new(&p, 3);
        let w = World::new(&h, &p, 1);
        let rates: Vec<f64> = (0..500).map(|c| w.repro_rate(Rev(c))).collect();
        assert!(rates.iter().all(|r| (0.0..=1.0).contains(r)));
        assert!(rates.contains(&1.0));
    }

    #[test]
    fn title_changes_where_it_says_and_keeps_the_old_title_as_alternative() {
        for dag in [false, true] {
            let p = WorldParams {
                title_change: true,
                repro_rate: 1.0,
                ..params(1000, dag)
            };
            let h = History::new(&p, 5);
            for seed in 0..20 {
                let mut w = World::new(&h, &p, seed);
                let Some(at) = w.title_change() else {
                    assert_eq!(w.culprit, h.bad());
                    continue;
                };
                assert!(w.culprit < at && at <= h.bad() && w.has_bug(at));
                let later = h.descendants(at);
                let with_bug: Vec<Rev> = (0..1000).map(Rev).filter(|&c| w.has_bug(c)).collect();
                for c in with_bug {
                    let o = w.run(c).0;
                    let Outcome::Crash {
                        title, alt_titles, ..
                    } = o
                    else {
                        panic!("repro 1 crashes")
                    };
                    if later[c.idx()] {
                        assert_eq!(title, CHANGED_TITLE);
                        assert_eq!(alt_titles, vec![TARGET_TITLE.to_string()]);
                    } else {
                        assert_eq!(title, TARGET_TITLE);
                        assert!(alt_titles.is_empty());
                    }
                    if !dag {
                        assert_eq!(later[c.idx()], c >= at);
                    }
                }
                // The bisected crash, learned on the bad end, matches the crash before the
                // change.
                let target = culprit_engine::tally::learn_target(&runs(&mut w, h.bad(), 3))
                    .expect("one title");
                let (t, alt) = w.crash_titles(w.culprit);
                let before = Outcome::Crash {
                    title: t.into(),
                    alt_titles: alt.iter().map(|a| a.to_string()).collect(),
                    kind: String::new(),
                };
                assert!(target.matches(&before, false));
            }
        }
    }

    #[test]
    fn non_monotone_bug_set_is_reverted_and_relanded() {
        for dag in [false, true] {
            let p = WorldParams {
                non_monotone: true,
                ..params(1000, dag)
            };
            let h = History::new(&p, 6);
            for seed in 0..30 {
                let w = World::new(&h, &p, seed);
                let (r, c2) = w.relanded.expect("reverted and relanded");
                let c1 = w.culprit;
                assert!(Rev(0) < c1 && c1 < r && r < c2 && c2 <= h.bad());
                assert!(w.is_right(c1) && w.is_right(c2) && !w.is_right(r));
                assert!(w.builds(c1) && w.builds(c2));
                assert!(w.has_bug(h.bad()) && !w.has_bug(h.good()));
                if !dag {
                    for c in 0..1000 {
                        let want = (c1.0..r.0).contains(&c) || c >= c2.0;
                        assert_eq!(w.has_bug(Rev(c)), want, "{c} {c1:?} {r:?} {c2:?}");
                    }
                } else {
                    // c1 and c2 are the only commits with the bug whose parents all lack it.
                    let first_bad: Vec<Rev> = (0..1000)
                        .map(Rev)
                        .filter(|&c| {
                            w.has_bug(c) && h.dag.parents(c).iter().all(|&p| !w.has_bug(Rev(p)))
                        })
                        .collect();
                    assert_eq!(first_bad, vec![c1, c2]);
                }
            }
        }
    }

    #[test]
    fn validate_rejects_what_cannot_be_a_world() {
        assert!(WorldParams::default().validate().is_ok());
        let bad = [
            WorldParams {
                trap_rate: 1.5,
                ..WorldParams::default()
            },
            WorldParams {
                repro_rate: f64::NAN,
                ..WorldParams::default()
            },
            WorldParams {
                repro_spread: -1.0,
                ..WorldParams::default()
            },
            WorldParams {
                commits: 3,
                non_monotone: true,
                ..WorldParams::default()
            },
            WorldParams {
                commits: 1,
                ..WorldParams::default()
            },
        ];
        for p in bad {
            assert!(p.validate().is_err(), "{p:?}");
        }
    }
}
