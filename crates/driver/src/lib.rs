//! One bisection of a git project, end to end: resolve the range, load the history once, hand the
//! engine's probes to job slots (each a checkout of its own under the state directory), build and
//! test there through a backend, feed the classified outcomes back, record everything in the
//! store first (so a bisection resumes after Ctrl-C or `kill -9`), and print syzbot's log.
//!
//! Where to look: `session` (the state directory locked, then one bisection), `setup` (options,
//! range, history, engine, backend), `state` (the driver's state), `drive` (the loop:
//! engine → jobs → executor → results), `jobs` (probes become jobs, or are answered from what
//! was recorded), `step` (results are recorded, logged and fed to the engine), `backend`
//! (commands; `kernel` for kernels) builds, runs and classifies, `sharing` (runs of identical
//! artifacts), `slot` (one job's work), `executor` (where slots run: local threads), `record`
//! and `replay` (the typed event log and `--resume`), `finish` (the result), `error`.
//!
//! It must not know terminals or argument parsing (the CLI's job) nor how a policy decides (the
//! engine's). It never writes to the user's work tree, index, HEAD or refs.

mod backend;
mod blocks;
mod classify;
mod drive;
pub mod duration;
mod error;
pub mod example;
mod executor;
mod finish;
mod hash;
mod jobs;
mod kernel;
mod log;
mod options;
mod record;
mod replay;
mod session;
mod setup;
mod sharing;
mod slot;
mod state;
mod step;
mod strays;
mod summary;

pub use classify::{classify, classify_vm};
pub use kernel::{DEFAULT_CACHE_BYTES, KernelOptions, default_cache_dir};
pub use log::Log;
pub use summary::{
    CommitSummary, CrashSummary, Ending, Flags, Recipients, Stats, Summary, TitleCount, write_json,
};

pub use error::{Bad, Error, OutputProblem, SlotFailure};
pub use options::{Control, JOBS, OnReady, Options, Progress, RUNS, TIMEOUT_SECS};
pub use session::{LOGS_BUDGET, run_with};

/// Runs (or resumes) a bisection. Returns the result; bad input and infrastructure errors are
/// errors. `--resume` continues a recorded bisection and never starts one.
pub fn run(options: Option<Options>, ctl: Control<'_>) -> Result<Summary, Error> {
    run_with(options, ctl, None)
}
