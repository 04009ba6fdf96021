//! culprit's own time per bisection step on a big history: everything but the user's commands
//! (history load, engine, checkout of the candidate, state writes, log).
//!
//! ```text
//! cargo run --release -p culprit-driver --example step_overhead -- PATH [--commits 1000000]
//!     [--merge-every 0] [--policy bayes] [--jobs 1]
//! ```
//!
//! PATH is created with testkit's `History` (one `src/main.c` per commit, a NULL dereference from
//! 60% of the way up, a commit-graph) unless it already holds a repository. The build command
//! is `true` and the test `grep`s the checkout for the bug (exit 1 = crashed), so the commands
//! cost a few milliseconds. Printed: the one-time history load, the wall time, the time in the
//! commands as culprit measured it, and the overhead per tested commit with and without the load.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use culprit_driver::{Control, Log, Options};
use culprit_exec::Cancel;
use culprit_testkit::History;

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
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let path = PathBuf::from(args.next().ok_or("usage: step_overhead PATH [flags]")?);
    let (mut commits, mut merge_every, mut policy, mut jobs) =
        (1_000_000u32, 0u32, "bayes".to_string(), 1u32);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let num = |v: &str| v.parse::<u32>().map_err(|e| format!("{flag} {v}: {e}"));
        match flag.as_str() {
            "--commits" => commits = num(&value)?,
            "--merge-every" => merge_every = num(&value)?,
            "--policy" => policy = value,
            "--jobs" => jobs = num(&value)?,
            other => return Err(format!("unknown flag {other}")),
        }
    }
    if !path.join(".git").exists() {
        let started = Instant::now();
        let h = History {
            bug_at: Some(commits / 5 * 3),
            commit_graph: true,
            ..if merge_every > 0 {
                History::with_merges(commits, merge_every, 3)
            } else {
                History::linear(commits)
            }
        };
        h.import_into(&path);
        println!(
            "created {} ({commits} commits) in {:.1} s",
            path.display(),
            started.elapsed().as_secs_f64()
        );
    }
    let tip = git(&path, &["rev-parse", "main"])?;
    let root = git(&path, &["rev-list", "--max-parents=0", "main"])?;
    let count = git(&path, &["rev-list", "--count", "main"])?;

    // The history load alone (what every step would pay if it were not done once).
    let started = Instant::now();
    let repo = culprit_git::Repo::open(&path).map_err(|e| e.to_string())?;
    let bad = repo.resolve(&tip).map_err(|e| e.to_string())?;
    let graph = repo.load_graph(&[bad]).map_err(|e| e.to_string())?;
    let load = started.elapsed().as_secs_f64();
    println!(
        "history: {count} commits, loaded in {load:.2} s ({} in the graph)",
        graph.len()
    );

    let state = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut log = Log::new(Box::new(std::io::sink()));
    // The first progress report comes when the first commit is handed to a slot: everything
    // before it is set-up, paid once.
    let mut first_job: Option<f64> = None;
    let mut on_progress = |p: &culprit_driver::Progress| {
        if first_job.is_none() {
            first_job = Some(p.elapsed_secs);
        }
    };
    let started = Instant::now();
    let s = culprit_driver::run(
        Some(Options {
            repo: path.clone(),
            bad: tip,
            goods: vec![root],
            fix: false,
            build: "true".into(),
            test: "if grep -q 'volatile p = 0' src/main.c; then exit 1; fi".into(),
            runs: None,
            jobs,
            timeout_secs: 600,
            policy: policy.clone(),
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
            progress: Some(&mut on_progress),
        },
    )
    .map_err(|e| e.to_string())?;
    let setup = first_job.unwrap_or(0.0);
    let wall = started.elapsed().as_secs_f64();
    let st = &s.stats;
    let commands = st.build_secs + st.test_secs;
    let steps = f64::from(st.revisions_tested.max(1));
    println!(
        "policy {policy}, jobs {jobs}: {} ({}), {} commits tested, {} builds, {} runs",
        s.result,
        s.culprit.map(|c| c.commit).unwrap_or_default(),
        st.revisions_tested,
        st.builds,
        st.runs
    );
    println!(
        "wall {wall:.2} s = set-up {setup:.2} s (history load, engine set-up, checkouts) + commands {commands:.2} s + culprit's steps {:.2} s",
        wall - setup - commands
    );
    println!(
        "per tested commit: {:.1} ms of culprit's own time (set-up excluded; {:.1} ms with it)",
        (wall - setup - commands) / steps * 1000.0,
        (wall - commands) / steps * 1000.0
    );
    Ok(())
}
