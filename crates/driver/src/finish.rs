//! The end of a bisection: the result lines of the log and the summary (JSON).

use crate::{CommitSummary, CrashSummary, Flags, Recipients, TitleCount};
use culprit_engine::{Build, Conclusion, Mode, Outcome, Rev};
use culprit_git::CommitId;

use crate::state::Driver;
use crate::{Ending, Error, Summary, duration, kernel};

impl Driver<'_> {
    /// The result lines of the log and the summary, once the engine has concluded.
    pub(crate) fn finish(mut self) -> Result<Summary, Error> {
        let mut s = Summary {
            stats: self.stats.clone(),
            ..Summary::default()
        };
        let target_title = self.bisected_title();
        s.unrelated_crashes = self
            .seen
            .titles
            .iter()
            .filter(|(t, _)| target_title.as_deref() != Some(t.as_str()))
            .map(|(t, &c)| TitleCount {
                title: t.clone(),
                count: c,
            })
            .collect();
        let conclusion = self.engine.conclusion().cloned();
        match conclusion {
            Some(Conclusion::Culprit {
                rev,
                confidence,
                flags,
            }) => self.culprit_found(&mut s, rev, confidence, &flags, target_title)?,
            Some(Conclusion::Inconclusive {
                candidates,
                confidence,
            }) => {
                self.stats_line()?;
                let word = self.first_word();
                self.log.line(&format!(
                    "bisection is inconclusive, the first {word} commit could be any of:"
                ))?;
                for r in &candidates {
                    let c = self.commit(*r);
                    self.log.line(&c.to_hex())?;
                    s.candidates.push(c.to_hex());
                }
                s.result = Ending::Inconclusive;
                s.confidence = confidence;
                if let Some(t) = target_title {
                    s.crash = Some(CrashSummary {
                        title: t,
                        report: String::new(),
                    });
                }
            }
            Some(Conclusion::Horizon { rev }) => {
                self.stats_line()?;
                let c = self.commit(rev);
                let text = if self.mode == Mode::Fix {
                    "crash still not fixed or there were kernel test errors"
                } else {
                    "oldest tested release already had the bug or it had kernel test errors"
                };
                self.log.line(text)?;
                self.log.line(&format!("commit msg: {}", self.subject(c)))?;
                s.result = Ending::Inconclusive;
                s.error = Some(text.into());
                s.candidates = vec![];
            }
            Some(Conclusion::NotReproduced) => {
                self.stats_line()?;
                let text = "the crash wasn't reproduced on the original commit";
                self.log.line(text)?;
                s.result = Ending::NoRepro;
                s.error = Some(format!(
                    "{text}: the test never crashed on --bad; check the test command, or raise --runs if the crash is rare"
                ));
            }
            Some(Conclusion::Failed(f)) => {
                self.stats_line()?;
                self.log.line(&format!("error: {f}"))?;
                s.result = Ending::Error;
                s.error = Some(f.to_string());
            }
            None => {
                s.result = Ending::Error;
                s.error = Some("the bisection did not conclude".into());
            }
        }
        s.stats = self.stats.clone();
        if self.kernel {
            // Only the culprit's vmlinux is read again (the final report is written); the others
            // are tens to hundreds of MB each (copies, or links into the kernel cache).
            let culprit = (s.result == Ending::Culprit)
                .then(|| s.culprit.as_ref().map(|c| c.commit.clone()))
                .flatten();
            kernel::prune_vmlinux(self.store.dir(), culprit.as_deref());
        }
        Ok(s)
    }

    /// git's word for the side of the change: the first `bad` commit (cause), `good` (fix).
    fn first_word(&self) -> &'static str {
        if self.mode == Mode::Fix {
            "good"
        } else {
            "bad"
        }
    }

    /// A named culprit: its commit, flags, recipients and crash report, in the log and summary.
    fn culprit_found(
        &mut self,
        s: &mut Summary,
        rev: Rev,
        confidence: Option<f64>,
        flags: &culprit_engine::Flags,
        target_title: Option<String>,
    ) -> Result<(), Error> {
        let c = self.commit(rev);
        let info = self.repo.commit_info(c)?;
        let word = self.first_word();
        self.log
            .line(&format!("{} is the first bad commit", c.to_hex()))?;
        self.log.line(&self.repo.show_commit(c)?)?;
        if self.kernel {
            self.kernel_signatures(rev)?;
        }
        s.result = Ending::Culprit;
        s.confidence = confidence;
        s.candidates = vec![c.to_hex()];
        s.flags = Flags {
            no_op: flags.no_op,
            merge: flags.merge,
            release: flags.release,
            non_monotone: flags.non_monotone.map(|r| self.commit(r).to_hex()),
        };
        let mut r = culprit_git::recipients(&info.message, &info.author_email);
        if self.kernel {
            r = kernel::recipients(self.repo.git_dir(), &c.to_hex(), r);
        }
        s.recipients = Recipients {
            to: r.to.clone(),
            cc: r.cc.clone(),
        };
        s.culprit = Some(CommitSummary {
            commit: c.to_hex(),
            subject: info.subject.clone(),
            author: format!("{} <{}>", info.author_name, info.author_email),
            date: info.author_date.clone(),
        });
        self.stats_line()?;
        self.confidence_line(confidence)?;
        self.flag_lines(flags, s.flags.non_monotone.as_deref())?;
        self.log.line(&format!(
            "first {word} commit: {} {}",
            c.to_hex(),
            info.subject
        ))?;
        self.log
            .line(&format!("recipients (to): {}", quoted(&r.to)))?;
        self.log
            .line(&format!("recipients (cc): {}", quoted(&r.cc)))?;
        if let Some(t) = target_title {
            let report = self.culprit_report(rev, &t);
            if self.mode == Mode::Cause {
                self.log.line(&format!("crash: {t}\n{report}"))?;
            }
            s.crash = Some(CrashSummary { title: t, report });
        }
        Ok(())
    }

    /// `flags: [...]`, and what a non-monotone history means.
    fn flag_lines(
        &mut self,
        flags: &culprit_engine::Flags,
        non_monotone: Option<&str>,
    ) -> Result<(), Error> {
        let mut flags_text = Vec::new();
        if flags.merge {
            flags_text.push("merge");
        }
        if flags.no_op {
            flags_text.push("no-op");
        }
        if flags.release {
            flags_text.push("release");
        }
        if flags.non_monotone.is_some() {
            flags_text.push("non-monotone");
        }
        if !flags_text.is_empty() {
            self.log
                .line(&format!("flags: [{} commit]", flags_text.join(" ")))?;
        }
        if let Some(other) = non_monotone {
            let word = self.first_word();
            self.log.line(&format!(
                "the history is not monotone: the runs of {other} contradict this \
                 culprit as the only change (reverted and landed again?); another \
                 first {word} commit lies between the two"
            ))?;
        }
        Ok(())
    }

    /// The report from a run on the culprit (cause) or on the crashing end; a kernel's
    /// symbolized with the culprit's vmlinux.
    fn culprit_report(&self, rev: Rev, title: &str) -> String {
        let report = self
            .seen
            .reports
            .get(&(rev.0, title.to_string()))
            .cloned()
            .or_else(|| {
                self.seen
                    .reports
                    .iter()
                    .find(|((_, t), _)| t == title)
                    .map(|(_, r)| r.clone())
            })
            .unwrap_or_default();
        if self.kernel {
            kernel::final_report(self.store.dir(), &self.commit(rev).to_hex(), &report)
        } else {
            report
        }
    }

    /// Kernel mode, a culprit with one parent: `culprit signature:` and `parent  signature:` (two
    /// spaces, as syzbot prints them) when both kernels were built.
    fn kernel_signatures(&mut self, rev: Rev) -> Result<(), Error> {
        let parents = self.graph.parents_of(rev.0).to_vec();
        let [parent] = parents.as_slice() else {
            return Ok(());
        };
        let signature = |d: &Self, c: CommitId| -> Option<String> {
            let tree = d.repo.tree_id(c).ok()?;
            match d.seen.builds_by_tree.get(&tree)? {
                Build::Built { artifact } => artifact.clone(),
                Build::Failed { .. } => None,
            }
        };
        let culprit = signature(self, self.commit(rev));
        let parent = signature(self, self.graph.id(*parent));
        if let (Some(c), Some(p)) = (culprit, parent) {
            self.log.line(&format!("culprit signature: {c}"))?;
            self.log.line(&format!("parent  signature: {p}"))?;
        }
        Ok(())
    }

    /// The title of the crash bisected: the one learned on the crashing end, or with a policy
    /// that counts any crash (git) the crash seen on the culprit (else the most frequent one).
    fn bisected_title(&self) -> Option<String> {
        if let Some(t) = self.engine.target() {
            return Some(t.title.clone());
        }
        let on_culprit = match self.engine.conclusion() {
            Some(Conclusion::Culprit { rev, .. }) => {
                self.engine.runs_of(*rev).into_iter().find_map(|o| match o {
                    Outcome::Crash { title, .. } => Some(title),
                    _ => None,
                })
            }
            _ => None,
        };
        on_culprit.or_else(|| {
            self.seen
                .titles
                .iter()
                .max_by_key(|(t, n)| (**n, std::cmp::Reverse((*t).clone())))
                .map(|(t, _)| t.clone())
        })
    }

    /// `confidence: 0.993`, or why there is none.
    fn confidence_line(&mut self, confidence: Option<f64>) -> Result<(), Error> {
        match confidence {
            Some(c) => self.log.line(&format!("confidence: {c:.3}")),
            None => self.log.line(
                "confidence: none: --policy git trusts one run per commit and the crashing \
                 commit unchecked; a flaky crash makes its answer wrong without a sign \
                 (--policy bayes gives one)",
            ),
        }
        .map_err(Error::from)
    }

    pub(crate) fn stats_line(&mut self) -> Result<(), Error> {
        let st = &self.stats;
        let line = format!(
            "revisions tested: {}, total time: {} (build: {}, test: {})",
            st.revisions_tested,
            duration::go(st.wall_secs),
            duration::go(st.build_secs),
            duration::go(st.test_secs)
        );
        self.log.line(&line)?;
        Ok(())
    }
}

/// Go's `%q` of a string list: `["a" "b"]`.
fn quoted(v: &[String]) -> String {
    let inner: Vec<String> = v.iter().map(|s| format!("{s:?}")).collect();
    format!("[{}]", inner.join(" "))
}
