//! Resuming: the recorded inputs are replayed into a fresh engine, in the same order.

use super::*;

impl Driver<'_> {
    /// Replays the recorded inputs into a fresh engine (same inputs, same order, same state).
    pub(crate) fn replay(&mut self) -> Result<(), Error> {
        let events = self.store.events()?;
        let mut replayed = 0u32;
        // (probe, index) of every replayed run event.
        let mut run_events: std::collections::HashSet<(u32, u64)> =
            std::collections::HashSet::new();
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
                    let index = p.get("index").and_then(|v| v.as_u64());
                    self.replayed_run(pid, index, &outcome);
                    self.engine
                        .handle_run(pid, outcome)
                        .map_err(|e| Error::Other(e.to_string()))?;
                    replayed += 1;
                    if let Some(index) = index {
                        run_events.insert((pid.0, index));
                    }
                }
                _ => {}
            }
            self.replay_events();
        }
        if self.replay_unlogged_run(&run_events)? {
            replayed += 1;
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
    fn replayed_run(&mut self, probe: ProbeId, index: Option<u64>, outcome: &Outcome) {
        let Some(f) = self.inflight.get_mut(&probe) else {
            return;
        };
        f.outcomes.push(outcome.clone());
        let commit = f.commit;
        if self.tested.insert(commit) {
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
                self.searching = true;
            }
            if let Event::Stop { probe } = ev
                && let Some(f) = self.inflight.get(&probe)
            {
                f.stop.store(true, Ordering::SeqCst);
            }
        }
    }

    /// A finished run is written twice, as a row of `runs` and then as an event: a kill between
    /// the two leaves the last run without its event. It is the input that came next, so it is
    /// replayed last (and its event written now) instead of being run again. Returns whether
    /// there was one.
    fn replay_unlogged_run(
        &mut self,
        run_events: &std::collections::HashSet<(u32, u64)>,
    ) -> Result<bool, Error> {
        let runs = self.store.runs()?;
        let Some((_, last)) = runs.last() else {
            return Ok(false);
        };
        let Ok(probe) = u32::try_from(last.probe_id) else {
            return Ok(false);
        };
        if run_events.contains(&(probe, u64::from(last.index))) {
            return Ok(false);
        }
        let pid = ProbeId(probe);
        let Ok(outcome) = serde_json::from_value::<Outcome>(last.outcome.clone()) else {
            return Ok(false);
        };
        if !self.inflight.contains_key(&pid) {
            return Ok(false);
        }
        self.replayed_run(pid, Some(u64::from(last.index)), &outcome);
        self.store.append_event(
            "run",
            &serde_json::json!({"probe": probe, "index": last.index, "outcome": last.outcome}),
        )?;
        self.engine
            .handle_run(pid, outcome)
            .map_err(|e| Error::Other(e.to_string()))?;
        self.replay_events();
        Ok(true)
    }
}
