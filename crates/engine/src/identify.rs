//! Which crash is being bisected, when the crashing commit shows more than one.
//!
//! A reproducer's runs on the crashing commit may end in the crash that the range introduced
//! and in others: an older bug that fires anywhere, a flaky warning. Taking the most frequent
//! title is a coin toss when an unrelated crash is about as frequent as the reproducer's (and
//! wrong when it is more frequent), and bisecting an unrelated crash that fires everywhere names
//! the commit next to the good end. So when the crashing commit shows several titles, the clean
//! end is run too: a title seen there is not new in the range and is not the one bisected. Among
//! the titles never seen there, the most frequent on the crashing commit is bisected once it
//! dominates (seen at least twice, more than twice as often as the next one), or after a few
//! rounds on both ends.
//!
//! The rule is the same in cause and fix bisection (in fix bisection the clean end is the fixed
//! head). Policies that count any crash (git, syzbot) do not use it.

use crate::probe::Outcome;
use crate::tally::{Target, crash_titles};

/// Sightings on the crashing commit after which a title that dominates the others (more than
/// twice as frequent as the next) is the one bisected. Three, not two: the runs that identify
/// the crash also give the search its first estimate of the crash rate.
pub const MIN_SIGHTINGS: u32 = 3;
/// Runs on the crashing commit while some crash shows but which one is unclear.
pub const MAX_BAD_RUNS: usize = 50;
/// Runs on the crashing commit while no crash shows at all (a rare crash is still cheaper to
/// find on a commit already built than to give up on).
pub const MAX_SILENT_RUNS: usize = 50;
/// Runs on the clean end.
pub const MAX_GOOD_RUNS: usize = 50;

/// What to do next to learn the crash being bisected.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    /// Another round of runs on the crashing commit.
    MoreBad,
    /// A round of runs on the clean end.
    MoreGood,
    /// Decided: the crash to bisect, or `None` when nothing crashed.
    Done(Option<Target>),
    /// No title clearly stands out (a tie, a single sighting, or every title also shows on
    /// the clean end): the likeliest one is bisected, with more doubt that it is new in the
    /// range.
    Guess(Target),
}

/// Runs seen so far on both ends.
#[derive(Debug, Clone, Copy)]
pub struct Seen<'a> {
    /// Runs on the crashing commit.
    pub bad: &'a [Outcome],
    /// Runs on the clean end.
    pub good: &'a [Outcome],
    /// Whether the clean end may be run (a known good commit exists).
    pub can_test_good: bool,
    /// Titles bisected before and found older than the range: never chosen again.
    pub tried: &'a [String],
}

/// The titles of the crashing commit never seen on the clean end, most frequent first.
pub fn fresh_titles(bad: &[Outcome], good: &[Outcome]) -> Vec<(Target, u32)> {
    crash_titles(bad)
        .into_iter()
        .filter(|(t, _)| !good.iter().any(|o| t.matches(o, false)))
        .collect()
}

/// Decides the next step of the identification.
pub fn next(seen: Seen<'_>) -> Next {
    let titles: Vec<(Target, u32)> = crash_titles(seen.bad)
        .into_iter()
        .filter(|(t, _)| !seen.tried.contains(&t.title))
        .collect();
    if titles.is_empty() {
        return if seen.bad.len() < MAX_SILENT_RUNS {
            Next::MoreBad
        } else {
            Next::Done(None)
        };
    }
    let good_allowed = seen.can_test_good && seen.good.len() < MAX_GOOD_RUNS;
    // Several titles: the clean end tells which are new in the range.
    if titles.len() >= 2 && good_allowed && seen.good.is_empty() {
        return Next::MoreGood;
    }
    let fresh: Vec<(Target, u32)> = fresh_titles(seen.bad, seen.good)
        .into_iter()
        .filter(|(t, _)| !seen.tried.contains(&t.title))
        .collect();
    let Some((first, k1)) = fresh.first() else {
        // Every title shows on the clean end too: bisect the most frequent; the search finds it
        // outside the range and says so.
        return match titles.into_iter().next() {
            Some((t, _)) => Next::Guess(t),
            None => Next::Done(None),
        };
    };
    let k2 = fresh.get(1).map_or(0, |(_, k)| *k);
    if *k1 >= MIN_SIGHTINGS && *k1 > 2 * k2 {
        return Next::Done(Some(first.clone()));
    }
    // Unclear. A competitor may be an older crash not seen on the clean end yet: run that end
    // as often as the crashing one; otherwise more runs on the crashing commit.
    let competitor = fresh.len() >= 2;
    if competitor && good_allowed && seen.good.len() < seen.bad.len() {
        Next::MoreGood
    } else if seen.bad.len() < MAX_BAD_RUNS {
        Next::MoreBad
    } else if competitor && good_allowed {
        Next::MoreGood
    } else {
        Next::Guess(first.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(spec: &[(&str, usize)]) -> Vec<Outcome> {
        let mut v = Vec::new();
        for &(t, n) in spec {
            for _ in 0..n {
                v.push(if t.is_empty() {
                    Outcome::Ok
                } else {
                    Outcome::crash(t)
                });
            }
        }
        v
    }

    fn seen<'a>(bad: &'a [Outcome], good: &'a [Outcome]) -> Seen<'a> {
        Seen {
            bad,
            good,
            can_test_good: true,
            tried: &[],
        }
    }

    #[test]
    fn one_title_seen_often_enough_is_decided_without_the_good_end() {
        let bad = runs(&[("A", MIN_SIGHTINGS as usize), ("", 5)]);
        assert_eq!(next(seen(&bad, &[])), Next::Done(Some(Target::new("A"))));
        // One sighting fewer: more runs first.
        let bad = runs(&[("A", MIN_SIGHTINGS as usize - 1), ("", 5)]);
        assert_eq!(next(seen(&bad, &[])), Next::MoreBad);
    }

    #[test]
    fn two_titles_send_runs_to_the_good_end_first() {
        // Even a clearly dominant title: an older crash may be the more frequent one.
        let bad = runs(&[("B", 4), ("A", 1), ("", 5)]);
        assert_eq!(next(seen(&bad, &[])), Next::MoreGood);
    }

    #[test]
    fn a_title_seen_on_the_good_end_is_not_bisected() {
        let bad = runs(&[("B", 4), ("A", 3), ("", 3)]);
        let good = runs(&[("B", 3), ("", 7)]);
        assert_eq!(next(seen(&bad, &good)), Next::Done(Some(Target::new("A"))));
    }

    #[test]
    fn every_title_on_the_good_end_is_only_a_guess() {
        let bad = runs(&[("B", 4), ("A", 3), ("", 3)]);
        let good = runs(&[("B", 1), ("A", 1), ("", 8)]);
        assert_eq!(next(seen(&bad, &good)), Next::Guess(Target::new("B")));
    }

    #[test]
    fn alternative_titles_count_as_seen_on_the_good_end() {
        let bad = runs(&[("B", 4), ("A", 2), ("", 4)]);
        let good = vec![Outcome::Crash {
            title: "B2".into(),
            alt_titles: vec!["B".into()],
            kind: String::new(),
        }];
        assert_eq!(fresh_titles(&bad, &good)[0].0.title, "A");
    }

    #[test]
    fn unclear_titles_alternate_between_the_ends_then_are_guessed() {
        let (bad, clean) = (runs(&[("A", 2), ("B", 2), ("", 6)]), runs(&[("", 10)]));
        assert_eq!(next(seen(&bad, &clean)), Next::MoreBad);
        let bad = runs(&[("A", 2), ("B", 2), ("", 16)]);
        assert_eq!(next(seen(&bad, &clean)), Next::MoreGood);
        let bad = runs(&[("A", 2), ("B", 2), ("", MAX_BAD_RUNS - 4)]);
        let clean = runs(&[("", MAX_GOOD_RUNS)]);
        assert_eq!(next(seen(&bad, &clean)), Next::Guess(Target::new("A")));
    }

    #[test]
    fn titles_found_older_than_the_range_are_not_chosen_again() {
        let bad = runs(&[("B", 3), ("A", 1), ("", 6)]);
        let tried = ["B".to_string()];
        let mut s = seen(&bad, &[]);
        s.tried = &tried;
        // Only A is left, seen once: more runs on the crashing commit.
        assert_eq!(next(s), Next::MoreBad);
        let bad = runs(&[("B", 3), ("A", 1), ("", MAX_BAD_RUNS - 4)]);
        s.bad = &bad;
        assert_eq!(next(s), Next::Guess(Target::new("A")));
    }

    #[test]
    fn silence_gets_more_runs_then_gives_up() {
        let bad = runs(&[("", MAX_SILENT_RUNS - 1)]);
        assert_eq!(next(seen(&bad, &[])), Next::MoreBad);
        let bad = runs(&[("", MAX_SILENT_RUNS)]);
        assert_eq!(next(seen(&bad, &[])), Next::Done(None));
    }

    #[test]
    fn without_a_good_end_the_most_frequent_title_is_guessed_after_the_runs() {
        let bad = runs(&[("A", 2), ("B", 2), ("", MAX_BAD_RUNS - 4)]);
        let mut s = seen(&bad, &[]);
        s.can_test_good = false;
        assert_eq!(next(s), Next::Guess(Target::new("A")));
    }
}
