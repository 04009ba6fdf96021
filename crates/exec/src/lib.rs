//! Run commands: the user's build and test command lines through `sh -c`, or a program with its
//! arguments (argv) started without a shell, in a given directory with extra environment
//! variables and a timeout, in a process group of its own, with stdout and stderr captured to a
//! log file plus a bounded head and tail in memory (or stderr to a file of its own).
//!
//! The whole group is killed (SIGTERM, then SIGKILL after a grace period) on timeout, on
//! cancellation and when a [`Running`] command is dropped, and so are the processes that left
//! the group (`setsid`, daemons: found by a tag in their environment), so no stray process
//! outlives its command. A [`Cancel`] token, installed once for Ctrl-C/SIGTERM, cancels every
//! live command. Log files keep the first and last bytes of long outputs ([`Keep`]), within a
//! per-directory [`OutputBudget`].
//!
//! This crate must not know git, crashes, or what the commands mean.

mod budget;
mod cancel;
mod capture;
mod escaped;
mod run;
mod summary;

pub use budget::{Keep, OutputBudget};
pub use cancel::{Cancel, Error as CancelError};
pub use escaped::{TAG_VAR, become_subreaper, stop_descendants, stop_escaped};
pub use run::{Command, Error, Outcome, Running, Status};
pub use summary::error_lines;
