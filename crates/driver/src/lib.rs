//! One bisection of a git project, end to end: resolve the range, load the history once, hand the
//! engine's probes to job slots (each a checkout of its own under the state directory), run the
//! build and test commands there, read each run's output for a crash title, feed the outcomes
//! back, record everything in the store first (so a bisection resumes after Ctrl-C or `kill -9`),
//! and print syzbot's log.
//!
//! It must not know terminals or argument parsing (the CLI's job) nor how a policy decides (the
//! engine's). It never writes to the user's work tree, index, HEAD or refs.

mod classify;
pub mod duration;
pub mod example;
mod kernel;
mod log;
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
pub use kernel::{KernelOptions, classify_vm};
pub use log::Log;
pub use summary::{
    CommitSummary, CrashSummary, Flags, Recipients, Stats, Summary, TitleCount, write_json,
};

/// What to bisect and how.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Options {
    /// The repository.
    pub repo: PathBuf,
    /// A commit where the crash happens (the newer end in cause bisection, the older in fix).
    pub bad: String,
    /// Commits where it does not (cause: older; fix: the newer end). Empty: release tags.
    pub goods: Vec<String>,
    /// Fix bisection.
    pub fix: bool,
    /// Build command (run with `sh -c` in the candidate's work tree).
    pub build: String,
    /// Test command: exit 0 = no crash, 125 = cannot test, anything else = crashed.
    pub test: String,
    /// Runs per test (syzbot) or the most runs per probe (bayes).
    pub runs: Option<u32>,
    /// Probes at once, each in its own checkout.
    pub jobs: u32,
    /// Timeout of one build or one run.
    pub timeout_secs: u64,
    /// `bayes`, `syzbot` or `git`.
    pub policy: String,
    /// A file the build produces, hashed to reuse results of identical binaries.
    pub artifact: Option<PathBuf>,
    /// Count a crash with any title as the bisected one.
    pub any_crash: bool,
    /// Kernel bisection: build with culprit-kbuild, test in VMs (`build`/`test` are unused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kernel: Option<KernelOptions>,
}

/// Errors that stop a bisection before or while it runs.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input: a message for the user, who can fix it.
    #[error("{0}")]
    Input(String),
    /// git failed.
    #[error(transparent)]
    Git(#[from] culprit_git::Error),
    /// Loading the history failed.
    #[error(transparent)]
    Graph(#[from] culprit_git::GraphError),
    /// A checkout failed.
    #[error(transparent)]
    Checkout(#[from] culprit_git::CheckoutError),
    /// The state directory failed.
    #[error(transparent)]
    Store(#[from] culprit_store::Error),
    /// Writing the log failed.
    #[error("cannot write the log: {0}")]
    Log(#[from] std::io::Error),
    /// Interrupted (Ctrl-C); the state is saved.
    #[error(
        "interrupted; every finished build and run is saved: run again with --resume to continue"
    )]
    Interrupted,
    /// Something else.
    #[error("{0}")]
    Other(String),
}

/// How a bisection is driven beyond its options.
pub struct Control<'a> {
    /// State directory (default: the repository's `.git/culprit`).
    pub state: Option<PathBuf>,
    /// Continue the bisection recorded there.
    pub resume: bool,
    /// Cancellation (Ctrl-C).
    pub cancel: Cancel,
    /// Where the log goes.
    pub log: &'a mut Log,
    /// Called after every probe with (step, runs done).
    pub progress: Option<&'a mut dyn FnMut(&str)>,
}

fn parse_policy(s: &str) -> Result<Policy, Error> {
    match s {
        "bayes" => Ok(Policy::Bayes),
        "syzbot" => Ok(Policy::Syzbot),
        "git" => Ok(Policy::Git),
        other => Err(Error::Input(format!(
            "unknown policy '{other}': use bayes, syzbot or git"
        ))),
    }
}

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
/// errors.
pub fn run(options: Option<Options>, ctl: Control<'_>) -> Result<Summary, Error> {
    let started = Instant::now();
    let Control {
        state,
        resume,
        cancel,
        log,
        mut progress,
    } = ctl;
    // Find the repository and the state directory first: --resume may bring the options.
    let repo_path = match &options {
        Some(o) => o.repo.clone(),
        None => std::env::current_dir().map_err(|e| Error::Other(e.to_string()))?,
    };
    let repo = Repo::open(&repo_path).map_err(|e| Error::Input(e.to_string()))?;
    let state_dir = state.unwrap_or_else(|| repo.default_state_dir());
    let store = Store::open(&state_dir)?;
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
    cfg.jobs = options.jobs.max(1);
    cfg.vms = 1;
    cfg.any_crash = options.any_crash || policy != Policy::Bayes;
    let mut engine = Bisection::new(Arc::clone(&dag), bad_rev, &good_revs, cfg)
        .map_err(|e| Error::Input(e.to_string()))?;

    // Bad kernel inputs (config, reproducer, QEMU) are reported before anything is recorded.
    let kernel_setup = match &options.kernel {
        Some(k) => Some(kernel::prepare(k, &state_dir)?),
        None => None,
    };
    let params = serde_json::to_value(&options).map_err(|e| Error::Other(e.to_string()))?;
    let begin = store.begin(&params)?;
    let resumed = begin == Begin::Resumed;
    let logs = state_dir.join("logs");
    std::fs::create_dir_all(&logs)
        .map_err(|e| Error::Other(format!("cannot create {}: {e}", logs.display())))?;
    let checkouts = Checkouts::new(&repo, &state_dir)?;
    let setup = worker::Setup {
        build: options.build.clone(),
        test: options.test.clone(),
        timeout: Duration::from_secs(options.timeout_secs.max(1)),
        artifact: options.artifact.clone(),
        logs,
        kernel: kernel_setup,
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
        repo: &repo,
        graph: &graph,
        engine: &mut engine,
        store: &store,
        log,
        mode,
        seen: Seen::default(),
        inflight: HashMap::new(),
        stats: Stats::default(),
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
    if resumed {
        d.replay()?;
    }
    // Drive.
    let (tx, rx) = mpsc::channel::<worker::Message>();
    let jobs = options.jobs.max(1) as usize;
    let mut free: Vec<usize> = (0..jobs).rev().collect();
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
            while let Some(&slot) = free.last() {
                let Some(job) = d.next_job(slot)? else { break };
                free.pop();
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
                }
                if let Some(p) = progress.as_mut() {
                    p(&format!(
                        "{} tested, {} runs",
                        d.stats.revisions_tested, d.stats.runs
                    ));
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
        return Err(Error::Interrupted);
    }
    d.stats.wall_secs = started.elapsed().as_secs_f64();
    d.finish()
}

fn validate(o: &Options) -> Result<(), Error> {
    // In kernel mode there are no commands: `kernel::prepare` checks the kernel inputs.
    if o.kernel.is_none() && o.build.trim().is_empty() {
        return Err(Error::Input(
            "--build is empty: give the command that builds a checkout (e.g. 'make')".into(),
        ));
    }
    if o.kernel.is_none() && o.test.trim().is_empty() {
        return Err(Error::Input(
            "--test is empty: give the command that runs the reproducer".into(),
        ));
    }
    if o.jobs == 0 || o.jobs > 64 {
        return Err(Error::Input(format!(
            "--jobs must be between 1 and 64, got {}",
            o.jobs
        )));
    }
    Ok(())
}

fn hash_str(s: &str) -> u64 {
    // FNV-1a: a stable key for the build command (std's hasher is randomly seeded).
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
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
}

impl Driver<'_> {
    fn commit(&self, rev: Rev) -> CommitId {
        self.graph.id(rev.0)
    }

    fn subject(&self, c: CommitId) -> String {
        self.repo
            .commit_info(c)
            .map(|i| i.subject)
            .unwrap_or_default()
    }

    /// Prints the engine's events.
    fn drain_events(&mut self) -> Result<(), Error> {
        while let Some(ev) = self.engine.poll_event() {
            match ev {
                Event::Start { new, olds } => {
                    let mut line = format!("# git bisect start {}", self.commit(new).to_hex());
                    for o in olds {
                        line.push(' ');
                        line.push_str(&self.commit(o).to_hex());
                    }
                    self.log.line(&line)?;
                }
                Event::Verdict {
                    rev,
                    verdict,
                    probe,
                } => {
                    if let Some(id) = probe {
                        self.print_runs(id)?;
                    }
                    self.log.line(&format!(
                        "# git bisect {} {}",
                        verdict.as_str(),
                        self.commit(rev).to_hex()
                    ))?;
                }
                Event::Stop { probe } => {
                    if let Some(f) = self.inflight.get(&probe) {
                        f.stop.store(true, Ordering::SeqCst);
                    }
                }
                Event::Note(text) => self.log.line(&text)?,
            }
        }
        Ok(())
    }

    /// The next job from the engine, with reused results fed back at once.
    fn next_job(&mut self, slot: usize) -> Result<Option<worker::Job>, Error> {
        if let Some((id, f)) = self.pending_resume.pop() {
            // The slot is checked out and built anew for this commit.
            self.slot_built.remove(&slot);
            self.slot_of.insert(id, slot);
            let done = f.outcomes.len() as u32;
            let job = worker::Job {
                probe: id,
                commit: f.commit,
                build: true,
                runs: f.runs.saturating_sub(done),
                first_run: done,
                stop: Arc::clone(&f.stop),
            };
            self.log.line(&format!(
                "testing commit {}{}",
                f.commit.to_hex(),
                self.testing_suffix
            ))?;
            self.inflight.insert(id, f);
            return Ok(Some(job));
        }
        loop {
            let Some(probe) = self.engine.poll_probe() else {
                return Ok(None);
            };
            let commit = self.commit(probe.rev);
            self.store.append_event(
                "probe",
                &serde_json::json!({"id": probe.id.0, "commit": commit.to_hex()}),
            )?;
            self.announce(&probe.purpose, commit)?;
            let tree = self.repo.tree_id(commit)?;
            let stop = Arc::new(AtomicBool::new(false));
            self.inflight.insert(
                probe.id,
                InFlight {
                    commit,
                    tree: tree.clone(),
                    runs: probe.runs,
                    outcomes: Vec::new(),
                    stop: Arc::clone(&stop),
                },
            );
            // The slot still holds this commit, built: run again without rebuilding.
            if let Some((c, build)) = self.slot_built.get(&slot).cloned()
                && c == commit
            {
                self.feed_build(probe.id, build, 0.0, None)?;
                if !self.inflight.contains_key(&probe.id) || probe.runs == 0 {
                    self.close(probe.id)?;
                    continue;
                }
                return Ok(Some(worker::Job {
                    probe: probe.id,
                    commit,
                    build: false,
                    runs: probe.runs,
                    first_run: 0,
                    stop,
                }));
            }
            // Another commit with the same tree was tested with the same build command: its
            // results are this commit's results.
            let donor = self
                .seen
                .tree_commit
                .get(&tree)
                .copied()
                .filter(|&c| c != commit);
            if let (Some(donor), Some(build)) =
                (donor, self.seen.builds_by_tree.get(&tree).cloned())
            {
                self.log.line(&format!(
                    "same tree as {}: reusing its results",
                    donor.to_hex()
                ))?;
                self.feed_build(probe.id, build.clone(), 0.0, None)?;
                let known: Vec<Outcome> = self
                    .seen
                    .runs_by_tree
                    .get(&tree)
                    .cloned()
                    .unwrap_or_default();
                let mut fed = 0;
                for o in known.into_iter().take(probe.runs as usize) {
                    if !self.inflight.contains_key(&probe.id) || stop.load(Ordering::SeqCst) {
                        break;
                    }
                    self.feed_run(probe.id, fed, o, 0.0, None)?;
                    fed += 1;
                }
                if matches!(build, Build::Failed { .. })
                    || fed >= probe.runs
                    || stop.load(Ordering::SeqCst)
                {
                    self.close(probe.id)?;
                    continue;
                }
                // The slot builds this commit now: it no longer holds what it held.
                self.slot_built.remove(&slot);
                self.slot_of.insert(probe.id, slot);
                return Ok(Some(worker::Job {
                    probe: probe.id,
                    commit,
                    build: true,
                    runs: probe.runs - fed,
                    first_run: fed,
                    stop,
                }));
            }
            self.slot_built.remove(&slot);
            self.slot_of.insert(probe.id, slot);
            return Ok(Some(worker::Job {
                probe: probe.id,
                commit,
                build: true,
                runs: probe.runs,
                first_run: 0,
                stop,
            }));
        }
    }

    fn announce(&mut self, purpose: &Purpose, commit: CommitId) -> Result<(), Error> {
        // More runs on the commit just tested: say so in one line.
        if self.last_announced == Some(commit) && !matches!(purpose, Purpose::ParentBuild) {
            self.log
                .line(&format!("more runs on {}", commit.to_hex()))?;
            return Ok(());
        }
        self.last_announced = Some(commit);
        match purpose {
            Purpose::ReproCheck => {
                if !self.started_repro {
                    self.started_repro = true;
                    self.log.line(&format!(
                        "ensuring issue is reproducible on original commit {}\n",
                        commit.to_hex()
                    ))?;
                }
            }
            Purpose::Release => {
                let name = self
                    .graph
                    .index_of(commit)
                    .and_then(|i| self.tag_names.get(&i).cloned())
                    .unwrap_or_else(|| commit.short(12));
                self.log.line(&format!("testing release {name}"))?;
            }
            Purpose::Head => self
                .log
                .line(&format!("testing current HEAD {}", commit.to_hex()))?,
            Purpose::MergeBase => self
                .log
                .line(&format!("checking the merge base {}", commit.to_hex()))?,
            Purpose::Step { left, steps } => {
                self.log.line(&format!(
                    "Bisecting: {left} revision{} left to test after this (roughly {steps} step{})",
                    if *left == 1 { "" } else { "s" },
                    if *steps == 1 { "" } else { "s" }
                ))?;
                self.log
                    .line(&format!("[{}] {}\n", commit.to_hex(), self.subject(commit)))?;
            }
            Purpose::ParentBuild => self
                .log
                .line(&format!("parent commit {} wasn't tested", commit.to_hex()))?,
        }
        if !matches!(purpose, Purpose::ParentBuild) {
            self.log.line(&format!(
                "testing commit {}{}",
                commit.to_hex(),
                self.testing_suffix
            ))?;
        }
        Ok(())
    }

    /// Handles a slot's message; returns the slot when it is free again.
    fn handle(&mut self, msg: worker::Message) -> Result<Option<usize>, Error> {
        match msg {
            worker::Message::Built {
                probe,
                ok,
                artifact,
                error_lines,
                secs,
                ..
            } => {
                self.stats.builds += 1;
                self.stats.build_secs += secs;
                let build = if ok {
                    Build::Built {
                        artifact: artifact.clone(),
                    }
                } else {
                    Build::Failed {
                        reason: error_lines
                            .first()
                            .cloned()
                            .unwrap_or_else(|| "build failed".into()),
                    }
                };
                if let Some(f) = self.inflight.get(&probe) {
                    let (commit, tree) = (f.commit, f.tree.clone());
                    self.store.record_build(&culprit_store::Build {
                        commit: commit.to_hex(),
                        tree_id: tree.clone(),
                        build_key: self.build_key.clone(),
                        ok,
                        artifact_hash: artifact.clone(),
                        secs,
                        error_lines: error_lines.clone(),
                    })?;
                    self.seen.builds_by_tree.insert(tree.clone(), build.clone());
                    self.seen.tree_commit.entry(tree).or_insert(commit);
                    if let Some(&slot) = self.slot_of.get(&probe)
                        && ok
                    {
                        self.slot_built.insert(slot, (commit, build.clone()));
                    }
                    if !ok {
                        self.log.line(&format!(
                            "failed building {}: {}",
                            commit.to_hex(),
                            error_lines.join("\n")
                        ))?;
                    } else if let Some(a) = &artifact {
                        let what = if self.kernel { "kernel" } else { "artifact" };
                        self.log.line(&format!("{what} signature: {a}"))?;
                    }
                }
                self.feed_build(probe, build, secs, None)?;
                Ok(None)
            }
            worker::Message::Ran {
                probe,
                index,
                status,
                log,
                secs,
            } => {
                self.stats.runs += 1;
                self.stats.test_secs += secs;
                let (outcome, report) = classify(status, &log);
                self.feed_run(probe, index, outcome, secs, report)?;
                Ok(None)
            }
            worker::Message::Classified {
                probe,
                index,
                outcome,
                report,
                secs,
            } => {
                self.stats.runs += 1;
                self.stats.test_secs += secs;
                self.feed_run(probe, index, outcome, secs, report)?;
                Ok(None)
            }
            worker::Message::Note(text) => {
                self.log.line(&text)?;
                Ok(None)
            }
            worker::Message::Idle { slot, probe } => {
                self.close(probe)?;
                Ok(Some(slot))
            }
            worker::Message::Failed { slot, probe, error } => {
                self.log.line(&format!("infrastructure error: {error}"))?;
                // Count the remaining runs as infrastructure failures so the engine can decide.
                if let Some(f) = self.inflight.get(&probe) {
                    let done = f.outcomes.len() as u32;
                    for i in done..f.runs.max(1) {
                        self.feed_run(
                            probe,
                            i,
                            Outcome::Infra {
                                reason: error.clone(),
                            },
                            0.0,
                            None,
                        )?;
                    }
                }
                self.close(probe)?;
                Ok(Some(slot))
            }
        }
    }

    fn feed_build(
        &mut self,
        probe: ProbeId,
        build: Build,
        secs: f64,
        _note: Option<&str>,
    ) -> Result<(), Error> {
        let payload = match &build {
            Build::Built { artifact } => {
                serde_json::json!({"probe": probe.0, "ok": true, "artifact": artifact, "secs": secs})
            }
            Build::Failed { reason } => {
                serde_json::json!({"probe": probe.0, "ok": false, "reason": reason, "secs": secs})
            }
        };
        self.store.append_event("build", &payload)?;
        self.engine
            .handle_build(probe, build)
            .map_err(|e| Error::Other(e.to_string()))?;
        Ok(())
    }

    fn feed_run(
        &mut self,
        probe: ProbeId,
        index: u32,
        outcome: Outcome,
        secs: f64,
        report: Option<String>,
    ) -> Result<(), Error> {
        let value = serde_json::to_value(&outcome).map_err(|e| Error::Other(e.to_string()))?;
        if let Some(f) = self.inflight.get_mut(&probe) {
            self.store.record_run(&culprit_store::Run {
                probe_id: u64::from(probe.0),
                commit: f.commit.to_hex(),
                build_id: None,
                index,
                outcome: value.clone(),
                secs,
            })?;
            f.outcomes.push(outcome.clone());
            if let (Outcome::Crash { title, .. }, Some(r)) = (&outcome, report)
                && let Some(i) = self.graph.index_of(f.commit)
            {
                self.seen.reports.entry((i, title.clone())).or_insert(r);
            }
        }
        if let Outcome::Crash { title, .. } = &outcome {
            *self.seen.titles.entry(title.clone()).or_insert(0) += 1;
        }
        self.store.append_event(
            "run",
            &serde_json::json!({"probe": probe.0, "index": index, "outcome": value}),
        )?;
        self.engine
            .handle_run(probe, outcome)
            .map_err(|e| Error::Other(e.to_string()))?;
        Ok(())
    }

    /// A probe's slot is done: print its runs (if not printed with its verdict).
    fn close(&mut self, probe: ProbeId) -> Result<(), Error> {
        self.print_runs(probe)?;
        self.slot_of.remove(&probe);
        let Some(f) = self.inflight.remove(&probe) else {
            return Ok(());
        };
        self.seen
            .runs_by_tree
            .entry(f.tree.clone())
            .or_default()
            .extend(f.outcomes.iter().cloned());
        Ok(())
    }

    /// Prints a probe's runs once, syzbot style (`all runs: …` or `run #i: …`).
    fn print_runs(&mut self, probe: ProbeId) -> Result<(), Error> {
        let Some(f) = self.inflight.get(&probe) else {
            return Ok(());
        };
        if f.outcomes.is_empty() || !self.printed.insert(probe) {
            return Ok(());
        }
        if self.tested.insert(f.commit) {
            self.stats.revisions_tested += 1;
        }
        let target = self.engine.target().cloned();
        let any = self.engine.config().any_crash;
        let words: Vec<String> = f
            .outcomes
            .iter()
            .map(|o| match o {
                Outcome::Ok => "OK".to_string(),
                Outcome::Crash { title, .. } => match &target {
                    Some(t) if !t.matches(o, any) => {
                        format!("crashed: {title} (another crash, not counted)")
                    }
                    _ => format!("crashed: {title}"),
                },
                Outcome::Skip { reason } => format!("cannot test: {reason}"),
                Outcome::Infra { reason } => format!("infra problem: {reason}"),
            })
            .collect();
        if words.iter().all(|w| *w == words[0]) {
            self.log.line(&format!("all runs: {}", words[0]))?;
        } else {
            for (i, w) in words.iter().enumerate() {
                self.log.line(&format!("run #{i}: {w}"))?;
            }
        }
        Ok(())
    }

    /// Replays the recorded inputs into a fresh engine (same inputs, same order, same state).
    fn replay(&mut self) -> Result<(), Error> {
        let events = self.store.events()?;
        let mut replayed = 0u32;
        for ev in events {
            let p = &ev.payload;
            let id = |k: &str| p.get(k).and_then(|v| v.as_u64()).map(|v| ProbeId(v as u32));
            match ev.kind.as_str() {
                "probe" => {
                    let want = id("id");
                    let got = self.engine.poll_probe();
                    if got.as_ref().map(|g| g.id) != want {
                        return Err(Error::Input("the recorded state does not replay (was it written by another version?): remove the state directory to start again".into()));
                    }
                    if let Some(probe) = got {
                        let commit = self.commit(probe.rev);
                        let tree = self.repo.tree_id(commit)?;
                        self.inflight.insert(
                            probe.id,
                            InFlight {
                                commit,
                                tree,
                                runs: probe.runs,
                                outcomes: Vec::new(),
                                stop: Arc::new(AtomicBool::new(false)),
                            },
                        );
                    }
                }
                "build" => {
                    let Some(pid) = id("probe") else { continue };
                    let ok = p.get("ok").and_then(|v| v.as_bool()).unwrap_or(false);
                    let build = if ok {
                        Build::Built {
                            artifact: p.get("artifact").and_then(|v| v.as_str()).map(String::from),
                        }
                    } else {
                        Build::Failed {
                            reason: p
                                .get("reason")
                                .and_then(|v| v.as_str())
                                .unwrap_or("build failed")
                                .to_string(),
                        }
                    };
                    if let Some(f) = self.inflight.get(&pid) {
                        self.seen
                            .builds_by_tree
                            .insert(f.tree.clone(), build.clone());
                    }
                    self.engine
                        .handle_build(pid, build)
                        .map_err(|e| Error::Other(e.to_string()))?;
                }
                "run" => {
                    let Some(pid) = id("probe") else { continue };
                    let Some(outcome) = p
                        .get("outcome")
                        .and_then(|v| serde_json::from_value::<Outcome>(v.clone()).ok())
                    else {
                        continue;
                    };
                    if let Some(f) = self.inflight.get_mut(&pid) {
                        f.outcomes.push(outcome.clone());
                    }
                    self.engine
                        .handle_run(pid, outcome)
                        .map_err(|e| Error::Other(e.to_string()))?;
                    replayed += 1;
                }
                _ => {}
            }
            while let Some(ev) = self.engine.poll_event() {
                if let Event::Stop { probe } = ev
                    && let Some(f) = self.inflight.get(&probe)
                {
                    f.stop.store(true, Ordering::SeqCst);
                }
            }
        }
        // Probes that had all they needed are closed; unfinished ones run again from where they
        // stopped (their recorded runs are not repeated).
        let open: Vec<ProbeId> = self.inflight.keys().copied().collect();
        let judged: Vec<ProbeId> = open
            .iter()
            .copied()
            .filter(|id| !self.engine.in_flight().contains(id))
            .collect();
        for id in judged {
            if let Some(f) = self.inflight.remove(&id) {
                self.seen
                    .runs_by_tree
                    .entry(f.tree)
                    .or_default()
                    .extend(f.outcomes);
            }
        }
        self.log
            .line(&format!("resuming: {replayed} recorded runs replayed"))?;
        // Re-issue the unfinished ones through the normal path.
        let unfinished: Vec<ProbeId> = self.inflight.keys().copied().collect();
        for id in unfinished {
            if let Some(f) = self.inflight.remove(&id) {
                self.pending_resume.push((id, f));
            }
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Summary, Error> {
        let mut s = Summary {
            stats: self.stats.clone(),
            ..Summary::default()
        };
        s.unrelated_crashes = {
            let target = self.engine.target().cloned();
            self.seen
                .titles
                .iter()
                .filter(|(t, _)| target.as_ref().is_none_or(|tg| tg.title != **t))
                .map(|(t, &c)| TitleCount {
                    title: t.clone(),
                    count: c,
                })
                .collect()
        };
        let target_title = self.engine.target().map(|t| t.title.clone());
        let conclusion = self.engine.conclusion().cloned();
        match conclusion {
            Some(Conclusion::Culprit {
                rev,
                confidence,
                flags,
            }) => {
                let c = self.commit(rev);
                let info = self.repo.commit_info(c)?;
                let word = if self.mode == Mode::Fix {
                    "good"
                } else {
                    "bad"
                };
                self.log
                    .line(&format!("{} is the first bad commit", c.to_hex()))?;
                self.log.line(&self.repo.show_commit(c)?)?;
                s.result = "culprit".into();
                s.confidence = confidence;
                s.candidates = vec![c.to_hex()];
                s.flags = Flags {
                    no_op: flags.no_op,
                    merge: flags.merge,
                    release: flags.release,
                };
                let r = culprit_git::recipients(&info.message, &info.author_email);
                s.recipients = Recipients {
                    to: r.to.clone(),
                    cc: r.cc.clone(),
                };
                s.culprit = Some(CommitSummary {
                    commit: c.to_hex(),
                    subject: info.subject.clone(),
                    author: format!("{} <{}>", info.author_name, info.author_email),
                    date: info.author_date.clone(),
                });
                self.stats_line()?;
                self.log.line(&format!("confidence: {confidence:.3}"))?;
                let mut flags_text = Vec::new();
                if flags.merge {
                    flags_text.push("merge");
                }
                if flags.no_op {
                    flags_text.push("no-op");
                }
                if flags.release {
                    flags_text.push("release");
                }
                if !flags_text.is_empty() {
                    self.log
                        .line(&format!("flags: [{} commit]", flags_text.join(" ")))?;
                }
                self.log.line(&format!(
                    "first {word} commit: {} {}",
                    c.to_hex(),
                    info.subject
                ))?;
                self.log
                    .line(&format!("recipients (to): {}", quoted(&r.to)))?;
                self.log
                    .line(&format!("recipients (cc): {}", quoted(&r.cc)))?;
                if let Some(t) = &target_title {
                    // The report from a run on the culprit (cause) or on the crashing end.
                    let report = self
                        .seen
                        .reports
                        .get(&(rev.0, t.clone()))
                        .cloned()
                        .or_else(|| {
                            self.seen
                                .reports
                                .iter()
                                .find(|((_, tt), _)| tt == t)
                                .map(|(_, r)| r.clone())
                        })
                        .unwrap_or_default();
                    if self.mode == Mode::Cause {
                        self.log.line(&format!("crash: {t}\n{report}"))?;
                    }
                    s.crash = Some(CrashSummary {
                        title: t.clone(),
                        report,
                    });
                }
            }
            Some(Conclusion::Inconclusive {
                candidates,
                confidence,
            }) => {
                self.stats_line()?;
                let word = if self.mode == Mode::Fix {
                    "good"
                } else {
                    "bad"
                };
                self.log.line(&format!(
                    "bisection is inconclusive, the first {word} commit could be any of:"
                ))?;
                for r in &candidates {
                    let c = self.commit(*r);
                    self.log.line(&c.to_hex())?;
                    s.candidates.push(c.to_hex());
                }
                s.result = "inconclusive".into();
                s.confidence = confidence;
                if let Some(t) = target_title {
                    s.crash = Some(CrashSummary {
                        title: t,
                        report: String::new(),
                    });
                }
            }
            Some(Conclusion::Horizon { rev }) => {
                self.stats_line()?;
                let c = self.commit(rev);
                let text = if self.mode == Mode::Fix {
                    "crash still not fixed or there were kernel test errors"
                } else {
                    "oldest tested release already had the bug or it had kernel test errors"
                };
                self.log.line(text)?;
                self.log.line(&format!("commit msg: {}", self.subject(c)))?;
                s.result = "inconclusive".into();
                s.error = Some(text.into());
                s.candidates = vec![];
            }
            Some(Conclusion::NotReproduced) => {
                self.stats_line()?;
                let text = "the crash wasn't reproduced on the original commit";
                self.log.line(text)?;
                s.result = "no-repro".into();
                s.error = Some(format!(
                    "{text}: the test never crashed on --bad; check the test command, or raise --runs if the crash is rare"
                ));
            }
            Some(Conclusion::Failed(f)) => {
                self.stats_line()?;
                self.log.line(&format!("error: {f}"))?;
                s.result = "error".into();
                s.error = Some(f.to_string());
            }
            None => {
                s.result = "error".into();
                s.error = Some("the bisection did not conclude".into());
            }
        }
        s.stats = self.stats.clone();
        Ok(s)
    }

    fn stats_line(&mut self) -> Result<(), Error> {
        let st = &self.stats;
        let line = format!(
            "revisions tested: {}, total time: {} (build: {}, test: {})",
            st.revisions_tested,
            duration::go(st.wall_secs),
            duration::go(st.build_secs),
            duration::go(st.test_secs)
        );
        self.log.line(&line)?;
        Ok(())
    }
}

/// Go's `%q` of a string list: `["a" "b"]`.
fn quoted(v: &[String]) -> String {
    let inner: Vec<String> = v.iter().map(|s| format!("{s:?}")).collect();
    format!("[{}]", inner.join(" "))
}
