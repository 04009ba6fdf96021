//! The simulator drives the real engine: small worlds, checked figures.

use culprit_sim::{Policy, Setup, WorldParams, compare};

fn setup(jobs: u32) -> Setup {
    Setup {
        build_secs: 600.0,
        run_secs: 300.0,
        vms: 10,
        jobs,
        target: 0.99,
    }
}

#[test]
fn deterministic_world_every_strategy_is_right() {
    let params = WorldParams {
        commits: 500,
        dag: true,
        repro_rate: 1.0,
        unrelated_rate: 0.0,
        build_fail_rate: 0.0,
        ..WorldParams::default()
    };
    let rows = compare(
        &params,
        &setup(1),
        &[Policy::Git, Policy::Syzbot, Policy::Bayes],
        40,
        7,
    );
    for r in &rows {
        assert_eq!(r.accuracy, 1.0, "{}", r.strategy);
        assert_eq!(r.trials, 40);
    }
    // On a straight history bayes builds no more commits than git.
    let linear = WorldParams {
        dag: false,
        ..params
    };
    let rows = compare(&linear, &setup(1), &[Policy::Git, Policy::Bayes], 40, 7);
    assert_eq!(rows[1].accuracy, 1.0);
    assert!(
        rows[1].mean_builds <= rows[0].mean_builds + 1e-9,
        "{rows:?}"
    );
}

#[test]
fn flaky_world_bayes_beats_git_and_syzbot() {
    let params = WorldParams {
        commits: 2000,
        dag: false,
        repro_rate: 0.3,
        unrelated_rate: 0.02,
        build_fail_rate: 0.02,
        ..WorldParams::default()
    };
    let rows = compare(
        &params,
        &setup(1),
        &[Policy::Git, Policy::Syzbot, Policy::Bayes],
        60,
        3,
    );
    let (git, syzbot, bayes) = (&rows[0], &rows[1], &rows[2]);
    assert!(bayes.accuracy >= 0.95, "{bayes:?}");
    assert!(
        bayes.accuracy > syzbot.accuracy && bayes.accuracy > git.accuracy,
        "{rows:?}"
    );
    assert!(bayes.mean_runs < syzbot.mean_runs, "{rows:?}");
    // The same seed gives the same table.
    let again = compare(&params, &setup(1), &[Policy::Bayes], 60, 3);
    assert_eq!(again[0], *bayes);
}

#[test]
fn parallel_probes_cut_wall_time() {
    let params = WorldParams {
        commits: 2000,
        dag: false,
        repro_rate: 0.3,
        unrelated_rate: 0.0,
        build_fail_rate: 0.0,
        ..WorldParams::default()
    };
    let one = &compare(&params, &setup(1), &[Policy::Bayes], 40, 5)[0];
    let four = &compare(&params, &setup(4), &[Policy::Bayes], 40, 5)[0];
    assert!(four.mean_wall_s < 0.7 * one.mean_wall_s, "{one:?} {four:?}");
}

#[test]
fn jobs_and_the_repro_check_come_from_the_engine_policy() {
    // syzbot tests one commit at a time however many machines there are; git and bayes use
    // them all; git alone skips the reproducibility check.
    for p in Policy::all() {
        let cfg = culprit_sim::trial::config(p, &setup(4));
        assert_eq!(cfg.jobs, p.jobs(4), "{p}");
        assert_eq!(cfg.repro_check, p != Policy::Git, "{p}");
    }
    assert_eq!(
        culprit_sim::trial::config(Policy::Syzbot, &setup(4)).jobs,
        1
    );
    assert_eq!(culprit_sim::trial::config(Policy::Git, &setup(4)).jobs, 4);
}
