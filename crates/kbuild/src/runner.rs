//! A child process in its own process group, with a deadline, a cancel flag and kill-on-drop.
//!
//! Kept internal (about 100 lines) because the generic `culprit-exec` crate had not landed when
//! this was written; swap it in when it has.

use std::fs::File;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

/// How a supervised process ended.
#[derive(Debug)]
pub(crate) enum Ended {
    /// It exited (or was killed by a signal nobody here sent).
    Exited(ExitStatus),
    /// The deadline passed; the whole group was killed.
    TimedOut,
    /// The cancel flag was raised; the whole group was killed.
    Cancelled,
}

/// A running process group; killing it (SIGKILL to the group) happens on drop too.
pub(crate) struct Group {
    child: Option<Child>,
    pgid: u32,
}

impl Group {
    /// Spawns `cmd` as the leader of a new process group, stdout and stderr appended to `log`.
    pub(crate) fn spawn(cmd: &mut Command, log: &Path) -> std::io::Result<Group> {
        use std::os::unix::process::CommandExt;
        let out = File::options().create(true).append(true).open(log)?;
        let err = out.try_clone()?;
        cmd.stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .process_group(0);
        let child = cmd.spawn()?;
        let pgid = child.id();
        Ok(Group {
            child: Some(child),
            pgid,
        })
    }

    /// Waits until the process exits, `timeout` passes, or `cancel` becomes true.
    pub(crate) fn wait(
        &mut self,
        timeout: Duration,
        cancel: Option<&AtomicBool>,
    ) -> std::io::Result<Ended> {
        let deadline = Instant::now() + timeout;
        loop {
            let Some(child) = self.child.as_mut() else {
                return Err(std::io::Error::other("process already reaped"));
            };
            if let Some(status) = child.try_wait()? {
                self.child = None;
                // Children that outlived the leader (e.g. a stray compiler) die with the group.
                kill_group(self.pgid);
                return Ok(Ended::Exited(status));
            }
            if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
                self.kill();
                return Ok(Ended::Cancelled);
            }
            if Instant::now() >= deadline {
                self.kill();
                return Ok(Ended::TimedOut);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kills the whole group and reaps the leader.
    pub(crate) fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            kill_group(self.pgid);
            let _ = child.wait();
        }
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        self.kill();
    }
}

fn kill_group(pgid: u32) {
    if let Ok(pgid) = i32::try_from(pgid) {
        // ESRCH (group already gone) is fine.
        let _ = killpg(Pid::from_raw(pgid), Signal::SIGKILL);
    }
}

/// Runs `cmd` to completion under [`Group`]; convenience for the common case.
pub(crate) fn run(
    cmd: &mut Command,
    log: &Path,
    timeout: Duration,
    cancel: Option<&AtomicBool>,
) -> std::io::Result<Ended> {
    let mut group = Group::spawn(cmd, log)?;
    group.wait(timeout, cancel)
}
