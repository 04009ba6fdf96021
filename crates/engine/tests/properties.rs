//! Property tests of the engine on random small histories (requirement 6 of the engine issue):
//! consistent outcomes always end in a result that contains the true culprit, no probe ever
//! leaves the candidates, and contradictory outcomes end in a result without panicking.

use std::collections::VecDeque;
use std::sync::Arc;

use culprit_engine::{
    Bisection, Build, Conclusion, Config, Dag, Event, Mode, Outcome, Policy, Probe, Purpose, Rev,
    Target,
};
use proptest::prelude::*;

const TITLE: &str = "BUG: unable to handle page fault in foo";

/// A random DAG: commit i's first parent is i-1; sometimes a second parent further back.
fn dag_strategy() -> impl Strategy<Value = Vec<Vec<u32>>> {
    (4usize..60).prop_flat_map(|n| {
        proptest::collection::vec((any::<bool>(), 0u32..1000), n).prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (merge, r))| {
                    let i = i as u32;
                    match i {
                        0 => vec![],
                        1 | 2 => vec![i - 1],
                        _ if merge && r % 4 == 0 => vec![i - 1, r % (i - 1)],
                        _ => vec![i - 1],
                    }
                })
                .collect()
        })
    })
}

fn ancestors(dag: &Dag, rev: Rev) -> Vec<bool> {
    let mut m = vec![false; dag.len()];
    dag.mark_ancestors(&[rev], &mut m);
    m
}

/// Drives `engine` to its end: `outcome(rev, run)` gives each run; builds fail where `broken`.
/// Results are delivered in a scrambled order when several probes are in flight. Returns every
/// probe handed out.
fn drive(
    engine: &mut Bisection,
    broken: &[bool],
    mut outcome: impl FnMut(Rev, u32) -> Outcome,
    scramble: u64,
) -> Vec<Probe> {
    let mut probes = Vec::new();
    let mut pending: VecDeque<(Probe, u32)> = VecDeque::new();
    let mut stopped = std::collections::HashSet::new();
    let mut x = scramble | 1;
    for _ in 0..5000 {
        while let Some(p) = engine.poll_probe() {
            probes.push(p.clone());
            let ok = !broken[p.rev.idx()];
            let build = if ok {
                Build::Built { artifact: None }
            } else {
                Build::Failed {
                    reason: "error: broken".into(),
                }
            };
            engine.handle_build(p.id, build).expect("known probe");
            if ok && p.runs > 0 {
                pending.push_back((p, 0));
            }
        }
        while let Some(ev) = engine.poll_event() {
            if let Event::Stop { probe } = ev {
                stopped.insert(probe);
            }
        }
        if engine.conclusion().is_some() {
            break;
        }
        if pending.is_empty() {
            break;
        }
        // Pick a pending probe pseudo-randomly and deliver one run.
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let i = (x % pending.len() as u64) as usize;
        let (p, done) = pending.remove(i).expect("index in range");
        let o = outcome(p.rev, done);
        engine.handle_run(p.id, o).expect("known probe");
        if done + 1 < p.runs && !stopped.contains(&p.id) {
            pending.push_back((p, done + 1));
        }
    }
    probes
}

fn engine(parents: &[Vec<u32>], policy: Policy, jobs: u32, good: Rev) -> Bisection {
    let dag = Arc::new(Dag::from_parents(parents, vec![]).expect("valid"));
    let bad = Rev(parents.len() as u32 - 1);
    let mut cfg = Config::new(Mode::Cause, policy);
    cfg.jobs = jobs;
    cfg.vms = 4;
    let target = Target::new(TITLE);
    Bisection::with_target(dag, bad, &[good], cfg, target).expect("setup")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Deterministic, consistent outcomes: every policy names the culprit, or (when builds
    /// fail next to it) a set that holds it; no probe leaves the candidates.
    #[test]
    fn consistent_outcomes_find_the_culprit(
        parents in dag_strategy(),
        culprit_pick in 1u32..1000,
        broken_seed in any::<u64>(),
        policy in prop_oneof![Just(Policy::Git), Just(Policy::Syzbot), Just(Policy::Bayes)],
        jobs in 1u32..4,
        scramble in any::<u64>(),
    ) {
        let n = parents.len() as u32;
        let dag = Dag::from_parents(&parents, vec![]).expect("valid");
        let bad = Rev(n - 1);
        let good = Rev(0);
        let culprit = Rev(1 + culprit_pick % (n - 1));
        let below_good = ancestors(&dag, good);
        let mut cands = ancestors(&dag, bad);
        for (c, b) in cands.iter_mut().zip(&below_good) {
            *c &= !b;
        }
        prop_assume!(cands[culprit.idx()]);
        // Every commit that contains the culprit has the bug.
        let has_bug: Vec<bool> = (0..n).map(|c| dag.is_ancestor(culprit, Rev(c))).collect();
        let mut s = broken_seed | 1;
        let broken: Vec<bool> = (0..n)
            .map(|c| {
                s ^= s << 13; s ^= s >> 7; s ^= s << 17;
                c != culprit.0 && c != bad.0 && c != good.0 && s % 7 == 0
            })
            .collect();
        let mut e = engine(&parents, policy, jobs, good);
        let probes = drive(&mut e, &broken, |rev, _| {
            if has_bug[rev.idx()] { Outcome::crash(TITLE) } else { Outcome::Ok }
        }, scramble);
        // Only the candidates are probed, and the good end, which bayes may run to learn whether
        // the crash is older than the range.
        for p in &probes {
            let good_end = p.purpose == Purpose::GoodEnd && p.rev == good;
            prop_assert!(cands[p.rev.idx()] || good_end, "probe {:?} outside the candidates", p);
        }
        match e.conclusion() {
            Some(Conclusion::Culprit { rev, .. }) => prop_assert_eq!(*rev, culprit),
            Some(Conclusion::Inconclusive { candidates, .. }) => {
                prop_assert!(candidates.contains(&culprit), "{:?} misses {:?}", candidates, culprit);
                // Everything else in the set is untestable or undecidable next to the culprit.
                prop_assert!(candidates.iter().any(|c| broken[c.idx()]) || candidates.len() == 1);
            }
            other => prop_assert!(false, "unexpected conclusion {:?}", other),
        }
    }

    /// Bayes ignores crashes with another title anywhere in the history.
    #[test]
    fn bayes_ignores_unrelated_crashes(
        parents in dag_strategy(),
        culprit_pick in 1u32..1000,
        noise in any::<u64>(),
    ) {
        let n = parents.len() as u32;
        let dag = Dag::from_parents(&parents, vec![]).expect("valid");
        let culprit = Rev(1 + culprit_pick % (n - 1));
        prop_assume!(!dag.is_ancestor(culprit, Rev(0)));
        let has_bug: Vec<bool> = (0..n).map(|c| dag.is_ancestor(culprit, Rev(c))).collect();
        let mut e = engine(&parents, Policy::Bayes, 1, Rev(0));
        let mut x = noise | 1;
        drive(&mut e, &vec![false; n as usize], |rev, _| {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            if x % 5 == 0 {
                Outcome::crash("WARNING in something_else")
            } else if has_bug[rev.idx()] {
                Outcome::crash(TITLE)
            } else {
                Outcome::Ok
            }
        }, 7);
        match e.conclusion() {
            Some(Conclusion::Culprit { rev, .. }) => prop_assert_eq!(*rev, culprit),
            other => prop_assert!(false, "unexpected conclusion {:?}", other),
        }
    }

    /// Contradictory outcomes (the crash anywhere, at random) never panic and end in a result
    /// within the budget; bayes reports a confidence in [0, 1].
    #[test]
    fn contradictions_end_without_panic(
        parents in dag_strategy(),
        noise in any::<u64>(),
        policy in prop_oneof![Just(Policy::Git), Just(Policy::Syzbot), Just(Policy::Bayes)],
        jobs in 1u32..3,
    ) {
        let n = parents.len();
        let mut e = engine(&parents, policy, jobs, Rev(0));
        let mut x = noise | 1;
        drive(&mut e, &vec![false; n], |_, _| {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            match x % 4 {
                0 => Outcome::crash(TITLE),
                1 => Outcome::Skip { reason: "boot failed".into() },
                _ => Outcome::Ok,
            }
        }, noise);
        match e.conclusion() {
            Some(Conclusion::Culprit { confidence, .. }) | Some(Conclusion::Inconclusive { confidence, .. }) => {
                // git trusts single runs and claims no confidence; the others one in [0, 1].
                match confidence {
                    Some(c) => prop_assert!(policy != Policy::Git && (0.0..=1.0).contains(c)),
                    None => prop_assert_eq!(policy, Policy::Git),
                }
            }
            Some(_) => {}
            None => prop_assert!(false, "no conclusion"),
        }
    }
}
