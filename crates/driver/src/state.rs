//! The driver's state during one bisection: [`Driver`] (the engine, the store, the log, and
//! what was seen, is in flight, held by checkouts and said) and the records it keeps. Its
//! methods live by concern: `drive` (the loop), `jobs`, `step`, `blocks`, `replay`, `session`,
//! `finish`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use culprit_engine::{Bisection, Build, Mode, Outcome, ProbeId};
use culprit_git::{CommitId, Graph, Repo};
use culprit_store::Store;

use crate::hash::hash_str;
use crate::log::Log;
use crate::options::Options;
use crate::summary::Stats;

/// Per-commit memory of what was seen, for caching and the final report.
#[derive(Default)]
pub(crate) struct Seen {
    /// Build result by tree id.
    pub(crate) builds_by_tree: HashMap<String, Build>,
    /// Outcomes by tree id (for reuse on identical trees).
    pub(crate) runs_by_tree: HashMap<String, Vec<Outcome>>,
    /// The first commit tested with each tree.
    pub(crate) tree_commit: HashMap<String, CommitId>,
    /// First report text of each title per commit.
    pub(crate) reports: HashMap<(u32, String), String>,
    /// Titles of every crash seen, with counts.
    pub(crate) titles: BTreeMap<String, u32>,
}

#[derive(Clone)]
pub(crate) struct InFlight {
    pub(crate) commit: CommitId,
    pub(crate) tree: String,
    pub(crate) runs: u32,
    pub(crate) outcomes: Vec<Outcome>,
    pub(crate) stop: Arc<AtomicBool>,
}

pub(crate) struct Driver<'a> {
    pub(crate) repo: &'a Repo,
    pub(crate) graph: &'a Graph,
    pub(crate) engine: &'a mut Bisection,
    pub(crate) store: &'a Store,
    pub(crate) log: &'a mut Log,
    pub(crate) mode: Mode,
    pub(crate) seen: Seen,
    pub(crate) inflight: HashMap<ProbeId, InFlight>,
    pub(crate) stats: Stats,
    /// This session's part of the bisection.
    pub(crate) session: Session,
    /// Release tags' names by commit index.
    pub(crate) tag_names: HashMap<u32, String>,
    /// What else than the tree decides a build (the build command; the kernel config).
    pub(crate) build_key: String,
    /// Probes interrupted by a stop, to run again on resume.
    pub(crate) pending_resume: Vec<(ProbeId, InFlight)>,
    /// What the checkouts hold.
    pub(crate) slots: Slots,
    /// What the log has said.
    pub(crate) said: Said,
    /// Printed after `testing commit HASH` (kernel mode: the compiler type, as syzbot does).
    pub(crate) testing_suffix: String,
    /// Kernel mode.
    pub(crate) kernel: bool,
    /// bayes' log blocks.
    pub(crate) blocks: Blocks,
}

/// What the checkouts hold and who uses them.
#[derive(Default)]
pub(crate) struct Slots {
    /// What each checkout holds, built.
    pub(crate) built: HashMap<usize, (CommitId, Build)>,
    /// The checkout each running probe builds in.
    pub(crate) of: HashMap<ProbeId, usize>,
    /// Checkouts made (generic builds keep more than one per job, see `pick_checkout`).
    pub(crate) made: usize,
    /// When each checkout was last given a probe (probes started before).
    pub(crate) used: HashMap<usize, u64>,
    /// Probes handed to checkouts so far.
    pub(crate) started: u64,
}

/// What the log has said so far.
#[derive(Default)]
pub(crate) struct Said {
    /// The reproducibility check was announced.
    pub(crate) started_repro: bool,
    /// Probes whose runs are printed.
    pub(crate) printed: HashSet<ProbeId>,
    /// Commits that reached the runs.
    pub(crate) tested: HashSet<CommitId>,
    /// The commit announced last (a repeated probe is not announced again).
    pub(crate) last_announced: Option<CommitId>,
    /// `# git bisect start` was printed: verdicts before it (releases, HEAD) are not git's and
    /// print no `# git bisect` line, as in syzbot's log.
    pub(crate) searching: bool,
    /// The commit announced last, for the progress display.
    pub(crate) current: String,
    /// git's step estimate at the last bisection step.
    pub(crate) steps_left: Option<u32>,
    /// The commit of the last `testing commit` line.
    pub(crate) last_testing: Option<CommitId>,
}

/// Lines held per probe (several jobs) and the verdict line each probe ends with.
#[derive(Default)]
pub(crate) struct Blocks {
    /// Lines of probes still running, when they are held.
    pub(crate) held: HashMap<ProbeId, Vec<String>>,
    /// `# git bisect good|bad X` to print after a probe's runs.
    pub(crate) verdicts: HashMap<ProbeId, String>,
    /// The job (1, 2, …) each running probe has, for the tag of its block.
    pub(crate) job_of: HashMap<ProbeId, usize>,
}

/// What one session adds to the bisection's counters, and what it said about the run logs.
#[derive(Default)]
pub(crate) struct Session {
    /// Wall time of the earlier sessions.
    pub(crate) wall_before: f64,
    /// The cap on the run logs (registered while the session runs).
    pub(crate) budget: Option<culprit_exec::OutputBudget>,
    /// Said that long outputs are cut / that the directory's budget is spent.
    pub(crate) said_cut: bool,
    pub(crate) said_budget: bool,
}

impl<'a> Driver<'a> {
    pub(crate) fn new(
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
            session: Session::default(),
            tag_names,
            build_key,
            pending_resume: Vec::new(),
            slots: Slots::default(),
            said: Said::default(),
            testing_suffix,
            kernel: options.kernel.is_some(),
            blocks: Blocks::default(),
        }
    }
}
