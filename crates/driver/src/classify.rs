//! A finished run's exit status and output, turned into an engine outcome.

use culprit_engine::Outcome;
use culprit_exec::Status;

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
            let title = match other {
                Status::TimedOut => "test timed out".to_string(),
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
