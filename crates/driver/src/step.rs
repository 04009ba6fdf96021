//! The results half of a step: slot messages become recorded builds and runs fed to the engine,
//! the engine's events become log lines (announcements, runs, verdicts, git's step figures).

use std::sync::atomic::Ordering;
use std::time::Instant;

use culprit_engine::{Build, Event, Input, Mode, Outcome, Policy, ProbeId, Purpose, Rev};
use culprit_git::CommitId;

use crate::backend::Built;
use crate::record::Record;
use crate::slot::Message;
use crate::state::Driver;
use crate::{Error, Progress};

impl Driver<'_> {
    pub(crate) fn commit(&self, rev: Rev) -> CommitId {
        self.graph.id(rev.0)
    }

    pub(crate) fn subject(&self, c: CommitId) -> String {
        self.repo
            .commit_info(c)
            .map(|i| i.subject)
            .unwrap_or_default()
    }

    /// Prints the engine's events.
    pub(crate) fn drain_events(&mut self) -> Result<(), Error> {
        while let Some(ev) = self.engine.poll_event() {
            match ev {
                Event::Start { new, olds } => {
                    self.print_judged_runs()?;
                    self.said.searching = true;
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
                    let line = format!(
                        "# git bisect {} {}",
                        verdict.as_str(),
                        self.commit(rev).to_hex()
                    );
                    if self.bayes_log()
                        && let Some(id) = probe
                        && self.inflight.contains_key(&id)
                    {
                        // Printed after the probe's runs and tally, when its slot is done.
                        if self.said.searching {
                            self.blocks.verdicts.insert(id, line);
                        }
                        continue;
                    }
                    if let Some(id) = probe {
                        self.print_runs(id)?;
                    }
                    if !self.said.searching {
                        continue;
                    }
                    self.log.line(&line)?;
                }
                Event::Stop { probe } => {
                    if let Some(f) = self.inflight.get(&probe) {
                        f.stop.store(true, Ordering::SeqCst);
                    }
                }
                Event::Releases { picked, total } => {
                    self.print_judged_runs()?;
                    // The tags by their names in the repository (`v5.10`, `2.3`, `name-4.5`).
                    let names: Vec<String> = picked
                        .iter()
                        .map(|r| {
                            self.tag_names.get(&r.0).cloned().unwrap_or_else(|| {
                                self.engine
                                    .dag()
                                    .release(*r)
                                    .map_or_else(|| self.commit(*r).short(12), |v| v.to_string())
                            })
                        })
                        .collect();
                    self.log.line(&format!(
                        "picked [{}] out of {total} release tags",
                        names.join(" ")
                    ))?;
                }
                Event::Note(text) => {
                    self.print_judged_runs()?;
                    self.log.line(&text)?
                }
            }
        }
        Ok(())
    }

    /// Prints the runs of probes the engine has judged but whose slot is not closed yet, so the
    /// lines the judgement caused (`picked [...] out of N release tags`, `# git bisect start`)
    /// follow them, as in syzbot's log.
    fn print_judged_runs(&mut self) -> Result<(), Error> {
        let open = self.engine.in_flight();
        let mut done: Vec<ProbeId> = self
            .inflight
            .keys()
            .copied()
            .filter(|id| !open.contains(id))
            .collect();
        done.sort_by_key(|id| id.0);
        for id in done {
            self.print_runs(id)?;
        }
        Ok(())
    }

    pub(crate) fn announce(
        &mut self,
        probe: ProbeId,
        purpose: &Purpose,
        commit: CommitId,
    ) -> Result<(), Error> {
        // More runs on the commit just tested: say so in one line (bayes: each probe is a
        // block of its own, announced in full).
        if self.said.last_announced == Some(commit)
            && !matches!(purpose, Purpose::ParentBuild)
            && !self.bayes_log()
        {
            self.out(probe, &format!("more runs on {}", commit.to_hex()))?;
            return Ok(());
        }
        self.said.last_announced = Some(commit);
        self.said.current = format!("{} {}", commit.short(12), self.subject(commit));
        if let Purpose::Step { steps, .. } = purpose {
            self.said.steps_left = Some(*steps);
        }
        match purpose {
            Purpose::ReproCheck => {
                if !self.said.started_repro {
                    self.said.started_repro = true;
                    self.out(
                        probe,
                        &format!(
                            "ensuring issue is reproducible on original commit {}\n",
                            commit.to_hex()
                        ),
                    )?;
                }
            }
            Purpose::Release => {
                let name = self
                    .graph
                    .index_of(commit)
                    .and_then(|i| self.tag_names.get(&i).cloned())
                    .unwrap_or_else(|| commit.short(12));
                self.out(probe, &format!("testing release {name}"))?;
            }
            Purpose::Head => {
                self.out(probe, &format!("testing current HEAD {}", commit.to_hex()))?
            }
            Purpose::MergeBase => self.out(
                probe,
                &format!("checking the merge base {}", commit.to_hex()),
            )?,
            Purpose::Step { left, steps } => {
                self.out(probe, &format!(
                    "Bisecting: {left} revision{} left to test after this (roughly {steps} step{})",
                    if *left == 1 { "" } else { "s" },
                    if *steps == 1 { "" } else { "s" }
                ))?;
                self.out(
                    probe,
                    &format!("[{}] {}\n", commit.to_hex(), self.subject(commit)),
                )?;
            }
            Purpose::ParentBuild => self.out(
                probe,
                &format!("parent commit {} wasn't tested", commit.to_hex()),
            )?,
            Purpose::Verify => self.out(
                probe,
                &format!(
                    "checking the widest untested stretch next to the likely culprit: {}",
                    commit.to_hex()
                ),
            )?,
            Purpose::GoodEnd if self.mode == Mode::Fix => {
                self.out(probe, &format!("testing current HEAD {}", commit.to_hex()))?
            }
            Purpose::GoodEnd => self.out(
                probe,
                &format!(
                    "testing good commit {}: does the crash happen before the range?",
                    commit.to_hex()
                ),
            )?,
        }
        if !matches!(purpose, Purpose::ParentBuild) {
            self.testing_line(probe, commit)?;
        }
        Ok(())
    }

    /// `testing commit HASH` (kernel mode: with the compiler type, as syzbot prints it).
    pub(crate) fn testing_line(&mut self, probe: ProbeId, commit: CommitId) -> Result<(), Error> {
        self.said.last_testing = Some(commit);
        let again = self.again_note(commit);
        self.out(
            probe,
            &format!("testing commit {}{}", commit.to_hex(), self.testing_suffix),
        )?;
        if let Some(note) = again {
            self.out(probe, &note)?;
        }
        Ok(())
    }

    /// Handles a slot's message; returns the slot when it is free again.
    pub(crate) fn handle(&mut self, msg: Message) -> Result<Option<usize>, Error> {
        match msg {
            Message::Built { probe, built } => {
                self.took_build(probe, built)?;
                Ok(None)
            }
            Message::Ran {
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
            Message::Note(text) => {
                self.log.line(&text)?;
                Ok(None)
            }
            Message::Idle { slot, probe } => {
                self.close(probe)?;
                Ok(Some(slot))
            }
            Message::Failed { error } => {
                // Not the commit's fault: end here, with nothing recorded for this probe, so that
                // `--resume` tests the commit again once the machine is fixed.
                self.log.line(&format!("infrastructure error: {error}"))?;
                Err(Error::Infrastructure(error))
            }
        }
    }

    /// A slot's build: counted, recorded, logged and fed to the engine.
    fn took_build(&mut self, probe: ProbeId, built: Built) -> Result<(), Error> {
        let Built {
            ok,
            artifact,
            error_lines,
            secs,
            reused,
            ..
        } = built;
        if !reused {
            self.stats.builds += 1;
        }
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
            if let Some(&slot) = self.slots.of.get(&probe)
                && ok
            {
                self.slots.built.insert(slot, (commit, build.clone()));
            }
            if !ok {
                let text = format!(
                    "failed building {}: {}",
                    commit.to_hex(),
                    error_lines.join("\n")
                );
                self.out(probe, &text)?;
            } else if let Some(a) = &artifact {
                let what = if self.kernel { "kernel" } else { "artifact" };
                self.out(probe, &format!("{what} signature: {a}"))?;
            }
        }
        self.feed_build(probe, build, secs, None)
    }

    pub(crate) fn feed_build(
        &mut self,
        probe: ProbeId,
        build: Build,
        _secs: f64,
        _note: Option<&str>,
    ) -> Result<(), Error> {
        let input = Input::Build { probe, build };
        self.record(&Record::Input {
            input: input.clone(),
            index: None,
        })?;
        self.engine.handle(input)?;
        Ok(())
    }

    /// Appends a record to the state's event log (committed when this returns).
    pub(crate) fn record(&self, record: &Record) -> Result<(), Error> {
        self.store.append_event(record.kind(), record)?;
        Ok(())
    }

    pub(crate) fn feed_run(
        &mut self,
        probe: ProbeId,
        index: u32,
        outcome: Outcome,
        secs: f64,
        report: Option<String>,
    ) -> Result<(), Error> {
        let outcome = self.counted_hang(outcome);
        let value = serde_json::to_value(&outcome).map_err(|source| Error::Encode {
            what: "a run's outcome",
            source,
        })?;
        let input = Input::Run {
            probe,
            outcome: outcome.clone(),
        };
        let record = Record::Input {
            input: input.clone(),
            index: Some(index),
        };
        if let Some(f) = self.inflight.get_mut(&probe) {
            // The run's row (statistics) and its record (replay) are written together.
            self.store.record_run_with_event(
                &culprit_store::Run {
                    probe_id: u64::from(probe.0),
                    commit: f.commit.to_hex(),
                    build_id: None,
                    index,
                    outcome: value,
                    secs,
                },
                record.kind(),
                &record,
            )?;
            f.outcomes.push(outcome.clone());
            if let (Outcome::Crash { title, .. }, Some(r)) = (&outcome, report)
                && let Some(i) = self.graph.index_of(f.commit)
            {
                self.seen.reports.entry((i, title.clone())).or_insert(r);
            }
        } else {
            self.record(&record)?;
        }
        if let Outcome::Crash { title, .. } = &outcome {
            *self.seen.titles.entry(title.clone()).or_insert(0) += 1;
        }
        self.engine.handle(input)?;
        Ok(())
    }

    /// A probe's slot is done: print its runs (if not printed with its verdict).
    pub(crate) fn close(&mut self, probe: ProbeId) -> Result<(), Error> {
        self.print_runs(probe)?;
        if self.bayes_log() {
            self.end_block(probe)?;
        }
        self.slots.of.remove(&probe);
        self.blocks.job_of.remove(&probe);
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
    pub(crate) fn print_runs(&mut self, probe: ProbeId) -> Result<(), Error> {
        let Some(f) = self.inflight.get(&probe) else {
            return Ok(());
        };
        if f.outcomes.is_empty() || !self.said.printed.insert(probe) {
            return Ok(());
        }
        if self.said.tested.insert(f.commit) {
            self.stats.revisions_tested += 1;
        }
        // With several commits in flight their lines interleave: say again which commit these
        // runs are of when another one was announced since.
        let commit = f.commit;
        if self.engine.config().jobs > 1
            && self.said.last_testing != Some(commit)
            && !self.bayes_log()
        {
            self.testing_line(probe, commit)?;
        }
        let Some(f) = self.inflight.get(&probe) else {
            return Ok(());
        };
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
            // syzbot's words; the other policies say how many runs there were (one run that
            // crashed is not ten).
            let line = if self.engine.config().policy == Policy::Syzbot {
                format!("all runs: {}", words[0])
            } else {
                format!("all runs: {n}/{n} {}", words[0], n = words.len())
            };
            self.out(probe, &line)?;
        } else {
            for (i, w) in words.iter().enumerate() {
                self.out(probe, &format!("run #{i}: {w}"))?;
            }
        }
        Ok(())
    }

    /// Where the bisection stands.
    pub(crate) fn progress(&self, started: Instant) -> Progress {
        Progress {
            commit: self.said.current.clone(),
            tested: self.stats.revisions_tested,
            builds: self.stats.builds,
            runs: self.stats.runs,
            steps_left: self.said.steps_left,
            elapsed_secs: started.elapsed().as_secs_f64(),
        }
    }
}
