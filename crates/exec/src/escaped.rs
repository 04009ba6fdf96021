//! Processes that left their command's process group (`setsid`, `setpgid`, a daemon) are not
//! reached by killing the group. Every command is started with a tag in its environment
//! ([`TAG_VAR`]), which its descendants inherit however they detach; when the command ends, the
//! processes still carrying its tag are found in `/proc` and killed. [`stop_escaped`] does the
//! same for every command this process started, and [`stop_descendants`] (for a process that is a
//! child subreaper, see [`become_subreaper`]) kills whatever is left below this process at exit.

use std::sync::atomic::{AtomicU64, Ordering};

use nix::errno::Errno;
use nix::sys::signal::{Signal, kill};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::Pid;

/// The environment variable holding a command's tag: `<culprit's pid>-<number>`.
pub const TAG_VAR: &str = "CULPRIT_RUN_TAG";

static NEXT: AtomicU64 = AtomicU64::new(1);

/// A fresh tag for one command of this process.
pub(crate) fn new_tag() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// How a process's tag is compared.
#[derive(Clone, Copy)]
enum Match<'a> {
    /// Exactly this tag (one command).
    Exact(&'a str),
    /// Any tag that starts with this (every command of a process).
    Prefix(&'a str),
}

impl Match<'_> {
    fn holds(&self, value: &[u8]) -> bool {
        match self {
            Match::Exact(tag) => value == tag.as_bytes(),
            Match::Prefix(prefix) => value.starts_with(prefix.as_bytes()),
        }
    }
}

/// Live processes (not this one, not zombies: a zombie's environment reads empty, not members of
/// process group `skip_group`, killed already) whose environment holds a tag that `m` accepts,
/// with their parent's pid.
fn tagged(m: Match<'_>, skip_group: Option<i32>) -> Vec<(i32, i32)> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let me = std::process::id() as i32;
    let key = format!("{TAG_VAR}=");
    let mut found = Vec::new();
    for e in entries.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
            continue;
        };
        if pid == me {
            continue;
        }
        let Ok(environ) = std::fs::read(e.path().join("environ")) else {
            continue;
        };
        let hit = environ
            .split(|&b| b == 0)
            .filter_map(|var| var.strip_prefix(key.as_bytes()))
            .any(|value| m.holds(value));
        if !hit {
            continue;
        }
        let Some((parent, group)) = parent_and_group(pid) else {
            continue;
        };
        if Some(group) != skip_group {
            found.push((pid, parent));
        }
    }
    found
}

/// The parent pid and the process group of `pid`, from `/proc/PID/stat`.
fn parent_and_group(pid: i32) -> Option<(i32, i32)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses.
    let (_, rest) = stat.rsplit_once(')')?;
    let mut fields = rest.split_whitespace().skip(1);
    let parent = fields.next()?.parse().ok()?;
    let group = fields.next()?.parse().ok()?;
    Some((parent, group))
}

/// Kills the processes `find` returns until it returns none (a process may fork while its
/// siblings are killed; bounded). Children of this process (reparented to it as a subreaper) are
/// reaped. Returns how many distinct processes were killed.
fn kill_until_none(find: impl Fn() -> Vec<(i32, i32)>) -> usize {
    let me = std::process::id() as i32;
    let mut killed = std::collections::BTreeSet::new();
    for _ in 0..50 {
        let found = find();
        if found.is_empty() {
            break;
        }
        for &(pid, parent) in &found {
            if kill(Pid::from_raw(pid), Signal::SIGKILL).is_ok() {
                killed.insert(pid);
            }
            if parent == me {
                reap(pid);
            }
        }
    }
    killed.len()
}

/// Waits (bounded) for a killed child of ours to die, and reaps it.
fn reap(pid: i32) {
    let pid = Pid::from_raw(pid);
    for _ in 0..1000 {
        match waitpid(pid, Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::StillAlive) | Err(Errno::EINTR) => {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            _ => return,
        }
    }
}

/// Kills every live process still carrying `tag` outside process group `group` (one command's
/// descendants that left its group; those in it were killed with the group and are on their
/// way out). Returns how many there were.
pub(crate) fn stop_tagged(tag: &str, group: i32) -> usize {
    kill_until_none(|| tagged(Match::Exact(tag), Some(group)))
}

/// Kills every live process that carries the tag of any command this process started (they left
/// their groups and outlived their commands). Returns how many there were.
pub fn stop_escaped() -> usize {
    let prefix = format!("{}-", std::process::id());
    kill_until_none(|| tagged(Match::Prefix(&prefix), None))
}

/// Makes this process a child subreaper (Linux): descendants whose parent dies are reparented to
/// it instead of to init, so [`stop_descendants`] finds them however they detached. Returns
/// whether it worked. Only for a program's main process: a library's caller may wait for its
/// own children in other threads.
pub fn become_subreaper() -> bool {
    #[cfg(target_os = "linux")]
    {
        nix::sys::prctl::set_child_subreaper(true).is_ok()
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}

/// Every live descendant of this process: children, their children, and so on (from `/proc`).
fn descendants() -> Vec<(i32, i32)> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut parent: Vec<(i32, i32)> = Vec::new();
    for e in entries.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        let Some((_, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let mut fields = rest.split_whitespace();
        let state = fields.next().unwrap_or("");
        let Some(ppid) = fields.next().and_then(|p| p.parse::<i32>().ok()) else {
            continue;
        };
        if state != "Z" && state != "X" {
            parent.push((pid, ppid));
        }
    }
    let me = std::process::id() as i32;
    let mut below = std::collections::BTreeSet::from([me]);
    loop {
        let before = below.len();
        for &(pid, ppid) in &parent {
            if below.contains(&ppid) {
                below.insert(pid);
            }
        }
        if below.len() == before {
            break;
        }
    }
    parent
        .into_iter()
        .filter(|(pid, _)| *pid != me && below.contains(pid))
        .collect()
}

/// At exit, once every command has ended: kills whatever still runs below this process (with
/// [`become_subreaper`], that includes detached daemons of its commands) and every process that
/// still carries one of its commands' tags. Returns how many processes were killed. Must not be
/// called while commands run: they are descendants too.
pub fn stop_descendants() -> usize {
    let prefix = format!("{}-", std::process::id());
    kill_until_none(|| {
        let mut all = descendants();
        for p in tagged(Match::Prefix(&prefix), None) {
            if !all.iter().any(|(pid, _)| *pid == p.0) {
                all.push(p);
            }
        }
        all
    })
}
