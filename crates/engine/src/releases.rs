//! Which release tags syzbot tests when no good commit is given (`pickReleaseTags`): the two
//! newest stable sub-releases (and a middle one when there are many), then releases with a
//! growing stride, always including the oldest.

use crate::dag::{Dag, Release, Rev};

/// Releases reachable from `from` (excluding `from` itself), newest first.
pub fn reachable(dag: &Dag, from: Rev) -> Vec<(Rev, Release)> {
    let mut mark = vec![false; dag.len()];
    dag.mark_ancestors(&[from], &mut mark);
    let mut out: Vec<(Rev, Release)> = (0..dag.len() as u32)
        .filter(|&c| mark[c as usize] && c != from.0)
        .filter_map(|c| dag.release(Rev(c)).map(|r| (Rev(c), r)))
        .collect();
    out.sort_by_key(|&(rev, r)| (std::cmp::Reverse(r.key()), rev));
    out
}

/// syzbot's subsampling of `tags` (newest first).
pub fn pick(tags: &[(Rev, Release)]) -> Vec<(Rev, Release)> {
    let first_release = tags
        .iter()
        .position(|(_, r)| r.sub.is_none())
        .unwrap_or(tags.len());
    let subs = &tags[..first_release];
    let releases: Vec<(Rev, Release)> = tags[first_release..]
        .iter()
        .copied()
        .filter(|(_, r)| r.sub.is_none())
        .collect();
    let mut out = Vec::new();
    out.extend(subs.iter().take(2).copied());
    if subs.len() > 5 {
        out.push(subs[subs.len() / 2]);
    }
    for (i, &t) in releases.iter().enumerate() {
        let step = match i {
            0..3 => 1,
            3..11 => 2,
            _ => 3,
        };
        if i % step == 0 || i + 1 == releases.len() {
            out.push(t);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(major: u32, minor: u32, sub: Option<u32>) -> Release {
        Release { major, minor, sub }
    }

    fn names(v: &[(Rev, Release)]) -> Vec<String> {
        v.iter().map(|(_, r)| r.to_string()).collect()
    }

    #[test]
    fn upstream_gcc_example() {
        // v6.5 ... v4.18 (29 releases) from syzbot's TestPickReleaseTags.
        let mut tags = Vec::new();
        let list = [
            (6, 5),
            (6, 4),
            (6, 3),
            (6, 2),
            (6, 1),
            (6, 0),
            (5, 19),
            (5, 18),
            (5, 17),
            (5, 16),
            (5, 15),
            (5, 14),
            (5, 13),
            (5, 12),
            (5, 11),
            (5, 10),
            (5, 9),
            (5, 8),
            (5, 7),
            (5, 6),
            (5, 5),
            (5, 4),
            (5, 3),
            (5, 2),
            (5, 1),
            (5, 0),
            (4, 20),
            (4, 19),
            (4, 18),
        ];
        for (i, &(a, b)) in list.iter().enumerate() {
            tags.push((Rev(i as u32), rel(a, b, None)));
        }
        let picked = names(&pick(&tags));
        assert_eq!(
            picked,
            [
                "v6.5", "v6.4", "v6.3", "v6.1", "v5.19", "v5.17", "v5.15", "v5.13", "v5.10",
                "v5.7", "v5.4", "v5.1", "v4.19", "v4.18"
            ]
        );
    }

    #[test]
    fn lts_example() {
        let mut tags = Vec::new();
        for s in (1..=10).rev() {
            tags.push((Rev(tags.len() as u32), rel(5, 15, Some(s))));
        }
        for m in (4..=15).rev() {
            tags.push((Rev(tags.len() as u32), rel(5, m, None)));
        }
        let picked = names(&pick(&tags));
        assert_eq!(
            picked,
            [
                "v5.15.10", "v5.15.9", "v5.15.5", "v5.15", "v5.14", "v5.13", "v5.11", "v5.9",
                "v5.7", "v5.5", "v5.4"
            ]
        );
    }
}
