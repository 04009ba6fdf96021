//! One bisection of a git project, end to end: resolve the range, load the history once, hand the
//! engine's probes to job slots (each a checkout of its own under the state directory), build and
//! test there through a backend, feed the classified outcomes back, record everything in the
//! store first (so a bisection resumes after Ctrl-C or `kill -9`), and print syzbot's log.
//!
//! Where to look: `setup` (options, range, history, engine, backend), `drive` (the loop:
//! engine → jobs → executor → results), `jobs` (probes become jobs, or are answered from what
//! was recorded), `step` (results are recorded, logged and fed to the engine), `backend`
//! (commands; `kernel` for kernels) builds, runs and classifies, `sharing` (runs of identical
//! artifacts), `slot` (one job's work), `executor` (where slots run: local threads), `record`
//! and `replay` (the typed event log and `--resume`), `finish` (the result), `error`.
//!
//! It must not know terminals or argument parsing (the CLI's job) nor how a policy decides (the
//! engine's). It never writes to the user's work tree, index, HEAD or refs.

mod backend;
mod blocks;
mod classify;
mod drive;
pub mod duration;
mod error;
pub mod example;
mod executor;
mod finish;
mod jobs;
mod kernel;
mod log;
mod options;
mod record;
mod replay;
mod session;
mod setup;
mod sharing;
mod slot;
mod step;
mod strays;
mod summary;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use culprit_engine::{Bisection, Build, Mode, Outcome, ProbeId};
use culprit_exec::Cancel;
use culprit_git::{CommitId, Graph, Repo};
use culprit_store::Store;

use executor::Executor;

pub use classify::{classify, classify_vm};
pub use kernel::{DEFAULT_CACHE_BYTES, KernelOptions, default_cache_dir};
pub use log::Log;
pub use summary::{
    CommitSummary, CrashSummary, Ending, Flags, Recipients, Stats, Summary, TitleCount, write_json,
};

pub use error::{Bad, Error, OutputProblem, SlotFailure};
pub use options::{Control, JOBS, Options, Progress, RUNS, TIMEOUT_SECS};
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

#[derive(Clone)]
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
    let options = setup::settle_options(options, store, resume, &state_dir)?;
    validate(&options)?;
    let policy = parse_policy(&options.policy)?;
    let mode = if options.fix { Mode::Fix } else { Mode::Cause };
    let (bad, goods) = setup::resolve_range(repo, &options)?;
    let setup::History {
        graph,
        dag,
        bad_rev,
        good_revs,
        tag_names,
    } = setup::load_history(repo, bad, &goods)?;
    let dag = Arc::new(dag);
    let mut engine = setup::engine(
        &options,
        policy,
        mode,
        Arc::clone(&dag),
        bad_rev,
        &good_revs,
    )?;

    let (kernel_setup, resumed, logs) = setup::begin(repo, store, &options, &state_dir, on_ready)?;
    let (backend, busy_workspace) =
        setup::backend(repo, &options, kernel_setup, &state_dir, &logs)?;
    let mut d = Driver::new(repo, &graph, &mut engine, store, log, &options, tag_names);
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
    d.begin_session(&logs, resumed)?;
    let executor = Box::new(executor::Local::new(backend, cancel.clone()));
    d.run_to_end(executor, options.jobs, &cancel, started, &mut progress)
}

impl<'a> Driver<'a> {
    fn new(
        repo: &'a Repo,
        graph: &'a Graph,
        engine: &'a mut Bisection,
        store: &'a Store,
        log: &'a mut Log,
        options: &Options,
        tag_names: HashMap<u32, String>,
    ) -> Driver<'a> {
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
        Driver {
            repo,
            graph,
            engine,
            store,
            log,
            mode: if options.fix { Mode::Fix } else { Mode::Cause },
            seen: Seen::default(),
            inflight: HashMap::new(),
            stats: Stats::default(),
            session: session::Session::default(),
            tag_names,
            build_key,
            pending_resume: Vec::new(),
            slots: Slots::default(),
            said: Said::default(),
            testing_suffix,
            kernel: options.kernel.is_some(),
            blocks: blocks::Blocks::default(),
        }
    }

    /// Drives the bisection with `executor` to its result, or to [`Error::Interrupted`] with
    /// every finished build and run recorded.
    fn run_to_end(
        mut self,
        mut executor: Box<dyn Executor>,
        jobs: u32,
        cancel: &Cancel,
        started: Instant,
        progress: &mut Option<&mut dyn FnMut(&Progress)>,
    ) -> Result<Summary, Error> {
        let jobs = jobs.max(1) as usize;
        self.slots.made = jobs;
        // An error stops here at once: the slots still at work are not waited for.
        self.drive(executor.as_mut(), jobs, cancel, started, progress)?;
        let left = executor.finish();
        if cancel.is_cancelled() {
            // Builds and runs that finished before the slots stopped: record them, so --resume
            // does not run them again.
            for msg in left {
                self.handle(msg)?;
                self.after_message(started)?;
            }
            return Err(Error::Interrupted);
        }
        self.stats.wall_secs = self.total_wall(started);
        self.finish()
    }
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
    /// Release tags' names by commit index.
    tag_names: HashMap<u32, String>,
    /// What else than the tree decides a build (the build command; the kernel config).
    build_key: String,
    /// Probes interrupted by a stop, to run again on resume.
    pending_resume: Vec<(ProbeId, InFlight)>,
    /// What the checkouts hold.
    slots: Slots,
    /// What the log has said.
    said: Said,
    /// Printed after `testing commit HASH` (kernel mode: the compiler type, as syzbot does).
    testing_suffix: String,
    /// Kernel mode.
    kernel: bool,
    /// bayes' log blocks.
    blocks: blocks::Blocks,
}

/// What the checkouts hold and who uses them.
#[derive(Default)]
struct Slots {
    /// What each checkout holds, built.
    built: HashMap<usize, (CommitId, Build)>,
    /// The checkout each running probe builds in.
    of: HashMap<ProbeId, usize>,
    /// Checkouts made (generic builds keep more than one per job, see `pick_checkout`).
    made: usize,
    /// When each checkout was last given a probe (probes started before).
    used: HashMap<usize, u64>,
    /// Probes handed to checkouts so far.
    started: u64,
}

/// What the log has said so far.
#[derive(Default)]
struct Said {
    /// The reproducibility check was announced.
    started_repro: bool,
    /// Probes whose runs are printed.
    printed: std::collections::HashSet<ProbeId>,
    /// Commits that reached the runs.
    tested: std::collections::HashSet<CommitId>,
    /// The commit announced last (a repeated probe is not announced again).
    last_announced: Option<CommitId>,
    /// `# git bisect start` was printed: verdicts before it (releases, HEAD) are not git's and
    /// print no `# git bisect` line, as in syzbot's log.
    searching: bool,
    /// The commit announced last, for the progress display.
    current: String,
    /// git's step estimate at the last bisection step.
    steps_left: Option<u32>,
    /// The commit of the last `testing commit` line.
    last_testing: Option<CommitId>,
}
