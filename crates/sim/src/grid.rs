//! The fixed grid of worlds that `culprit sim --grid` measures, and the acceptance checks of
//! issue 11 evaluated on its figures.
//!
//! The grid: repro 1 / 0.5 / 0.3 / 0.1 / 0.05 × unrelated 0 / 0.02 / 0.1 / 0.3 × linear / with
//! merges (40 cells, build failures 0.02), then one cell of each other world kind (trap, build
//! stretches, per-commit flakiness, title change, non-monotone) at repro 0.3, unrelated 0.02,
//! build failures 0.02, linear. Cells run one after another with the same seed (trial `i` of
//! every cell draws its world from the same seed), trials in parallel.

use std::sync::Arc;

use culprit_engine::Policy;

use crate::trial::Setup;
use crate::world::{History, WorldParams};
use crate::{Summary, trials};

/// Commits in the grid's histories.
pub const COMMITS: u32 = 10_000;
/// Repro rates of the grid.
pub const REPRO_RATES: [f64; 5] = [1.0, 0.5, 0.3, 0.1, 0.05];
/// Unrelated-crash rates of the grid.
pub const UNRELATED_RATES: [f64; 4] = [0.0, 0.02, 0.1, 0.3];
/// Independent build failures in every cell.
pub const BUILD_FAIL_RATE: f64 = 0.02;
/// Repro rate of the cells of the other kinds.
pub const KIND_REPRO_RATE: f64 = 0.3;
/// Unrelated-crash rate of the cells of the other kinds.
pub const KIND_UNRELATED_RATE: f64 = 0.02;
/// The trap cell's trap rate.
pub const TRAP_RATE: f64 = 0.5;
/// The per-commit flakiness cell's spread (rates between half and twice the nominal one).
pub const REPRO_SPREAD: f64 = 1.0;
/// Rule (a): how far below its mean confidence bayes' accuracy may be.
pub const CALIBRATION_TOLERANCE: f64 = 0.015;
/// Rule (b): least accuracy among the trials that named one commit.
pub const NAMED_ACCURACY: f64 = 0.98;
/// Rule (b): least share of trials that name one commit.
pub const NAMED_RATE: f64 = 0.9;

/// One world of the grid.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Cell {
    /// Short name, e.g. `repro 0.3, unrelated 0.1, linear` or `repro 0.3, unrelated 0.02, trap 0.5`.
    pub name: String,
    /// The world.
    pub params: WorldParams,
}

/// Stretches that do not build in the build-stretches cell: one per 1,000 commits (10 at
/// 10,000 commits, about 11% of the history), at least one.
pub fn stretch_count(commits: u32) -> u32 {
    (commits / 1000).max(1)
}

/// The grid's cells with histories of `commits` commits ([`COMMITS`] in `culprit sim --grid`).
pub fn cells(commits: u32) -> Vec<Cell> {
    let mut out = Vec::new();
    for &repro in &REPRO_RATES {
        for &unrelated in &UNRELATED_RATES {
            for dag in [false, true] {
                out.push(Cell {
                    name: format!(
                        "repro {repro}, unrelated {unrelated}, {}",
                        if dag { "dag" } else { "linear" }
                    ),
                    params: WorldParams {
                        commits,
                        dag,
                        repro_rate: repro,
                        unrelated_rate: unrelated,
                        build_fail_rate: BUILD_FAIL_RATE,
                        ..WorldParams::default()
                    },
                });
            }
        }
    }
    let base = WorldParams {
        commits,
        dag: false,
        repro_rate: KIND_REPRO_RATE,
        unrelated_rate: KIND_UNRELATED_RATE,
        build_fail_rate: BUILD_FAIL_RATE,
        ..WorldParams::default()
    };
    let kinds = [
        (
            format!("trap {TRAP_RATE}"),
            WorldParams {
                trap_rate: TRAP_RATE,
                ..base.clone()
            },
        ),
        (
            format!("{} build stretches", stretch_count(commits)),
            WorldParams {
                build_stretches: stretch_count(commits),
                ..base.clone()
            },
        ),
        (
            format!("per-commit spread {REPRO_SPREAD}"),
            WorldParams {
                repro_spread: REPRO_SPREAD,
                ..base.clone()
            },
        ),
        (
            "title change".to_string(),
            WorldParams {
                title_change: true,
                ..base.clone()
            },
        ),
        (
            "non-monotone".to_string(),
            WorldParams {
                non_monotone: true,
                ..base.clone()
            },
        ),
    ];
    for (kind, params) in kinds {
        out.push(Cell {
            name: format!("repro {KIND_REPRO_RATE}, unrelated {KIND_UNRELATED_RATE}, {kind}"),
            params,
        });
    }
    out
}

/// The figures of one cell.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CellResult {
    /// The cell.
    pub cell: Cell,
    /// One row per policy, in the order asked.
    pub rows: Vec<Summary>,
}

impl CellResult {
    /// The row of `policy`, if it was run.
    pub fn row(&self, policy: Policy) -> Option<&Summary> {
        self.rows.iter().find(|r| r.strategy == policy.name())
    }
}

/// Runs `n` trials of each policy in `cell` (trials in parallel).
pub fn run_cell(cell: &Cell, setup: &Setup, policies: &[Policy], n: u32, seed: u64) -> CellResult {
    let history = Arc::new(History::new(&cell.params, seed));
    let rows = policies
        .iter()
        .map(|&p| Summary::of(p.name(), &trials(&history, &cell.params, setup, p, n, seed)))
        .collect();
    CellResult {
        cell: cell.clone(),
        rows,
    }
}

/// An acceptance rule of issue 11.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Rule {
    /// (a) Cells with repro ≥ 0.1: bayes accuracy ≥ bayes mean confidence − 0.015.
    Calibrated,
    /// (b) Cells with repro ≥ 0.1 and unrelated ≤ 0.1: bayes accuracy among the trials that
    /// named one commit ≥ 0.98, and bayes names one commit in ≥ 90% of the trials.
    Named,
    /// (c) Every cell: bayes accuracy ≥ syzbot accuracy.
    NotWorseThanSyzbot,
}

impl Rule {
    /// All rules, in order.
    pub const ALL: [Rule; 3] = [Rule::Calibrated, Rule::Named, Rule::NotWorseThanSyzbot];

    /// Short label: `(a)`, `(b)`, `(c)`.
    pub fn label(self) -> &'static str {
        match self {
            Rule::Calibrated => "(a)",
            Rule::Named => "(b)",
            Rule::NotWorseThanSyzbot => "(c)",
        }
    }

    /// What the rule asks.
    pub fn describe(self) -> String {
        match self {
            Rule::Calibrated => format!(
                "repro >= 0.1: bayes accuracy >= bayes mean confidence - {CALIBRATION_TOLERANCE}"
            ),
            Rule::Named => format!(
                "repro >= 0.1 and unrelated <= 0.1: bayes accuracy among named >= \
                 {NAMED_ACCURACY} and named rate >= {NAMED_RATE}"
            ),
            Rule::NotWorseThanSyzbot => "every cell: bayes accuracy >= syzbot accuracy".into(),
        }
    }

    /// Whether the rule applies to a world.
    pub fn applies(self, p: &WorldParams) -> bool {
        const EPS: f64 = 1e-12;
        match self {
            Rule::Calibrated => p.repro_rate >= 0.1 - EPS,
            Rule::Named => p.repro_rate >= 0.1 - EPS && p.unrelated_rate <= 0.1 + EPS,
            Rule::NotWorseThanSyzbot => true,
        }
    }
}

/// Result of one rule on one cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Verdict {
    /// The rule holds.
    Pass,
    /// The rule fails.
    Fail,
    /// The rule does not apply to this cell.
    NotApplicable,
    /// A policy the rule needs was not run.
    Missing,
}

/// One rule checked on one cell.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Check {
    /// The cell's name.
    pub cell: String,
    /// The rule.
    pub rule: Rule,
    /// The outcome.
    pub verdict: Verdict,
    /// The figures compared, e.g. `accuracy 0.920 < 0.995 - 0.015`.
    pub detail: String,
}

/// Checks every rule on every cell (cell-major, rules in [`Rule::ALL`] order).
pub fn check(results: &[CellResult]) -> Vec<Check> {
    let mut out = Vec::new();
    for r in results {
        for rule in Rule::ALL {
            let (verdict, detail) = check_one(rule, r);
            out.push(Check {
                cell: r.cell.name.clone(),
                rule,
                verdict,
                detail,
            });
        }
    }
    out
}

fn check_one(rule: Rule, r: &CellResult) -> (Verdict, String) {
    if !rule.applies(&r.cell.params) {
        return (Verdict::NotApplicable, String::new());
    }
    let Some(bayes) = r.row(Policy::Bayes) else {
        return (Verdict::Missing, "bayes not run".into());
    };
    let verdict = |ok: bool| if ok { Verdict::Pass } else { Verdict::Fail };
    match rule {
        Rule::Calibrated => {
            let ok = bayes.accuracy >= bayes.mean_confidence - CALIBRATION_TOLERANCE;
            (
                verdict(ok),
                format!(
                    "accuracy {:.3} {} mean confidence {:.3} - {CALIBRATION_TOLERANCE} \
                     (standard error of a calibrated accuracy: {:.3})",
                    bayes.accuracy,
                    if ok { ">=" } else { "<" },
                    bayes.mean_confidence,
                    bayes.calibration_se
                ),
            )
        }
        Rule::Named => {
            let acc = bayes.named_rate > 0.0 && bayes.accuracy_among_named >= NAMED_ACCURACY;
            let named = bayes.named_rate >= NAMED_RATE;
            (
                verdict(acc && named),
                format!(
                    "accuracy among named {:.3} {} {NAMED_ACCURACY}, named rate {:.3} {} {NAMED_RATE}",
                    bayes.accuracy_among_named,
                    if acc { ">=" } else { "<" },
                    bayes.named_rate,
                    if named { ">=" } else { "<" },
                ),
            )
        }
        Rule::NotWorseThanSyzbot => {
            let Some(syzbot) = r.row(Policy::Syzbot) else {
                return (Verdict::Missing, "syzbot not run".into());
            };
            let ok = bayes.accuracy >= syzbot.accuracy;
            (
                verdict(ok),
                format!(
                    "bayes accuracy {:.3} {} syzbot's {:.3}",
                    bayes.accuracy,
                    if ok { ">=" } else { "<" },
                    syzbot.accuracy
                ),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(policy: Policy, accuracy: f64, confidence: f64, named: f64, acc_named: f64) -> Summary {
        Summary {
            strategy: policy.name().into(),
            trials: 100,
            accuracy,
            inconclusive_rate: 1.0 - named,
            named_rate: named,
            accuracy_among_named: acc_named,
            mean_runs: 0.0,
            mean_builds: 0.0,
            mean_wall_s: 0.0,
            p95_wall_s: 0.0,
            mean_confidence: confidence,
            mean_confidence_among_named: confidence,
            calibration_se: 0.0,
            non_monotone_flagged_rate: 0.0,
        }
    }

    #[test]
    fn the_grid_has_every_world_once() {
        let cells = cells(COMMITS);
        assert_eq!(cells.len(), 45);
        let mut names: Vec<&str> = cells.iter().map(|c| c.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 45);
        for c in &cells {
            assert_eq!(c.params.commits, COMMITS);
            assert_eq!(c.params.build_fail_rate, BUILD_FAIL_RATE);
            assert!(c.params.validate().is_ok(), "{}", c.name);
        }
        for &repro in &REPRO_RATES {
            for &unrelated in &UNRELATED_RATES {
                for dag in [false, true] {
                    let n = cells
                        .iter()
                        .filter(|c| {
                            let p = &c.params;
                            p.repro_rate == repro
                                && p.unrelated_rate == unrelated
                                && p.dag == dag
                                && p.trap_rate == 0.0
                                && p.build_stretches == 0
                                && p.repro_spread == 0.0
                                && !p.title_change
                                && !p.non_monotone
                        })
                        .count();
                    assert_eq!(n, 1, "{repro} {unrelated} {dag}");
                }
            }
        }
        let kinds: [fn(&WorldParams) -> bool; 5] = [
            |p| p.trap_rate > 0.0,
            |p| p.build_stretches > 0,
            |p| p.repro_spread > 0.0,
            |p| p.title_change,
            |p| p.non_monotone,
        ];
        for k in kinds {
            let with: Vec<&Cell> = cells.iter().filter(|c| k(&c.params)).collect();
            assert_eq!(with.len(), 1);
            assert_eq!(with[0].params.repro_rate, KIND_REPRO_RATE);
            assert_eq!(with[0].params.unrelated_rate, KIND_UNRELATED_RATE);
        }
    }

    #[test]
    fn checks_apply_the_rules_to_the_right_cells() {
        let cell = |repro: f64, unrelated: f64| Cell {
            name: format!("{repro} {unrelated}"),
            params: WorldParams {
                repro_rate: repro,
                unrelated_rate: unrelated,
                ..WorldParams::default()
            },
        };
        let results = vec![
            // Calibrated and named: passes all.
            CellResult {
                cell: cell(0.3, 0.02),
                rows: vec![
                    row(Policy::Syzbot, 0.6, 0.9, 0.6, 0.9),
                    row(Policy::Bayes, 0.99, 0.995, 0.95, 0.99),
                ],
            },
            // Overconfident, too few named, worse than syzbot.
            CellResult {
                cell: cell(0.1, 0.1),
                rows: vec![
                    row(Policy::Syzbot, 0.95, 0.9, 0.9, 0.95),
                    row(Policy::Bayes, 0.92, 0.995, 0.85, 0.99),
                ],
            },
            // Repro 0.05: only (c) applies; unrelated 0.3 at repro 0.3: (b) does not apply.
            CellResult {
                cell: cell(0.05, 0.0),
                rows: vec![
                    row(Policy::Syzbot, 0.5, 0.9, 0.5, 0.5),
                    row(Policy::Bayes, 0.5, 0.99, 0.5, 0.5),
                ],
            },
            CellResult {
                cell: cell(0.3, 0.3),
                rows: vec![row(Policy::Bayes, 0.8, 0.8, 0.5, 0.5)],
            },
        ];
        let verdicts: Vec<Verdict> = check(&results).iter().map(|c| c.verdict).collect();
        use Verdict::*;
        assert_eq!(
            verdicts,
            vec![
                Pass,
                Pass,
                Pass,
                Fail,
                Fail,
                Fail,
                NotApplicable,
                NotApplicable,
                Pass,
                Pass,
                NotApplicable,
                Missing
            ]
        );
        // Exactly at the tolerance passes; just beyond fails.
        let edge = |acc: f64| CellResult {
            cell: cell(0.3, 0.02),
            rows: vec![row(Policy::Bayes, acc, 0.995, 1.0, 1.0)],
        };
        assert_eq!(check(&[edge(0.981)])[0].verdict, Pass);
        assert_eq!(check(&[edge(0.979)])[0].verdict, Fail);
    }
}
