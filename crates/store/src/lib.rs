//! culprit's state directory: an exclusive lock (`lock`, holding the owner's pid) and a SQLite
//! database (`state.db`, WAL) recording the bisection's parameters, every finished build and run,
//! and an append-only log of engine inputs for replay on resume.
//!
//! Every record is committed (and synced) before the call that makes it returns, so a process
//! killed at any moment leaves a consistent prefix. Cached outcomes can be looked up by
//! (tree id, build key) and by artifact hash.
//!
//! Main types: [`Store`], [`Build`], [`Run`], [`Event`]. This crate must not know processes, git
//! or the engine's internals: payloads are the caller's types, written and read back by serde.

mod lock;
mod records;
mod store;

pub use lock::{Error as LockError, StateLock};
pub use records::{Build, BuildId, Event, Run, RunId};
pub use store::{Begin, Error, Store, fingerprint};
