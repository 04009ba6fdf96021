//! Commands left running by a culprit that was killed (`kill -9`, a crash): they run in process
//! groups of their own, so nothing stopped them, and they may still write into the checkouts a
//! resumed bisection is about to use. Once culprit holds the state directory's lock, any process
//! working inside that directory is such an orphan; its whole group is killed.

use std::path::Path;

use nix::sys::signal::{Signal, killpg};
use nix::unistd::{Pid, getpgid};

/// Kills the process groups of processes whose working directory is inside `state_dir`
/// (Linux `/proc`; elsewhere nothing is done). Returns how many groups were killed.
pub fn kill_strays(state_dir: &Path) -> usize {
    let Ok(root) = state_dir.canonicalize() else {
        return 0;
    };
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    let own = getpgid(None).ok();
    let mut groups = std::collections::BTreeSet::new();
    for e in entries.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
            continue;
        };
        if pid == std::process::id() as i32 {
            continue;
        }
        let Ok(cwd) = std::fs::read_link(e.path().join("cwd")) else {
            continue;
        };
        if !cwd.starts_with(&root) {
            continue;
        }
        if let Ok(pgid) = getpgid(Some(Pid::from_raw(pid)))
            && Some(pgid) != own
            && pgid.as_raw() > 1
        {
            groups.insert(pgid.as_raw());
        }
    }
    for &g in &groups {
        let _ = killpg(Pid::from_raw(g), Signal::SIGKILL);
    }
    groups.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kills_a_group_working_in_the_directory_and_nothing_else() {
        let dir = tempfile::tempdir().expect("tempdir");
        let inside = dir.path().join("checkouts/slot-0");
        std::fs::create_dir_all(&inside).expect("mkdir");
        let spawn = |cwd: &Path| {
            use std::os::unix::process::CommandExt;
            std::process::Command::new("sh")
                .args(["-c", "sleep 30"])
                .current_dir(cwd)
                .process_group(0)
                .spawn()
                .expect("sh runs")
        };
        // The processes exist, with their working directories, once spawned.
        let mut stray = spawn(&inside);
        let mut other = spawn(std::env::temp_dir().as_path());
        assert_eq!(kill_strays(dir.path()), 1);
        let status = stray.wait().expect("wait");
        assert!(!status.success(), "the stray was killed");
        assert!(
            other.try_wait().expect("try_wait").is_none(),
            "the other one still runs"
        );
        let _ = other.kill();
        let _ = other.wait();
    }
}
