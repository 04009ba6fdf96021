//! Where slots do their work: the [`Executor`] seam between the driver loop and the machines.
//! [`Local`] runs each job on a thread of this process, with one backend and the runs shared
//! between identical builds; a cluster or remote workers are other executors, and the driver
//! loop does not change for them.

use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use culprit_exec::Cancel;

use crate::backend::Backend;
use crate::backend::Job;
use crate::sharing::SharedRuns;
use crate::slot::{Message, Slot};

/// Runs jobs in slots and reports what they do.
pub(crate) trait Executor {
    /// Starts `job` in `slot` (a free one: the driver knows which are).
    fn start(&mut self, slot: usize, job: Job);
    /// The next message from a slot, waiting at most `timeout`.
    fn next(&mut self, timeout: Duration) -> Option<Message>;
    /// Waits until every slot has stopped (on cancellation they stop at once) and returns the
    /// messages they sent that were not taken yet.
    fn finish(self: Box<Self>) -> Vec<Message>;
}

/// Slots as threads of this process.
pub(crate) struct Local {
    backend: Arc<dyn Backend>,
    shared: Arc<Mutex<SharedRuns>>,
    cancel: Cancel,
    tx: Sender<Message>,
    rx: Receiver<Message>,
    handles: Vec<JoinHandle<()>>,
}

impl Local {
    /// An executor running `backend`'s work on local threads, stopped by `cancel`.
    pub(crate) fn new(backend: Arc<dyn Backend>, cancel: Cancel) -> Local {
        let (tx, rx) = mpsc::channel();
        Local {
            backend,
            shared: Arc::default(),
            cancel,
            tx,
            rx,
            handles: Vec::new(),
        }
    }
}

impl Executor for Local {
    fn start(&mut self, slot: usize, job: Job) {
        let (backend, shared, cancel, tx) = (
            Arc::clone(&self.backend),
            Arc::clone(&self.shared),
            self.cancel.clone(),
            self.tx.clone(),
        );
        // Finished threads are joined as new ones start, so the list stays short.
        self.handles.retain(|h| !h.is_finished());
        self.handles.push(std::thread::spawn(move || {
            let send = |m: Message| {
                let _ = tx.send(m);
            };
            Slot {
                index: slot,
                backend: backend.as_ref(),
                shared: &shared,
                cancel: &cancel,
                send: &send,
            }
            .work(&job);
        }));
    }

    fn next(&mut self, timeout: Duration) -> Option<Message> {
        self.rx.recv_timeout(timeout).ok()
    }

    fn finish(self: Box<Self>) -> Vec<Message> {
        let Local {
            tx, rx, handles, ..
        } = *self;
        for h in handles {
            let _ = h.join();
        }
        drop(tx);
        rx.try_iter().collect()
    }
}
