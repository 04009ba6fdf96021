//! The bisection engine of culprit: a sans-IO state machine that takes the outcomes of test runs
//! and says which commit to test next, how many times, and when it is done.
//!
//! It knows a commit graph ([`Dag`], dense [`Rev`] indices), the crashing and the clean ends, and
//! a [`Config`] (cause or fix, the policy, costs). It hands out [`Probe`]s (build this commit, run
//! the test N times), takes [`Build`] results and per-run [`Outcome`]s in any order, emits
//! [`Event`]s for the log and ends with a [`Conclusion`]. Three policies share it: `git` (one run,
//! any crash is bad), `syzbot` (syzbot's run counts, thresholds and confidence) and `bayes` (a
//! posterior over the culprit with a learned crash rate; the default); [`policy`] says what each
//! means (runs, verdicts, jobs, which crashes count, the reproducibility check), so its callers
//! decide none of it.
//!
//! It must not know git, processes, files, clocks or unseeded randomness: the command-line driver
//! feeds it real builds and runs, the simulator synthetic ones, through the very same code.

pub mod bisection;
pub mod config;
pub mod dag;
pub mod identify;
pub mod midpoint;
pub mod order;
pub mod policy;
pub mod probe;
pub mod reach;
pub mod releases;
pub mod search;
pub mod tally;

pub use bisection::{Bisection, InputError, SetupError, Stats};
pub use config::{Config, Mode};
pub use dag::{Dag, DagError, Release, Rev};
pub use policy::{Policy, PolicyError};
pub use probe::{
    Build, Conclusion, Event, Failure, Flags, Input, Outcome, Probe, ProbeId, Purpose, Verdict,
};
pub use tally::Target;
