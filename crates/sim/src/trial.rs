//! One trial: the real engine against one world, on a simulated clock with `jobs` machines,
//! each building its probe and running it on `vms` VMs at a time.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap};
use std::sync::Arc;

use culprit_engine::{Bisection, Build, Conclusion, Config, Event, Mode, Policy, Probe, ProbeId};

use crate::world::{History, World};

/// Costs and parallelism of a trial.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Setup {
    /// Seconds per build.
    pub build_secs: f64,
    /// Seconds per run (a crash ends a run earlier).
    pub run_secs: f64,
    /// Runs of one probe executing at once.
    pub vms: u32,
    /// Machines: probes in flight at once where the policy allows several ([`Policy::jobs`]).
    pub jobs: u32,
    /// Posterior at which bayes names a culprit.
    pub target: f64,
}

/// What one trial cost and found.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TrialResult {
    /// Right: named the planted culprit alone (in a non-monotone world, either first bad
    /// commit), or ended inconclusive with a set holding it whose other members never build.
    pub correct: bool,
    /// Ended with several candidates.
    pub inconclusive: bool,
    /// Runs started.
    pub runs: u64,
    /// Builds done.
    pub builds: u64,
    /// Simulated wall-clock seconds.
    pub wall_s: f64,
    /// Confidence the policy reported: the named commit's, or for an inconclusive end the
    /// probability it gave that the culprit is in its set; 0 for any other end.
    pub confidence: f64,
    /// Named one commit (right or wrong).
    pub named: bool,
    /// The named commit came with the non-monotone flag (`flags.non_monotone`).
    pub non_monotone_flagged: bool,
}

#[derive(Debug)]
struct Job {
    probe: Probe,
    machine: usize,
    started: u32,
    delivered: u32,
    in_batch: u32,
    stopped: bool,
    freed: bool,
}

/// Engine configuration for `policy`: its defaults, the trial's costs, and as many probes in
/// flight as the policy allows on `setup.jobs` machines.
pub fn config(policy: Policy, setup: &Setup) -> Config {
    let mut cfg = Config::new(Mode::Cause, policy);
    cfg.vms = setup.vms.max(1);
    cfg.set_jobs(setup.jobs);
    cfg.set_times(setup.build_secs, setup.run_secs);
    cfg.target = setup.target;
    cfg
}

/// Runs one trial.
pub fn run(history: &Arc<History>, mut world: World, policy: Policy, setup: &Setup) -> TrialResult {
    let cfg = config(policy, setup);
    let dag = Arc::new(history.dag.clone());
    let mut engine = match Bisection::new(dag, history.bad(), &[history.good()], cfg) {
        Ok(e) => e,
        Err(_) => return failed(),
    };
    let machines = setup.jobs.max(1) as usize;
    let mut free: Vec<usize> = (0..machines).rev().collect();
    let mut timeline = Timeline::default();
    let mut jobs: HashMap<ProbeId, Job> = HashMap::new();
    // The crashing commit was built when the crash was seen: its build is not counted.
    let mut built: BTreeSet<u32> = BTreeSet::from([history.bad().0]);
    let (mut runs, mut builds) = (0u64, 0u64);
    let mut now = 0.0f64;

    loop {
        // Hand probes to free machines.
        while !free.is_empty() {
            let Some(probe) = engine.poll_probe() else {
                break;
            };
            let machine = free.pop().expect("checked non-empty");
            let rev = probe.rev;
            let mut t = now;
            let ok = world.builds(rev);
            if !built.contains(&rev.0) {
                builds += 1;
                t += setup.build_secs;
                if ok {
                    built.insert(rev.0);
                }
            }
            if trace() {
                eprintln!(
                    "t={now:.0} probe {} rev {} runs {} bug={} builds={ok}",
                    probe.id.0,
                    rev.0,
                    probe.runs,
                    world.has_bug(rev)
                );
            }
            let id = probe.id;
            jobs.insert(
                id,
                Job {
                    probe,
                    machine,
                    started: 0,
                    delivered: 0,
                    in_batch: 0,
                    stopped: false,
                    freed: false,
                },
            );
            timeline.at(t, Pending::Build { id, ok });
        }
        drain_events(&mut engine, &mut jobs, &mut free);
        if engine.conclusion().is_some() {
            break;
        }
        let Some((t, ev)) = timeline.next() else {
            break;
        };
        now = t;
        match ev {
            Pending::Build { id, ok } => {
                let build = if ok {
                    Build::Built { artifact: None }
                } else {
                    Build::Failed {
                        reason: "error: does not build".into(),
                    }
                };
                let _ = engine.handle_build(id, build);
                let job = jobs.get_mut(&id).expect("job exists");
                if !ok || job.probe.runs == 0 {
                    let m = job.machine;
                    jobs.remove(&id);
                    free.push(m);
                } else {
                    runs += start_batch(job, &mut world, setup, now, &mut timeline);
                }
            }
            Pending::Run { id, outcome } => {
                let Some(job) = jobs.get_mut(&id) else {
                    continue;
                };
                job.delivered += 1;
                job.in_batch -= 1;
                // Runs still going when the engine stopped the probe finish and count (late
                // results): cancelling them would hide the clean runs, which end last.
                if trace() {
                    eprintln!(
                        "  run probe {} -> {:?}{}",
                        id.0,
                        outcome,
                        if job.stopped { " (late)" } else { "" }
                    );
                }
                let _ = engine.handle_run(id, outcome);
                drain_events(&mut engine, &mut jobs, &mut free);
                let Some(job) = jobs.get_mut(&id) else {
                    continue;
                };
                if job.in_batch == 0 {
                    if job.stopped || job.started >= job.probe.runs {
                        let m = job.machine;
                        let freed = job.freed;
                        jobs.remove(&id);
                        if !freed {
                            free.push(m);
                        }
                    } else {
                        runs += start_batch(job, &mut world, setup, now, &mut timeline);
                    }
                }
            }
        }
        if engine.conclusion().is_some() {
            break;
        }
    }
    // Right means: the culprit alone, or a set holding it whose other members never build
    // (then no amount of testing can tell them apart: git answers the same way). In a
    // non-monotone world either "first bad" commit is the culprit.
    let (mut correct, mut inconclusive, mut confidence) = (false, false, 0.0);
    let (mut named, mut non_monotone_flagged) = (false, false);
    match engine.conclusion() {
        Some(Conclusion::Culprit {
            rev,
            confidence: c,
            flags,
        }) => {
            correct = world.is_right(*rev);
            confidence = c.unwrap_or(0.0);
            named = true;
            non_monotone_flagged = flags.non_monotone.is_some();
        }
        Some(Conclusion::Inconclusive {
            candidates,
            confidence: c,
        }) => {
            correct = candidates.iter().any(|&c| world.is_right(c))
                && candidates
                    .iter()
                    .all(|&c| world.is_right(c) || !world.builds(c));
            inconclusive = true;
            confidence = c.unwrap_or(0.0);
        }
        _ => {}
    }
    if trace() {
        eprintln!(
            "end culprit={} correct={correct} conclusion={:?}",
            world.culprit.0,
            engine.conclusion()
        );
    }
    TrialResult {
        correct,
        inconclusive,
        runs,
        builds,
        wall_s: now,
        confidence,
        named,
        non_monotone_flagged,
    }
}

#[derive(Debug)]
enum Pending {
    Build {
        id: ProbeId,
        ok: bool,
    },
    Run {
        id: ProbeId,
        outcome: culprit_engine::Outcome,
    },
}

/// A stop event ends a probe: no new batch starts and its machine may build the next probe;
/// the runs already going finish and are reported.
fn drain_events(engine: &mut Bisection, jobs: &mut HashMap<ProbeId, Job>, free: &mut Vec<usize>) {
    while let Some(ev) = engine.poll_event() {
        if let Event::Stop { probe } = ev
            && let Some(j) = jobs.get_mut(&probe)
        {
            if !j.stopped && j.in_batch > 0 {
                j.freed = true;
                free.push(j.machine);
            }
            j.stopped = true;
        }
    }
}

/// Events on the simulated clock, in time order (first scheduled first among equal times).
#[derive(Debug, Default)]
struct Timeline {
    queue: BinaryHeap<Reverse<(u64, u64)>>,
    payload: HashMap<u64, Pending>,
    seq: u64,
}

impl Timeline {
    /// Schedules `ev` at `t` seconds (kept to the millisecond).
    fn at(&mut self, t: f64, ev: Pending) {
        self.queue.push(Reverse(((t * 1000.0) as u64, self.seq)));
        self.payload.insert(self.seq, ev);
        self.seq += 1;
    }

    /// The next event and its time.
    fn next(&mut self) -> Option<(f64, Pending)> {
        let Reverse((t, seq)) = self.queue.pop()?;
        let ev = self.payload.remove(&seq)?;
        Some((t as f64 / 1000.0, ev))
    }
}

/// Starts the next batch of a probe's runs (at most `vms` at once); returns how many.
fn start_batch(
    job: &mut Job,
    world: &mut World,
    setup: &Setup,
    now: f64,
    timeline: &mut Timeline,
) -> u64 {
    let batch = setup.vms.max(1).min(job.probe.runs - job.started);
    for _ in 0..batch {
        let (outcome, frac) = world.run(job.probe.rev);
        timeline.at(
            now + setup.run_secs * frac,
            Pending::Run {
                id: job.probe.id,
                outcome,
            },
        );
    }
    job.started += batch;
    job.in_batch += batch;
    u64::from(batch)
}

fn trace() -> bool {
    std::env::var_os("CULPRIT_SIM_TRACE").is_some()
}

fn failed() -> TrialResult {
    TrialResult {
        correct: false,
        inconclusive: false,
        runs: 0,
        builds: 0,
        wall_s: 0.0,
        confidence: 0.0,
        named: false,
        non_monotone_flagged: false,
    }
}
