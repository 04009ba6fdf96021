//! Runs shared between identical builds, whatever the backend: a commit whose artifact (kernel
//! signature, `--artifact` hash) equals one already tested takes those runs instead of running
//! again (syzbot reuses results the same way).

use std::collections::HashMap;

use crate::backend::Ran;

/// Runs per artifact, with the commit (hex) that made each.
#[derive(Debug, Default)]
pub(crate) struct SharedRuns {
    /// Runs per artifact with the commit that produced them.
    runs: HashMap<String, Vec<(String, Ran)>>,
    /// Per (commit, artifact): how many of the shared runs the commit has seen.
    cursor: HashMap<(String, String), usize>,
}

impl SharedRuns {
    /// Up to `n` runs of other commits with this artifact that `commit` has not been given yet,
    /// with the commit they came from.
    pub(crate) fn take(&mut self, commit: &str, artifact: &str, n: usize) -> Vec<(String, Ran)> {
        let all = self
            .runs
            .get(artifact)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let cursor = self
            .cursor
            .entry((commit.to_string(), artifact.to_string()))
            .or_insert(0);
        let mut out = Vec::new();
        while *cursor < all.len() && out.len() < n {
            let (from, run) = &all[*cursor];
            *cursor += 1;
            if from != commit {
                out.push((from.clone(), run.clone()));
            }
        }
        out
    }

    /// Records a run of `commit`'s artifact (the commit has seen it: its cursor moves past it
    /// when nothing else is pending before it).
    pub(crate) fn record(&mut self, commit: &str, artifact: &str, run: Ran) {
        let all = self.runs.entry(artifact.to_string()).or_default();
        all.push((commit.to_string(), run));
        let len = all.len();
        let cursor = self
            .cursor
            .entry((commit.to_string(), artifact.to_string()))
            .or_insert(0);
        if *cursor + 1 == len {
            *cursor = len;
        }
    }
}

#[cfg(test)]
mod tests {
    use culprit_engine::Outcome;

    use super::*;

    fn ran(outcome: Outcome, report: Option<&str>) -> Ran {
        Ran {
            outcome,
            report: report.map(String::from),
            secs: 1.0,
        }
    }

    #[test]
    fn identical_artifacts_share_runs_once_per_commit() {
        let mut s = SharedRuns::default();
        for _ in 0..3 {
            s.record("a", "sig1", ran(Outcome::Ok, None));
        }
        // a's own runs are never given back to a.
        assert!(s.take("a", "sig1", 5).is_empty());
        // b (same artifact) gets a's three runs once; c (another artifact) nothing.
        assert_eq!(s.take("b", "sig1", 2).len(), 2);
        assert_eq!(s.take("b", "sig1", 5).len(), 1);
        assert!(s.take("b", "sig1", 5).is_empty());
        assert!(s.take("c", "sig2", 5).is_empty());
        // b's new runs reach a later.
        s.record("b", "sig1", ran(Outcome::crash("BUG: x"), Some("report")));
        let got = s.take("a", "sig1", 5);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, "b");
        assert_eq!(got[0].1.outcome, Outcome::crash("BUG: x"));
        assert!(s.take("b", "sig1", 5).is_empty());
    }
}
