//! `culprit sim`: the engine against synthetic worlds, strategies side by side.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, bail};
use culprit_sim::grid::{self, CellResult, Check, Rule, Verdict};
use culprit_sim::{Policy, Setup, Summary, WorldParams};

use super::policy::{PolicyArg, Trimmed};

/// Compare bisection strategies on synthetic worlds.
///
/// Every trial plants a culprit in a synthetic history and drives the real engine (the same code
/// as `culprit bisect`) with simulated builds and runs. Trial i uses the same world for every
/// strategy; the whole table is reproducible from the seed.
///
/// With --grid, runs the fixed grid of worlds (repro 1/0.5/0.3/0.1/0.05 × unrelated
/// 0/0.02/0.1/0.3 × linear/dag, then one cell each of a trap, build stretches, per-commit
/// flakiness, a title change and a non-monotone history) and checks issue 11's acceptance rules
/// on it. The world flags do not apply to the grid.
///
/// Numbers out of the documented [ranges] are refused.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Run the fixed grid of worlds and check the acceptance rules (exit status 0 either way).
    #[arg(long, conflicts_with_all = [
        "dag", "repro_rate", "unrelated_rate", "build_fail_rate", "trap", "build_stretches",
        "repro_spread", "title_change", "non_monotone",
    ])]
    grid: bool,
    /// Commits in the history [2-10000000].
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(2..=10_000_000), allow_negative_numbers = true)]
    commits: u32,
    /// History with merges of random side branches instead of a straight line.
    #[arg(long)]
    dag: bool,
    /// Chance that one run on a commit with the bug shows the crash [0-1].
    #[arg(long, default_value_t = 0.3, value_parser = float_in(0.0, 1.0), allow_negative_numbers = true)]
    repro_rate: f64,
    /// Chance that one run anywhere shows an unrelated crash (another title) [0-1].
    #[arg(long, default_value_t = 0.02, value_parser = float_in(0.0, 1.0), allow_negative_numbers = true)]
    unrelated_rate: f64,
    /// Chance that a commit never builds [0-1].
    #[arg(long, default_value_t = 0.02, value_parser = float_in(0.0, 1.0), allow_negative_numbers = true)]
    build_fail_rate: f64,
    /// A trap: another bug with its own title that crashes runs with this chance (0.5 when
    /// given without a value) on a random range of commits strictly inside the history
    /// (1%-20% of it) [0-1].
    #[arg(long, value_name = "RATE", num_args = 0..=1, default_missing_value = "0.5", value_parser = float_in(0.0, 1.0), allow_negative_numbers = true)]
    trap: Option<f64>,
    /// Stretches of 20-200 consecutive commits that do not build (never the culprit or the
    /// ends), besides the independent failures [0-1000].
    #[arg(long, value_name = "COUNT", default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=1000), allow_negative_numbers = true)]
    build_stretches: u32,
    /// Per-commit flakiness: each commit's crash rate is the repro rate times 2^u, u uniform in
    /// [-SPREAD, SPREAD] per commit, clipped to [0, 1] (1: between half and twice) [0-10].
    #[arg(long, value_name = "SPREAD", default_value_t = 0.0, value_parser = float_in(0.0, 10.0), allow_negative_numbers = true)]
    repro_spread: f64,
    /// The crash title changes at a random commit between the culprit and the bad end (the
    /// old title stays as an alternative title of the new one).
    #[arg(long)]
    title_change: bool,
    /// The bug was introduced, reverted and introduced again: naming either introduction is
    /// right.
    #[arg(long)]
    non_monotone: bool,
    /// Seconds per build [0-1000000].
    #[arg(long, default_value_t = 600.0, value_parser = float_in(0.0, 1e6), allow_negative_numbers = true)]
    build_secs: f64,
    /// Seconds per run [0-1000000].
    #[arg(long, default_value_t = 300.0, value_parser = float_in(0.0, 1e6), allow_negative_numbers = true)]
    run_secs: f64,
    /// Runs of one probe that execute at once (syzbot boots 10-20 VMs per commit) [1-1000].
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=1000), allow_negative_numbers = true)]
    vms: u32,
    /// Machines: probes in flight at once where the policy allows (git and bayes search k-ary,
    /// syzbot tests one commit at a time) [1-64].
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=64), allow_negative_numbers = true)]
    jobs: u32,
    /// Trials per strategy (per cell with --grid) [1-1000000; default: 1000, 200 with --grid].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000), allow_negative_numbers = true)]
    trials: Option<u32>,
    /// Seed [any 64-bit unsigned number].
    #[arg(long, default_value_t = 1, allow_negative_numbers = true)]
    seed: u64,
    /// Posterior probability at which bayes names a culprit [0.5-1, 1 excluded].
    #[arg(long, default_value_t = 0.99, value_parser = target_in, allow_negative_numbers = true)]
    target: f64,
    /// Policies to compare, comma separated: git, syzbot, bayes.
    #[arg(long, default_value = "git,syzbot,bayes", value_delimiter = ',', value_parser = Trimmed)]
    strategies: Vec<PolicyArg>,
    /// Print JSON instead of the table.
    #[arg(long)]
    json: bool,
}

/// A value parser for a finite number between `lo` and `hi` (both included).
fn float_in(lo: f64, hi: f64) -> impl Fn(&str) -> Result<f64, String> + Clone + Send + Sync {
    move |s: &str| {
        let v: f64 = s
            .trim()
            .parse()
            .map_err(|_| format!("{s:?} is not a number"))?;
        if v.is_finite() && (lo..=hi).contains(&v) {
            Ok(v)
        } else {
            Err(format!("{s} is not between {lo} and {hi}"))
        }
    }
}

/// `--target`: at least 0.5 and below 1.
fn target_in(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number"))?;
    if (0.5..1.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{s} is not at least 0.5 and below 1"))
    }
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let strategies: Vec<Policy> = args.strategies.iter().map(|&p| p.into()).collect();
    if args.commits < 2 {
        bail!("--commits must be at least 2");
    }
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
    if args.grid {
        return run_grid(&args, &setup, &strategies);
    }
    for (name, v) in [
        ("--repro-rate", args.repro_rate),
        ("--unrelated-rate", args.unrelated_rate),
        ("--build-fail-rate", args.build_fail_rate),
        ("--trap", args.trap.unwrap_or(0.0)),
    ] {
        if !(0.0..=1.0).contains(&v) {
            bail!("{name} must be between 0 and 1, got {v}");
        }
    }
    let params = WorldParams {
        commits: args.commits,
        dag: args.dag,
        repro_rate: args.repro_rate,
        unrelated_rate: args.unrelated_rate,
        build_fail_rate: args.build_fail_rate,
        trap_rate: args.trap.unwrap_or(0.0),
        build_stretches: args.build_stretches,
        repro_spread: args.repro_spread,
        title_change: args.title_change,
        non_monotone: args.non_monotone,
    };
    params.validate()?;
    let trials = args.trials.unwrap_or(1000);
    let rows = culprit_sim::compare(&params, &setup, &strategies, trials, args.seed);
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&rows).context("encoding JSON")?
        );
        return Ok(ExitCode::SUCCESS);
    }
    let mut kinds = String::new();
    if let Some(t) = args.trap {
        kinds += &format!(", trap {t}");
    }
    if args.build_stretches > 0 {
        kinds += &format!(", {} build stretches", args.build_stretches);
    }
    if args.repro_spread > 0.0 {
        kinds += &format!(", per-commit spread {}", args.repro_spread);
    }
    if args.title_change {
        kinds += ", title change";
    }
    if args.non_monotone {
        kinds += ", non-monotone";
    }
    println!(
        "world: {} commits{}, repro rate {}, unrelated rate {}, build failures {}{kinds}; build {}s, run {}s, {} VMs, {} job(s); {} trials, seed {}",
        args.commits,
        if args.dag { " with merges" } else { ", linear" },
        args.repro_rate,
        args.unrelated_rate,
        args.build_fail_rate,
        args.build_secs,
        args.run_secs,
        args.vms,
        args.jobs,
        trials,
        args.seed
    );
    println!(
        "{:<8} {:>9} {:>13} {:>10} {:>12} {:>11} {:>11} {:>11} {:>7} {:>10}",
        "strategy",
        "accuracy",
        "inconclusive",
        "mean runs",
        "mean builds",
        "mean wall",
        "p95 wall",
        "confidence",
        "named",
        "acc|named"
    );
    for r in &rows {
        println!(
            "{:<8} {:>9.3} {:>13.3} {:>10.1} {:>12.2} {:>10.1}h {:>10.1}h {:>11} {:>7.3} {:>10.3}",
            r.strategy,
            r.accuracy,
            r.inconclusive_rate,
            r.mean_runs,
            r.mean_builds,
            r.mean_wall_s / 3600.0,
            r.p95_wall_s / 3600.0,
            confidence(r, r.mean_confidence),
            r.named_rate,
            r.accuracy_among_named,
        );
    }
    if args.non_monotone {
        for r in &rows {
            println!(
                "{}: flagged non-monotone in {:.3} of the trials",
                r.strategy, r.non_monotone_flagged_rate
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The grid's JSON document.
#[derive(serde::Serialize)]
struct GridReport<'a> {
    trials: u32,
    seed: u64,
    setup: &'a Setup,
    cells: &'a [CellResult],
    checks: &'a [Check],
}

fn run_grid(args: &Args, setup: &Setup, strategies: &[Policy]) -> anyhow::Result<ExitCode> {
    let trials = args.trials.unwrap_or(200);
    let cells = grid::cells(args.commits);
    let mut out = std::io::stdout().lock();
    if !args.json {
        writeln!(
            out,
            "grid: {} cells, {} commits, build failures {}; build {}s, run {}s, {} VMs, {} job(s); {} trials per cell and strategy, seed {}, target {}",
            cells.len(),
            args.commits,
            grid::BUILD_FAIL_RATE,
            setup.build_secs,
            setup.run_secs,
            setup.vms,
            setup.jobs,
            trials,
            args.seed,
            setup.target,
        )?;
        writeln!(
            out,
            "{:<46} {:<8} {:>8} {:>7} {:>6} {:>9} {:>6} {:>10} {:>7} {:>7} {:>7} {:>7}",
            "cell",
            "strategy",
            "accuracy",
            "inconcl",
            "named",
            "acc|named",
            "conf",
            "conf|named",
            "runs",
            "builds",
            "wall h",
            "p95 h"
        )?;
        out.flush()?;
    }
    let mut results = Vec::with_capacity(cells.len());
    for cell in &cells {
        let r = grid::run_cell(cell, setup, strategies, trials, args.seed);
        if !args.json {
            for row in &r.rows {
                writeln!(out, "{}", grid_row(&cell.name, row))?;
            }
            out.flush()?;
        }
        results.push(r);
    }
    if !args.json {
        for r in results.iter().filter(|r| r.cell.params.non_monotone) {
            for row in &r.rows {
                writeln!(
                    out,
                    "{}: {} flagged non-monotone in {:.3} of the trials",
                    r.cell.name, row.strategy, row.non_monotone_flagged_rate
                )?;
            }
        }
    }
    let checks = grid::check(&results);
    if args.json {
        let report = GridReport {
            trials,
            seed: args.seed,
            setup,
            cells: &results,
            checks: &checks,
        };
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&report).context("encoding JSON")?
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out)?;
    writeln!(out, "check (issue 11 acceptance; '-' = does not apply):")?;
    for rule in Rule::ALL {
        writeln!(out, "  {} {}", rule.label(), rule.describe())?;
    }
    writeln!(
        out,
        "{:<46} {:>5} {:>5} {:>5}",
        "cell",
        Rule::ALL[0].label(),
        Rule::ALL[1].label(),
        Rule::ALL[2].label()
    )?;
    for cell in &cells {
        let mark = |rule: Rule| {
            checks
                .iter()
                .find(|c| c.cell == cell.name && c.rule == rule)
                .map_or("?", |c| verdict_word(c.verdict))
        };
        writeln!(
            out,
            "{:<46} {:>5} {:>5} {:>5}",
            cell.name,
            mark(Rule::Calibrated),
            mark(Rule::Named),
            mark(Rule::NotWorseThanSyzbot)
        )?;
    }
    let failing: Vec<&Check> = checks
        .iter()
        .filter(|c| c.verdict == Verdict::Fail)
        .collect();
    let missing = checks
        .iter()
        .filter(|c| c.verdict == Verdict::Missing)
        .count();
    let applicable = checks
        .iter()
        .filter(|c| c.verdict != Verdict::NotApplicable)
        .count();
    if failing.is_empty() && missing == 0 {
        writeln!(out, "all {applicable} applicable checks pass")?;
    } else {
        let mut cells_failing: Vec<&str> = failing.iter().map(|c| c.cell.as_str()).collect();
        cells_failing.dedup();
        writeln!(
            out,
            "{} of {applicable} applicable checks fail, in {} cell(s){}:",
            failing.len(),
            cells_failing.len(),
            if missing > 0 {
                format!("; {missing} could not be checked (strategy not run)")
            } else {
                String::new()
            }
        )?;
        for c in failing {
            writeln!(out, "  FAIL {} {}: {}", c.rule.label(), c.cell, c.detail)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A mean confidence for the table: `none` for a policy that claims none (git's trusts one run
/// per commit, so it cannot say how sure it is).
fn confidence(r: &Summary, x: f64) -> String {
    if r.strategy
        .parse::<Policy>()
        .is_ok_and(|p| !p.rules().confidence)
    {
        "none".into()
    } else {
        format!("{x:.3}")
    }
}

fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Fail => "FAIL",
        Verdict::NotApplicable => "-",
        Verdict::Missing => "n/r",
    }
}

fn grid_row(cell: &str, r: &Summary) -> String {
    format!(
        "{:<46} {:<8} {:>8.3} {:>7.3} {:>6.3} {:>9.3} {:>6} {:>10} {:>7.1} {:>7.2} {:>7.2} {:>7.2}",
        cell,
        r.strategy,
        r.accuracy,
        r.inconclusive_rate,
        r.named_rate,
        r.accuracy_among_named,
        confidence(r, r.mean_confidence),
        confidence(r, r.mean_confidence_among_named),
        r.mean_runs,
        r.mean_builds,
        r.mean_wall_s / 3600.0,
        r.p95_wall_s / 3600.0,
    )
}
