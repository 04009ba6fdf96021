//! A job slot: checks a commit out in its own work tree, builds it and runs the test, reporting
//! each finished step to the driver over a channel.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::time::Duration;

use culprit_engine::ProbeId;
use culprit_exec::{Cancel, Command, Status};
use culprit_git::{Checkouts, CommitId};

/// Work for a slot.
#[derive(Debug, Clone)]
pub struct Job {
    pub probe: ProbeId,
    pub commit: CommitId,
    /// The commit's tree id (hex).
    pub tree: String,
    /// Build first (false when the result of an identical tree is reused).
    pub build: bool,
    /// Runs to do.
    pub runs: u32,
    /// Number of the first run (runs already recorded are not repeated).
    pub first_run: u32,
    /// Set by the driver when the engine needs no more runs.
    pub stop: Arc<AtomicBool>,
}

/// What a slot reports.
#[derive(Debug)]
pub enum Message {
    Built {
        probe: ProbeId,
        ok: bool,
        artifact: Option<String>,
        error_lines: Vec<String>,
        secs: f64,
        /// The kernel was not built: kept from earlier in this bisection or from the cache.
        reused: bool,
    },
    Ran {
        probe: ProbeId,
        index: u32,
        status: Status,
        log: Vec<u8>,
        secs: f64,
    },
    /// A run already classified (kernel mode: a VM run read by the crash parser).
    Classified {
        probe: ProbeId,
        index: u32,
        outcome: culprit_engine::Outcome,
        report: Option<String>,
        secs: f64,
    },
    /// A line for the log (kernel mode: `compiler: ...`).
    Note(String),
    Idle {
        slot: usize,
        probe: ProbeId,
    },
    /// The machine failed the slot (not the commit): the bisection stops, resumable.
    Failed {
        error: crate::SlotFailure,
    },
}

/// The commands and limits shared by every slot.
#[derive(Debug, Clone)]
pub struct Setup {
    pub build: String,
    pub test: String,
    pub timeout: Duration,
    pub artifact: Option<PathBuf>,
    pub logs: PathBuf,
    /// Kernel mode: build with culprit-kbuild and test in VMs instead of the commands.
    pub kernel: Option<crate::kernel::KernelSetup>,
    /// Runs by artifact hash (`--artifact`), shared between commits whose builds are identical.
    pub shared: Arc<std::sync::Mutex<crate::kernel::SharedRuns>>,
}

/// Most bytes of a run's output read back for crash parsing.
const MAX_LOG: u64 = 64 << 20;

/// Runs `job` in `slot`; sends messages; returns when done or cancelled.
pub fn work(
    slot: usize,
    job: Job,
    checkouts: &Checkouts,
    setup: &Setup,
    cancel: &Cancel,
    tx: &Sender<Message>,
) {
    if let Some(k) = &setup.kernel {
        return crate::kernel::work(slot, job, checkouts, &setup.logs, k, cancel, tx);
    }
    let send = |m: Message| {
        let _ = tx.send(m);
    };
    // A slot that still holds this commit's build keeps it (no checkout, no clean).
    let checkout = if job.build {
        checkouts.checkout(slot, job.commit)
    } else {
        checkouts.checkout_with(slot, job.commit, culprit_git::Clean::Nothing)
    };
    let dir = match checkout {
        Ok(dir) => dir,
        Err(e) => {
            send(Message::Failed { error: e.into() });
            return;
        }
    };
    let hex = job.commit.to_hex();
    // The hash of this build's artifact: runs are shared between identical artifacts.
    let mut artifact_hash: Option<String> = None;
    if job.build {
        let log = setup.logs.join(format!("{hex}.build.log"));
        let cmd = clean_env(Command::new(setup.build.clone(), &dir, &log).timeout(setup.timeout));
        match cmd.run(cancel) {
            Ok(out) if out.status == Status::Cancelled => return,
            Ok(out) => {
                let ok = out.status.success();
                let artifact = if ok {
                    setup
                        .artifact
                        .as_ref()
                        .and_then(|a| hash_file(&dir.join(a)))
                } else {
                    None
                };
                let mut error_lines = Vec::new();
                if !ok {
                    let text = std::fs::read(&out.log_path).unwrap_or_default();
                    error_lines = culprit_exec::error_lines(&text, 5);
                    if out.status == Status::TimedOut {
                        error_lines.insert(
                            0,
                            format!("build timed out after {}s", setup.timeout.as_secs()),
                        );
                    }
                }
                let secs = out.duration.as_secs_f64();
                artifact_hash = artifact.clone();
                send(Message::Built {
                    probe: job.probe,
                    ok,
                    artifact,
                    error_lines,
                    secs,
                    reused: false,
                });
                if !ok {
                    send(Message::Idle {
                        slot,
                        probe: job.probe,
                    });
                    return;
                }
            }
            Err(e) => {
                send(Message::Failed { error: e.into() });
                return;
            }
        }
    }
    let end = job.first_run + job.runs;
    let mut index = job.first_run;
    if let Some(h) = &artifact_hash {
        index = crate::kernel::reuse_shared(&setup.shared, &job, &hex, h, "artifact", &send);
    }
    while index < end {
        if job.stop.load(Ordering::SeqCst) || cancel.is_cancelled() {
            break;
        }
        let log = setup.logs.join(format!("{hex}.run{index}.log"));
        let cmd = clean_env(Command::new(setup.test.clone(), &dir, &log).timeout(setup.timeout));
        match cmd.run(cancel) {
            Ok(out) if out.status == Status::Cancelled => return,
            Ok(out) => {
                let text =
                    read_capped(&out.log_path).unwrap_or_else(|| [out.head, out.tail].concat());
                let secs = out.duration.as_secs_f64();
                if let Some(h) = &artifact_hash {
                    let (outcome, report) = crate::classify(out.status, &text);
                    if let Ok(mut shared) = setup.shared.lock() {
                        shared.record(&hex, h, (outcome.clone(), report.clone()));
                    }
                    send(Message::Classified {
                        probe: job.probe,
                        index,
                        outcome,
                        report,
                        secs,
                    });
                } else {
                    send(Message::Ran {
                        probe: job.probe,
                        index,
                        status: out.status,
                        log: text,
                        secs,
                    });
                }
            }
            Err(e) => {
                send(Message::Failed { error: e.into() });
                return;
            }
        }
        index += 1;
    }
    send(Message::Idle {
        slot,
        probe: job.probe,
    });
}

/// git's redirections (set when culprit runs from a hook) would point the user's commands at the
/// user's repository instead of the checkout.
fn clean_env(cmd: Command) -> Command {
    [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_COMMON_DIR",
    ]
    .into_iter()
    .fold(cmd, |c, k| c.env_remove(k))
}

fn read_capped(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    let f = std::fs::File::open(path).ok()?;
    let mut buf = Vec::new();
    f.take(MAX_LOG).read_to_end(&mut buf).ok()?;
    Some(buf)
}

/// SHA-256 of a file, hex.
pub fn hash_file(path: &Path) -> Option<String> {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(path).ok()?;
    let digest = Sha256::digest(&bytes);
    Some(digest.iter().map(|b| format!("{b:02x}")).collect())
}
