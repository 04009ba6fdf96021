//! A fast subset of `culprit sim --grid`: bayes' calibration on a few cells with small histories
//! (so a calibration regression fails CI), and the grid's world kinds driven end to end.
//!
//! The full grid is `culprit sim --grid --trials 500` (minutes in release).

use culprit_sim::grid::{self, BUILD_FAIL_RATE};
use culprit_sim::{Policy, Setup, Summary, WorldParams, compare};

const COMMITS: u32 = 1000;

fn setup() -> Setup {
    Setup {
        build_secs: 600.0,
        run_secs: 300.0,
        vms: 10,
        jobs: 1,
        target: 0.99,
    }
}

fn world(repro: f64, unrelated: f64) -> WorldParams {
    WorldParams {
        commits: COMMITS,
        dag: false,
        repro_rate: repro,
        unrelated_rate: unrelated,
        build_fail_rate: BUILD_FAIL_RATE,
        ..WorldParams::default()
    }
}

/// Bayes is calibrated in `params`: over `trials` trials its accuracy is at least its mean
/// confidence less three standard errors of a calibrated strategy's accuracy
/// (`sqrt(sum c(1 - c)) / trials`, each trial right with the probability it reported). A
/// calibrated bayes fails this about once in 700 seeds; an overconfident one (accuracy 0.92 at
/// confidence 0.995, as measured in issue 11) fails it at any seed.
fn assert_calibrated(params: &WorldParams, trials: u32, seed: u64) -> Summary {
    let row = compare(params, &setup(), &[Policy::Bayes], trials, seed).remove(0);
    let tolerance = 3.0 * row.calibration_se;
    assert!(
        row.accuracy >= row.mean_confidence - tolerance,
        "bayes overconfident in {params:?}: accuracy {:.3} < mean confidence {:.3} - {tolerance:.4} \
         (3 standard errors over {trials} trials): {row:?}",
        row.accuracy,
        row.mean_confidence,
    );
    row
}

#[test]
fn calibrated_deterministic() {
    let row = assert_calibrated(&world(1.0, 0.0), 200, 11);
    assert!(row.accuracy >= 0.99, "{row:?}");
}

#[test]
fn calibrated_flaky_with_unrelated_crashes() {
    assert_calibrated(&world(0.3, 0.1), 200, 12);
}

#[test]
fn calibrated_rare_crash() {
    assert_calibrated(&world(0.1, 0.02), 150, 13);
}

#[test]
fn calibrated_when_the_crash_rate_differs_per_commit() {
    // Each commit's rate between half and twice the mean: one rate learned for all commits
    // took a culprit that crashes less often than the crashing end for clean (accuracy 0.962
    // at confidence 0.995 on the grid's cell before the per-commit model).
    let p = WorldParams {
        repro_spread: 1.0,
        ..world(0.3, 0.02)
    };
    assert_calibrated(&p, 300, 14);
}

#[test]
fn calibration_se_is_the_spread_of_a_calibrated_accuracy() {
    // The tolerance the calibration tests use: at confidence 0.995 over 200 trials, three
    // standard errors are about 0.015, the acceptance's margin at 500 trials.
    let row = compare(&world(0.3, 0.02), &setup(), &[Policy::Bayes], 40, 2).remove(0);
    assert!(
        row.calibration_se > 0.0 && row.calibration_se < 0.05,
        "{row:?}"
    );
    let det = compare(&world(1.0, 0.0), &setup(), &[Policy::Git], 20, 2).remove(0);
    // git reports 1.0 every time: no room for error.
    assert_eq!(det.calibration_se, 0.0, "{det:?}");
}

fn deterministic(kind: WorldParams) -> WorldParams {
    WorldParams {
        repro_rate: 1.0,
        unrelated_rate: 0.0,
        build_fail_rate: 0.0,
        ..kind
    }
}

#[test]
fn title_change_is_carried_by_the_alternative_titles() {
    // Before the change the crash has only the old title: a strategy that matched the new title
    // alone would name the change point.
    let p = deterministic(WorldParams {
        title_change: true,
        ..world(1.0, 0.0)
    });
    for r in compare(&p, &setup(), &[Policy::Git, Policy::Bayes], 60, 4) {
        assert_eq!(r.accuracy, 1.0, "{r:?}");
        assert_eq!(r.named_rate, 1.0, "{r:?}");
    }
}

#[test]
fn either_first_bad_commit_of_a_non_monotone_history_is_right() {
    // A deterministic git bisection on a straight line ends on a commit whose parent is clean:
    // c1 or c2, never anything else.
    let p = deterministic(WorldParams {
        non_monotone: true,
        ..world(1.0, 0.0)
    });
    let r = compare(&p, &setup(), &[Policy::Git], 100, 5).remove(0);
    assert_eq!(r.accuracy, 1.0, "{r:?}");
    assert_eq!(r.accuracy_among_named, 1.0, "{r:?}");
}

#[test]
fn a_trap_fools_the_any_crash_rule() {
    let plain = deterministic(world(1.0, 0.0));
    let trapped = WorldParams {
        trap_rate: 0.5,
        ..plain.clone()
    };
    let before = compare(&plain, &setup(), &[Policy::Git], 100, 6).remove(0);
    let after = compare(&trapped, &setup(), &[Policy::Git], 100, 6).remove(0);
    assert_eq!(before.accuracy, 1.0);
    assert!(after.accuracy < 0.9, "{after:?}");
}

#[test]
fn build_stretches_cost_builds_and_keep_the_answer() {
    let plain = deterministic(world(1.0, 0.0));
    let stretched = WorldParams {
        build_stretches: 5,
        ..plain.clone()
    };
    let before = compare(&plain, &setup(), &[Policy::Git], 100, 8).remove(0);
    let after = compare(&stretched, &setup(), &[Policy::Git], 100, 8).remove(0);
    // Right: the culprit, or a set holding it whose other members do not build.
    assert_eq!(after.accuracy, 1.0, "{after:?}");
    assert!(
        after.mean_builds > before.mean_builds + 0.5,
        "{before:?} {after:?}"
    );
}

#[test]
fn the_grid_runs_every_kind_of_cell() {
    // Every cell of the grid, scaled down, runs end to end with every strategy.
    let cells = grid::cells(200);
    let kinds = &cells[40..];
    assert_eq!(kinds.len(), 5);
    let results: Vec<_> = kinds
        .iter()
        .map(|c| {
            grid::run_cell(
                c,
                &setup(),
                &[Policy::Git, Policy::Syzbot, Policy::Bayes],
                8,
                1,
            )
        })
        .collect();
    for r in &results {
        assert_eq!(r.rows.len(), 3);
        for row in &r.rows {
            assert_eq!(row.trials, 8);
            assert!(row.mean_runs > 0.0, "{}: {row:?}", r.cell.name);
        }
    }
    assert_eq!(grid::check(&results).len(), 15);
    // Reproducible.
    let again = grid::run_cell(&kinds[0], &setup(), &[Policy::Bayes], 8, 1);
    assert_eq!(again.rows[0], results[0].rows[2]);
}
