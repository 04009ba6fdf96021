//! The drive loop, as quinn drives a connection: poll the engine for probes, hand them to the
//! executor as jobs, feed what the slots report back into the engine, until the engine
//! concludes or Ctrl-C stops it. Each step is a method of its own (`step.rs`).

use crate::Summary;
use crate::executor::Executor;
use std::time::{Duration, Instant};

use culprit_exec::Cancel;

use crate::state::Driver;
use crate::{Error, Progress};

/// How long the loop waits for a slot's message before looking at Ctrl-C again.
const TICK: Duration = Duration::from_millis(200);

impl Driver<'_> {
    /// Drives the bisection until the engine concludes with nothing in flight, or `cancel`.
    pub(crate) fn drive(
        &mut self,
        executor: &mut dyn Executor,
        jobs: usize,
        cancel: &Cancel,
        started: Instant,
        progress: &mut Option<&mut dyn FnMut(&Progress)>,
    ) -> Result<(), Error> {
        // Free checkouts (generic builds keep more checkouts than jobs: `pick_checkout`), and
        // how many jobs run.
        let mut free: Vec<usize> = (0..jobs).rev().collect();
        let mut running = 0;
        loop {
            if cancel.is_cancelled() || self.settled()? {
                return Ok(());
            }
            if self.engine.conclusion().is_none() {
                while running < jobs {
                    let Some((slot, job)) = self.next_job(&mut free)? else {
                        break;
                    };
                    running += 1;
                    Self::report(progress, self.progress(started));
                    executor.start(slot, job);
                }
            }
            if self.settled()? {
                return Ok(());
            }
            if self.inflight.is_empty() {
                // Nothing running, nothing to run, no conclusion (should not happen).
                return Err(Error::Stuck);
            }
            if let Some(msg) = executor.next(TICK) {
                if let Some(slot) = self.handle(msg)? {
                    free.push(slot);
                    running -= 1;
                }
                self.after_message(started)?;
                Self::report(progress, self.progress(started));
            }
        }
    }

    /// Takes in the engine's events; whether it has concluded with nothing left in flight.
    fn settled(&mut self) -> Result<bool, Error> {
        self.drain_events()?;
        Ok(self.engine.conclusion().is_some() && self.inflight.is_empty())
    }

    fn report(progress: &mut Option<&mut dyn FnMut(&Progress)>, now: Progress) {
        if let Some(p) = progress.as_mut() {
            p(&now);
        }
    }
}

impl Driver<'_> {
    /// Drives the bisection with `executor` to its result, or to [`Error::Interrupted`] with
    /// every finished build and run recorded.
    pub(crate) fn run_to_end(
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
