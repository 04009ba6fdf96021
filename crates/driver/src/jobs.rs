//! From the engine's probes to slot jobs: which checkout takes a probe, and what it reuses (the
//! build a checkout still holds, the results of a commit with the same tree), so a job does
//! only the work nothing recorded can answer.

use culprit_engine::Rev;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use culprit_engine::{Build, Outcome, ProbeId};

use crate::Error;
use crate::record::Record;
use crate::state::Driver;
use crate::state::InFlight;
use culprit_engine::Probe;

use crate::backend::Job;

/// Checkouts kept per job for generic builds (see `pick_checkout`).
const MAX_CHECKOUTS: usize = 6;

/// What became of a probe the engine handed out.
enum Taken {
    /// A slot has work to do.
    Job(usize, Job),
    /// Answered from what was recorded: ask the engine again.
    Answered,
}

impl Driver<'_> {
    /// The next job: a probe interrupted by the last stop first, then the engine's probes
    /// (reused results are fed back at once). `free` holds the free checkouts; the one taken is
    /// removed.
    pub(crate) fn next_job(
        &mut self,
        free: &mut Vec<usize>,
    ) -> Result<Option<(usize, Job)>, Error> {
        let Some(&last) = free.last() else {
            return Ok(None);
        };
        if let Some((id, f)) = self.pending_resume.pop() {
            free.pop();
            return self.resumed_job(last, id, f).map(Some);
        }
        while let Some(probe) = self.engine.poll_probe() {
            if let Taken::Job(slot, job) = self.take_probe(probe, free, last)? {
                free.retain(|&s| s != slot);
                return Ok(Some((slot, job)));
            }
        }
        Ok(None)
    }

    /// A probe a stop interrupted: checked out and built anew in `slot`, its recorded runs not
    /// repeated.
    fn resumed_job(
        &mut self,
        slot: usize,
        id: ProbeId,
        f: InFlight,
    ) -> Result<(usize, Job), Error> {
        self.slots.built.remove(&slot);
        let done = f.outcomes.len() as u32;
        let job = self.job(slot, id, &f, true, f.runs.saturating_sub(done), done);
        self.testing_line(id, f.commit)?;
        self.inflight.insert(id, f);
        Ok((slot, job))
    }

    /// Takes a probe from the engine: recorded, announced, then answered from what a checkout
    /// or an identical tree already has, or given to a checkout.
    fn take_probe(&mut self, probe: Probe, free: &[usize], last: usize) -> Result<Taken, Error> {
        let commit = self.commit(probe.rev);
        // A free checkout that holds this commit built runs it again without a rebuild.
        let slot = free
            .iter()
            .copied()
            .find(|s| self.slots.built.get(s).is_some_and(|(c, _)| *c == commit))
            .unwrap_or_else(|| self.pick_checkout(free, last));
        self.slots.used.insert(slot, self.slots.started);
        self.slots.started += 1;
        self.record(&Record::Probe {
            id: probe.id,
            commit: commit.to_hex(),
        })?;
        self.announce(probe.id, &probe.purpose, commit)?;
        let tree = self.repo.tree_id(commit)?;
        let f = InFlight {
            commit,
            tree,
            runs: probe.runs,
            outcomes: Vec::new(),
            stop: Arc::new(AtomicBool::new(false)),
        };
        let job = |d: &mut Self, f: &InFlight, build: bool, fed: u32| {
            d.job(slot, probe.id, f, build, probe.runs - fed, fed)
        };
        // The slot still holds this commit, built: run again without rebuilding.
        if let Some((c, build)) = self.slots.built.get(&slot).cloned()
            && c == commit
        {
            self.inflight.insert(probe.id, f.clone());
            self.feed_build(probe.id, build, 0.0, None)?;
            if !self.inflight.contains_key(&probe.id) || probe.runs == 0 {
                self.close(probe.id)?;
                return Ok(Taken::Answered);
            }
            return Ok(Taken::Job(slot, job(self, &f, false, 0)));
        }
        self.inflight.insert(probe.id, f.clone());
        let Some(fed) = self.reuse_tree(&probe, &f)? else {
            self.close(probe.id)?;
            return Ok(Taken::Answered);
        };
        // The slot builds this commit now: it no longer holds what it held.
        self.slots.built.remove(&slot);
        Ok(Taken::Job(slot, job(self, &f, true, fed)))
    }

    /// Another commit with the same tree was tested with the same build command: its results
    /// are this commit's results. Returns how many runs were fed, or `None` when that answered
    /// the probe.
    fn reuse_tree(&mut self, probe: &Probe, f: &InFlight) -> Result<Option<u32>, Error> {
        let donor = self
            .seen
            .tree_commit
            .get(&f.tree)
            .copied()
            .filter(|&c| c != f.commit);
        let (Some(donor), Some(build)) = (donor, self.seen.builds_by_tree.get(&f.tree).cloned())
        else {
            return Ok(Some(0));
        };
        self.out(
            probe.id,
            &format!("same tree as {}: reusing its results", donor.to_hex()),
        )?;
        self.feed_build(probe.id, build.clone(), 0.0, None)?;
        let known: Vec<Outcome> = self
            .seen
            .runs_by_tree
            .get(&f.tree)
            .cloned()
            .unwrap_or_default();
        let mut fed = 0;
        for o in known.into_iter().take(probe.runs as usize) {
            if !self.inflight.contains_key(&probe.id) || f.stop.load(Ordering::SeqCst) {
                break;
            }
            self.feed_run(probe.id, fed, o, 0.0, None)?;
            fed += 1;
        }
        if matches!(build, Build::Failed { .. })
            || fed >= probe.runs
            || f.stop.load(Ordering::SeqCst)
        {
            return Ok(None);
        }
        Ok(Some(fed))
    }

    /// The job of probe `id` in `slot`: `runs` runs numbered from `first_run`, after a build
    /// when `build`.
    fn job(
        &mut self,
        slot: usize,
        id: ProbeId,
        f: &InFlight,
        build: bool,
        runs: u32,
        first_run: u32,
    ) -> Job {
        self.slots.of.insert(id, slot);
        self.take_job_number(id);
        Job {
            probe: id,
            commit: f.commit,
            tree: f.tree.clone(),
            build,
            runs,
            first_run,
            stop: Arc::clone(&f.stop),
        }
    }

    /// Where a commit not held built anywhere is built. Generic builds keep their checkouts: a
    /// free one that holds nothing the engine may test again is taken (its incremental build
    /// state helps), else a new one while there are fewer than [`MAX_CHECKOUTS`] per job, else
    /// the one used longest ago; so a commit bayes comes back to is run again without a
    /// rebuild. Kernel builds have their own cache of built kernels: the slot is reused.
    fn pick_checkout(&mut self, free: &[usize], last: usize) -> usize {
        if self.kernel {
            return last;
        }
        let settled = |d: &Self, s: usize| match d.slots.built.get(&s) {
            None => true,
            Some((c, _)) => d
                .graph
                .index_of(*c)
                .is_none_or(|i| !d.engine.may_test_again(Rev(i))),
        };
        let lru = |d: &Self, pool: &mut dyn Iterator<Item = usize>| {
            pool.min_by_key(|s| d.slots.used.get(s).copied().unwrap_or(0))
        };
        if let Some(s) = lru(
            self,
            &mut free.iter().copied().filter(|&s| settled(self, s)),
        ) {
            return s;
        }
        let jobs = self.engine.config().jobs.max(1) as usize;
        if self.slots.made < jobs * MAX_CHECKOUTS {
            let s = self.slots.made.max(jobs);
            self.slots.made = s + 1;
            return s;
        }
        lru(self, &mut free.iter().copied()).unwrap_or(last)
    }
}
