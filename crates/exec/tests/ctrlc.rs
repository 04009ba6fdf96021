//! The process-wide token: a real SIGINT to this test process cancels a running command and kills
//! its group (own test binary, so the signal reaches no other test).

#![allow(clippy::expect_used)] // test setup failures should panic with their reason

use std::time::Duration;

use culprit_exec::{Cancel, Command, Status};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

#[test]
fn sigint_cancels_the_process_wide_token() {
    let cancel = Cancel::install().expect("install");
    let again = Cancel::install().expect("second install returns the same token");
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("log");
    let running = Command::new("sleep 100 & echo started; sleep 100", dir.path(), &log)
        .spawn(&again)
        .expect("spawn");
    for _ in 0..2000 {
        if std::fs::read_to_string(&log).is_ok_and(|t| t.contains("started")) {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(!cancel.is_cancelled());
    kill(Pid::this(), Signal::SIGINT).expect("send SIGINT to ourselves");
    let outcome = running.wait().expect("wait");
    assert_eq!(outcome.status, Status::Cancelled);
    assert!(cancel.is_cancelled());
    assert_eq!(cancel.live_groups(), 0);
}
