//! The git policy's k-ary search: with K job slots every round cuts what is left into K+1
//! parts, so a deterministic 2,000-commit bisection takes 7 rounds of two probes instead of git's
//! 11 single steps; probes that a verdict makes useless are stopped.

use std::sync::Arc;

use culprit_engine::{
    Bisection, Build, Conclusion, Config, Dag, Event, Mode, Outcome, Policy, Rev,
};

fn linear(n: u32) -> Arc<Dag> {
    let parents: Vec<Vec<u32>> = (0..n)
        .map(|i| if i == 0 { vec![] } else { vec![i - 1] })
        .collect();
    Arc::new(Dag::from_parents(&parents, vec![]).expect("a valid DAG"))
}

/// Runs a deterministic cause bisection in synchronous rounds (every probe of a round answered
/// before the next poll); returns (conclusion, probes per round).
fn rounds(n: u32, culprit: u32, jobs: u32) -> (Conclusion, Vec<Vec<u32>>) {
    let dag = linear(n);
    let mut cfg = Config::new(Mode::Cause, Policy::Git);
    cfg.jobs = jobs;
    cfg.repro_check = false;
    let mut e = Bisection::new(dag, Rev(n - 1), &[Rev(0)], cfg).expect("valid setup");
    let mut all = Vec::new();
    for _ in 0..100 {
        let mut round = Vec::new();
        while let Some(p) = e.poll_probe() {
            round.push(p);
        }
        if round.is_empty() {
            break;
        }
        all.push(round.iter().map(|p| p.rev.0).collect::<Vec<_>>());
        let mut stopped = Vec::new();
        for p in round {
            if stopped.contains(&p.id) {
                continue;
            }
            e.handle_build(p.id, Build::Built { artifact: None })
                .expect("known probe");
            let o = if p.rev.0 >= culprit {
                Outcome::crash("BUG: crash")
            } else {
                Outcome::Ok
            };
            e.handle_run(p.id, o).expect("known probe");
            while let Some(ev) = e.poll_event() {
                if let Event::Stop { probe } = ev {
                    stopped.push(probe);
                }
            }
        }
    }
    (e.conclusion().cloned().expect("concluded"), all)
}

#[test]
fn two_slots_cut_in_thirds_and_take_seven_rounds_on_2000_commits() {
    for culprit in [1, 2, 667, 1200, 1337, 1998, 1999] {
        let (c, r) = rounds(2000, culprit, 2);
        match c {
            Conclusion::Culprit { rev, .. } => assert_eq!(rev.0, culprit),
            other => panic!("culprit {culprit}: {other:?}"),
        }
        assert!(r.len() <= 7, "culprit {culprit}: {} rounds: {r:?}", r.len());
        assert!(r.iter().all(|x| x.len() <= 2));
    }
    // The first round cuts at the thirds.
    let (_, r) = rounds(2000, 1200, 2);
    let mut first = r[0].clone();
    first.sort_unstable();
    assert!((first[0] as i64 - 667).abs() <= 2, "{first:?}");
    assert!((first[1] as i64 - 1333).abs() <= 2, "{first:?}");
}

#[test]
fn one_slot_is_gits_bisection() {
    let (c, r) = rounds(2000, 1200, 1);
    assert!(matches!(c, Conclusion::Culprit { rev, .. } if rev.0 == 1200));
    assert!((10..=11).contains(&r.len()), "{} steps", r.len());
}

#[test]
fn three_slots_cut_in_quarters() {
    for culprit in [5, 999, 1500] {
        let (c, r) = rounds(2000, culprit, 3);
        assert!(matches!(c, Conclusion::Culprit { rev, .. } if rev.0 == culprit));
        // 4^6 = 4096 >= 2000.
        assert!(r.len() <= 6, "{} rounds", r.len());
    }
}
