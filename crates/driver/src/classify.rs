//! A finished run turned into an engine outcome: a command's exit status and output
//! ([`classify`]), a VM's console ([`classify_vm`]). The backends call these, nothing else does.

use culprit_engine::{Outcome, Target};
use culprit_exec::Status;
use culprit_vm::{RunEnd, RunOutcome, VmRun};

/// The crash type of a run that did not end in time (the report crate's type for hangs).
pub(crate) const HANG: &str = "HANG";

/// Titles of runs that did not end in time: a user test that timed out, a kernel that went
/// silent.
pub(crate) const TIMEOUT_TITLES: [&str; 2] = ["test timed out", "no output from test machine"];

/// A run that did not end in time, titled `title`.
pub(crate) fn timed_out(title: &str) -> Outcome {
    Outcome::Crash {
        title: title.to_string(),
        alt_titles: Vec::new(),
        kind: HANG.to_string(),
    }
}

/// Whether `outcome` is a run that did not end in time.
pub(crate) fn is_timeout(outcome: &Outcome) -> bool {
    matches!(outcome, Outcome::Crash { title, .. } if TIMEOUT_TITLES.contains(&title.as_str()))
}

/// Whether the bisected crash is a hang.
pub(crate) fn is_hang(target: &Target) -> bool {
    target.kind == HANG || TIMEOUT_TITLES.contains(&target.title.as_str())
}

/// A run that timed out is a hang, not a crash: where any crash counts (`--any-crash`, the syzbot
/// and git policies) it counts only when the bisected crash is a hang; otherwise it says nothing
/// about the crash (the run did not get to the end) and is a run that could not test.
pub(crate) fn hang_counted(outcome: Outcome, target: Option<&Target>, any_crash: bool) -> Outcome {
    match (&outcome, target) {
        (Outcome::Crash { title, .. }, Some(t))
            if any_crash && is_timeout(&outcome) && !is_hang(t) =>
        {
            Outcome::Skip {
                reason: format!(
                    "{title}: a hang, and the bisected crash ({}) is not one",
                    t.title
                ),
            }
        }
        _ => outcome,
    }
}

/// Turns a finished run into an outcome (and the crash report text, when there is one).
pub fn classify(status: Status, log: &[u8]) -> (Outcome, Option<String>) {
    match status {
        Status::Exited(0) => (Outcome::Ok, None),
        Status::Exited(125) => (
            Outcome::Skip {
                reason: "the test exited with 125 (cannot test)".into(),
            },
            None,
        ),
        Status::Cancelled => (
            Outcome::Infra {
                reason: "cancelled".into(),
            },
            None,
        ),
        other => {
            if let Some(r) = culprit_report::first(log) {
                let text = String::from_utf8_lossy(&r.text).into_owned();
                return (
                    Outcome::Crash {
                        title: r.title.clone(),
                        alt_titles: r.alt_titles.clone(),
                        kind: r.kind.name().to_string(),
                    },
                    Some(text),
                );
            }
            if other == Status::TimedOut {
                let tail =
                    String::from_utf8_lossy(&log[log.len().saturating_sub(4096)..]).into_owned();
                return (timed_out(TIMEOUT_TITLES[0]), Some(tail));
            }
            let title = match other {
                Status::Signaled(sig) => match nix::sys::signal::Signal::try_from(sig) {
                    Ok(s) => format!("test killed by signal {}", s.as_str()),
                    Err(_) => format!("test killed by signal {sig}"),
                },
                Status::Exited(code) => format!("test failed with exit status {code}"),
                _ => "test failed".to_string(),
            };
            let tail = String::from_utf8_lossy(&log[log.len().saturating_sub(4096)..]).into_owned();
            (Outcome::crash(title), Some(tail))
        }
    }
}

/// The report of a crash titled `title` in a run's output, as [`classify`] gave it: the crash
/// parser's report when it finds that crash, else the end of the output.
pub(crate) fn report_of(title: &str, log: &[u8]) -> Option<String> {
    match classify(Status::Exited(1), log) {
        (Outcome::Crash { title: t, .. }, report) if t == title => report,
        (_, report) if culprit_report::first(log).is_none() => report,
        _ => None,
    }
}

/// A VM run as an engine outcome (and the crash report text, when there is one).
pub fn classify_vm(run: &VmRun) -> (Outcome, Option<String>) {
    let report = culprit_report::first(&run.console);
    match &run.outcome {
        RunOutcome::Completed { end } => match (report, end) {
            (Some(r), _) => (
                Outcome::Crash {
                    title: r.title.clone(),
                    alt_titles: r.alt_titles.clone(),
                    kind: r.kind.name().to_string(),
                },
                Some(String::from_utf8_lossy(&r.text).into_owned()),
            ),
            (None, RunEnd::PoweredOff) => (Outcome::Ok, None),
            // The machine went away without a report the parser knows: syzbot's titles for
            // these (an unrelated crash unless the bisected one had the same title).
            (None, RunEnd::Exited) => (Outcome::crash("lost connection to test machine"), None),
            (None, RunEnd::TimedOut) => (timed_out(TIMEOUT_TITLES[1]), None),
        },
        RunOutcome::BootFailed { reason } => (
            Outcome::Skip {
                reason: match report {
                    Some(r) => format!("boot failed: {}", r.title),
                    None => format!("boot failed: {reason}"),
                },
            },
            None,
        ),
        RunOutcome::Infra { reason } => (
            Outcome::Infra {
                reason: reason.clone(),
            },
            None,
        ),
    }
}
