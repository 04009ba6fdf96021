//! Wall time of `culprit bisect` against `git bisect run` on the same deterministic history with
//! the same commands.
//!
//! ```text
//! cargo run --release -p culprit-driver --example vs_git -- [--commits 2000] [--jobs 2]
//!     [--build-secs 0.5] [--test-secs 0] [--reps 3] [--policy bayes]
//! ```
//!
//! The world is a linear history of `--commits` commits of a small C program (testkit's
//! `History`); commit 60% of the way up introduces a NULL dereference that crashes every run. Both
//! tools bisect the whole range (good = the first commit, bad = the tip) with the build
//! `cc -O0 -o prog src/main.c` and the test `./prog`; `--build-secs`/`--test-secs` add a fixed
//! `sleep` to them to model a project whose build or test takes that long. git runs in a clone of
//! the world (it checks commits out in its own work tree; the clone is not timed); culprit in its own
//! checkouts (their creation is timed). Each
//! repetition builds a fresh world and runs both; the medians and their ratio are printed.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use culprit_driver::{Control, Log, Options};
use culprit_exec::Cancel;
use culprit_testkit::History;

struct Args {
    commits: u32,
    jobs: u32,
    build_secs: f64,
    test_secs: f64,
    reps: u32,
    policy: String,
    runs: Option<u32>,
}

fn parse() -> Result<Args, String> {
    let mut a = Args {
        commits: 2000,
        jobs: 2,
        build_secs: 0.5,
        test_secs: 0.0,
        reps: 3,
        policy: "bayes".into(),
        runs: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let bad = |e: &dyn std::fmt::Display| format!("{flag} {value}: {e}");
        match flag.as_str() {
            "--commits" => a.commits = value.parse().map_err(|e| bad(&e))?,
            "--jobs" => a.jobs = value.parse().map_err(|e| bad(&e))?,
            "--build-secs" => a.build_secs = value.parse().map_err(|e| bad(&e))?,
            "--test-secs" => a.test_secs = value.parse().map_err(|e| bad(&e))?,
            "--reps" => a.reps = value.parse().map_err(|e| bad(&e))?,
            "--policy" => a.policy = value,
            "--runs" => a.runs = Some(value.parse().map_err(|e| bad(&e))?),
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(a)
}

fn with_sleep(cmd: &str, secs: f64) -> String {
    if secs > 0.0 {
        format!("sleep {secs} && {cmd}")
    } else {
        cmd.to_string()
    }
}

fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| format!("git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `git bisect run` in a clone; returns (seconds, first bad commit).
fn git_bisect(
    repo: &Path,
    good: &str,
    bad: &str,
    build: &str,
    test: &str,
) -> Result<(f64, String), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let clone = dir.path().join("clone");
    git(
        Path::new("."),
        &[
            "clone",
            "--quiet",
            &repo.display().to_string(),
            &clone.display().to_string(),
        ],
    )?;
    // The clone stands for the user's work tree: not timed.
    let started = Instant::now();
    git(&clone, &["bisect", "start", bad, good])?;
    // git bisect run aborts on exit codes >= 128 (death by signal): map a crash to 1.
    let script = format!("{build} || exit 125; {test} || exit 1");
    let out = git(&clone, &["bisect", "run", "sh", "-c", &script])?;
    let secs = started.elapsed().as_secs_f64();
    let first = out
        .lines()
        .find_map(|l| l.strip_suffix(" is the first bad commit"))
        .ok_or_else(|| format!("git bisect run named no commit:\n{out}"))?
        .to_string();
    Ok((secs, first))
}

/// `culprit bisect` (the driver the CLI calls); returns (seconds, commit, builds, runs).
fn culprit(
    a: &Args,
    repo: &Path,
    good: &str,
    bad: &str,
    build: &str,
    test: &str,
) -> Result<(f64, String, u32, u32), String> {
    let state = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut log = Log::new(Box::new(std::io::sink()));
    let started = Instant::now();
    let s = culprit_driver::run(
        Some(Options {
            repo: repo.to_path_buf(),
            bad: bad.into(),
            goods: vec![good.into()],
            fix: false,
            build: build.into(),
            test: test.into(),
            runs: a.runs,
            jobs: a.jobs,
            timeout_secs: 600,
            policy: a.policy.clone(),
            artifact: None,
            any_crash: false,
            confidence: None,
            kernel: None,
        }),
        Control {
            state: Some(state.path().to_path_buf()),
            resume: false,
            cancel: Cancel::new(),
            log: &mut log,
            progress: None,
        },
    )
    .map_err(|e| e.to_string())?;
    let secs = started.elapsed().as_secs_f64();
    if std::env::var_os("VS_GIT_LOG").is_some() {
        eprintln!("{}", log.text());
    }
    let commit = s
        .culprit
        .map(|c| c.commit)
        .ok_or_else(|| format!("culprit found no commit ({})", s.result))?;
    Ok((secs, commit, s.stats.builds, s.stats.runs))
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn main() -> Result<(), String> {
    let a = parse()?;
    let build = with_sleep("cc -O0 -o prog src/main.c", a.build_secs);
    let test = with_sleep("./prog", a.test_secs);
    println!(
        "world: {} linear commits, deterministic crash; build `{build}`, test `{test}`",
        a.commits
    );
    let (mut g, mut c) = (Vec::new(), Vec::new());
    for rep in 0..a.reps {
        let bug = a.commits * 3 / 5 + rep;
        let w = History {
            bug_at: Some(bug),
            ..History::linear(a.commits)
        }
        .import();
        let want = &w.ids[bug as usize];
        let (gs, gc) = git_bisect(&w.path, &w.ids[0], &w.tip, &build, &test)?;
        let (cs, cc, builds, runs) = culprit(&a, &w.path, &w.ids[0], &w.tip, &build, &test)?;
        println!(
            "rep {rep}: git bisect run {gs:.2} s ({}), culprit --jobs {} {cs:.2} s ({}; {builds} builds, {runs} runs), ratio {:.3}",
            if gc == *want { "right" } else { "WRONG" },
            a.jobs,
            if cc == *want { "right" } else { "WRONG" },
            cs / gs
        );
        g.push(gs);
        c.push(cs);
    }
    let (mg, mc) = (median(&mut g), median(&mut c));
    println!(
        "median: git bisect run {mg:.2} s, culprit --jobs {} --policy {} {mc:.2} s, ratio {:.3}",
        a.jobs,
        a.policy,
        mc / mg
    );
    Ok(())
}
