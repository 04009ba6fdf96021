//! `culprit sim`: the engine against synthetic worlds, strategies side by side.

use std::process::ExitCode;

use anyhow::{Context, bail};
use culprit_sim::{Setup, Strategy, WorldParams};

/// Compare bisection strategies on synthetic worlds.
///
/// Every trial plants a culprit in a synthetic history and drives the real engine (the same code
/// as `culprit bisect`) with simulated builds and runs. Trial i uses the same world for every
/// strategy; the whole table is reproducible from the seed.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Commits in the history.
    #[arg(long, default_value_t = 10_000)]
    commits: u32,
    /// History with merges of random side branches instead of a straight line.
    #[arg(long)]
    dag: bool,
    /// Chance that one run on a commit with the bug shows the crash.
    #[arg(long, default_value_t = 0.3)]
    repro_rate: f64,
    /// Chance that one run anywhere shows an unrelated crash (another title).
    #[arg(long, default_value_t = 0.02)]
    unrelated_rate: f64,
    /// Chance that a commit never builds.
    #[arg(long, default_value_t = 0.02)]
    build_fail_rate: f64,
    /// Seconds per build.
    #[arg(long, default_value_t = 600.0)]
    build_secs: f64,
    /// Seconds per run.
    #[arg(long, default_value_t = 300.0)]
    run_secs: f64,
    /// Runs of one probe that execute at once (syzbot boots 10-20 VMs per commit).
    #[arg(long, default_value_t = 10)]
    vms: u32,
    /// Probes in flight at once (machines; bayes only, the others are sequential).
    #[arg(long, default_value_t = 1)]
    jobs: u32,
    /// Trials per strategy.
    #[arg(long, default_value_t = 1000)]
    trials: u32,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Posterior probability at which bayes names a culprit.
    #[arg(long, default_value_t = 0.99)]
    target: f64,
    /// Strategies to compare, comma separated: git, syzbot, bayes.
    #[arg(long, default_value = "git,syzbot,bayes", value_delimiter = ',')]
    strategies: Vec<String>,
    /// Print a JSON array instead of the table.
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut strategies = Vec::new();
    for s in &args.strategies {
        match Strategy::parse(s.trim()) {
            Some(st) => strategies.push(st),
            None => bail!("unknown strategy '{s}': use git, syzbot or bayes"),
        }
    }
    for (name, v) in [
        ("--repro-rate", args.repro_rate),
        ("--unrelated-rate", args.unrelated_rate),
        ("--build-fail-rate", args.build_fail_rate),
    ] {
        if !(0.0..=1.0).contains(&v) {
            bail!("{name} must be between 0 and 1, got {v}");
        }
    }
    if args.commits < 2 {
        bail!("--commits must be at least 2");
    }
    let params = WorldParams {
        commits: args.commits,
        dag: args.dag,
        repro_rate: args.repro_rate,
        unrelated_rate: args.unrelated_rate,
        build_fail_rate: args.build_fail_rate,
    };
    if !(0.5..1.0).contains(&args.target) {
        bail!(
            "--target must be at least 0.5 and below 1, got {}",
            args.target
        );
    }
    let setup = Setup {
        target: args.target,
        build_secs: args.build_secs,
        run_secs: args.run_secs,
        vms: args.vms,
        jobs: args.jobs,
    };
    let rows = culprit_sim::compare(&params, &setup, &strategies, args.trials, args.seed);
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&rows).context("encoding JSON")?
        );
    } else {
        println!(
            "world: {} commits{}, repro rate {}, unrelated rate {}, build failures {}; build {}s, run {}s, {} VMs, {} job(s); {} trials, seed {}",
            args.commits,
            if args.dag { " with merges" } else { ", linear" },
            args.repro_rate,
            args.unrelated_rate,
            args.build_fail_rate,
            args.build_secs,
            args.run_secs,
            args.vms,
            args.jobs,
            args.trials,
            args.seed
        );
        println!(
            "{:<8} {:>9} {:>13} {:>10} {:>12} {:>12} {:>11} {:>11}",
            "strategy",
            "accuracy",
            "inconclusive",
            "mean runs",
            "mean builds",
            "mean wall",
            "p95 wall",
            "confidence"
        );
        for r in &rows {
            println!(
                "{:<8} {:>9.3} {:>13.3} {:>10.1} {:>12.2} {:>11.1}h {:>10.1}h {:>11.3}",
                r.strategy,
                r.accuracy,
                r.inconclusive_rate,
                r.mean_runs,
                r.mean_builds,
                r.mean_wall_s / 3600.0,
                r.p95_wall_s / 3600.0,
                r.mean_confidence
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
