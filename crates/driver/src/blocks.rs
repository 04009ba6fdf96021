//! bayes' log, one block per probe: where it stands (`Bisecting: N revisions left …`), the
//! commit, its build lines, its runs with their counts, the commit's running tally and
//! probability of having the bug, and git's verdict line when the commit's verdict is first
//! reached or changes. With several jobs a block is held until its probe is done and printed
//! whole, tagged with its job, so jobs never split each other's blocks. syzbot's and git's
//! policies print their lines as they come, as syzbot does.

use culprit_engine::Rev;

use culprit_engine::{Policy, ProbeId};
use culprit_git::CommitId;

use crate::Error;
use crate::state::Driver;

impl Driver<'_> {
    /// Whether the log is bayes' (blocks with tallies) rather than syzbot's.
    pub(crate) fn bayes_log(&self) -> bool {
        self.engine.config().policy == Policy::Bayes
    }

    /// A line of `probe`'s block: held while other slots may print (bayes, several jobs),
    /// written at once otherwise.
    pub(crate) fn out(&mut self, probe: ProbeId, line: &str) -> Result<(), Error> {
        if self.bayes_log() && self.engine.config().jobs > 1 {
            self.blocks
                .held
                .entry(probe)
                .or_default()
                .push(line.to_string());
            return Ok(());
        }
        self.log.line(line)?;
        Ok(())
    }

    /// Gives a starting probe the lowest job number no running probe has.
    pub(crate) fn take_job_number(&mut self, probe: ProbeId) {
        let taken: Vec<usize> = self.blocks.job_of.values().copied().collect();
        let n = (1..).find(|n| !taken.contains(n)).unwrap_or(1);
        self.blocks.job_of.insert(probe, n);
    }

    /// `more runs: N so far on this commit` when bayes comes back to a commit it has run.
    pub(crate) fn again_note(&self, commit: CommitId) -> Option<String> {
        if !self.bayes_log() {
            return None;
        }
        let i = self.graph.index_of(commit)?;
        match self.engine.runs_of(Rev(i)).len() {
            0 => None,
            n => Some(format!("more runs: {n} so far on this commit")),
        }
    }

    /// The end of a probe's block: the commit's running tally, its verdict line if it changed,
    /// then the whole block when it was held.
    pub(crate) fn end_block(&mut self, probe: ProbeId) -> Result<(), Error> {
        if let Some(f) = self.inflight.get(&probe)
            && !f.outcomes.is_empty()
            && let Some(i) = self.graph.index_of(f.commit)
        {
            let t = self.engine.tally_of(Rev(i));
            let mut line = format!(
                "commit {}: {}/{} crashed",
                f.commit.to_hex(),
                t.target,
                t.total()
            );
            if t.other > 0 {
                line.push_str(&format!(
                    " ({} other crash{})",
                    t.other,
                    if t.other == 1 { "" } else { "es" }
                ));
            }
            if let Some(p) = self.engine.bug_probability(Rev(i)) {
                line.push_str(&format!(", P(bug) {p:.3}"));
            }
            self.out(probe, &line)?;
        }
        if let Some(v) = self.blocks.verdicts.remove(&probe) {
            self.out(probe, &v)?;
        }
        let Some(lines) = self.blocks.held.remove(&probe) else {
            return Ok(());
        };
        let tag = self
            .blocks
            .job_of
            .get(&probe)
            .map(|n| format!("[job {n}] "))
            .unwrap_or_default();
        for l in lines {
            // Multi-line entries (a blank line after a commit's subject) keep their shape.
            for part in l.split('\n') {
                if part.is_empty() {
                    self.log.line("")?;
                } else {
                    self.log.line(&format!("{tag}{part}"))?;
                }
            }
        }
        Ok(())
    }
}
