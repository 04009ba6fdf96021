//! A VM run turned into an engine outcome: the console of a real run of the kernel fixture's
//! bad commit (`e2e-c16`, captured by the `test-kernel` bisection test) and the VM outcomes that
//! need no crash parser.

use std::path::PathBuf;
use std::time::Duration;

use culprit_driver::classify_vm;
use culprit_engine::Outcome;
use culprit_vm::{RunEnd, RunOutcome, VmRun};

const CRASH: &[u8] = include_bytes!("data/e2e-c16-null-deref.console");
const CLEAN: &[u8] = b"Run /init as init process\nculprit: running reproducer 1\nREPRO: PASS (no crash)\nculprit: reproducer done runs=3\nreboot: Power down\n";

fn run(outcome: RunOutcome, console: &[u8]) -> VmRun {
    VmRun {
        index: 0,
        outcome,
        console: console.to_vec(),
        console_path: PathBuf::from("run-0.console"),
        duration: Duration::from_secs(1),
    }
}

#[test]
fn a_completed_run_with_a_kernel_report_is_that_crash() {
    let (outcome, report) = classify_vm(&run(
        RunOutcome::Completed {
            end: RunEnd::Exited,
        },
        CRASH,
    ));
    match outcome {
        Outcome::Crash { title, .. } => assert_eq!(
            title,
            "BUG: unable to handle kernel NULL pointer dereference in version_proc_show"
        ),
        other => panic!("expected a crash, got {other:?}"),
    }
    let report = report.unwrap_or_default();
    assert!(
        report.contains("RIP: 0010:version_proc_show+0xb/0x5d"),
        "{report}"
    );
}

#[test]
fn a_clean_power_off_is_ok_and_a_lost_machine_is_its_own_crash() {
    let done = |end| classify_vm(&run(RunOutcome::Completed { end }, CLEAN)).0;
    assert_eq!(done(RunEnd::PoweredOff), Outcome::Ok);
    assert_eq!(
        done(RunEnd::Exited),
        Outcome::crash("lost connection to test machine")
    );
    // A hang: the bisected crash only when that is a hang too.
    assert_eq!(
        done(RunEnd::TimedOut),
        Outcome::Crash {
            title: "no output from test machine".into(),
            alt_titles: Vec::new(),
            kind: "HANG".into(),
        }
    );
}

#[test]
fn a_boot_failure_is_a_skip_and_infra_stays_infra() {
    let (boot, _) = classify_vm(&run(
        RunOutcome::BootFailed {
            reason: "kernel stopped before reaching init".into(),
        },
        b"Linux version 6.1\n",
    ));
    assert_eq!(
        boot,
        Outcome::Skip {
            reason: "boot failed: kernel stopped before reaching init".into()
        }
    );
    // A crash during boot names the skip.
    let (boot_crash, _) = classify_vm(&run(
        RunOutcome::BootFailed {
            reason: "kernel stopped before reaching init".into(),
        },
        CRASH,
    ));
    assert_eq!(
        boot_crash,
        Outcome::Skip {
            reason: "boot failed: BUG: unable to handle kernel NULL pointer dereference in version_proc_show".into()
        }
    );
    let (infra, _) = classify_vm(&run(
        RunOutcome::Infra {
            reason: "qemu exited with status 1 before any output".into(),
        },
        b"",
    ));
    assert_eq!(
        infra,
        Outcome::Infra {
            reason: "qemu exited with status 1 before any output".into()
        }
    );
}
