//! The commands backend: the user's `--build` command in the slot's checkout, then the `--test`
//! command there, one run at a time; a run is read for a crash report ([`crate::classify`]).
//! With `--artifact FILE`, the build's identity is the file's SHA-256.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use culprit_exec::{Cancel, Command, Status};
use culprit_git::Checkouts;

use super::Job;
use super::{Backend, Built, Halt, Ran, Ready};

/// Most bytes of a run's output read back for crash parsing.
const MAX_LOG: u64 = 64 << 20;

/// The user's commands, run in checkouts of the repository.
pub(crate) struct Commands {
    /// The build command (a shell command line).
    pub build: String,
    /// The test command (a shell command line).
    pub test: String,
    /// Limit of one build or one run.
    pub timeout: Duration,
    /// A file the build produces, hashed to share runs between identical builds.
    pub artifact: Option<PathBuf>,
    /// Where the build and run logs go.
    pub logs: PathBuf,
    /// The slots' checkouts.
    pub checkouts: Arc<Checkouts>,
}

impl Backend for Commands {
    fn prepare(&self, slot: usize, job: &Job, cancel: &Cancel) -> Result<Ready, Halt> {
        if !job.build {
            // The slot holds this commit's build: keep it (no clean).
            self.checkouts
                .checkout_with(slot, job.commit, culprit_git::Clean::Nothing)?;
            return Ok(Ready {
                built: None,
                artifact: None,
            });
        }
        let dir = self.checkouts.checkout(slot, job.commit)?;
        let log = self.logs.join(format!("{}.build.log", job.commit.to_hex()));
        let cmd = clean_env(Command::new(self.build.clone(), &dir, &log).timeout(self.timeout));
        let out = cmd.run(cancel)?;
        if out.status == Status::Cancelled {
            return Err(Halt::Cancelled);
        }
        let secs = out.duration.as_secs_f64();
        if !out.status.success() {
            let text = std::fs::read(&out.log_path).unwrap_or_default();
            let mut error_lines = culprit_exec::error_lines(&text, 5);
            if out.status == Status::TimedOut {
                error_lines.insert(
                    0,
                    format!("build timed out after {}s", self.timeout.as_secs()),
                );
            }
            return Ok(Ready {
                built: Some(Built::failed(error_lines, secs)),
                artifact: None,
            });
        }
        let artifact = self.artifact.as_ref().and_then(|a| hash_file(&dir.join(a)));
        Ok(Ready {
            built: Some(Built {
                ok: true,
                artifact: artifact.clone(),
                error_lines: Vec::new(),
                secs,
                reused: false,
                notes: Vec::new(),
            }),
            artifact,
        })
    }

    fn artifact_kind(&self) -> &'static str {
        "artifact"
    }

    fn batch(&self) -> u32 {
        1
    }

    fn run(
        &self,
        slot: usize,
        job: &Job,
        index: u32,
        n: u32,
        cancel: &Cancel,
    ) -> Result<Vec<Ran>, Halt> {
        let dir = self.checkouts.path(slot);
        let mut runs = Vec::new();
        for index in index..index + n {
            let log = self
                .logs
                .join(format!("{}.run{index}.log", job.commit.to_hex()));
            let cmd = clean_env(Command::new(self.test.clone(), &dir, &log).timeout(self.timeout));
            let out = cmd.run(cancel)?;
            if out.status == Status::Cancelled {
                return Err(Halt::Cancelled);
            }
            let text = read_capped(&out.log_path).unwrap_or_else(|| [out.head, out.tail].concat());
            let (outcome, report) = crate::classify(out.status, &text);
            runs.push(Ran {
                outcome,
                report,
                secs: out.duration.as_secs_f64(),
            });
        }
        Ok(runs)
    }
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
pub(crate) fn hash_file(path: &Path) -> Option<String> {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(path).ok()?;
    let digest = Sha256::digest(&bytes);
    Some(digest.iter().map(|b| format!("{b:02x}")).collect())
}
