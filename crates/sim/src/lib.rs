//! Synthetic bisection worlds that drive the real engine: a history (straight or with merged
//! side branches), a planted culprit, a reproducer that crashes with probability P, unrelated
//! crashes, commits that do not build, and a clock for builds and runs. Many trials run in
//! parallel (rayon), each seeded, so a table is reproducible from its command line.
//!
//! It must not know real git, processes or files: only [`culprit_engine`].

pub mod trial;
pub mod world;

use std::sync::Arc;

use rayon::prelude::*;

pub use trial::{Setup, Strategy, TrialResult};
pub use world::{History, World, WorldParams};

/// One row of the comparison table.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Summary {
    /// Strategy name.
    pub strategy: String,
    /// Trials run.
    pub trials: u32,
    /// Fraction of trials that named the planted culprit alone.
    pub accuracy: f64,
    /// Fraction that ended with several candidates.
    pub inconclusive_rate: f64,
    /// Mean runs started.
    pub mean_runs: f64,
    /// Mean builds.
    pub mean_builds: f64,
    /// Mean simulated wall-clock seconds.
    pub mean_wall_s: f64,
    /// 95th percentile of wall-clock seconds.
    pub p95_wall_s: f64,
    /// Mean confidence reported.
    pub mean_confidence: f64,
}

/// Runs `trials` trials of each strategy. Trial `i` uses the same world for every strategy.
pub fn compare(
    params: &WorldParams,
    setup: &Setup,
    strategies: &[Strategy],
    trials: u32,
    seed: u64,
) -> Vec<Summary> {
    let history = Arc::new(History::new(params, seed));
    strategies
        .iter()
        .map(|&s| {
            let results: Vec<TrialResult> = (0..trials)
                .into_par_iter()
                .map(|i| {
                    let world = World::new(
                        &history,
                        params,
                        seed.wrapping_mul(1_000_003).wrapping_add(u64::from(i)),
                    );
                    trial::run(&history, world, s, setup)
                })
                .collect();
            summarize(s.name(), &results)
        })
        .collect()
}

fn summarize(name: &str, r: &[TrialResult]) -> Summary {
    let n = r.len().max(1) as f64;
    let mean = |f: &dyn Fn(&TrialResult) -> f64| r.iter().map(f).sum::<f64>() / n;
    let mut walls: Vec<f64> = r.iter().map(|t| t.wall_s).collect();
    walls.sort_by(f64::total_cmp);
    let p95 = walls
        .get(((walls.len() as f64 * 0.95).ceil() as usize).saturating_sub(1))
        .copied()
        .unwrap_or(0.0);
    Summary {
        strategy: name.to_string(),
        trials: r.len() as u32,
        accuracy: mean(&|t| f64::from(u8::from(t.correct))),
        inconclusive_rate: mean(&|t| f64::from(u8::from(t.inconclusive))),
        mean_runs: mean(&|t| t.runs as f64),
        mean_builds: mean(&|t| t.builds as f64),
        mean_wall_s: mean(&|t| t.wall_s),
        p95_wall_s: p95,
        mean_confidence: mean(&|t| t.confidence),
    }
}
