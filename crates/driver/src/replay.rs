//! Resuming: the recorded inputs are replayed into a fresh engine, in the same order.

use crate::state::InFlight;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use culprit_engine::{Event, Input, Outcome, ProbeId};

use crate::record::Record;
use crate::state::Driver;
use crate::{Bad, Error, classify};

impl Driver<'_> {
    /// Replays the recorded inputs into a fresh engine (same inputs, same order, same state).
    pub(crate) fn replay(&mut self) -> Result<(), Error> {
        let records: Vec<Record> = self.store.events_as()?;
        let mut replayed = 0u32;
        for record in records {
            match record {
                Record::Probe { id, .. } => self.replay_probe(id)?,
                Record::Input { input, index } => {
                    match &input {
                        Input::Build { probe, build } => {
                            if let Some(f) = self.inflight.get(probe) {
                                self.seen
                                    .builds_by_tree
                                    .insert(f.tree.clone(), build.clone());
                            }
                        }
                        Input::Run { probe, outcome } => {
                            self.replayed_run(*probe, index, outcome);
                            replayed += 1;
                        }
                    }
                    self.engine.handle(input)?;
                }
            }
            self.replay_events();
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

    /// A recorded probe: the fresh engine must hand out the same one.
    fn replay_probe(&mut self, want: ProbeId) -> Result<(), Error> {
        let got = self.engine.poll_probe();
        let Some(probe) = got.filter(|g| g.id == want) else {
            return Err(Bad::DoesNotReplay.into());
        };
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
        Ok(())
    }

    /// A run that timed out, as the engine is to count it (see [`classify::hang_counted`]).
    pub(crate) fn counted_hang(&self, outcome: Outcome) -> Outcome {
        classify::hang_counted(
            outcome,
            self.engine.target(),
            self.engine.config().any_crash,
        )
    }

    /// A replayed run joins its probe; its commit counts as tested (the statistics describe the
    /// whole bisection); a crash's report is read again from the run's log, for the result.
    fn replayed_run(&mut self, probe: ProbeId, index: Option<u32>, outcome: &Outcome) {
        let Some(f) = self.inflight.get_mut(&probe) else {
            return;
        };
        f.outcomes.push(outcome.clone());
        let commit = f.commit;
        if self.said.tested.insert(commit) {
            self.stats.revisions_tested += 1;
        }
        let (Outcome::Crash { title, .. }, Some(index), Some(i)) =
            (outcome, index, self.graph.index_of(commit))
        else {
            return;
        };
        if self.seen.reports.contains_key(&(i, title.clone())) {
            return;
        }
        let path = self
            .store
            .dir()
            .join("logs")
            .join(format!("{}.run{index}.log", commit.to_hex()));
        if let Some(report) = std::fs::read(&path)
            .ok()
            .and_then(|text| classify::report_of(title, &text))
        {
            self.seen.reports.insert((i, title.clone()), report);
        }
    }

    /// Takes in the engine's events of a replayed input: the search has started, or probes
    /// are judged (their stop flags are set).
    fn replay_events(&mut self) {
        while let Some(ev) = self.engine.poll_event() {
            if matches!(ev, Event::Start { .. }) {
                self.said.searching = true;
            }
            if let Event::Stop { probe } = ev
                && let Some(f) = self.inflight.get(&probe)
            {
                f.stop.store(true, Ordering::SeqCst);
            }
        }
    }
}
