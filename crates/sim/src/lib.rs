//! Synthetic bisection worlds that drive the real engine: a history (straight or with merged
//! side branches), a planted culprit, a reproducer that crashes with probability P (the same on
//! every commit or its own per commit), unrelated crashes, another bug that came and went (a
//! trap), a crash title that changes along the history, a bug that was reverted and landed again,
//! commits that do not build (alone or in long stretches), and a clock for builds and runs. Many
//! trials run in parallel (rayon), each seeded, so a table is reproducible from its command line;
//! [`grid`] is the fixed set of worlds and the acceptance checks measured on it.
//!
//! It must not know real git, processes or files: only [`culprit_engine`].

pub mod grid;
pub mod trial;
pub mod world;

use std::sync::Arc;

use rayon::prelude::*;

pub use culprit_engine::Policy;
pub use trial::{Setup, TrialResult};
pub use world::{History, ParamsError, Trap, World, WorldParams};

/// One row of the comparison table.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Summary {
    /// The policy's name ([`Policy::name`]; the key stays `strategy` in JSON).
    pub strategy: String,
    /// Trials run.
    pub trials: u32,
    /// Fraction of trials that were right: named the planted culprit alone (or, in a
    /// non-monotone world, either first bad commit), or ended inconclusive with a set holding it
    /// whose other members never build.
    pub accuracy: f64,
    /// Fraction that ended with several candidates.
    pub inconclusive_rate: f64,
    /// Fraction that named one commit.
    pub named_rate: f64,
    /// Fraction right among the trials that named one commit (0 when none did).
    pub accuracy_among_named: f64,
    /// Mean runs started.
    pub mean_runs: f64,
    /// Mean builds.
    pub mean_builds: f64,
    /// Mean simulated wall-clock seconds.
    pub mean_wall_s: f64,
    /// 95th percentile of wall-clock seconds.
    pub p95_wall_s: f64,
    /// Mean confidence reported, over all trials: a named commit's confidence, an inconclusive
    /// end's probability that the culprit is in its set, 0 for any other end.
    pub mean_confidence: f64,
    /// Mean confidence among the trials that named one commit (0 when none did).
    pub mean_confidence_among_named: f64,
    /// Standard error that `accuracy` would have if every trial were right with the probability
    /// it reported: `sqrt(sum c(1 - c)) / trials`. Accuracy more than a few of these below
    /// `mean_confidence` is overconfidence, not bad luck.
    pub calibration_se: f64,
    /// Fraction of trials whose named commit carried the non-monotone flag.
    pub non_monotone_flagged_rate: f64,
}

impl Summary {
    /// Summarizes the trials of the policy named `name`.
    pub fn of(name: &str, r: &[TrialResult]) -> Summary {
        let n = r.len().max(1) as f64;
        let mean = |f: &dyn Fn(&TrialResult) -> f64| r.iter().map(f).sum::<f64>() / n;
        let rate = |f: &dyn Fn(&TrialResult) -> bool| mean(&|t| f64::from(u8::from(f(t))));
        let mut walls: Vec<f64> = r.iter().map(|t| t.wall_s).collect();
        walls.sort_by(f64::total_cmp);
        let p95 = walls
            .get(((walls.len() as f64 * 0.95).ceil() as usize).saturating_sub(1))
            .copied()
            .unwrap_or(0.0);
        let named: Vec<&TrialResult> = r.iter().filter(|t| t.named).collect();
        let among_named = |f: &dyn Fn(&TrialResult) -> f64| {
            if named.is_empty() {
                0.0
            } else {
                named.iter().map(|t| f(t)).sum::<f64>() / named.len() as f64
            }
        };
        let var: f64 = r.iter().map(|t| t.confidence * (1.0 - t.confidence)).sum();
        Summary {
            strategy: name.to_string(),
            trials: r.len() as u32,
            accuracy: rate(&|t| t.correct),
            inconclusive_rate: rate(&|t| t.inconclusive),
            named_rate: rate(&|t| t.named),
            accuracy_among_named: among_named(&|t| f64::from(u8::from(t.correct))),
            mean_runs: mean(&|t| t.runs as f64),
            mean_builds: mean(&|t| t.builds as f64),
            mean_wall_s: mean(&|t| t.wall_s),
            p95_wall_s: p95,
            mean_confidence: mean(&|t| t.confidence),
            mean_confidence_among_named: among_named(&|t| t.confidence),
            calibration_se: var.max(0.0).sqrt() / n,
            non_monotone_flagged_rate: rate(&|t| t.non_monotone_flagged),
        }
    }
}

/// Runs `trials` trials of `policy` in `history`, in parallel. Trial `i`'s world comes from
/// `seed` and `i` alone, so every policy meets the same worlds.
pub fn trials(
    history: &Arc<History>,
    params: &WorldParams,
    setup: &Setup,
    policy: Policy,
    trials: u32,
    seed: u64,
) -> Vec<TrialResult> {
    (0..trials)
        .into_par_iter()
        .map(|i| {
            let world = World::new(
                history,
                params,
                seed.wrapping_mul(1_000_003).wrapping_add(u64::from(i)),
            );
            trial::run(history, world, policy, setup)
        })
        .collect()
}

/// Runs `trials` trials of each policy. Trial `i` uses the same world for every policy.
pub fn compare(
    params: &WorldParams,
    setup: &Setup,
    policies: &[Policy],
    trials: u32,
    seed: u64,
) -> Vec<Summary> {
    let history = Arc::new(History::new(params, seed));
    policies
        .iter()
        .map(|&p| {
            let results = crate::trials(&history, params, setup, p, trials, seed);
            Summary::of(p.name(), &results)
        })
        .collect()
}
