//! One session of a bisection (a run of culprit, which may resume an earlier one): the state
//! directory opened and locked first, the caller's outputs opened only then, the processes the
//! commands left behind stopped at the end, a state directory this session created and recorded
//! nothing in removed again, the counters of the whole bisection kept across sessions, and the
//! caps on what the run logs keep.

use std::sync::Arc;

use culprit_engine::Mode;

use crate::options::{parse_policy, validate};
use crate::{executor, setup};
use std::path::Path;

use std::time::Instant;

use culprit_git::Repo;
use culprit_store::Store;

use crate::options::OnReady;
use crate::state::Driver;
use crate::{Bad, Control, Error, Options, Progress, Summary, strays};

/// Bytes the run logs of one state directory keep (`logs/`); past it, each run keeps its first
/// and last 64 KiB. Each run keeps at most its first and last MiB
/// ([`culprit_exec::Keep::DEFAULT`]).
pub const LOGS_BUDGET: u64 = 64 << 20;

/// [`run`], with `on_ready` called once the state directory is locked and the inputs checked.
pub fn run_with(
    options: Option<Options>,
    ctl: Control<'_>,
    on_ready: Option<OnReady<'_>>,
) -> Result<Summary, Error> {
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
        None => std::env::current_dir().map_err(Error::CurrentDir)?,
    };
    let repo = Repo::open(&repo_path).map_err(Bad::Repo)?;
    let state_dir = state.unwrap_or_else(|| repo.default_state_dir());
    let created = !state_dir.exists();
    let store = match Store::open(&state_dir) {
        Ok(store) => store,
        Err(e) => {
            if created {
                let _ = std::fs::remove_dir_all(&state_dir);
            }
            return Err(e.into());
        }
    };
    // The lock is ours: whatever still works in the state directory was left by a killed culprit.
    let strays = strays::kill_strays(&state_dir);
    let ctl = Control {
        state: Some(state_dir.clone()),
        resume,
        cancel: cancel.clone(),
        log: &mut *log,
        progress: progress
            .as_mut()
            .map(|p| &mut **p as &mut dyn FnMut(&Progress)),
    };
    let result = bisect(options, ctl, &repo, &store, strays, on_ready);
    // Processes the commands started that are still at work in the state directory (they left
    // their groups and dropped the tag that would have stopped them with their command).
    let late = strays::kill_strays(&state_dir);
    let escaped = cancel.escaped() + late;
    if escaped > 0 && !matches!(result, Err(Error::Log(_))) {
        let _ = log.line(&format!(
            "stopped {escaped} process(es) that outlived their build or test command (started with setsid or as daemons)"
        ));
    }
    // Refused before anything was recorded: leave no state directory behind.
    if created
        && result
            .as_ref()
            .is_err_and(|e| !matches!(e, Error::Interrupted))
        && store.builds().is_ok_and(|b| b.is_empty())
        && store.runs().is_ok_and(|r| r.is_empty())
    {
        drop(store);
        let _ = std::fs::remove_dir_all(&state_dir);
    }
    result
}

/// The counters of the whole bisection as stored after every build and run: the record ids they
/// include, so the records made after the last save (a kill in between) are added on resume.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct Saved {
    builds: u32,
    runs: u32,
    build_secs: f64,
    test_secs: f64,
    wall_secs: f64,
    last_build: i64,
    last_run: i64,
}

const STATS_KEY: &str = "stats";

impl Driver<'_> {
    /// The start of a session, after the replay: the counters of the earlier sessions (the
    /// replay counted the commits tested), and the cap on the run logs.
    pub(crate) fn begin_session(&mut self, logs: &Path, resumed: bool) -> Result<(), Error> {
        self.session.budget = Some(culprit_exec::OutputBudget::register(logs, LOGS_BUDGET));
        if !resumed {
            return Ok(());
        }
        let saved: Saved = self
            .store
            .value(STATS_KEY)?
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default();
        self.stats.builds += saved.builds;
        self.stats.runs += saved.runs;
        self.stats.build_secs += saved.build_secs;
        self.stats.test_secs += saved.test_secs;
        self.session.wall_before = saved.wall_secs;
        // Recorded after the last save: the session was killed in between.
        for (id, b) in self.store.builds()? {
            if id > saved.last_build {
                self.stats.builds += 1;
                self.stats.build_secs += b.secs;
            }
        }
        for (id, r) in self.store.runs()? {
            // Runs taken over from an identical tree, and infrastructure failures, took no time
            // and are not counted.
            if id > saved.last_run && r.secs > 0.0 {
                self.stats.runs += 1;
                self.stats.test_secs += r.secs;
            }
        }
        Ok(())
    }

    /// Wall time of the whole bisection so far.
    pub(crate) fn total_wall(&self, started: Instant) -> f64 {
        self.session.wall_before + started.elapsed().as_secs_f64()
    }

    /// After a slot's message: the counters saved, and a line when run outputs begin to be cut.
    pub(crate) fn after_message(&mut self, started: Instant) -> Result<(), Error> {
        let saved = Saved {
            builds: self.stats.builds,
            runs: self.stats.runs,
            build_secs: self.stats.build_secs,
            test_secs: self.stats.test_secs,
            wall_secs: self.total_wall(started),
            last_build: self.store.last_build_id()?,
            last_run: self.store.last_run_id()?,
        };
        let value = serde_json::to_value(&saved).map_err(|source| Error::Encode {
            what: "the counters",
            source,
        })?;
        self.store.set_value(STATS_KEY, &value)?;
        self.say_cuts()
    }

    /// Says once that run outputs are cut, and once that the state directory's cap is reached.
    fn say_cuts(&mut self) -> Result<(), Error> {
        let Some(b) = &self.session.budget else {
            return Ok(());
        };
        let (cut, reduced, limit) = (b.cut(), b.reduced(), b.limit());
        if cut > 0 && !self.session.said_cut {
            self.session.said_cut = true;
            let keep = culprit_exec::Keep::DEFAULT;
            self.log.line(&format!(
                "a run's output is longer than culprit keeps: its log keeps the first {} and the last {} KiB, with a line saying where the rest was cut, its size and its SHA-256 (crash reports are looked for in what is kept)",
                keep.head >> 10,
                keep.tail >> 10
            ))?;
        }
        if reduced > 0 && !self.session.said_budget {
            self.session.said_budget = true;
            let min = culprit_exec::Keep::MIN;
            self.log.line(&format!(
                "the run logs of this state directory reached {} MiB: from now on each run keeps the first and the last {} KiB of its output",
                limit >> 20,
                min.head >> 10
            ))?;
        }
        Ok(())
    }
}

/// The bisection in the locked state directory `store` of `repo` (`ctl.state`).
fn bisect(
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
    let jobs = d.engine.config().jobs;
    d.run_to_end(executor, jobs, &cancel, started, &mut progress)
}
