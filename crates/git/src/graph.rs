//! [`Graph`]: every commit reachable from some tips, loaded once as dense `u32` indices with a CSR
//! parent list, so that every later step works in memory.
//!
//! Loading reads the commit-graph file when the repository has one (parents and committer dates
//! come from it without decoding a single object) and decodes commit objects only for commits it
//! does not cover (those made after the file was written, or all of them without a file).

use gix::objs::Find;
use gix::objs::commit::ref_iter::Token;

use crate::id::CommitId;
use crate::repo::Repo;

/// Errors of [`Repo::load_graph`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A commit reachable from the tips could not be read.
    #[error("cannot read commit {id} while loading the history: {message}")]
    ReadCommit {
        /// The commit.
        id: CommitId,
        /// gix's reason.
        message: String,
    },
    /// An object reachable as a parent is not a commit.
    #[error("object {id} is a parent in the history but not a commit")]
    NotACommit {
        /// The object.
        id: CommitId,
    },
    /// More commits than a `u32` index can count.
    #[error("history has more than {} commits", u32::MAX - 1)]
    TooLarge,
}

/// The history reachable from some tips.
///
/// Indices are dense (`0..len()`) and topologically ordered: a child always has a smaller index
/// than each of its parents, so index 0 is one of the tips and a root has the largest index of
/// its line. Parents of `i` are `parents[parent_start[i]..parent_start[i + 1]]`, in git's order
/// (first parent first).
pub struct Graph {
    ids: Vec<CommitId>,
    parent_start: Vec<u32>,
    parents: Vec<u32>,
    commit_time: Vec<i64>,
    index: gix::hashtable::HashMap<gix::ObjectId, u32>,
}

impl Graph {
    /// Number of commits.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether the graph has no commit (only when loaded from no tips).
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Commit ids by index.
    pub fn ids(&self) -> &[CommitId] {
        &self.ids
    }

    /// The commit at index `i`. Panics when `i >= len()`.
    pub fn id(&self, i: u32) -> CommitId {
        self.ids[i as usize]
    }

    /// CSR offsets: `len() + 1` entries, non-decreasing, last = `parents().len()`.
    pub fn parent_start(&self) -> &[u32] {
        &self.parent_start
    }

    /// CSR parent indices (see [`Graph::parent_start`]).
    pub fn parents(&self) -> &[u32] {
        &self.parents
    }

    /// The parents of commit `i` in git order. Panics when `i >= len()`.
    pub fn parents_of(&self, i: u32) -> &[u32] {
        let i = i as usize;
        &self.parents[self.parent_start[i] as usize..self.parent_start[i + 1] as usize]
    }

    /// Committer timestamps (seconds since the epoch) by index.
    pub fn commit_time(&self) -> &[i64] {
        &self.commit_time
    }

    /// The index of a commit, if it is in the graph.
    pub fn index_of(&self, id: CommitId) -> Option<u32> {
        self.index.get(&id.0).copied()
    }

    /// Which commits are ancestors of `i` (including `i`): a flag per index. One pass over the
    /// indices from `i` on, thanks to the topological order.
    pub fn ancestors(&self, i: u32) -> Vec<bool> {
        let mut reachable = vec![false; self.len()];
        if let Some(flag) = reachable.get_mut(i as usize) {
            *flag = true;
        }
        for j in i as usize..self.len() {
            if reachable[j] {
                for &p in self.parents_of(j as u32) {
                    reachable[p as usize] = true;
                }
            }
        }
        reachable
    }

    /// Approximate heap bytes held by the graph (for reports and benchmarks).
    pub fn heap_bytes(&self) -> usize {
        self.ids.capacity() * size_of::<CommitId>()
            + self.parent_start.capacity() * 4
            + self.parents.capacity() * 4
            + self.commit_time.capacity() * 8
            + self.index.capacity() * (size_of::<gix::ObjectId>() + 4 + 1)
    }
}

const NONE: u32 = u32::MAX;

/// Discovery state: indices are handed out in discovery order and expanded in that same order,
/// so the CSR arrays can be appended to directly.
struct Loader<'a> {
    repo: &'a gix::Repository,
    cache: Option<&'a gix::commitgraph::Graph>,
    shallow: gix::hashtable::HashSet<gix::ObjectId>,
    ids: Vec<gix::ObjectId>,
    /// Commit-graph position of each discovered commit, or `NONE`.
    position: Vec<u32>,
    /// Discovered index of each commit-graph position, or `NONE`.
    by_position: Vec<u32>,
    /// Discovered index of commits the commit-graph does not cover.
    by_id: gix::hashtable::HashMap<gix::ObjectId, u32>,
    parent_start: Vec<u32>,
    parents: Vec<u32>,
    commit_time: Vec<i64>,
    scratch: Vec<gix::ObjectId>,
}

impl<'a> Loader<'a> {
    /// The commit-graph, borrowed for `'a` rather than from `self`, so its commits can be read
    /// while `self` is updated.
    #[allow(clippy::expect_used)] // invariant: positions are only recorded when there is a cache
    fn cache(&self) -> &'a gix::commitgraph::Graph {
        self.cache
            // guard: infallible — a position is only recorded after `self.cache` answered a
            // lookup (`intern_id`) or named a parent (`expand`), so it is there when one is used.
            .expect("positions only come from the commit-graph")
    }

    fn intern_position(&mut self, position: u32) -> Result<u32, Error> {
        let known = self.by_position[position as usize];
        if known != NONE {
            return Ok(known);
        }
        let cache = self.cache();
        let id = cache.id_at(gix::commitgraph::Position(position)).to_owned();
        let index = self.push(id, position)?;
        self.by_position[position as usize] = index;
        Ok(index)
    }

    fn intern_id(&mut self, id: gix::ObjectId) -> Result<u32, Error> {
        if let Some(position) = self.cache.and_then(|cache| cache.lookup(id)) {
            return self.intern_position(position.0);
        }
        if let Some(&known) = self.by_id.get(&id) {
            return Ok(known);
        }
        let index = self.push(id, NONE)?;
        self.by_id.insert(id, index);
        Ok(index)
    }

    fn push(&mut self, id: gix::ObjectId, position: u32) -> Result<u32, Error> {
        let index = u32::try_from(self.ids.len()).map_err(|_| Error::TooLarge)?;
        if index == NONE {
            return Err(Error::TooLarge);
        }
        self.ids.push(id);
        self.position.push(position);
        Ok(index)
    }

    /// Append the parents and the committer time of commit `index` (the next one to expand).
    fn expand(&mut self, index: usize, buf: &mut Vec<u8>) -> Result<(), Error> {
        let position = self.position[index];
        let time = if position != NONE {
            let cache = self.cache();
            let commit = cache.commit_at(gix::commitgraph::Position(position));
            let time = commit.committer_timestamp();
            for parent in commit.iter_parents() {
                let parent = parent.map_err(|e| Error::ReadCommit {
                    id: CommitId(self.ids[index]),
                    message: format!("corrupt commit-graph: {e}"),
                })?;
                let parent_index = self.intern_position(parent.0)?;
                self.parents.push(parent_index);
            }
            i64::try_from(time).unwrap_or(i64::MAX)
        } else {
            self.expand_object(index, buf)?
        };
        self.commit_time.push(time);
        self.parent_start
            .push(u32::try_from(self.parents.len()).map_err(|_| Error::TooLarge)?);
        Ok(())
    }

    fn expand_object(&mut self, index: usize, buf: &mut Vec<u8>) -> Result<i64, Error> {
        let id = self.ids[index];
        let read_error = |message: String| Error::ReadCommit {
            id: CommitId(id),
            message,
        };
        let data = self
            .repo
            .objects
            .try_find(&id, buf)
            .map_err(|e| read_error(e.to_string()))?
            .ok_or_else(|| read_error("object not found".into()))?;
        if data.kind != gix::objs::Kind::Commit {
            return Err(Error::NotACommit { id: CommitId(id) });
        }
        let shallow = self.shallow.contains(&id);
        // Reused between calls: no allocation per commit.
        let mut parent_ids = std::mem::take(&mut self.scratch);
        parent_ids.clear();
        let mut time = None;
        for token in gix::objs::CommitRefIter::from_bytes(data.data, id.kind()) {
            match token.map_err(|e| read_error(e.to_string()))? {
                Token::Parent { id: parent } if !shallow => parent_ids.push(parent),
                Token::Committer { signature } => {
                    time = Some(signature.seconds());
                    break;
                }
                _ => {}
            }
        }
        for &parent in &parent_ids {
            let parent_index = self.intern_id(parent)?;
            self.parents.push(parent_index);
        }
        self.scratch = parent_ids;
        time.ok_or_else(|| read_error("no committer line".into()))
    }
}

impl Repo {
    /// Load every commit reachable from `tips` (see [`Graph`] for the layout). Duplicate tips are
    /// fine. Uses the commit-graph file when present and enabled; otherwise decodes commits.
    pub fn load_graph(&self, tips: &[CommitId]) -> Result<Graph, Error> {
        // A broken or missing commit-graph is not an error: decoding objects gives the same graph.
        let cache = self.repo.commit_graph_if_enabled().ok().flatten();
        let shallow = self
            .repo
            .shallow_commits()
            .ok()
            .flatten()
            .map(|commits| commits.iter().copied().collect())
            .unwrap_or_default();
        let positions = cache.as_ref().map_or(0, |c| c.num_commits() as usize);
        // Every commit is read once: an object cache would only copy each one for nothing.
        let mut repo = self.repo.clone();
        repo.object_cache_size(0);
        let mut loader = Loader {
            repo: &repo,
            cache: cache.as_ref(),
            shallow,
            ids: Vec::with_capacity(positions),
            position: Vec::with_capacity(positions),
            by_position: vec![NONE; positions],
            by_id: Default::default(),
            parent_start: Vec::with_capacity(positions + 1),
            parents: Vec::with_capacity(positions + positions / 8),
            commit_time: Vec::with_capacity(positions),
            scratch: Vec::new(),
        };
        loader.parent_start.push(0);
        for tip in tips {
            loader.intern_id(tip.0)?;
        }
        let mut buf = Vec::new();
        let mut next = 0;
        while next < loader.ids.len() {
            loader.expand(next, &mut buf)?;
            next += 1;
        }
        Ok(topological(
            loader.ids,
            loader.parent_start,
            loader.parents,
            loader.commit_time,
        ))
    }
}

/// Renumber so that every child comes before its parents (Kahn's algorithm over child→parent
/// edges, FIFO), then build the id index.
fn topological(
    ids: Vec<gix::ObjectId>,
    parent_start: Vec<u32>,
    parents: Vec<u32>,
    commit_time: Vec<i64>,
) -> Graph {
    let n = ids.len();
    let mut children = vec![0u32; n];
    for &p in &parents {
        children[p as usize] += 1;
    }
    let mut order: Vec<u32> = Vec::with_capacity(n);
    order.extend((0..n as u32).filter(|&i| children[i as usize] == 0));
    let mut head = 0;
    while head < order.len() {
        let i = order[head] as usize;
        head += 1;
        for &p in &parents[parent_start[i] as usize..parent_start[i + 1] as usize] {
            children[p as usize] -= 1;
            if children[p as usize] == 0 {
                order.push(p);
            }
        }
    }
    // A cycle cannot happen in git (a commit's id depends on its parents' ids).
    debug_assert_eq!(order.len(), n);
    let mut new_of_old = children; // reuse: every count is 0 now
    for (new, &old) in order.iter().enumerate() {
        new_of_old[old as usize] = new as u32;
    }
    let mut graph = Graph {
        ids: Vec::with_capacity(n),
        parent_start: Vec::with_capacity(n + 1),
        parents: Vec::with_capacity(parents.len()),
        commit_time: Vec::with_capacity(n),
        index: Default::default(),
    };
    graph.index.reserve(n);
    graph.parent_start.push(0);
    for (new, &old) in order.iter().enumerate() {
        let old = old as usize;
        graph.ids.push(CommitId(ids[old]));
        graph.commit_time.push(commit_time[old]);
        for &p in &parents[parent_start[old] as usize..parent_start[old + 1] as usize] {
            graph.parents.push(new_of_old[p as usize]);
        }
        graph.parent_start.push(graph.parents.len() as u32);
        graph.index.insert(ids[old], new as u32);
    }
    graph
}
