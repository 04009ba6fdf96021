//! Run the user's build and test commands: `sh -c` in a given directory with extra environment
//! variables and a timeout, in a process group of its own, with stdout and stderr captured to a
//! log file plus a bounded head and tail in memory.
//!
//! The whole group is killed (SIGTERM, then SIGKILL after a grace period) on timeout, on
//! cancellation and when a [`Running`] command is dropped, so no stray process outlives its
//! command. A [`Cancel`] token, installed once for Ctrl-C/SIGTERM, cancels every live command.
//!
//! This crate must not know git, crashes, or what the commands mean.

mod cancel;
mod capture;
mod run;
mod summary;

pub use cancel::{Cancel, Error as CancelError};
pub use run::{Command, Error, Outcome, Running, Status};
pub use summary::error_lines;
