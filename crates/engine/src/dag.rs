//! The commit graph the engine works on: dense indices, parents in CSR form, committer times and
//! per-commit hints. Built once by the caller (from git, or synthesised by the simulator).

use std::fmt;

/// A commit, as a dense index into a [`Dag`]. The engine never sees a hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Rev(pub u32);

impl Rev {
    /// The index as `usize`.
    pub fn idx(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for Rev {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// A release version attached to a commit that carries a release tag (`v6.2`, `v5.15.10`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Release {
    /// Major number.
    pub major: u32,
    /// Minor number.
    pub minor: u32,
    /// Stable sub-release number; `None` for a plain `vX.Y` release.
    pub sub: Option<u32>,
}

impl Release {
    /// Sort key: newer releases have larger keys (syzbot's `major·1e9 + minor·1e6 + 999·1e3 + sub`
    /// ordering, where a plain release sorts below its own stable sub-releases).
    pub fn key(self) -> u64 {
        u64::from(self.major) * 1_000_000_000
            + u64::from(self.minor) * 1_000_000
            + 999_000
            + u64::from(self.sub.unwrap_or(0))
    }
}

impl fmt::Display for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.sub {
            Some(sub) => write!(f, "v{}.{}.{}", self.major, self.minor, sub),
            None => write!(f, "v{}.{}", self.major, self.minor),
        }
    }
}

/// Errors building a [`Dag`].
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DagError {
    /// The CSR arrays do not describe a graph.
    #[error("malformed parent table: {0}")]
    Malformed(&'static str),
    /// A parent index points outside the graph.
    #[error("commit {commit} has parent {parent}, but the graph has only {len} commits")]
    ParentOutOfRange {
        /// The child.
        commit: u32,
        /// The bad parent index.
        parent: u32,
        /// Number of commits.
        len: usize,
    },
    /// The parent relation has a cycle (a commit is its own ancestor).
    #[error("the parent relation has a cycle through commit {0}")]
    Cycle(u32),
}

/// A commit DAG. Parents are stored in git order (first parent first).
#[derive(Debug, Clone)]
pub struct Dag {
    parent_start: Vec<u32>,
    parents: Vec<u32>,
    time: Vec<i64>,
    release: Vec<Option<Release>>,
}

impl Dag {
    /// Builds a graph from compressed parent lists: the parents of commit `i` are
    /// `parents[parent_start[i]..parent_start[i + 1]]`; `parent_start` has `len + 1` entries.
    /// `time` holds committer timestamps (git orders candidates by them); pass an empty vector to
    /// use the index as the time (a history numbered oldest first).
    pub fn from_csr(
        parent_start: Vec<u32>,
        parents: Vec<u32>,
        time: Vec<i64>,
    ) -> Result<Dag, DagError> {
        let Some(&last) = parent_start.last() else {
            return Err(DagError::Malformed(
                "parent_start must have len + 1 entries",
            ));
        };
        if parent_start[0] != 0 || last as usize != parents.len() {
            return Err(DagError::Malformed(
                "parent_start must start at 0 and end at parents.len()",
            ));
        }
        if parent_start.windows(2).any(|w| w[0] > w[1]) {
            return Err(DagError::Malformed("parent_start must not decrease"));
        }
        let len = parent_start.len() - 1;
        if len > u32::MAX as usize - 1 {
            return Err(DagError::Malformed("too many commits"));
        }
        let time = if time.is_empty() {
            (0..len as i64).collect()
        } else if time.len() != len {
            return Err(DagError::Malformed("time must have one entry per commit"));
        } else {
            time
        };
        let dag = Dag {
            parent_start,
            parents,
            time,
            release: vec![None; len],
        };
        for c in 0..len as u32 {
            for &p in dag.parents(Rev(c)) {
                if p as usize >= len {
                    return Err(DagError::ParentOutOfRange {
                        commit: c,
                        parent: p,
                        len,
                    });
                }
            }
        }
        dag.check_acyclic()?;
        Ok(dag)
    }

    /// Builds a graph from one parent list per commit (convenient for small graphs and tests).
    pub fn from_parents(parents: &[Vec<u32>], time: Vec<i64>) -> Result<Dag, DagError> {
        let mut start = Vec::with_capacity(parents.len() + 1);
        let mut flat = Vec::new();
        start.push(0);
        for p in parents {
            flat.extend_from_slice(p);
            start.push(flat.len() as u32);
        }
        Dag::from_csr(start, flat, time)
    }

    /// Marks `rev` as carrying a release tag.
    pub fn set_release(&mut self, rev: Rev, release: Release) {
        if let Some(slot) = self.release.get_mut(rev.idx()) {
            *slot = Some(release);
        }
    }

    /// Number of commits.
    pub fn len(&self) -> usize {
        self.time.len()
    }

    /// Whether the graph has no commit.
    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }

    /// Parents of `rev`, first parent first.
    pub fn parents(&self, rev: Rev) -> &[u32] {
        let i = rev.idx();
        &self.parents[self.parent_start[i] as usize..self.parent_start[i + 1] as usize]
    }

    /// Committer time of `rev`.
    pub fn time(&self, rev: Rev) -> i64 {
        self.time[rev.idx()]
    }

    /// The release tag on `rev`, if any.
    pub fn release(&self, rev: Rev) -> Option<Release> {
        self.release[rev.idx()]
    }

    /// Whether `rev` is a merge (two or more parents).
    pub fn is_merge(&self, rev: Rev) -> bool {
        self.parents(rev).len() > 1
    }

    /// Whether `rev` is in range.
    pub fn contains(&self, rev: Rev) -> bool {
        rev.idx() < self.len()
    }

    /// Marks every ancestor of `tips` (tips included) in `mark` with `true`. Iterative, O(reached).
    pub fn mark_ancestors(&self, tips: &[Rev], mark: &mut [bool]) {
        let mut stack: Vec<u32> = Vec::new();
        for &t in tips {
            if !mark[t.idx()] {
                mark[t.idx()] = true;
                stack.push(t.0);
            }
        }
        while let Some(c) = stack.pop() {
            for &p in self.parents(Rev(c)) {
                if !mark[p as usize] {
                    mark[p as usize] = true;
                    stack.push(p);
                }
            }
        }
    }

    /// Whether `a` is an ancestor of `b` (or equal).
    pub fn is_ancestor(&self, a: Rev, b: Rev) -> bool {
        if a == b {
            return true;
        }
        let mut seen = vec![false; self.len()];
        let mut stack = vec![b.0];
        seen[b.idx()] = true;
        while let Some(c) = stack.pop() {
            for &p in self.parents(Rev(c)) {
                if p == a.0 {
                    return true;
                }
                if !seen[p as usize] {
                    seen[p as usize] = true;
                    stack.push(p);
                }
            }
        }
        false
    }

    /// The best common ancestors of `a` and `b` (git's merge bases), in index order.
    pub fn merge_bases(&self, a: Rev, b: Rev) -> Vec<Rev> {
        let mut in_a = vec![false; self.len()];
        let mut in_b = vec![false; self.len()];
        self.mark_ancestors(&[a], &mut in_a);
        self.mark_ancestors(&[b], &mut in_b);
        let common: Vec<u32> = (0..self.len() as u32)
            .filter(|&c| in_a[c as usize] && in_b[c as usize])
            .collect();
        // A common ancestor that is a proper ancestor of another one is not a base.
        let mut below = vec![false; self.len()];
        let parents: Vec<Rev> = common
            .iter()
            .flat_map(|&c| self.parents(Rev(c)).iter().map(|&p| Rev(p)))
            .collect();
        self.mark_ancestors(&parents, &mut below);
        common
            .into_iter()
            .filter(|&c| !below[c as usize])
            .map(Rev)
            .collect()
    }

    fn check_acyclic(&self) -> Result<(), DagError> {
        // Kahn's algorithm over child counts: O(n + edges).
        let n = self.len();
        let mut children = vec![0u32; n];
        for &p in &self.parents {
            children[p as usize] += 1;
        }
        let mut stack: Vec<u32> = (0..n as u32)
            .filter(|&c| children[c as usize] == 0)
            .collect();
        let mut done = 0usize;
        while let Some(c) = stack.pop() {
            done += 1;
            for &p in self.parents(Rev(c)) {
                children[p as usize] -= 1;
                if children[p as usize] == 0 {
                    stack.push(p);
                }
            }
        }
        if done == n {
            Ok(())
        } else {
            let c = (0..n).find(|&c| children[c] > 0).unwrap_or(0) as u32;
            Err(DagError::Cycle(c))
        }
    }
}
