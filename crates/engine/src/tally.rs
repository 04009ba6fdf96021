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
}

impl Target {
    /// Whether `outcome` is a crash with this identity (or any crash when `any_crash`).
    pub fn matches(&self, outcome: &Outcome, any_crash: bool) -> bool {
        match outcome {
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

/// The most frequent crash title among `outcomes`, as the target; `None` when there is no crash
/// or when two titles tie for first place (more runs are needed to tell).
pub fn learn_target(outcomes: &[Outcome]) -> Option<Target> {
    let mut counts: Vec<(&Outcome, u32)> = Vec::new();
    for o in outcomes {
        if let Outcome::Crash { title, .. } = o {
            match counts
                .iter_mut()
                .find(|(c, _)| matches!(c, Outcome::Crash { title: t, .. } if t == title))
            {
                Some((_, n)) => *n += 1,
                None => counts.push((o, 1)),
            }
        }
    }
    let mut best: Option<(&Outcome, u32)> = None;
    let mut tied = false;
    for (o, n) in counts {
        match best {
            Some((_, b)) if n == b => tied = true,
            Some((_, b)) if n < b => {}
            _ => {
                best = Some((o, n));
                tied = false;
            }
        }
    }
    if tied {
        return None;
    }
    match best {
        Some((
            Outcome::Crash {
                title, alt_titles, ..
            },
            _,
        )) => Some(Target {
            title: title.clone(),
            alt_titles: alt_titles.clone(),
        }),
        _ => None,
    }
}
