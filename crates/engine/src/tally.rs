//! Counting the runs of one probe (or one commit) by kind.

use crate::probe::Outcome;

/// The identity of the crash being bisected: a run crashed "with it" when its title, or one of
/// its alternative titles, equals one of these.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Target {
    /// Main title.
    pub title: String,
    /// Alternative titles.
    pub alt_titles: Vec<String>,
    /// Crash type (e.g. `KASAN-READ`), empty when unknown.
    pub kind: String,
    /// Where any crash counts: still ignore crashes of the transient types `SYZ_FAILURE` and
    /// `LOST_CONNECTION` unless the bisected crash has that type (syzbot's rule).
    pub ignore_transient: bool,
}

/// Crash types syzbot does not count against a commit unless the bisected crash has them.
const TRANSIENT: [&str; 2] = ["SYZ_FAILURE", "LOST_CONNECTION"];

impl Target {
    /// A target with only a title.
    pub fn new(title: impl Into<String>) -> Target {
        Target {
            title: title.into(),
            ..Target::default()
        }
    }

    /// Whether `outcome` is a crash with this identity (or any crash when `any_crash`).
    pub fn matches(&self, outcome: &Outcome, any_crash: bool) -> bool {
        match outcome {
            Outcome::Crash { kind, .. }
                if any_crash
                    && self.ignore_transient
                    && TRANSIENT.contains(&kind.as_str())
                    && *kind != self.kind =>
            {
                false
            }
            Outcome::Crash {
                title, alt_titles, ..
            } => {
                any_crash
                    || *title == self.title
                    || self.alt_titles.iter().any(|a| a == title)
                    || alt_titles
                        .iter()
                        .any(|a| *a == self.title || self.alt_titles.contains(a))
            }
            _ => false,
        }
    }
}

/// Runs of one probe, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Tally {
    /// Crashes with the target identity.
    pub target: u32,
    /// Crashes with another identity.
    pub other: u32,
    /// Clean runs.
    pub ok: u32,
    /// Runs that could not test.
    pub skip: u32,
    /// Infrastructure failures.
    pub infra: u32,
}

impl Tally {
    /// Adds one outcome.
    pub fn add(&mut self, outcome: &Outcome, target: Option<&Target>, any_crash: bool) {
        match outcome {
            Outcome::Crash { .. } => match target {
                Some(t) if !t.matches(outcome, any_crash) => self.other += 1,
                _ => self.target += 1,
            },
            Outcome::Ok => self.ok += 1,
            Outcome::Skip { .. } => self.skip += 1,
            Outcome::Infra { .. } => self.infra += 1,
        }
    }

    /// Counts `outcomes`.
    pub fn of(outcomes: &[Outcome], target: Option<&Target>, any_crash: bool) -> Tally {
        let mut t = Tally::default();
        for o in outcomes {
            t.add(o, target, any_crash);
        }
        t
    }

    /// All runs.
    pub fn total(&self) -> u32 {
        self.target + self.other + self.ok + self.skip + self.infra
    }
}

/// The crash titles among `outcomes`, most frequent first (first seen first among equals).
pub fn crash_titles(outcomes: &[Outcome]) -> Vec<(Target, u32)> {
    let mut counts: Vec<(Target, u32)> = Vec::new();
    for o in outcomes {
        if let Outcome::Crash {
            title,
            alt_titles,
            kind,
        } = o
        {
            match counts.iter_mut().find(|(t, _)| t.title == *title) {
                Some((_, n)) => *n += 1,
                None => counts.push((
                    Target {
                        title: title.clone(),
                        alt_titles: alt_titles.clone(),
                        kind: kind.clone(),
                        ignore_transient: false,
                    },
                    1,
                )),
            }
        }
    }
    // Stable: equal counts keep first-seen order.
    counts.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    counts
}

/// The crash being bisected, learned from the runs on the crashing commit: the most frequent
/// title when it clearly dominates (seen at least twice and more than twice as often as any
/// other title); `None` while that is not clear yet.
pub fn learn_target(outcomes: &[Outcome]) -> Option<Target> {
    let titles = crash_titles(outcomes);
    let (best, n) = titles.first()?;
    let second = titles.get(1).map_or(0, |(_, m)| *m);
    (*n >= 2 && *n > 2 * second).then(|| best.clone())
}
