//! Before the first probe: the options to bisect with (given, or recorded for `--resume`), the
//! range resolved and checked in the repository, and the history loaded once for the engine.

use std::collections::HashMap;
use std::path::Path;

use culprit_engine::{Dag, Release, Rev};
use culprit_git::{CommitId, Graph, Repo};
use culprit_store::Store;

use crate::error::{Bad, Error};
use crate::options::Options;

/// The options of this bisection: the given ones (checked against what the state directory
/// records) or, for `--resume` alone, the recorded ones.
pub(crate) fn settle_options(
    options: Option<Options>,
    store: &Store,
    resume: bool,
    state_dir: &Path,
) -> Result<Options, Error> {
    let dir = state_dir.to_path_buf();
    match (options, store.params()?) {
        (Some(o), Some(stored)) => {
            let mine = serde_json::to_value(&o).map_err(|source| Error::Encode {
                what: "the options",
                source,
            })?;
            if stored != mine {
                return Err(Bad::OtherBisection(dir).into());
            }
            if !resume {
                return Err(Bad::AlreadyRecorded(dir).into());
            }
            Ok(o)
        }
        (Some(_), None) if resume => Err(Bad::NothingToResume(dir).into()),
        (Some(o), None) => Ok(o),
        (None, Some(stored)) => {
            serde_json::from_value(stored).map_err(|e| Bad::RecordedParams(e).into())
        }
        (None, None) => Err(Bad::NothingRecorded(dir).into()),
    }
}

/// `--bad` and `--good` resolved to commits, each good end checked to be on the right side.
pub(crate) fn resolve_range(
    repo: &Repo,
    options: &Options,
) -> Result<(CommitId, Vec<CommitId>), Error> {
    let bad = repo.resolve(&options.bad).map_err(Bad::Repo)?;
    let mut goods = Vec::new();
    for g in &options.goods {
        goods.push(repo.resolve(g).map_err(Bad::Repo)?);
    }
    for &g in &goods {
        if g == bad {
            return Err(Bad::GoodIsBad(g.short(12)).into());
        }
        let (old, new) = if options.fix { (bad, g) } else { (g, bad) };
        if !repo.is_ancestor(old, new)? {
            let (good, bad) = (g.short(12), bad.short(12));
            return Err(if options.fix {
                Bad::FixBadNotAncestor { bad, good }
            } else {
                Bad::GoodNotAncestor { good, bad }
            }
            .into());
        }
    }
    if options.fix && goods.is_empty() {
        return Err(Bad::FixNeedsGood.into());
    }
    Ok((bad, goods))
}

/// The history of the range as the engine sees it.
pub(crate) struct History {
    /// As git has it.
    pub graph: Graph,
    /// As the engine takes it (release tags marked when there is no good end).
    pub dag: Dag,
    /// The crashing end.
    pub bad_rev: Rev,
    /// The clean ends.
    pub good_revs: Vec<Rev>,
    /// Release tags' names by commit index, for the log.
    pub tag_names: HashMap<u32, String>,
}

/// Loads the history below `bad` and `goods` once. Without a good end, the release tags below
/// `bad` are marked: the engine looks for a good release first, as syzbot does.
pub(crate) fn load_history(
    repo: &Repo,
    bad: CommitId,
    goods: &[CommitId],
) -> Result<History, Error> {
    let mut tips = vec![bad];
    tips.extend(goods);
    let graph = repo.load_graph(&tips)?;
    let mut dag = Dag::from_csr(
        graph.parent_start().to_vec(),
        graph.parents().to_vec(),
        graph.commit_time().to_vec(),
    )?;
    let index = |c: CommitId| {
        graph
            .index_of(c)
            .map(Rev)
            .ok_or_else(|| Error::MissingCommit(c.short(12)))
    };
    let bad_rev = index(bad)?;
    let good_revs: Vec<Rev> = goods.iter().map(|&g| index(g)).collect::<Result<_, _>>()?;
    let mut tag_names: HashMap<u32, String> = HashMap::new();
    if goods.is_empty() {
        for t in repo.release_tags(&graph, bad)? {
            if let Some(i) = graph.index_of(t.commit) {
                dag.set_release(
                    Rev(i),
                    Release {
                        major: t.version.major,
                        minor: t.version.minor,
                        sub: t.version.patch,
                    },
                );
                tag_names.insert(i, t.name.clone());
            }
        }
    }
    Ok(History {
        graph,
        dag,
        bad_rev,
        good_revs,
        tag_names,
    })
}
