//! The driver's errors: [`Error`] for everything that stops a bisection, [`Bad`] for the inputs
//! a user can fix (the CLI prints those as one plain line and exits 2). Each keeps its source.

use std::path::PathBuf;

/// Errors that stop a bisection before or while it runs.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input: a message for the user, who can fix it.
    #[error(transparent)]
    Input(#[from] Bad),
    /// git failed.
    #[error(transparent)]
    Git(#[from] culprit_git::Error),
    /// Loading the history failed.
    #[error(transparent)]
    Graph(#[from] culprit_git::GraphError),
    /// A checkout failed.
    #[error(transparent)]
    Checkout(#[from] culprit_git::CheckoutError),
    /// The state directory failed.
    #[error(transparent)]
    Store(#[from] culprit_store::Error),
    /// Writing the log failed.
    #[error("cannot write the log: {0}")]
    Log(#[from] std::io::Error),
    /// Interrupted (Ctrl-C); the state is saved.
    #[error(
        "interrupted; every finished build and run is saved: run again with --resume to continue"
    )]
    Interrupted,
    /// The machine failed a slot (checkout, build directory, a command that cannot start, a full
    /// disk): not the commit's fault, so nothing is concluded from it and nothing about it is
    /// recorded; `--resume` tests that commit again once the cause is fixed.
    #[error(
        "infrastructure error: {0}: fix it, then run again with --resume (every finished build and run is kept)"
    )]
    Infrastructure(#[source] SlotFailure),
    /// The initramfs (reproducer and busybox) could not be put together.
    #[error(transparent)]
    Initramfs(#[from] culprit_vm::InitramfsError),
    /// A file or directory culprit keeps could not be made, read or written.
    #[error("cannot {action} {}: {source}", path.display())]
    File {
        /// What was done: `create`, `write`, `stat`.
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The current directory (where the repository is looked for) cannot be read.
    #[error("cannot read the current directory: {0}")]
    CurrentDir(#[source] std::io::Error),
    /// A value culprit records could not be encoded (a bug).
    #[error("cannot encode {what}: {source}")]
    Encode {
        /// What was encoded.
        what: &'static str,
        /// serde's error.
        source: serde_json::Error,
    },
    /// The history does not make a graph the engine takes (a bug in the history loader).
    #[error("history: {0}")]
    History(#[from] culprit_engine::DagError),
    /// A commit of the range is not in the loaded history (a bug in the history loader).
    #[error("commit {commit} missing from the history")]
    MissingCommit {
        /// The commit (short hash).
        commit: String,
    },
    /// The engine refused an input the driver gave it (a bug in the driver).
    #[error("the engine refused an input: {0}")]
    Engine(#[from] culprit_engine::InputError),
    /// Nothing running and nothing to run, and no conclusion (a bug in the engine).
    #[error("the engine asked for nothing more and did not conclude")]
    Stuck,
}

/// Why a slot failed: the machine's fault, not the commit's.
#[derive(Debug, thiserror::Error)]
pub enum SlotFailure {
    /// The checkout could not be made.
    #[error(transparent)]
    Checkout(#[from] culprit_git::CheckoutError),
    /// The user's repository could not be read (release tags).
    #[error(transparent)]
    Git(culprit_git::Error),
    /// A command could not be run.
    #[error(transparent)]
    Exec(#[from] culprit_exec::Error),
    /// The kernel builder or the VM tester failed.
    #[error(transparent)]
    Kernel(Box<dyn std::error::Error + Send + Sync>),
}

/// Bad input: what the user gave cannot be bisected as given; the message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum Bad {
    /// The state directory holds another bisection.
    #[error(
        "state from another bisection is in {}: resume it with `culprit bisect --resume`, or remove that directory, or pass --state DIR",
        .0.display()
    )]
    OtherBisection(PathBuf),
    /// The same bisection is recorded and `--resume` was not given.
    #[error(
        "a bisection with these parameters is recorded in {}: add --resume to continue it, or remove that directory",
        .0.display()
    )]
    AlreadyRecorded(PathBuf),
    /// `--resume` with parameters, and nothing recorded.
    #[error(
        "nothing to resume: no bisection is recorded in {} (leave out --resume to start one)",
        .0.display()
    )]
    NothingToResume(PathBuf),
    /// `--resume` alone, and nothing recorded.
    #[error("nothing to resume: no bisection is recorded in {}", .0.display())]
    NothingRecorded(PathBuf),
    /// The recorded parameters do not read back.
    #[error("cannot read the recorded parameters: {0}")]
    RecordedParams(#[source] serde_json::Error),
    /// The recorded inputs do not replay into this engine.
    #[error(
        "the recorded state does not replay (was it written by another version?): remove the state directory to start again"
    )]
    DoesNotReplay,
    /// The repository cannot be opened, or a commit not resolved.
    #[error(transparent)]
    Repo(culprit_git::Error),
    /// `--good` names the `--bad` commit.
    #[error("--good {commit} is the --bad commit itself")]
    GoodIsBad {
        /// The commit (short hash).
        commit: String,
    },
    /// Cause bisection: `--good` is not older than `--bad`.
    #[error("--good {good} is not an ancestor of --bad {bad}: the good commit must be older")]
    GoodNotAncestor {
        /// The good commit (short hash).
        good: String,
        /// The bad commit (short hash).
        bad: String,
    },
    /// Fix bisection: `--bad` is not older than `--good`.
    #[error(
        "--bad {bad} is not an ancestor of --good {good}: in fix bisection --bad is the older commit that crashes"
    )]
    FixBadNotAncestor {
        /// The bad commit (short hash).
        bad: String,
        /// The good commit (short hash).
        good: String,
    },
    /// Fix bisection without `--good`.
    #[error(
        "fix bisection needs --good: a newer commit where the crash no longer happens (usually HEAD)"
    )]
    FixNeedsGood,
    /// The engine cannot start on this range.
    #[error(transparent)]
    Range(#[from] culprit_engine::SetupError),
    /// An unknown `--policy`, or options its rules cannot work with (too few `--runs`).
    #[error("{}", policy_message(.0))]
    Policy(culprit_engine::PolicyError),
    /// A number out of its range.
    #[error("{flag} must be between {min} and {max}{unit}, got {got}")]
    OutOfRange {
        /// The flag.
        flag: &'static str,
        /// Smallest allowed.
        min: u64,
        /// Largest allowed.
        max: u64,
        /// Unit, with its leading space (` seconds`) or empty.
        unit: &'static str,
        /// Given.
        got: u64,
    },
    /// An empty `--build`.
    #[error("--build is empty: give the command that builds a checkout (e.g. 'make')")]
    EmptyBuild,
    /// An empty `--test`.
    #[error("--test is empty: give the command that runs the reproducer")]
    EmptyTest,
    /// A `--config` that is not a file.
    #[error("--config {}: no such file (give the kernel .config to build with)", .0.display())]
    NoConfig(PathBuf),
    /// A `--repro` that is not a file.
    #[error("--repro {}: no such file (give the C reproducer)", .0.display())]
    NoRepro(PathBuf),
    /// The reproducer does not compile (the compiler's message, on one line).
    #[error("{}", one_line(&.0.to_string()))]
    Reproducer(culprit_vm::InitramfsError),
    /// No static busybox for the initramfs.
    #[error(transparent)]
    Busybox(culprit_vm::InitramfsError),
    /// QEMU is not installed.
    #[error("{} is not installed (apt-get install qemu-system-x86)", .0.display())]
    NoQemu(PathBuf),
    /// The kernel cache cannot be opened.
    #[error("--cache {}: {source} (pass another --cache DIR, or --no-cache)", dir.display())]
    Cache {
        /// The `--cache` directory.
        dir: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The kernel cache's checkouts cannot be made.
    #[error(
        "--cache {}: cannot create {}: {source} (pass another --cache DIR, or --no-cache)",
        cache.display(),
        dir.display()
    )]
    CacheDir {
        /// The `--cache` directory.
        cache: PathBuf,
        /// The directory that cannot be made.
        dir: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// Too little free space for the build directories.
    #[error(
        "no space for the build directory in {}: {free_mib} MiB free, at least {needed_mib} MiB needed (pass --state DIR on a larger file system)",
        dir.display()
    )]
    NoSpace {
        /// The directory.
        dir: PathBuf,
        /// Free MiB.
        free_mib: u64,
        /// Needed MiB.
        needed_mib: u64,
    },
    /// An output (`--json`, `--log`) cannot be written.
    #[error("cannot write {flag} {}: {problem}", path.display())]
    Output {
        /// The flag.
        flag: &'static str,
        /// The path given.
        path: PathBuf,
        /// Why.
        problem: OutputProblem,
    },
}

/// Why an output file cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputProblem {
    /// The path is a directory.
    #[error("it is a directory")]
    IsDirectory,
    /// Its directory does not exist.
    #[error("no directory {}", .0.display())]
    NoDirectory(PathBuf),
    /// The OS refused.
    #[error("{0}")]
    Io(std::io::Error),
}

/// The compiler's error, first line and the diagnostics folded into one line each.
fn one_line(s: &str) -> String {
    let mut lines = s.lines().filter(|l| !l.trim().is_empty());
    let head = lines.next().unwrap_or_default().to_string();
    match lines.find(|l| l.contains("error")) {
        Some(e) => format!("{head} {}", e.trim()),
        None => head,
    }
}

/// What the engine's policy refused, in the words of the command line's flags.
fn policy_message(e: &culprit_engine::PolicyError) -> String {
    match e {
        culprit_engine::PolicyError::TooFewRuns {
            policy, min, why, ..
        } => format!("--runs must be at least {min} with --policy {policy}: {why}"),
        other => other.to_string(),
    }
}
