//! One bisection of a git project, end to end: resolve the range, load the history once, hand the
//! engine's probes to job slots (each a checkout of its own under the state directory), run the
//! build and test commands there, read each run's output for a crash title, feed the outcomes
//! back, record everything in the store first (so a bisection resumes after Ctrl-C or `kill -9`),
//! and print syzbot's log.
//!
//! It must not know terminals or argument parsing (the CLI's job) nor how a policy decides (the
//! engine's). It never writes to the user's work tree, index, HEAD or refs.

mod blocks;
mod classify;
pub mod duration;
pub mod example;
mod finish;
mod kernel;
mod log;
mod options;
mod replay;
mod session;
mod step;
mod strays;
mod summary;
mod worker;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use culprit_engine::{
    Bisection, Build, Conclusion, Config, Dag, Event, Mode, Outcome, Policy, ProbeId, Purpose,
    Release, Rev,
};
use culprit_exec::Cancel;
use culprit_git::{Checkouts, CommitId, Graph, Repo};
use culprit_store::{Begin, Store};
use serde::Serialize;

pub use classify::classify;
pub use kernel::{DEFAULT_CACHE_BYTES, KernelOptions, classify_vm, default_cache_dir};
pub use log::Log;
pub use summary::{
    CommitSummary, CrashSummary, Flags, Recipients, Stats, Summary, TitleCount, write_json,
};

pub use options::{Control, Error, JOBS, Options, Progress, RUNS, TIMEOUT_SECS};
use options::{hash_str, parse_policy, validate};
pub use session::{LOGS_BUDGET, OnReady, run_with};

/// Per-commit memory of what was seen, for caching and the final report.
#[derive(Default)]
struct Seen {
    /// Build result by tree id.
    builds_by_tree: HashMap<String, Build>,
    /// Outcomes by tree id (for reuse on identical trees).
    runs_by_tree: HashMap<String, Vec<Outcome>>,
    /// The first commit tested with each tree.
    tree_commit: HashMap<String, CommitId>,
    /// First report text of each title per commit.
    reports: HashMap<(u32, String), String>,
    /// Titles of every crash seen, with counts.
    titles: BTreeMap<String, u32>,
}

struct InFlight {
    commit: CommitId,
    tree: String,
    runs: u32,
    outcomes: Vec<Outcome>,
    stop: Arc<AtomicBool>,
}

/// Runs (or resumes) a bisection. Returns the result; bad input and infrastructure errors are
/// errors. `--resume` continues a recorded bisection and never starts one.
pub fn run(options: Option<Options>, ctl: Control<'_>) -> Result<Summary, Error> {
    run_with(options, ctl, None)
}

/// The bisection in the locked state directory `store` of `repo` (`ctl.state`).
fn drive(
    options: Option<Options>,
    ctl: Control<'_>,
    repo: &Repo,
    store: &Store,
    strays: usize,
    on_ready: Option<OnReady<'_>>,
) -> Result<Summary, Error> {
    let started = Instant::now();
    let Control {
        state,
        resume,
        cancel,
        log,
        mut progress,
    } = ctl;
    let state_dir = state.unwrap_or_else(|| repo.default_state_dir());
    // The crash parser builds its tables on first use (~0.1 s): before any slot runs, so a run
    // is recorded as soon as it ends (a kill in between would lose it).
    let _ = culprit_report::first(b"BUG: kernel NULL pointer dereference, address: 0\n");
    let options = match (options, store.params()?) {
        (Some(o), Some(stored)) => {
            let mine = serde_json::to_value(&o).map_err(|e| Error::Other(e.to_string()))?;
            if stored != mine {
                return Err(Error::Input(format!(
                    "state from another bisection is in {}: resume it with `culprit bisect --resume`, or remove that directory, or pass --state DIR",
                    state_dir.display()
                )));
            }
            if !resume {
                return Err(Error::Input(format!(
                    "a bisection with these parameters is recorded in {}: add --resume to continue it, or remove that directory",
                    state_dir.display()
                )));
            }
            o
        }
        (Some(_), None) if resume => {
            return Err(Error::Input(format!(
                "nothing to resume: no bisection is recorded in {} (leave out --resume to start one)",
                state_dir.display()
            )));
        }
        (Some(o), None) => o,
        (None, Some(stored)) => serde_json::from_value(stored)
            .map_err(|e| Error::Input(format!("cannot read the recorded parameters: {e}")))?,
        (None, None) => {
            return Err(Error::Input(format!(
                "nothing to resume: no bisection is recorded in {}",
                state_dir.display()
            )));
        }
    };
    validate(&options)?;
    let policy = parse_policy(&options.policy)?;
    let mode = if options.fix { Mode::Fix } else { Mode::Cause };
    let bad = repo
        .resolve(&options.bad)
        .map_err(|e| Error::Input(e.to_string()))?;
    let mut goods = Vec::new();
    for g in &options.goods {
        goods.push(repo.resolve(g).map_err(|e| Error::Input(e.to_string()))?);
    }
    for &g in &goods {
        if g == bad {
            return Err(Error::Input(format!(
                "--good {} is the --bad commit itself",
                g.short(12)
            )));
        }
        let (old, new) = if options.fix { (bad, g) } else { (g, bad) };
        if !repo.is_ancestor(old, new)? {
            return Err(Error::Input(if options.fix {
                format!(
                    "--bad {} is not an ancestor of --good {}: in fix bisection --bad is the older commit that crashes",
                    bad.short(12),
                    g.short(12)
                )
            } else {
                format!(
                    "--good {} is not an ancestor of --bad {}: the good commit must be older",
                    g.short(12),
                    bad.short(12)
                )
            }));
        }
    }
    if options.fix && goods.is_empty() {
        return Err(Error::Input("fix bisection needs --good: a newer commit where the crash no longer happens (usually HEAD)".into()));
    }

    let mut tips = vec![bad];
    tips.extend(&goods);
    let graph = repo.load_graph(&tips)?;
    let mut dag = Dag::from_csr(
        graph.parent_start().to_vec(),
        graph.parents().to_vec(),
        graph.commit_time().to_vec(),
    )
    .map_err(|e| Error::Other(format!("history: {e}")))?;
    let index = |c: CommitId| {
        graph
            .index_of(c)
            .map(Rev)
            .ok_or_else(|| Error::Other(format!("commit {} missing from the history", c.short(12))))
    };
    let bad_rev = index(bad)?;
    let good_revs: Vec<Rev> = goods.iter().map(|&g| index(g)).collect::<Result<_, _>>()?;
    let mut tag_names: HashMap<u32, String> = HashMap::new();
    if goods.is_empty() {
        for t in repo.release_tags(&graph, bad)? {
            if let Some(i) = graph.index_of(t.commit) {
                dag.set_release(
                    Rev(i),
                    Release {
                        major: t.version.major,
                        minor: t.version.minor,
                        sub: t.version.patch,
                    },
                );
                tag_names.insert(i, t.name.clone());
            }
        }
    }
    let dag = Arc::new(dag);
    let mut cfg = Config::new(mode, policy);
    if let Some(r) = options.runs {
        cfg.runs = r.max(1);
    }
    cfg.set_jobs(options.jobs);
    if let Some(c) = options.confidence {
        cfg.target = c;
    }
    // Runs that cost one run's time: the VMs a kernel commit boots at once (one otherwise).
    cfg.vms = match &options.kernel {
        Some(k) if k.vms > 0 => k.vms,
        Some(_) => culprit_vm::max_parallel_vms(&culprit_vm::VmConfig::default()) as u32,
        None => 1,
    };
    cfg.set_any_crash(options.any_crash);
    let mut engine = Bisection::new(Arc::clone(&dag), bad_rev, &good_revs, cfg)
        .map_err(|e| Error::Input(e.to_string()))?;

    // Bad kernel inputs (config, reproducer, QEMU) are reported before anything is recorded.
    let kernel_setup = match &options.kernel {
        Some(k) => Some(kernel::prepare(k, &state_dir, repo.common_dir())?),
        None => None,
    };
    let params = serde_json::to_value(&options).map_err(|e| Error::Other(e.to_string()))?;
    if let Some(ready) = on_ready {
        ready(&state_dir)?;
    }
    let begin = store.begin(&params)?;
    let resumed = begin == Begin::Resumed;
    let logs = state_dir.join("logs");
    std::fs::create_dir_all(&logs)
        .map_err(|e| Error::Other(format!("cannot create {}: {e}", logs.display())))?;
    // Kernel slots (source and build directory) live in the kept workspace when there is one
    // (incremental builds across bisections), otherwise in the state directory.
    let busy_workspace = kernel_setup
        .as_ref()
        .filter(|k| k.cache.is_some() && k.workspace.is_none())
        .map(|k| {
            format!(
                "the kept checkouts of this repository are in use by another culprit: building in {}",
                k.slots.display()
            )
        });
    let checkouts = match &kernel_setup {
        Some(k) => Checkouts::nested(repo, &k.slots, kernel::SOURCE_DIR)?,
        None => Checkouts::new(repo, &state_dir)?,
    };
    let setup = worker::Setup {
        build: options.build.clone(),
        test: options.test.clone(),
        timeout: Duration::from_secs(options.timeout_secs.max(1)),
        artifact: options.artifact.clone(),
        logs,
        kernel: kernel_setup,
        shared: Arc::default(),
    };
    let build_key = match &options.kernel {
        Some(k) => format!(
            "{:x}",
            hash_str(&format!("kernel {} {}", k.config.display(), k.compiler))
        ),
        None => format!("{:x}", hash_str(&options.build)),
    };
    let testing_suffix = options
        .kernel
        .as_ref()
        .map(|k| format!(" {}", k.compiler().kind().as_str()))
        .unwrap_or_default();

    let mut d = Driver {
        repo,
        graph: &graph,
        engine: &mut engine,
        store,
        log,
        mode,
        seen: Seen::default(),
        inflight: HashMap::new(),
        stats: Stats::default(),
        session: session::Session::default(),
        tag_names,
        build_key,
        started_repro: false,
        pending_resume: Vec::new(),
        slot_built: HashMap::new(),
        slot_of: HashMap::new(),
        printed: std::collections::HashSet::new(),
        tested: std::collections::HashSet::new(),
        last_announced: None,
        testing_suffix,
        kernel: options.kernel.is_some(),
        current: String::new(),
        steps_left: None,
        last_testing: None,
        searching: false,
        blocks: blocks::Blocks::default(),
        checkouts_made: 0,
        checkout_used: HashMap::new(),
        probes_started: 0,
    };
    d.log.line(&format!(
        "{} {}",
        if options.fix {
            "bisecting fixing commit since"
        } else {
            "bisecting cause commit starting from"
        },
        bad.to_hex()
    ))?;
    if let Some(note) = &busy_workspace {
        d.log.line(note)?;
    }
    if strays > 0 {
        d.log.line(&format!(
            "stopped {strays} command group(s) left running by an interrupted culprit"
        ))?;
    }
    if resumed {
        d.replay()?;
    }
    d.begin_session(&setup.logs, resumed)?;
    // Drive.
    let (tx, rx) = mpsc::channel::<worker::Message>();
    let jobs = d.engine.config().jobs.max(1) as usize;
    let mut free: Vec<usize> = (0..jobs).rev().collect();
    d.checkouts_made = jobs;
    let mut running = 0;
    let checkouts = Arc::new(checkouts);
    let setup = Arc::new(setup);
    let cancel_flag = cancel.clone();
    let mut handles = Vec::new();
    loop {
        if cancel_flag.is_cancelled() {
            break;
        }
        d.drain_events()?;
        if d.engine.conclusion().is_some() && d.inflight.is_empty() {
            break;
        }
        if d.engine.conclusion().is_none() {
            while running < jobs {
                let Some((slot, job)) = d.next_job(&mut free)? else {
                    break;
                };
                running += 1;
                if let Some(p) = progress.as_mut() {
                    p(&d.progress(started));
                }
                let (tx, checkouts, setup, cancel) = (
                    tx.clone(),
                    Arc::clone(&checkouts),
                    Arc::clone(&setup),
                    cancel.clone(),
                );
                handles.push(std::thread::spawn(move || {
                    worker::work(slot, job, &checkouts, &setup, &cancel, &tx)
                }));
            }
        }
        d.drain_events()?;
        if d.engine.conclusion().is_some() && d.inflight.is_empty() {
            break;
        }
        if d.inflight.is_empty() && d.engine.conclusion().is_none() {
            // Nothing running and nothing to run: the engine is stuck (should not happen).
            return Err(Error::Other(
                "the engine asked for nothing more and did not conclude".into(),
            ));
        }
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(msg) => {
                if let Some(slot) = d.handle(msg)? {
                    free.push(slot);
                    running -= 1;
                }
                d.after_message(started)?;
                if let Some(p) = progress.as_mut() {
                    p(&d.progress(started));
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    // Wait for the slots (they stop at once on cancellation).
    for h in handles {
        let _ = h.join();
    }
    if cancel_flag.is_cancelled() {
        // Builds and runs that finished before the slots stopped are still in the channel:
        // record them, so --resume does not run them again.
        drop(tx);
        while let Ok(msg) = rx.try_recv() {
            d.handle(msg)?;
            d.after_message(started)?;
        }
        return Err(Error::Interrupted);
    }
    d.stats.wall_secs = d.total_wall(started);
    d.finish()
}

struct Driver<'a> {
    repo: &'a Repo,
    graph: &'a Graph,
    engine: &'a mut Bisection,
    store: &'a Store,
    log: &'a mut Log,
    mode: Mode,
    seen: Seen,
    inflight: HashMap<ProbeId, InFlight>,
    stats: Stats,
    /// This session's part of the bisection.
    session: session::Session,
    tag_names: HashMap<u32, String>,
    build_key: String,
    started_repro: bool,
    /// Probes interrupted by a stop, to run again on resume.
    pending_resume: Vec<(ProbeId, InFlight)>,
    /// What each slot holds, built.
    slot_built: HashMap<usize, (CommitId, Build)>,
    /// The slot each running probe builds in.
    slot_of: HashMap<ProbeId, usize>,
    /// Probes whose runs are printed.
    printed: std::collections::HashSet<ProbeId>,
    /// Commits that reached the runs.
    tested: std::collections::HashSet<CommitId>,
    /// The commit announced last (a repeated probe is not announced again).
    last_announced: Option<CommitId>,
    /// Printed after `testing commit HASH` (kernel mode: the compiler type, as syzbot does).
    testing_suffix: String,
    /// Kernel mode.
    kernel: bool,
    /// `# git bisect start` was printed: verdicts before it (releases, HEAD) are not git's and
    /// print no `# git bisect` line, as in syzbot's log.
    searching: bool,
    /// The commit announced last, for the progress display.
    current: String,
    /// git's step estimate at the last bisection step.
    steps_left: Option<u32>,
    /// The commit of the last `testing commit` line.
    last_testing: Option<CommitId>,
    /// bayes' log blocks.
    blocks: blocks::Blocks,
    /// Checkouts made (generic builds keep more than one per job, see `pick_checkout`).
    checkouts_made: usize,
    /// When each checkout was last given a probe (probes started before).
    checkout_used: HashMap<usize, u64>,
    /// Probes handed to checkouts so far.
    probes_started: u64,
}
