//! culprit's view of a git repository: resolve revisions, load the whole commit graph once as
//! dense indices, read tags, commit metadata, recipients and a commit's files, paths and patch,
//! and check candidates out in culprit's own clones under its state directory. Every `git` that
//! culprit itself runs goes through here (tests, benchmarks and the testkit aside), including the
//! creation of a repository of its own (the bundled example).
//!
//! Reading is done in-process with gix (the commit-graph file is used when the repository has
//! one); the text of `git show`, a commit's files, paths and patch, the tags merged into a
//! commit, the checkouts and [`NewRepo`] shell out to the `git` CLI. Nothing here writes to the
//! user's repository: HEAD, index, work tree, refs, stash and bisect state are left as they were.
//!
//! Main types: [`Repo`], [`Graph`], [`CommitId`], [`CommitInfo`], [`Version`], [`Recipients`],
//! [`Checkouts`], [`NewRepo`]. This crate must not know kernels, crashes, policies or the engine.

mod checkout;
mod cli;
mod create;
mod graph;
mod graph_cache;
mod id;
mod recipients;
mod repo;
mod version;

pub use checkout::{Checkouts, Clean, Error as CheckoutError};
pub use create::{Error as CreateError, NewRepo};
pub use graph::{Error as GraphError, Graph};
pub use id::{CommitId, ParseIdError};
pub use recipients::{Recipients, parse_address, recipients};
pub use repo::{CommitInfo, Error, ReleaseTag, Repo};
pub use version::{Version, release_version};
