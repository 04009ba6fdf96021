//! The bisection state machine.
//!
//! Polling order, after [`Bisection::new`] and after every `handle_*` call: drain
//! [`Bisection::poll_probe`], then [`Bisection::poll_event`], then look at
//! [`Bisection::conclusion`]. The same inputs in the same order give the same outputs, so a
//! bisection resumes by replaying its recorded inputs.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

use crate::config::{Config, Mode};
use crate::dag::{Dag, Rev};
use crate::identify;
use crate::policy::{self, Policy};
use crate::probe::{
    Build, Conclusion, Event, Failure, Flags, Input, Outcome, Probe, ProbeId, Purpose, Verdict,
};
use crate::releases;
use crate::search::bayes::{BayesSearch, OUTSIDE_PRIOR, OUTSIDE_PRIOR_GUESSED};
use crate::search::verdicts::{self, Next, SyzbotState, VerdictSearch};
use crate::tally::{Tally, Target, crash_titles, learn_target};

/// Learned crash rate from which bayes schedules k-ary probes in whole rounds.
const WHOLE_ROUNDS_RATE: f64 = 0.9;

/// Errors in setting up a bisection.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SetupError {
    /// A commit index is outside the graph.
    #[error("commit {0} is not in the graph")]
    UnknownCommit(Rev),
    /// A good commit is also the bad one.
    #[error("the good commit {0} is the bad commit itself")]
    GoodIsBad(Rev),
    /// A good commit is not an ancestor of the bad one (cause) / the bad one is not an ancestor
    /// of the good one (fix).
    #[error("{good} is not an ancestor of {bad}: the range is not a line of history")]
    NotAncestor {
        /// The good commit.
        good: Rev,
        /// The bad commit.
        bad: Rev,
    },
    /// Fix bisection needs the newer, non-crashing commit.
    #[error("fix bisection needs a commit where the crash no longer happens (--good)")]
    FixNeedsGood,
    /// Nothing to bisect.
    #[error("no commit lies between the good and the bad commits")]
    EmptyRange,
    /// Cross-tree fix bisection needs exactly one merge base.
    #[error("expected 1 merge base, got {0}")]
    MergeBases(usize),
}

/// Errors in reporting a result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// The probe id was never handed out.
    #[error("unknown probe {0:?}")]
    UnknownProbe(ProbeId),
}

/// Counters of the work asked for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    /// Probes handed out.
    pub probes: u32,
    /// Distinct commits built (or asked to build).
    pub builds: u32,
    /// Run outcomes received.
    pub runs: u32,
    /// Probes that reached the runs (syzbot's "revisions tested").
    pub tested: u32,
}

#[derive(Debug)]
struct ProbeRec {
    probe: Probe,
    build: Option<Build>,
    outcomes: Vec<Outcome>,
    judged: bool,
}

#[derive(Debug)]
enum Phase {
    Repro,
    Releases {
        picked: Vec<Rev>,
        next: usize,
        last: Option<(Rev, Verdict)>,
    },
    Head,
    /// Cross-tree fix bisection: the merge base of the crashing and the fixed commit is tested.
    CrossBase,
    Search,
    Parent {
        culprit: Rev,
        confidence: f64,
    },
    Done,
}

/// Outcome of syzbot's bug-presence check.
#[derive(Debug)]
enum Presence {
    Test,
    Base(Rev),
    Pretend,
}

#[derive(Debug)]
enum Search {
    Verdicts(VerdictSearch),
    Bayes(Box<BayesSearch>),
}

/// One bisection. See the module documentation for the polling order.
#[derive(Debug)]
pub struct Bisection {
    dag: Arc<Dag>,
    cfg: Config,
    crashing: Rev,
    new: Rev,
    olds: Vec<Rev>,
    phase: Phase,
    probes: Vec<ProbeRec>,
    ready: VecDeque<Probe>,
    events: VecDeque<Event>,
    conclusion: Option<Conclusion>,
    target: Option<Target>,
    artifacts: HashMap<u32, String>,
    built: BTreeSet<u32>,
    syzbot: SyzbotState,
    search: Option<Search>,
    search_probes: u32,
    /// Distinct commits probed in the bisection proper (the budget counts these).
    search_revs: std::collections::HashSet<u32>,
    stats: Stats,
    target_given: bool,
    /// Search probes were started during the reproducibility check (bayes, several jobs).
    speculated: bool,
    /// Whether each tested commit crashed (`Bad`), did not (`Good`) or could not tell (`Skip`).
    crashed: HashMap<u32, Verdict>,
    /// bayes: a verification probe was handed out (at most one per bisection).
    verified: bool,
    /// bayes: the clean end could not be built or tested while identifying the crash.
    good_untestable: bool,
    /// bayes: titles bisected before and found older than the range.
    tried_titles: Vec<String>,
    /// `Event::Start` was emitted (a change of crash identity does not start again).
    started: bool,
    /// bayes: the verdict last announced per commit (`Event::Verdict` only on a change).
    said: HashMap<u32, Verdict>,
    /// bayes: the "revisions left" last announced (it never grows).
    left: Option<u64>,
    /// bayes: prior probability that the bisected crash is older than the range.
    outside_prior: f64,
}

impl Bisection {
    /// Sets up a bisection. In cause mode `bad` crashes and `goods` do not (may be empty: release
    /// tags are searched then). In fix mode `bad` is the old commit that crashes and `goods` the
    /// newer commits where it no longer does (exactly one is expected).
    pub fn new(
        dag: Arc<Dag>,
        bad: Rev,
        goods: &[Rev],
        cfg: Config,
    ) -> Result<Bisection, SetupError> {
        for &r in std::iter::once(&bad).chain(goods) {
            if !dag.contains(r) {
                return Err(SetupError::UnknownCommit(r));
            }
        }
        if let Some(&g) = goods.iter().find(|&&g| g == bad) {
            return Err(SetupError::GoodIsBad(g));
        }
        let (new, olds) = match cfg.mode {
            Mode::Cause => {
                for &g in goods {
                    if !dag.is_ancestor(g, bad) {
                        return Err(SetupError::NotAncestor { good: g, bad });
                    }
                }
                (bad, goods.to_vec())
            }
            Mode::Fix => {
                let Some(&head) = goods.first() else {
                    return Err(SetupError::FixNeedsGood);
                };
                if cfg.cross_tree {
                    let bases = dag.merge_bases(bad, head);
                    if bases.len() != 1 {
                        return Err(SetupError::MergeBases(bases.len()));
                    }
                } else if !dag.is_ancestor(bad, head) {
                    return Err(SetupError::NotAncestor { good: head, bad });
                }
                (head, vec![bad])
            }
        };
        let mut b = Bisection {
            dag,
            crashing: bad,
            new,
            olds,
            phase: Phase::Repro,
            probes: Vec::new(),
            ready: VecDeque::new(),
            events: VecDeque::new(),
            conclusion: None,
            target: None,
            artifacts: HashMap::new(),
            built: BTreeSet::new(),
            syzbot: SyzbotState {
                flaky: false,
                repro_chance: 1.0,
                confidence: 1.0,
            },
            search: None,
            search_probes: 0,
            search_revs: std::collections::HashSet::new(),
            stats: Stats::default(),
            target_given: false,
            speculated: false,
            crashed: HashMap::new(),
            good_untestable: false,
            verified: false,
            tried_titles: Vec::new(),
            started: false,
            said: HashMap::new(),
            left: None,
            outside_prior: OUTSIDE_PRIOR,
            cfg,
        };
        if b.cfg.repro_check {
            let runs = b.repro_runs();
            b.issue(bad, runs, Purpose::ReproCheck);
        } else {
            b.after_repro();
        }
        Ok(b)
    }

    /// Same as [`Bisection::new`] with a known crash identity (the driver learned it elsewhere).
    pub fn with_target(
        dag: Arc<Dag>,
        bad: Rev,
        goods: &[Rev],
        cfg: Config,
        target: Target,
    ) -> Result<Bisection, SetupError> {
        let mut b = Bisection::new(dag, bad, goods, cfg)?;
        b.target = Some(target);
        b.target_given = true;
        Ok(b)
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// The history being bisected.
    pub fn dag(&self) -> &Dag {
        &self.dag
    }

    /// The crash identity being bisected, once learned.
    pub fn target(&self) -> Option<&Target> {
        self.target.as_ref()
    }

    /// Work counters so far.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// The next probe to run, if any.
    pub fn poll_probe(&mut self) -> Option<Probe> {
        if self.ready.is_empty() && self.conclusion.is_none() {
            self.schedule();
        }
        self.ready.pop_front()
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// How the bisection ended, once it has.
    pub fn conclusion(&self) -> Option<&Conclusion> {
        self.conclusion.as_ref()
    }

    /// Whether the engine may ask to test `rev` again: bayes comes back to a commit while its
    /// answer is unsettled (and to the ends); the other policies test a commit once.
    pub fn may_test_again(&self, rev: Rev) -> bool {
        if self.cfg.policy != Policy::Bayes {
            return false;
        }
        if rev == self.crashing || rev == self.new || self.olds.contains(&rev) {
            return true;
        }
        match &self.search {
            Some(Search::Bayes(b)) => b.unsettled(rev),
            // Before the search every commit tested (speculatively) may come back.
            _ => !matches!(self.phase, Phase::Done),
        }
    }

    /// Every run so far on `rev`.
    pub fn runs_of(&self, rev: Rev) -> Vec<Outcome> {
        self.outcomes_where(|p| p.probe.rev == rev)
    }

    /// Every run so far on `rev`, counted against the bisected crash.
    pub fn tally_of(&self, rev: Rev) -> Tally {
        let runs = self.outcomes_where(|p| p.probe.rev == rev);
        Tally::of(&runs, self.target.as_ref(), self.cfg.any_crash)
    }

    /// bayes: the probability that `rev` has the bug, by the posterior (`None` with the other
    /// policies, or before the search).
    pub fn bug_probability(&self, rev: Rev) -> Option<f64> {
        match &self.search {
            Some(Search::Bayes(b)) => Some(b.presence(rev)),
            _ => None,
        }
    }

    /// Probes handed out and not judged yet.
    pub fn in_flight(&self) -> Vec<ProbeId> {
        self.probes
            .iter()
            .filter(|p| !p.judged)
            .map(|p| p.probe.id)
            .collect()
    }

    /// Takes one input: a build or a run of a probe (see [`Input`]).
    pub fn handle(&mut self, input: Input) -> Result<(), InputError> {
        match input {
            Input::Build { probe, build } => self.handle_build(probe, build),
            Input::Run { probe, outcome } => self.handle_run(probe, outcome),
        }
    }

    /// Reports the build of a probe's commit.
    pub fn handle_build(&mut self, id: ProbeId, build: Build) -> Result<(), InputError> {
        let rec = self
            .probes
            .get_mut(id.0 as usize)
            .ok_or(InputError::UnknownProbe(id))?;
        let rev = rec.probe.rev;
        if let Build::Built { artifact } = &build {
            self.built.insert(rev.0);
            if let Some(a) = artifact {
                self.artifacts.insert(rev.0, a.clone());
            }
        }
        let failed = matches!(build, Build::Failed { .. });
        rec.build = Some(build);
        if failed || rec.probe.runs == 0 {
            self.judge(id);
        }
        Ok(())
    }

    /// Reports one run of a probe. Runs may arrive in any order and after the probe was judged.
    pub fn handle_run(&mut self, id: ProbeId, outcome: Outcome) -> Result<(), InputError> {
        let rec = self
            .probes
            .get_mut(id.0 as usize)
            .ok_or(InputError::UnknownProbe(id))?;
        self.stats.runs += 1;
        if rec.outcomes.is_empty() {
            self.stats.tested += 1;
        }
        rec.outcomes.push(outcome.clone());
        let (rev, judged, done) = (
            rec.probe.rev,
            rec.judged,
            rec.outcomes.len() as u32 >= rec.probe.runs,
        );
        if judged {
            // A late run: it still counts as evidence where the policy can use it (the search
            // is rebuilt from every run when it starts again).
            if let (Phase::Search, Some(Search::Bayes(b)), Some(t)) =
                (&self.phase, &mut self.search, &self.target)
            {
                let hit = t.matches(&outcome, self.cfg.any_crash);
                let clean = outcome == Outcome::Ok;
                if hit || clean {
                    b.add(&self.dag, rev, u32::from(hit), u32::from(clean));
                    b.update(&self.dag);
                    self.check_bayes_done();
                }
            }
            return Ok(());
        }
        let early = self.cfg.policy == Policy::Bayes
            && matches!(self.phase, Phase::Search)
            && self
                .target
                .as_ref()
                .is_some_and(|t| t.matches(&outcome, self.cfg.any_crash));
        if early && !done {
            self.events.push_back(Event::Stop { probe: id });
        }
        if done || early {
            self.judge(id);
        }
        Ok(())
    }

    fn repro_runs(&self) -> u32 {
        match self.cfg.policy {
            Policy::Git => self.cfg.runs.max(1),
            Policy::Syzbot => policy::syzbot::FIRST_RUNS,
            // Half a batch of VMs per round, enough to see the crash a few times in a round or
            // two: the identification asks for three sightings and the runs teach the search
            // its first crash rate.
            Policy::Bayes => {
                let runs = self.cfg.runs.max(1);
                (self.cfg.vms.clamp(1, runs) / 2)
                    .max(identify::MIN_SIGHTINGS)
                    .min(runs)
            }
        }
    }

    /// Runs on a release tag. bayes takes the release as the good end when all runs are clean, so
    /// it runs enough that a release with the bug would have crashed at least once but for a
    /// chance of [`RELEASE_MISS_SHARE`] of the error the target allows, with the crash rate integrated out over the Beta posterior of
    /// the runs on the crashing commit(s) (a deterministic crash needs 3 runs, a 30% one about
    /// 20); rounded up to whole batches of VMs, at most `runs`. The other policies run `runs`.
    fn release_runs(&self) -> u32 {
        if self.cfg.policy != Policy::Bayes {
            return self.test_runs();
        }
        let all: Vec<Outcome> = self
            .probes
            .iter()
            .filter(|p| p.probe.rev == self.crashing || p.probe.rev == self.new)
            .flat_map(|p| p.outcomes.iter().cloned())
            .collect();
        let t = Tally::of(&all, self.target.as_ref(), self.cfg.any_crash);
        let cap = self.cfg.runs.max(1);
        let miss = (1.0 - self.cfg.target).clamp(1e-6, 0.5) * RELEASE_MISS_SHARE;
        let n = runs_to_trust_clean(t.target, t.ok, miss, cap);
        let batch = self.cfg.vms.clamp(1, cap);
        n.div_ceil(batch).saturating_mul(batch).min(cap)
    }

    fn test_runs(&self) -> u32 {
        match self.cfg.policy {
            Policy::Syzbot if self.syzbot.flaky => policy::syzbot::FLAKY_RUNS,
            _ => self.cfg.runs.max(1),
        }
    }

    fn issue(&mut self, rev: Rev, runs: u32, purpose: Purpose) -> ProbeId {
        let id = ProbeId(self.probes.len() as u32);
        let probe = Probe {
            id,
            rev,
            runs,
            purpose,
        };
        self.stats.probes += 1;
        let seen = self.probes.iter().any(|p| p.probe.rev == rev);
        if !(self.cfg.builds_cached && seen) {
            self.stats.builds += 1;
        }
        self.probes.push(ProbeRec {
            probe: probe.clone(),
            build: None,
            outcomes: Vec::new(),
            judged: false,
        });
        self.ready.push_back(probe);
        id
    }

    fn busy(&self) -> Vec<Rev> {
        self.probes
            .iter()
            .filter(|p| !p.judged)
            .map(|p| p.probe.rev)
            .collect()
    }

    fn finish(&mut self, c: Conclusion) {
        self.phase = Phase::Done;
        self.conclusion = Some(c);
        // Nothing still running can change the result (speculative probes, for one).
        for i in 0..self.probes.len() {
            if !self.probes[i].judged {
                self.probes[i].judged = true;
                self.events.push_back(Event::Stop {
                    probe: self.probes[i].probe.id,
                });
            }
        }
    }

    /// Hands out new probes when the phase allows.
    fn schedule(&mut self) {
        if matches!(self.phase, Phase::Repro) {
            self.speculate();
            return;
        }
        if !matches!(self.phase, Phase::Search) {
            return;
        }
        let busy = self.busy();
        match &mut self.search {
            Some(Search::Verdicts(_)) if self.cfg.policy == Policy::Git && self.cfg.jobs > 1 => {
                self.schedule_verdicts_kary(busy);
            }
            Some(Search::Verdicts(_)) => {
                if !busy.is_empty() {
                    return;
                }
                self.schedule_verdicts();
            }
            Some(Search::Bayes(_)) => self.schedule_bayes(busy),
            None => {}
        }
    }

    /// Speculation while bayes checks that the crash reproduces: the other job slots start the
    /// search at once (cutting the range in equal parts by git's weights) instead of waiting a
    /// whole build for the check. Their runs become evidence when the search starts; if the
    /// crash does not reproduce they are stopped. Cause bisection with `--good` only (a release
    /// search or a fix bisection tests other things first).
    fn speculate(&mut self) {
        if self.speculated
            || self.cfg.policy != Policy::Bayes
            || self.cfg.jobs < 2
            || self.cfg.mode != Mode::Cause
            || self.olds.is_empty()
        {
            return;
        }
        self.speculated = true;
        let free = (self.cfg.jobs as usize).saturating_sub(self.busy().len());
        let batch = VerdictSearch::new(self.new, self.olds.clone()).next_batch(&self.dag, free);
        let runs = self.cfg.runs.clamp(1, 5);
        for next in batch {
            if let Next::Test { rev, left, steps } = next {
                self.left = Some(self.left.map_or(left, |l| l.min(left)));
                self.issue(rev, runs, Purpose::Step { left, steps });
            }
        }
    }

    /// A job left idle at the end of a bisection (nothing else worth testing while another
    /// probe runs) checks, once, the widest untested stretch of first-parent history on either
    /// side of the likely culprit: its middle commit must show the change (above it) or not
    /// (below it). Otherwise the history is not monotone (`Flags::non_monotone`): the bug came
    /// in, went away and came back. It costs a build, in a job that would have waited.
    fn verify(&mut self, busy: &[Rev]) -> Option<Rev> {
        let Some(Search::Bayes(b)) = &mut self.search else {
            return None;
        };
        if self.verified {
            return None;
        }
        // Once the answer is a handful of commits (the last rounds of a search).
        let s = b.summary(self.cfg.target);
        if s.best.1 < 0.25 && s.cover_size > VERIFY_WHEN_LEFT {
            return None;
        }
        let culprit = s.best.0;
        let rev = self
            .widest_untested(culprit)
            .filter(|r| !busy.contains(r))?;
        self.verified = true;
        let runs = self.repro_runs();
        self.search_revs.insert(rev.0);
        self.issue(rev, runs, Purpose::Verify);
        Some(rev)
    }

    /// A free job when nothing else is worth testing: more runs of the most informative commit
    /// even if another job runs it already (its own build, runs at the same time), so every
    /// job serves the question that is left at the end.
    fn help_busy(&mut self, busy: &[Rev]) {
        let Some(Search::Bayes(b)) = &mut self.search else {
            return;
        };
        let Some(choice) = b.choose(&self.cfg, &[], &self.built, 1) else {
            return;
        };
        if !busy.contains(&choice.rev) || !b.is_candidate(choice.rev) {
            return;
        }
        let left = self.left.unwrap_or(0);
        self.search_probes += 1;
        self.issue(
            choice.rev,
            choice.runs,
            Purpose::Step {
                left,
                steps: crate::midpoint::estimate_steps(left as usize + 1),
            },
        );
    }

    /// The middle of the longest run of untested commits on the first-parent line from the
    /// newer end down to the older one, above or below `culprit` (not across it).
    fn widest_untested(&self, culprit: Rev) -> Option<Rev> {
        let tested: std::collections::HashSet<u32> =
            self.probes.iter().map(|p| p.probe.rev.0).collect();
        // The candidates on the line, newest first (the ends are not candidates).
        let mut chain = Vec::new();
        let mut c = self.new;
        while let Some(&p) = self.dag.parents(c).first() {
            c = Rev(p);
            if self.olds.contains(&c) || chain.len() > self.dag.len() {
                break;
            }
            chain.push(c);
        }
        let (mut best, mut i) = (None::<(usize, usize)>, 0);
        while i < chain.len() {
            let start = i;
            while i < chain.len() && !tested.contains(&chain[i].0) && chain[i] != culprit {
                i += 1;
            }
            let len = i - start;
            if len > 0 && best.is_none_or(|(_, l)| len > l) {
                best = Some((start, len));
            }
            i += 1;
        }
        let (start, len) = best?;
        (len >= 2).then(|| chain[start + len / 2])
    }

    /// Whether the bisection proper has used its budget: `max_probes` distinct commits, or 20
    /// times as many probes (more runs on a commit already built are cheap, not free).
    fn budget_spent(&self) -> bool {
        self.search_revs.len() as u32 >= self.cfg.max_probes
            || self.search_probes >= self.cfg.max_probes.saturating_mul(20)
    }

    /// Fills the free job slots with the bayes search's best probes; concludes when nothing is
    /// worth testing and nothing is running.
    fn schedule_bayes(&mut self, mut busy: Vec<Rev>) {
        // The answer is reached and waits for the verification probe only.
        if let Some(Search::Bayes(b)) = &mut self.search
            && b.summary(self.cfg.target).best.1 >= self.cfg.target
            && !busy.is_empty()
        {
            return;
        }
        // A reproducer that (nearly) always crashes makes probes of even length: whole rounds
        // then cut more per unit of time than filling each slot as it frees (see
        // `schedule_verdicts_kary`). A flaky one makes them uneven (a crash stops a probe early)
        // and a free slot is better used at once.
        if !busy.is_empty()
            && let Some(Search::Bayes(b)) = &self.search
            && b.crash_rate() >= WHOLE_ROUNDS_RATE
        {
            return;
        }
        let jobs = self.cfg.jobs.max(1) as usize;
        while busy.len() < jobs && !self.budget_spent() {
            // The last free job of the last rounds verifies the history next to the answer.
            if busy.len() + 1 == jobs
                && !busy.is_empty()
                && let Some(rev) = self.verify(&busy)
            {
                busy.push(rev);
                continue;
            }
            let Some(Search::Bayes(b)) = &mut self.search else {
                return;
            };
            let free = jobs - busy.len();
            let Some(choice) = b.choose(&self.cfg, &busy, &self.built, free) else {
                break;
            };
            let cover = b.summary(self.cfg.target).cover_size;
            let purpose = if b.is_candidate(choice.rev) {
                // The covering set may widen when runs contradict each other; the count
                // announced does not (git's never grows either).
                let left = self
                    .left
                    .map_or(cover.saturating_sub(1), |l| l.min(cover.saturating_sub(1)));
                self.left = Some(left);
                Purpose::Step {
                    left,
                    steps: crate::midpoint::estimate_steps(left as usize + 1),
                }
            } else {
                Purpose::GoodEnd
            };
            busy.push(choice.rev);
            self.search_probes += 1;
            self.search_revs.insert(choice.rev.0);
            self.issue(choice.rev, choice.runs, purpose);
        }
        if !busy.is_empty() {
            if busy.len() < jobs && self.verify(&busy).is_none() {
                self.help_busy(&busy);
            }
            return;
        }
        let Some(Search::Bayes(b)) = &mut self.search else {
            return;
        };
        let s = b.summary(self.cfg.target);
        if s.best.1 >= self.cfg.target {
            self.found(s.best.0, s.best.1);
        } else if s.outside >= self.cfg.target {
            self.found_outside();
        } else {
            self.finish(Conclusion::Inconclusive {
                candidates: s.cover.0,
                confidence: self.claimed(s.cover.1),
            });
        }
    }

    /// k-ary steps of the git policy: fill the free job slots with commits that cut what is left
    /// (given the commits still being tested) into equal parts; conclude when nothing is left to
    /// test and nothing is running.
    fn schedule_verdicts_kary(&mut self, busy: Vec<Rev>) {
        // Whole rounds: a slot that frees while another probe is still useful waits for it.
        // Probes of similar length finishing together cut what is left in K+1 parts per
        // round; filling each slot as it frees drifts into a staggered pipeline that cuts less
        // (the golden ratio per half round instead of 3 per round with two slots).
        if !busy.is_empty() {
            return;
        }
        let jobs = self.cfg.jobs.max(1) as usize;
        let Some(Search::Verdicts(s)) = &self.search else {
            return;
        };
        let batch = s.next_batch(&self.dag, jobs);
        for next in batch {
            match next {
                Next::Test { rev, left, steps } => {
                    let runs = self.test_runs();
                    self.issue(rev, runs, Purpose::Step { left, steps });
                }
                Next::Found(rev) => {
                    self.found(rev, 1.0);
                    return;
                }
                Next::OnlySkipped(revs) => {
                    let confidence = self.claimed(self.syzbot.confidence);
                    self.finish(Conclusion::Inconclusive {
                        candidates: revs,
                        confidence,
                    });
                    return;
                }
            }
        }
    }

    /// Probes of a k-ary verdict search that the last verdict made useless (their commit is no
    /// longer a candidate) are stopped: their slots go to better probes at once.
    fn stop_stale_verdict_probes(&mut self) {
        let Some(Search::Verdicts(s)) = &self.search else {
            return;
        };
        let cands = s.candidates(&self.dag);
        let new = s.new;
        let stale: Vec<usize> = self
            .probes
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                !p.judged
                    && matches!(p.probe.purpose, Purpose::Step { .. })
                    && (p.probe.rev == new || !cands.contains(p.probe.rev))
            })
            .map(|(i, _)| i)
            .collect();
        for i in stale {
            self.probes[i].judged = true;
            self.events.push_back(Event::Stop {
                probe: self.probes[i].probe.id,
            });
        }
    }

    /// Next step of a verdict search (git, syzbot), including syzbot's check, in fix
    /// bisection, that a commit can have the bug at all before testing it.
    fn schedule_verdicts(&mut self) {
        loop {
            let Some(Search::Verdicts(s)) = &self.search else {
                return;
            };
            match s.next(&self.dag) {
                Next::Test { rev, left, steps } => {
                    if self.cfg.policy == Policy::Syzbot && self.cfg.mode == Mode::Fix {
                        self.events.push_back(Event::Note(
                            "determine whether the revision contains the guilty commit".into(),
                        ));
                        match self.presence(rev) {
                            Presence::Test => {}
                            Presence::Base(base) => {
                                let runs = self.test_runs();
                                self.issue(base, runs, Purpose::MergeBase);
                                return;
                            }
                            Presence::Pretend => {
                                self.events.push_back(Event::Note(
                                    "the bug was not introduced yet; pretend that kernel crashed"
                                        .into(),
                                ));
                                // A crash in fix bisection is git's "good" (the old side).
                                if let Some(Search::Verdicts(s)) = &mut self.search {
                                    s.apply(rev, Verdict::Good);
                                }
                                self.events.push_back(Event::Verdict {
                                    probe: None,
                                    rev,
                                    verdict: Verdict::Good,
                                });
                                continue;
                            }
                        }
                    }
                    let runs = self.test_runs();
                    self.issue(rev, runs, Purpose::Step { left, steps });
                    return;
                }
                Next::Found(rev) => {
                    let confidence = match self.cfg.policy {
                        Policy::Syzbot => self.syzbot.confidence,
                        _ => 1.0,
                    };
                    self.found(rev, confidence);
                    return;
                }
                Next::OnlySkipped(revs) => {
                    let confidence = self.claimed(self.syzbot.confidence);
                    self.finish(Conclusion::Inconclusive {
                        candidates: revs,
                        confidence,
                    });
                    return;
                }
            }
        }
    }

    /// syzbot's bug-presence check (issue #4117): test `rev` when a tested commit below it
    /// crashed, or when a merge base with the crashing commit crashes; test an untested merge
    /// base first; otherwise the bug cannot be in `rev` yet and it is taken as crashing.
    fn presence(&self, rev: Rev) -> Presence {
        let reachable_crash = self
            .crashed
            .iter()
            .any(|(&c, &v)| v == Verdict::Bad && self.dag.is_ancestor(Rev(c), rev));
        if reachable_crash {
            return Presence::Test;
        }
        for base in self.dag.merge_bases(rev, self.crashing) {
            match self.crashed.get(&base.0) {
                None => return Presence::Base(base),
                Some(Verdict::Bad) => return Presence::Test,
                Some(_) => {}
            }
        }
        // syzbot meant to skip the commit when every base was skipped, but its code takes the
        // "pretend crashed" path then as well; so do we.
        Presence::Pretend
    }

    fn set_target(&mut self, target: Option<Target>) {
        self.target = target.map(|mut t| {
            t.ignore_transient = self.cfg.policy == Policy::Syzbot;
            t
        });
    }

    /// Judges a finished probe according to the phase.
    fn judge(&mut self, id: ProbeId) {
        let idx = id.0 as usize;
        if self.probes[idx].judged {
            return;
        }
        self.probes[idx].judged = true;
        let rev = self.probes[idx].probe.rev;
        let purpose = self.probes[idx].probe.purpose.clone();
        let build_failed = matches!(self.probes[idx].build, Some(Build::Failed { .. }));
        if matches!(purpose, Purpose::ReproCheck)
            && !self.target_given
            && self.cfg.policy != Policy::Bayes
        {
            // Learned from every run on the crashing commit so far.
            let outcomes: Vec<Outcome> = self
                .probes
                .iter()
                .filter(|p| p.probe.rev == rev)
                .flat_map(|p| p.outcomes.iter().cloned())
                .collect();
            self.set_target(learn_target(&outcomes));
        }
        let tally = Tally::of(
            &self.probes[idx].outcomes,
            self.target.as_ref(),
            self.cfg.any_crash,
        );
        if !matches!(purpose, Purpose::ParentBuild)
            && let Some(v) = self.crash_verdict(build_failed, &tally)
        {
            self.crashed.insert(rev.0, v);
        }
        match purpose {
            Purpose::GoodEnd if matches!(self.phase, Phase::Search) => {
                self.judge_evidence(rev, build_failed, tally);
            }
            Purpose::ReproCheck => self.judge_repro(rev, build_failed, tally),
            Purpose::Release => self.judge_release(id, rev, build_failed, tally),
            Purpose::Head => {
                // HEAD still crashing, or not testable: no fix to find now (syzbot retries later).
                match self.crash_verdict(build_failed, &tally) {
                    Some(Verdict::Good) => self.start_search(),
                    Some(_) => self.finish(Conclusion::Horizon { rev }),
                    None => self.finish(Conclusion::Failed(Failure::Infra)),
                }
            }
            Purpose::Step { .. } | Purpose::Verify => self.judge_step(id, rev, build_failed, tally),
            Purpose::MergeBase if matches!(self.phase, Phase::CrossBase) => {
                match self.crash_verdict(build_failed, &tally) {
                    Some(Verdict::Bad) => {
                        // The merge base crashes: bisect from it to the fixed commit.
                        self.olds = vec![rev];
                        self.crashing = rev;
                        self.after_repro();
                    }
                    Some(_) => {
                        self.events.push_back(Event::Note(
                            "reproducer does not crash the merge base, so there's no known bad commit"
                                .into(),
                        ));
                        self.finish(Conclusion::Horizon { rev });
                    }
                    None => self.finish(Conclusion::Failed(Failure::Infra)),
                }
            }
            Purpose::MergeBase => match self.crash_verdict(build_failed, &tally) {
                Some(v) => {
                    self.crashed.insert(rev.0, v);
                }
                None => self.finish(Conclusion::Failed(Failure::Infra)),
            },
            Purpose::ParentBuild => self.judge_parent(rev),
            Purpose::GoodEnd => {
                // While the crash is being identified: which crashes are new in the range.
                let untestable =
                    build_failed || (tally.target == 0 && tally.other == 0 && tally.ok == 0);
                self.good_untestable |= untestable;
                if matches!(self.phase, Phase::Repro) {
                    self.identify_step();
                }
            }
        }
    }

    /// Verdict on "does this commit crash": `Bad` = crashes, `Good` = does not, `None` = abort
    /// for infrastructure errors.
    fn crash_verdict(&self, build_failed: bool, t: &Tally) -> Option<Verdict> {
        if build_failed {
            return Some(Verdict::Skip);
        }
        self.cfg.policy.verdict(t, self.syzbot.flaky)
    }

    fn judge_repro(&mut self, rev: Rev, build_failed: bool, t: Tally) {
        if build_failed {
            self.finish(Conclusion::Failed(Failure::Untestable));
            return;
        }
        if self.cfg.policy == Policy::Bayes {
            self.identify_step();
            return;
        }
        let all = self.outcomes_where(|p| p.probe.rev == rev);
        if self.target.is_none() && all.iter().any(|o| matches!(o, Outcome::Crash { .. })) {
            // Not clear from the title counts: take the most frequent title.
            self.set_target(crash_titles(&all).into_iter().next().map(|(t, _)| t));
        }
        self.repro_verdict(&all, t);
    }

    /// Every run so far of the probes that `keep` selects.
    fn outcomes_where(&self, keep: impl Fn(&ProbeRec) -> bool) -> Vec<Outcome> {
        self.probes
            .iter()
            .filter(|p| keep(p))
            .flat_map(|p| p.outcomes.iter().cloned())
            .collect()
    }

    /// bayes: the end assumed clean, when it may be run (a known good commit in cause
    /// bisection, the fixed head in fix bisection; not across trees).
    fn good_end(&self) -> Option<Rev> {
        if self.good_untestable || self.cfg.cross_tree {
            return None;
        }
        match self.cfg.mode {
            Mode::Cause => self.olds.first().copied(),
            Mode::Fix => Some(self.new),
        }
    }

    /// bayes: the next step of learning which crash is bisected (see [`identify`]), then the
    /// verdict on the crashing commit.
    fn identify_step(&mut self) {
        let crashing = self.crashing;
        let bad = self.outcomes_where(|p| p.probe.rev == crashing);
        if !bad
            .iter()
            .any(|o| matches!(o, Outcome::Ok | Outcome::Crash { .. }))
        {
            // No run tested anything (a kernel that does not boot, exit 125, infrastructure):
            // more rounds will not tell which crash it is; the verdict says why.
            let total = Tally::of(&bad, self.target.as_ref(), self.cfg.any_crash);
            self.repro_verdict(&bad, total);
            return;
        }
        let good = self.outcomes_where(|p| p.probe.purpose == Purpose::GoodEnd);
        let next = match &self.target {
            Some(t) if self.target_given => {
                let seen = Tally::of(&bad, Some(t), self.cfg.any_crash).target;
                let most = if seen == 0 {
                    identify::MAX_SILENT_RUNS
                } else {
                    identify::MAX_BAD_RUNS
                };
                if seen < 2 && bad.len() < most {
                    identify::Next::MoreBad
                } else {
                    identify::Next::Done(Some(t.clone()))
                }
            }
            _ => identify::next(identify::Seen {
                bad: &bad,
                good: &good,
                can_test_good: self.good_end().is_some(),
                tried: &self.tried_titles,
            }),
        };
        let runs = self.repro_runs();
        match (next, self.good_end()) {
            (identify::Next::MoreGood, Some(end)) => {
                self.issue(end, runs, Purpose::GoodEnd);
            }
            (identify::Next::MoreBad, _) | (identify::Next::MoreGood, None) => {
                self.issue(crashing, runs, Purpose::ReproCheck);
            }
            (identify::Next::Done(None), _) if !self.tried_titles.is_empty() => {
                // The crash that shows is older than the range, and no other one shows.
                let rev = self.outside_end();
                self.finish(Conclusion::Horizon { rev });
            }
            (identify::Next::Done(target), _) => {
                if !self.target_given {
                    self.set_target(target);
                }
                let total = Tally::of(&bad, self.target.as_ref(), self.cfg.any_crash);
                self.repro_verdict(&bad, total);
            }
            (identify::Next::Guess(target), _) => {
                self.outside_prior = OUTSIDE_PRIOR_GUESSED;
                self.set_target(Some(target));
                let total = Tally::of(&bad, self.target.as_ref(), self.cfg.any_crash);
                self.repro_verdict(&bad, total);
            }
        }
    }

    /// The verdict on the crashing commit, from all its runs (`all`) and the tally that decides
    /// (syzbot and git judge the last round alone).
    fn repro_verdict(&mut self, all: &[Outcome], t: Tally) {
        let total = Tally::of(all, self.target.as_ref(), self.cfg.any_crash);
        if total.target == 0 && total.other == 0 && total.ok == 0 && total.skip > 0 {
            // No run tested anything (exit 125, a kernel that does not boot): the crashing end
            // is untestable, which is not the same as "did not crash".
            self.finish(Conclusion::Failed(Failure::Untestable));
            return;
        }
        match self.crash_verdict(false, &t) {
            None => self.finish(Conclusion::Failed(Failure::Infra)),
            Some(Verdict::Bad) => {
                let ratio = verdicts::bad_ratio(&total);
                self.syzbot.repro_chance = ratio;
                if ratio < 0.5 {
                    self.syzbot.flaky = true;
                }
                self.after_repro();
            }
            Some(Verdict::Skip) if self.cfg.policy == Policy::Bayes && total.target > 0 => {
                self.after_repro();
            }
            Some(_) => self.finish(Conclusion::NotReproduced),
        }
    }

    /// bayes, during the search: runs on the clean end (is the crash older than the range?)
    /// are evidence like any other.
    fn judge_evidence(&mut self, rev: Rev, build_failed: bool, t: Tally) {
        if let Some(Search::Bayes(b)) = &mut self.search {
            if build_failed || (t.target == 0 && t.other == 0 && t.ok == 0) {
                b.mark_untestable(rev);
            } else {
                b.add(&self.dag, rev, t.target, t.ok);
                b.update(&self.dag);
            }
        }
        self.check_bayes_done();
    }

    fn after_repro(&mut self) {
        if self.cfg.mode == Mode::Fix
            && self.cfg.cross_tree
            && !matches!(self.phase, Phase::CrossBase)
            && let Some(&base) = self.dag.merge_bases(self.crashing, self.new).first()
        {
            self.phase = Phase::CrossBase;
            let runs = self.test_runs();
            self.issue(base, runs, Purpose::MergeBase);
            return;
        }
        match self.cfg.mode {
            Mode::Cause if self.olds.is_empty() => {
                let tags = releases::reachable(&self.dag, self.crashing);
                let picked: Vec<Rev> = releases::pick(&tags).into_iter().map(|(r, _)| r).collect();
                if picked.is_empty() {
                    self.finish(Conclusion::Failed(Failure::NoReleases));
                    return;
                }
                self.events.push_back(Event::Releases {
                    picked: picked.clone(),
                    total: tags.len(),
                });
                let first = picked[0];
                self.phase = Phase::Releases {
                    picked,
                    next: 1,
                    last: None,
                };
                let runs = self.release_runs();
                self.issue(first, runs, Purpose::Release);
            }
            Mode::Fix if self.cfg.policy == Policy::Syzbot => {
                self.phase = Phase::Head;
                let runs = self.test_runs();
                self.issue(self.new, runs, Purpose::Head);
            }
            _ => self.start_search(),
        }
    }

    fn judge_release(&mut self, id: ProbeId, rev: Rev, build_failed: bool, t: Tally) {
        let v = match self.crash_verdict(build_failed, &t) {
            None => {
                self.finish(Conclusion::Failed(Failure::Infra));
                return;
            }
            Some(v) => v,
        };
        self.events.push_back(Event::Verdict {
            probe: Some(id),
            rev,
            verdict: v,
        });
        let Phase::Releases { picked, next, last } = &mut self.phase else {
            return;
        };
        *last = Some((rev, v));
        match v {
            Verdict::Good => {
                self.olds = vec![rev];
                self.start_search();
            }
            _ => {
                if v == Verdict::Bad {
                    self.new = rev;
                }
                if *next < picked.len() {
                    let r = picked[*next];
                    *next += 1;
                    let runs = self.release_runs();
                    self.issue(r, runs, Purpose::Release);
                } else if v == Verdict::Bad {
                    self.finish(Conclusion::Horizon { rev });
                } else {
                    self.finish(Conclusion::Failed(Failure::OldestReleaseBroken));
                }
            }
        }
    }

    fn start_search(&mut self) {
        self.phase = Phase::Search;
        if !self.started {
            self.started = true;
            self.events.push_back(Event::Start {
                new: self.new,
                olds: self.olds.clone(),
            });
        }
        let search = match self.cfg.policy {
            Policy::Git | Policy::Syzbot => {
                Search::Verdicts(VerdictSearch::new(self.new, self.olds.clone()))
            }
            Policy::Bayes => {
                let mut b = BayesSearch::new(&self.dag, self.new, &self.olds, self.cfg.mode)
                    .with_outside_prior(self.outside_prior, &self.dag);
                // Everything tested so far is evidence (the crashing end, releases).
                if let Some(t) = &self.target {
                    let mut per: HashMap<u32, (u32, u32)> = HashMap::new();
                    // Probes still running (speculative ones) count when they are judged.
                    for p in self.probes.iter().filter(|p| p.judged) {
                        let tl = Tally::of(&p.outcomes, Some(t), self.cfg.any_crash);
                        let e = per.entry(p.probe.rev.0).or_default();
                        e.0 += tl.target;
                        e.1 += tl.ok;
                    }
                    let mut revs: Vec<_> = per.into_iter().collect();
                    revs.sort();
                    for (r, (s, f)) in revs {
                        b.add(&self.dag, Rev(r), s, f);
                    }
                }
                b.update(&self.dag);
                Search::Bayes(Box::new(b))
            }
        };
        self.search = Some(search);
        if let Some(Search::Bayes(_)) = &self.search {
            self.check_bayes_done();
        }
    }

    fn judge_step(&mut self, id: ProbeId, rev: Rev, build_failed: bool, t: Tally) {
        if !matches!(self.phase, Phase::Search) {
            // A speculative probe finished before the search started: its runs become evidence
            // when it starts (`start_search`), whatever the crash turns out to be.
            return;
        }
        let crash = self.crash_verdict(build_failed, &t);
        let Some(crash) = crash else {
            self.finish(Conclusion::Failed(Failure::Infra));
            return;
        };
        // git's words: in fix bisection a crash means "old" (good).
        let words = |v: Verdict| match (self.cfg.mode, v) {
            (Mode::Fix, Verdict::Bad) => Verdict::Good,
            (Mode::Fix, Verdict::Good) => Verdict::Bad,
            (_, v) => v,
        };
        let verdict = words(crash);
        if self.cfg.policy == Policy::Bayes {
            // One line per commit when its verdict is first reached or changes, from all its
            // runs: more runs on a commit already judged say nothing new to git's words.
            let all = self.tally_of(rev);
            let cumulative = words(if all.target > 0 {
                Verdict::Bad
            } else if all.ok > 0 {
                Verdict::Good
            } else {
                Verdict::Skip
            });
            if self.said.insert(rev.0, cumulative) != Some(cumulative) {
                self.events.push_back(Event::Verdict {
                    probe: Some(id),
                    rev,
                    verdict: cumulative,
                });
            }
        } else {
            self.events.push_back(Event::Verdict {
                probe: Some(id),
                rev,
                verdict,
            });
        }
        match &mut self.search {
            Some(Search::Verdicts(s)) if self.cfg.policy == Policy::Git && self.cfg.jobs > 1 => {
                s.apply(rev, verdict);
                self.stop_stale_verdict_probes();
            }
            Some(Search::Verdicts(s)) => {
                s.apply(rev, verdict);
                if self.cfg.policy == Policy::Syzbot {
                    let ratio = verdicts::bad_ratio(&t);
                    match crash {
                        Verdict::Good => {
                            let miss = (1.0 - self.syzbot.repro_chance).powi(t.ok as i32);
                            self.syzbot.confidence *= 1.0 - miss;
                            self.events.push_back(Event::Note(format!(
                                "false negative chance: {miss:.3}"
                            )));
                        }
                        Verdict::Bad => {
                            let rc = self.syzbot.repro_chance;
                            self.syzbot.repro_chance = rc.min((rc + ratio) / 2.0);
                            if ratio < 0.5 {
                                self.syzbot.flaky = true;
                            }
                        }
                        Verdict::Skip => {}
                    }
                }
            }
            Some(Search::Bayes(b)) => {
                // A commit that did not build, or whose runs all failed to test it (boot
                // failures, exit 125) or all ended in another crash (it hides the bisected one),
                // is not proposed again.
                let hidden = t.target == 0 && t.ok == 0 && t.other > 0 && {
                    // Another crash on every run so far, five at least: a flaky unrelated
                    // crash does not make a commit untestable, one that always fires does.
                    let all = self
                        .probes
                        .iter()
                        .filter(|p| p.probe.rev == rev)
                        .flat_map(|p| p.outcomes.iter().cloned())
                        .collect::<Vec<_>>();
                    let all = Tally::of(&all, self.target.as_ref(), self.cfg.any_crash);
                    all.target == 0 && all.ok == 0 && all.other >= 5
                };
                if build_failed || (t.target == 0 && t.ok == 0 && t.skip > 0) || hidden {
                    b.mark_untestable(rev);
                } else {
                    b.add(&self.dag, rev, t.target, t.ok);
                    b.update(&self.dag);
                }
                self.check_bayes_done();
            }
            None => {}
        }
    }

    fn check_bayes_done(&mut self) {
        let Some(Search::Bayes(b)) = &mut self.search else {
            return;
        };
        let s = b.summary(self.cfg.target);
        if s.best.1 >= self.cfg.target {
            // Results still in flight are not needed any more, but for a verification of the
            // history next to the culprit: the answer waits for it (it may undo it).
            let ids: Vec<ProbeId> = self.in_flight();
            let mut verifying = false;
            for id in ids {
                let p = &mut self.probes[id.0 as usize];
                if p.probe.purpose == Purpose::Verify {
                    verifying = true;
                    continue;
                }
                p.judged = true;
                self.events.push_back(Event::Stop { probe: id });
            }
            if verifying {
                return;
            }
            self.found(s.best.0, s.best.1);
        } else if s.outside >= self.cfg.target {
            self.found_outside();
        } else if self.budget_spent() && self.busy().is_empty() {
            self.finish(Conclusion::Inconclusive {
                candidates: s.cover.0,
                confidence: self.claimed(s.cover.1),
            });
        }
    }

    /// bayes: the bisected crash shows on the clean end too, so it is older than the range.
    /// Another crash of the crashing commit that is new in the range (seen twice at least) is
    /// bisected instead, with every run so far as evidence; without one, the bisection ends
    /// there (cause: "the good commit already crashes"; fix: "not fixed").
    fn found_outside(&mut self) {
        for id in self.in_flight() {
            self.probes[id.0 as usize].judged = true;
            self.events.push_back(Event::Stop { probe: id });
        }
        let crashing = self.crashing;
        let ends: Vec<Rev> = match self.cfg.mode {
            Mode::Cause => self.olds.clone(),
            Mode::Fix => vec![self.new],
        };
        let bad = self.outcomes_where(|p| p.probe.rev == crashing);
        let good = self.outcomes_where(|p| ends.contains(&p.probe.rev));
        if let Some(old) = &self.target {
            self.tried_titles.push(old.title.clone());
        }
        let next = identify::fresh_titles(&bad, &good)
            .into_iter()
            .find(|(t, n)| *n >= 2 && !self.tried_titles.contains(&t.title));
        let old = self
            .target
            .as_ref()
            .map(|t| t.title.clone())
            .unwrap_or_default();
        if let Some((next, _)) = next {
            self.events.push_back(Event::Note(format!(
                "crash {old:?} also happens where the range starts: it is older; bisecting {:?} instead",
                next.title
            )));
            self.set_target(Some(next));
            self.outside_prior = OUTSIDE_PRIOR_GUESSED;
            self.start_search();
            return;
        }
        if !self.target_given && bad.len() < identify::MAX_SILENT_RUNS {
            // Another crash of the reproducer may be rarer: look for it on the crashing commit.
            self.events.push_back(Event::Note(format!(
                "crash {old:?} also happens where the range starts: it is older; looking for another crash"
            )));
            self.phase = Phase::Repro;
            let runs = self.repro_runs();
            self.issue(crashing, runs, Purpose::ReproCheck);
            return;
        }
        let rev = self.outside_end();
        self.finish(Conclusion::Horizon { rev });
    }

    /// The clean end that showed the bisected crash (cause bisection may have several good
    /// commits), or the first one.
    fn outside_end(&self) -> Rev {
        let ends: Vec<Rev> = match self.cfg.mode {
            Mode::Cause => self.olds.clone(),
            Mode::Fix => vec![self.new],
        };
        ends.iter()
            .copied()
            .find(|&e| {
                let runs = self.outcomes_where(|p| p.probe.rev == e);
                Tally::of(&runs, self.target.as_ref(), self.cfg.any_crash).target > 0
            })
            .or(ends.first().copied())
            .unwrap_or(self.crashing)
    }

    /// A single commit was found: check whether its artifact equals its parent's, then finish.
    fn found(&mut self, rev: Rev, confidence: f64) {
        let parents = self.dag.parents(rev);
        if parents.len() == 1 && self.artifacts.contains_key(&rev.0) {
            let parent = Rev(parents[0]);
            if !self.artifacts.contains_key(&parent.0) {
                self.events
                    .push_back(Event::Note(format!("parent commit {parent} wasn't tested")));
                self.phase = Phase::Parent {
                    culprit: rev,
                    confidence,
                };
                self.issue(parent, 0, Purpose::ParentBuild);
                return;
            }
        }
        self.conclude_culprit(rev, confidence);
    }

    fn judge_parent(&mut self, _parent: Rev) {
        if let Phase::Parent {
            culprit,
            confidence,
        } = self.phase
        {
            self.conclude_culprit(culprit, confidence);
        }
    }

    fn conclude_culprit(&mut self, rev: Rev, confidence: f64) {
        let parents = self.dag.parents(rev);
        let no_op = parents.len() == 1
            && matches!(
                (self.artifacts.get(&rev.0), self.artifacts.get(&parents[0])),
                (Some(a), Some(b)) if a == b
            );
        let flags = Flags {
            merge: parents.len() > 1,
            no_op,
            release: self.dag.release(rev).is_some_and(|r| r.sub.is_none()),
            non_monotone: self.contradiction(rev),
        };
        let confidence = self.claimed(confidence);
        self.finish(Conclusion::Culprit {
            rev,
            confidence,
            flags,
        });
    }

    /// A tested commit whose runs contradict `culprit` as the only change: in cause bisection,
    /// one that contains it and stayed clean for so many runs that a commit with the bug would
    /// almost surely have crashed, or one that lacks it and crashed; the reverse in fix
    /// bisection. Either says the history is not monotone (the bug came in, went away and came
    /// back, or another change brings the same crash): there is another "first bad" commit.
    /// Only runs already done are read.
    fn contradiction(&self, culprit: Rev) -> Option<Rev> {
        if self.cfg.policy == Policy::Git {
            return None;
        }
        let mut revs: Vec<u32> = self.probes.iter().map(|p| p.probe.rev.0).collect();
        revs.sort_unstable();
        revs.dedup();
        // The crash rate on the commits that showed the crash, shrunk toward 0 (two more runs
        // that did not crash): not the posterior's, which the contradiction drags down.
        let (mut crashes, mut runs) = (0, 2);
        for &r in &revs {
            let t = self.tally_of(Rev(r));
            if t.target > 0 {
                crashes += t.target;
                runs += t.target + t.ok;
            }
        }
        let rate = f64::from(crashes) / f64::from(runs);
        let mut found: Option<(u32, Rev)> = None;
        for r in revs.into_iter().map(Rev) {
            if r == culprit || r == self.crashing || r == self.new || self.olds.contains(&r) {
                continue;
            }
            let t = self.tally_of(r);
            let contains = self.dag.is_ancestor(culprit, r);
            let has_bug = contains == (self.cfg.mode == Mode::Cause);
            // Clean runs that a commit with the bug shows together with chance below 1%.
            let strong_clean =
                t.target == 0 && t.ok > 0 && (1.0 - rate).powi(t.ok as i32) < CONTRADICTION;
            let weight = if has_bug && strong_clean {
                t.ok
            } else if !has_bug && t.target > 0 {
                t.target * 100
            } else {
                continue;
            };
            if found.is_none_or(|(w, _)| weight > w) {
                found = Some((weight, r));
            }
        }
        found.map(|(_, r)| r)
    }

    /// The confidence a policy may claim: none with git's, which trusts one run per commit and
    /// the crashing end without checking that it reproduces (a flaky crash makes its answer
    /// wrong without a sign).
    fn claimed(&self, confidence: f64) -> Option<f64> {
        self.cfg.policy.rules().confidence.then_some(confidence)
    }
}

/// Commits left in the answer from which an idle job verifies the history next to it.
const VERIFY_WHEN_LEFT: u64 = 8;

/// How unlikely the runs of one commit must be under the named culprit to say the history is
/// not monotone.
const CONTRADICTION: f64 = 0.01;

/// Share of the error bayes allows (1 - target) that may come from a release with the bug
/// showing it in none of its runs (see `release_runs`): a release judged good wrongly puts the
/// culprit out of the search. Half: 0.5% at the default target of 0.99.
const RELEASE_MISS_SHARE: f64 = 0.5;

/// Smallest number of runs (at most `cap`) after which "all clean" on a commit that has the bug
/// has probability at most `miss`, given `crashed` target crashes and `clean` clean runs on the
/// crashing commit: E[(1 - r)^n] under r ~ Beta(1 + crashed, 1 + clean), which is the product
/// of (b + i) / (a + b + i) for i < n.
fn runs_to_trust_clean(crashed: u32, clean: u32, miss: f64, cap: u32) -> u32 {
    let (a, b) = (1.0 + f64::from(crashed), 1.0 + f64::from(clean));
    let mut p = 1.0;
    for n in 1..=cap {
        let i = f64::from(n - 1);
        p *= (b + i) / (a + b + i);
        if p <= miss {
            return n;
        }
    }
    cap
}
