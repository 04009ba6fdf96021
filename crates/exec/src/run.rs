//! [`Command`], [`Running`] and [`Outcome`]: one command (a shell script or a program with its
//! arguments) in its own process group.

use std::ffi::OsString;
use std::fs::File;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::signal::{Signal, killpg};
use nix::sys::wait::{Id, WaitPidFlag, waitid};
use nix::unistd::Pid;

use crate::budget::{self, Keep};
use crate::cancel::Cancel;
use crate::capture::{self, Capture, Limits, Shared};
use crate::escaped;

/// How often a waiting command looks at its cancellation token (cancellation itself signals the
/// groups at once; this only bounds how late the SIGKILL follow-up and the report come).
const POLL: Duration = Duration::from_millis(50);
/// How long the output reader may still run once the whole group and the processes that left it
/// are dead (one that also dropped its tag could keep the pipe open forever).
const READER_GRACE: Duration = Duration::from_secs(2);

/// Errors of [`Command::spawn`] and [`Running::wait`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The log file could not be created.
    #[error("cannot create log file {path}: {source}")]
    CreateLog {
        /// The log file.
        path: PathBuf,
        /// The IO error.
        source: std::io::Error,
    },
    /// Writing the log failed (disk full, ...); the command itself ran.
    #[error("cannot write log file {path}: {source}")]
    WriteLog {
        /// The log file.
        path: PathBuf,
        /// The IO error.
        source: std::io::Error,
    },
    /// The command could not be started (missing directory, no `sh` or no such program, too
    /// many processes).
    #[error("cannot run `{command}` in {dir}: {source}")]
    Spawn {
        /// What was run: `sh -c "script"`, or the program and its arguments quoted as for `sh`.
        command: String,
        /// The directory.
        dir: PathBuf,
        /// The IO error.
        source: std::io::Error,
    },
    /// The token was cancelled before the command could start.
    #[error("cancelled before `{command}` started")]
    Cancelled {
        /// The script, or the program and its arguments quoted as for `sh`.
        command: String,
    },
}

/// How a command ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// The command (`sh` for a script, else the program) exited with this code (a child of the
    /// shell killed by a signal shows up here as 128 + signal, as the shell reports it).
    Exited(i32),
    /// The command (`sh` itself for a script) was killed by this signal.
    Signaled(i32),
    /// The timeout expired; the group was killed.
    TimedOut,
    /// The token was cancelled; the group was killed.
    Cancelled,
}

impl Status {
    /// `Exited(0)`.
    pub fn success(&self) -> bool {
        *self == Status::Exited(0)
    }
}

/// The result of a finished command.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// How it ended.
    pub status: Status,
    /// Wall time from start to the end of the whole group.
    pub duration: Duration,
    /// The log file holding all of stdout and stderr, interleaved as written.
    pub log_path: PathBuf,
    /// The first bytes of the output (at most the head limit).
    pub head: Vec<u8>,
    /// The last bytes of the output (at most the tail limit).
    pub tail: Vec<u8>,
    /// Total bytes of output.
    pub bytes: u64,
    /// Bytes of output left out of the log file (its middle; 0 when the file holds it all).
    pub cut: u64,
    /// SHA-256 of the whole output (hex).
    pub sha256: String,
    /// Processes that had left the command's process group (`setsid`, a daemon) and were still
    /// running when it ended: they were killed.
    pub escaped: usize,
}

/// What a [`Command`] starts.
#[derive(Clone, Debug)]
enum Program {
    /// `sh -c script`: a command line the user typed.
    Shell(String),
    /// A program and its arguments, started without a shell: no word is split or expanded.
    Argv(OsString, Vec<OsString>),
}

impl Program {
    /// The command as the user would type it: the script, or the words quoted for `sh`.
    fn describe(&self) -> String {
        match self {
            Program::Shell(script) => script.clone(),
            Program::Argv(program, args) => std::iter::once(program)
                .chain(args)
                .map(|word| shell_quote(word))
                .collect::<Vec<_>>()
                .join(" "),
        }
    }

    /// The command line for error messages: `sh -c "script"`, or the quoted words.
    fn command_line(&self) -> String {
        match self {
            Program::Shell(script) => format!("sh -c {script:?}"),
            Program::Argv(..) => self.describe(),
        }
    }

    /// The process to start, before directory, environment and output are set.
    fn to_std(&self) -> std::process::Command {
        match self {
            Program::Shell(script) => {
                let mut cmd = std::process::Command::new("sh");
                cmd.arg("-c").arg(script);
                cmd
            }
            Program::Argv(program, args) => {
                let mut cmd = std::process::Command::new(program);
                cmd.args(args);
                cmd
            }
        }
    }
}

/// `word` quoted for `sh`: as is when it is made only of characters the shell leaves alone,
/// otherwise in single quotes. Non-UTF-8 bytes are shown as U+FFFD (this is for messages).
fn shell_quote(word: &std::ffi::OsStr) -> String {
    let s = word.to_string_lossy();
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_=./,:+@%".contains(&b))
    {
        return s.into_owned();
    }
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// A command to run in `dir`: a shell script (`sh -c script`, [`Command::new`]) or a program
/// with its arguments ([`Command::argv`]). Both run the same way: own process group, timeout,
/// output capture, cancellation, stray processes stopped.
#[derive(Clone, Debug)]
pub struct Command {
    program: Program,
    dir: PathBuf,
    log_path: PathBuf,
    stderr_path: Option<PathBuf>,
    env: Vec<(OsString, OsString)>,
    env_remove: Vec<OsString>,
    timeout: Option<Duration>,
    grace: Duration,
    head_limit: usize,
    tail_limit: usize,
    file_keep: Keep,
    reader_grace: Duration,
}

impl Command {
    /// `sh -c script` in `dir`, output to `log_path` (created or truncated, parents created). No
    /// timeout, a grace of 2 s between SIGTERM and SIGKILL, 64 KiB of head and tail kept. For
    /// command lines the user typed; a command built by culprit is an [`Command::argv`].
    pub fn new(
        script: impl Into<String>,
        dir: impl Into<PathBuf>,
        log_path: impl Into<PathBuf>,
    ) -> Command {
        Command::with(Program::Shell(script.into()), dir.into(), log_path.into())
    }

    /// `program` with `args`, started directly (no shell: every argument reaches the program as
    /// given, spaces, quotes and `$` included; `program` without a `/` is looked up in `PATH`).
    /// Otherwise as [`Command::new`].
    pub fn argv<A: Into<OsString>>(
        program: impl Into<OsString>,
        args: impl IntoIterator<Item = A>,
        dir: impl Into<PathBuf>,
        log_path: impl Into<PathBuf>,
    ) -> Command {
        let program = Program::Argv(program.into(), args.into_iter().map(Into::into).collect());
        Command::with(program, dir.into(), log_path.into())
    }

    fn with(program: Program, dir: PathBuf, log_path: PathBuf) -> Command {
        Command {
            program,
            dir,
            log_path,
            stderr_path: None,
            env: Vec::new(),
            env_remove: Vec::new(),
            timeout: None,
            grace: Duration::from_secs(2),
            head_limit: 64 * 1024,
            tail_limit: 64 * 1024,
            file_keep: Keep::DEFAULT,
            reader_grace: READER_GRACE,
        }
    }

    /// Write stderr to this file (created or truncated, parents created) instead of the log: the
    /// log, head and tail then hold stdout alone.
    pub fn stderr_to(mut self, path: impl Into<PathBuf>) -> Command {
        self.stderr_path = Some(path.into());
        self
    }

    /// Add an environment variable (on top of culprit's own environment).
    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Command {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Remove a variable of culprit's own environment (e.g. `GIT_DIR` when culprit runs from a
    /// git hook, which would point the user's commands at the wrong repository).
    pub fn env_remove(mut self, key: impl Into<OsString>) -> Command {
        let key = key.into();
        self.env.retain(|(k, _)| *k != key);
        self.env_remove.push(key);
        self
    }

    /// Kill the group and report [`Status::TimedOut`] after this long.
    pub fn timeout(mut self, timeout: Duration) -> Command {
        self.timeout = Some(timeout);
        self
    }

    /// Time between SIGTERM and SIGKILL when the group is killed.
    pub fn grace(mut self, grace: Duration) -> Command {
        self.grace = grace;
        self
    }

    /// How many bytes of the start and of the end of the output to keep in memory.
    pub fn keep(mut self, head: usize, tail: usize) -> Command {
        self.head_limit = head;
        self.tail_limit = tail;
        self
    }

    /// What the log file keeps of the output (default [`Keep::DEFAULT`]; less when the
    /// directory's [`crate::OutputBudget`] is spent).
    pub fn keep_in_file(mut self, keep: Keep) -> Command {
        self.file_keep = keep;
        self
    }

    /// How long the output may still be read once every process of the command is dead
    /// (default 2 s).
    pub fn reader_grace(mut self, grace: Duration) -> Command {
        self.reader_grace = grace;
        self
    }

    /// Run to the end (or timeout, or cancellation). A token cancelled before the start gives
    /// [`Status::Cancelled`] without running anything.
    pub fn run(&self, cancel: &Cancel) -> Result<Outcome, Error> {
        match self.spawn(cancel) {
            Ok(running) => running.wait(),
            Err(Error::Cancelled { .. }) => Ok(Outcome {
                status: Status::Cancelled,
                duration: Duration::ZERO,
                log_path: self.log_path.clone(),
                head: Vec::new(),
                tail: Vec::new(),
                bytes: 0,
                cut: 0,
                sha256: String::new(),
                escaped: 0,
            }),
            Err(e) => Err(e),
        }
    }

    /// Start the command; see [`Running`].
    pub fn spawn(&self, cancel: &Cancel) -> Result<Running, Error> {
        if cancel.is_cancelled() {
            return Err(Error::Cancelled {
                command: self.program.describe(),
            });
        }
        let log = create_file(&self.log_path)?;
        let stderr_file = self.stderr_path.as_deref().map(create_file).transpose()?;
        let spawn_error = |source| Error::Spawn {
            command: self.program.command_line(),
            dir: self.dir.clone(),
            source,
        };
        // One pipe for both streams keeps stdout and stderr interleaved as they were written.
        let (pipe_reader, pipe_writer) = std::io::pipe().map_err(spawn_error)?;
        let stderr_writer = match stderr_file {
            Some(file) => Stdio::from(file),
            None => Stdio::from(pipe_writer.try_clone().map_err(spawn_error)?),
        };
        let tag = escaped::new_tag();
        let budget = budget::budget_for(&self.log_path);
        let file_keep = budget
            .as_ref()
            .map_or(self.file_keep, |b| b.allow(self.file_keep));
        let started = Instant::now();
        let child = {
            let mut cmd = self.program.to_std();
            for key in &self.env_remove {
                cmd.env_remove(key);
            }
            cmd.current_dir(&self.dir)
                .envs(self.env.iter().map(|(k, v)| (k, v)))
                .env(escaped::TAG_VAR, &tag)
                .stdin(Stdio::null())
                .stdout(pipe_writer)
                .stderr(stderr_writer)
                .process_group(0);
            // `cmd` drops at the end of this block, closing our copies of the write end, so the
            // reader sees end of file once the group is gone.
            cmd.spawn().map_err(spawn_error)?
        };
        let pid = Pid::from_raw(i32::try_from(child.id()).unwrap_or(i32::MAX));
        let registered = cancel.register(pid.as_raw());

        let (exited_tx, exited) = mpsc::channel();
        std::thread::spawn(move || {
            // WNOWAIT leaves the leader a zombie, so its pid (= the group id) cannot be reused
            // before we have killed the rest of the group and reaped it ourselves.
            while let Err(Errno::EINTR) =
                waitid(Id::Pid(pid), WaitPidFlag::WEXITED | WaitPidFlag::WNOWAIT)
            {}
            let _ = exited_tx.send(());
        });

        let shared: Shared = Default::default();
        let (reader_done_tx, reader_done) = mpsc::channel();
        let reader_shared = shared.clone();
        let limits = Limits {
            head: self.head_limit,
            tail: self.tail_limit,
            file: file_keep,
        };
        let reader = std::thread::spawn(move || {
            capture::pump(pipe_reader, log, reader_shared, limits);
            let _ = reader_done_tx.send(());
        });

        Ok(Running {
            child: Some(child),
            pgid: pid,
            registered,
            exited,
            leader_exited: false,
            reader: Some(reader),
            reader_done,
            capture: shared,
            started,
            // A timeout too long to be a point in time (`u64::MAX` seconds) is no timeout.
            deadline: self.timeout.and_then(|t| started.checked_add(t)),
            grace: self.grace,
            reader_grace: self.reader_grace,
            cancel: cancel.clone(),
            log_path: self.log_path.clone(),
            tag,
            budget,
            file_keep,
            wanted_keep: self.file_keep,
            escaped: 0,
        })
    }
}

/// Creates (or truncates) a file the command writes to, and its parent directories.
fn create_file(path: &Path) -> Result<File, Error> {
    let log_error = |source| Error::CreateLog {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(log_error)?;
    }
    File::create(path).map_err(log_error)
}

/// A started command. [`Running::wait`] for its [`Outcome`]; dropping it kills the whole group.
pub struct Running {
    child: Option<Child>,
    pgid: Pid,
    registered: bool,
    exited: Receiver<()>,
    leader_exited: bool,
    reader: Option<JoinHandle<()>>,
    reader_done: Receiver<()>,
    capture: Shared,
    started: Instant,
    deadline: Option<Instant>,
    grace: Duration,
    reader_grace: Duration,
    cancel: Cancel,
    log_path: PathBuf,
    /// The value of [`escaped::TAG_VAR`] the command's processes carry.
    tag: String,
    /// The budget of the log file's directory.
    budget: Option<std::sync::Arc<budget::Inner>>,
    /// What the log file keeps, and what it would without the budget.
    file_keep: Keep,
    wanted_keep: Keep,
    /// Processes of the command that had left its group, killed when it ended.
    escaped: usize,
}

impl Running {
    /// The process id of the command (`sh` for a script), which is also the process group id.
    pub fn pid(&self) -> u32 {
        self.pgid.as_raw().unsigned_abs()
    }

    /// The log file being written.
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// Wait for the end: the command (the shell, for a script) exits (any process it left behind
    /// in the group is then killed), the timeout expires or the token is cancelled (the group is killed: SIGTERM,
    /// SIGKILL after the grace period).
    pub fn wait(mut self) -> Result<Outcome, Error> {
        let forced = loop {
            let now = Instant::now();
            let slice = self.deadline.map_or(POLL, |deadline| {
                deadline.saturating_duration_since(now).min(POLL)
            });
            match self.exited.recv_timeout(slice) {
                Ok(()) | Err(RecvTimeoutError::Disconnected) => {
                    self.leader_exited = true;
                    // Cancellation SIGTERMs the group directly, so the leader may die of it
                    // before this loop notices: still a cancellation.
                    break self.cancel.is_cancelled().then_some(Status::Cancelled);
                }
                Err(RecvTimeoutError::Timeout) => {
                    if self.cancel.is_cancelled() || !self.registered {
                        self.terminate();
                        break Some(Status::Cancelled);
                    }
                    if self
                        .deadline
                        .is_some_and(|deadline| Instant::now() >= deadline)
                    {
                        self.terminate();
                        break Some(Status::TimedOut);
                    }
                }
            }
        };
        let exit = self.finish();
        let duration = self.started.elapsed();
        let status = match forced {
            Some(status) => status,
            None => match exit {
                Some(exit) => match (exit.code(), exit.signal()) {
                    (Some(code), _) => Status::Exited(code),
                    (None, Some(signal)) => Status::Signaled(signal),
                    (None, None) => Status::Exited(-1),
                },
                None => Status::Exited(-1),
            },
        };
        let mut capture = std::mem::take(&mut *capture::lock(&self.capture));
        if let Some(source) = capture.log_error.take() {
            return Err(Error::WriteLog {
                path: self.log_path.clone(),
                source,
            });
        }
        let Capture {
            head,
            tail,
            bytes,
            cut,
            sha256,
            ..
        } = capture;
        Ok(Outcome {
            status,
            duration,
            log_path: self.log_path.clone(),
            head,
            tail: tail.into(),
            bytes,
            cut,
            sha256: sha256.unwrap_or_default(),
            escaped: self.escaped,
        })
    }

    /// SIGTERM the group, give the leader (the shell, for a script) the grace period, then
    /// SIGKILL whatever is left.
    fn terminate(&mut self) {
        let _ = killpg(self.pgid, Signal::SIGTERM);
        if !self.leader_exited {
            self.leader_exited = !matches!(
                self.exited.recv_timeout(self.grace),
                Err(RecvTimeoutError::Timeout)
            );
        }
        let _ = killpg(self.pgid, Signal::SIGKILL);
    }

    /// Kill what is left of the group and the processes that left it, reap the leader, let the
    /// reader drain the pipe. Returns the leader's exit status (`None` if it could not be reaped).
    fn finish(&mut self) -> Option<std::process::ExitStatus> {
        // The leader is a zombie or about to be one (SIGKILL): the group id is still ours.
        let _ = killpg(self.pgid, Signal::SIGKILL);
        let status = self.child.take().and_then(|mut child| child.wait().ok());
        self.cancel.unregister(self.pgid.as_raw());
        // Processes that left the group (`setsid`) still carry the command's tag. Killing them
        // also closes the output pipe they may hold, so the reader ends at once.
        self.escaped = escaped::stop_tagged(&self.tag, self.pgid.as_raw());
        self.cancel.add_escaped(self.escaped);
        if self.reader_done.recv_timeout(self.reader_grace).is_ok()
            && let Some(reader) = self.reader.take()
        {
            let _ = reader.join();
        }
        if let Some(budget) = &self.budget {
            let capture = capture::lock(&self.capture);
            budget.charge(
                capture.written,
                capture.cut,
                self.file_keep,
                self.wanted_keep,
            );
        }
        status
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.child.is_some() {
            self.terminate();
            self.finish();
        }
    }
}
