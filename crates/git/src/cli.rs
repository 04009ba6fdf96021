//! Running the `git` CLI for the few jobs gix does not do for us (checkouts, `git show` text).

use std::path::Path;
use std::process::{Command, Output};

/// Variables that would redirect git to another repository, index or object store than the one
/// we name on the command line (e.g. when culprit itself runs from a git hook).
const REDIRECTING_VARS: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_PREFIX",
];

/// A `git` command for `dir`, with the redirecting variables removed and optional locks off (so
/// even read-only commands never refresh an index).
pub(crate) fn git(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.arg("-C").arg(dir);
    for var in REDIRECTING_VARS {
        cmd.env_remove(var);
    }
    cmd.env("GIT_OPTIONAL_LOCKS", "0")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("LC_ALL", "C");
    cmd
}

/// The failure of one git command: what ran, how it ended, the end of its stderr.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) command: String,
    pub(crate) detail: String,
}

/// Run `cmd` and return its output if it exited 0.
pub(crate) fn run(cmd: &mut Command) -> Result<Output, Failure> {
    let command = describe(cmd);
    let output = cmd.output().map_err(|e| Failure {
        command: command.clone(),
        detail: format!("cannot start git: {e}"),
    })?;
    if output.status.success() {
        Ok(output)
    } else {
        Err(Failure {
            command,
            detail: format!("{}: {}", output.status, tail(&output.stderr, 600)),
        })
    }
}

fn describe(cmd: &Command) -> String {
    let mut text = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

/// The last `max` bytes of `bytes` as trimmed text.
fn tail(bytes: &[u8], max: usize) -> String {
    let start = bytes.len().saturating_sub(max);
    String::from_utf8_lossy(&bytes[start..]).trim().to_string()
}
