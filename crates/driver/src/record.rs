//! What the driver records in the state's event log for `--resume`: typed records that serde
//! writes and reads back as they are, the engine's own [`Input`]s among them.

use culprit_engine::{Input, ProbeId};
use serde::{Deserialize, Serialize};

/// One entry of the event log, in the order things happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Record {
    /// The engine handed out a probe, for this commit (hex). A resumed engine must hand out the
    /// same probes in the same order: a mismatch means the state is not this culprit's.
    Probe {
        /// The probe.
        id: ProbeId,
        /// Its commit.
        commit: String,
    },
    /// An input fed to the engine. A run's input carries its index in its probe (the run's log
    /// file is named after it).
    Input {
        /// The input.
        input: Input,
        /// For a run: its index in the probe.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        index: Option<u32>,
    },
}

impl Record {
    /// The `kind` column of the event log (for a human reading `state.db`).
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Record::Probe { .. } => "probe",
            Record::Input {
                input: Input::Build { .. },
                ..
            } => "build",
            Record::Input {
                input: Input::Run { .. },
                ..
            } => "run",
        }
    }
}

#[cfg(test)]
mod tests {
    use culprit_engine::{Build, Outcome};

    use super::*;

    #[test]
    fn records_read_back_as_written() {
        let records = vec![
            Record::Probe {
                id: ProbeId(3),
                commit: "ab".repeat(20),
            },
            Record::Input {
                input: Input::Build {
                    probe: ProbeId(3),
                    build: Build::Failed {
                        reason: "error: x".into(),
                    },
                },
                index: None,
            },
            Record::Input {
                input: Input::Run {
                    probe: ProbeId(3),
                    outcome: Outcome::crash("KASAN: use-after-free Read in f"),
                },
                index: Some(7),
            },
        ];
        for r in records {
            let text = serde_json::to_string(&r).expect("encodes");
            let back: Record = serde_json::from_str(&text).expect("decodes");
            assert_eq!(back, r, "{text}");
        }
    }
}
