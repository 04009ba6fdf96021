//! A job slot: one probe's work on one backend, start to end. The commit is made ready (built,
//! or kept), runs of an identical artifact are taken over, then the test runs in batches until
//! the probe has its runs or the engine needs no more; every finished step goes to the driver
//! as a [`Message`]. Where the slot runs is the executor's business (`crate::executor`).

use std::sync::Mutex;
use std::sync::atomic::Ordering;

use culprit_engine::{Outcome, ProbeId};
use culprit_exec::Cancel;

use crate::backend::{Backend, Built, Halt, Job};
use crate::sharing::SharedRuns;

/// What a slot reports.
#[derive(Debug)]
pub(crate) enum Message {
    /// The build finished (or was found).
    Built { probe: ProbeId, built: Built },
    /// A run finished.
    Ran {
        probe: ProbeId,
        index: u32,
        outcome: Outcome,
        report: Option<String>,
        secs: f64,
    },
    /// A line for the log.
    Note(String),
    /// The slot is free again.
    Idle { slot: usize, probe: ProbeId },
    /// The machine failed the slot (not the commit): the bisection stops, resumable.
    Failed { error: crate::SlotFailure },
}

/// A slot at work: its number, the backend it drives, the runs shared between slots, the
/// cancellation and where its messages go.
pub(crate) struct Slot<'a> {
    pub index: usize,
    pub backend: &'a dyn Backend,
    pub shared: &'a Mutex<SharedRuns>,
    pub cancel: &'a Cancel,
    pub send: &'a dyn Fn(Message),
}

impl Slot<'_> {
    /// Runs `job`; sends messages; returns when done or cancelled.
    pub(crate) fn work(&self, job: &Job) {
        match self.steps(job) {
            Ok(()) => (self.send)(Message::Idle {
                slot: self.index,
                probe: job.probe,
            }),
            Err(Halt::Cancelled) => {}
            Err(Halt::Failed(error)) => (self.send)(Message::Failed { error }),
        }
    }

    fn steps(&self, job: &Job) -> Result<(), Halt> {
        let (backend, send, cancel) = (self.backend, self.send, self.cancel);
        let ready = backend.prepare(self.index, job, cancel)?;
        if let Some(built) = ready.built {
            let ok = built.ok;
            for note in &built.notes {
                send(Message::Note(note.clone()));
            }
            send(Message::Built {
                probe: job.probe,
                built,
            });
            if !ok {
                return Ok(());
            }
        }
        let hex = job.commit.to_hex();
        let end = job.first_run + job.runs;
        let mut index = job.first_run;
        if let Some(artifact) = &ready.artifact {
            let what = backend.artifact_kind();
            index = take_shared(self.shared, job, &hex, artifact, what, send);
        }
        let batch = backend.batch().max(1);
        while index < end {
            if job.stop.load(Ordering::SeqCst) || cancel.is_cancelled() {
                break;
            }
            let n = (end - index).min(batch);
            for ran in backend.run(self.index, job, index, n, cancel)? {
                if let (Some(artifact), Ok(mut shared)) = (&ready.artifact, self.shared.lock()) {
                    shared.record(&hex, artifact, ran.clone());
                }
                send(Message::Ran {
                    probe: job.probe,
                    index,
                    outcome: ran.outcome,
                    report: ran.report,
                    secs: ran.secs,
                });
                index += 1;
            }
        }
        Ok(())
    }
}

/// Sends, as a job's first runs, the runs other commits made with the same artifact; returns
/// the index of the job's next run. Not when the job starts after runs the driver already gave
/// it (`first_run > 0`): those came from a commit with the same tree, whose runs are the very
/// ones shared here, or from the store on --resume; taking them again would count one run twice.
fn take_shared(
    shared: &Mutex<SharedRuns>,
    job: &Job,
    hex: &str,
    artifact: &str,
    what: &str,
    send: &dyn Fn(Message),
) -> u32 {
    let mut index = job.first_run;
    if job.first_run > 0 {
        return index;
    }
    let known = shared
        .lock()
        .map(|mut s| s.take(hex, artifact, job.runs as usize))
        .unwrap_or_default();
    if let Some((from, _)) = known.first() {
        send(Message::Note(format!(
            "same {what} as {from}: reusing {} of its runs",
            known.len()
        )));
    }
    for (_, ran) in known {
        send(Message::Ran {
            probe: job.probe,
            index,
            outcome: ran.outcome,
            report: ran.report,
            secs: 0.0,
        });
        index += 1;
    }
    index
}
