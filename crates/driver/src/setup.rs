//! Before the first probe: the options to bisect with (given, or recorded for `--resume`), the
//! range resolved and checked in the repository, the history loaded once for the engine, the
//! engine configured, and the backend that builds and tests.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use culprit_engine::{Bisection, Config, Dag, Mode, Policy, Release, Rev};
use culprit_git::{Checkouts, CommitId, Graph, Repo};
use culprit_store::{Begin, Store};

use crate::backend::Backend;
use crate::backend::commands::Commands;
use crate::error::{Bad, Error};
use crate::kernel::{self, KernelSetup};
use crate::options::OnReady;
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
            return Err(Bad::GoodIsBad {
                commit: g.short(12),
            }
            .into());
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
            .ok_or_else(|| Error::MissingCommit {
                commit: c.short(12),
            })
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

/// The engine for this bisection, configured from the options.
pub(crate) fn engine(
    options: &Options,
    policy: Policy,
    mode: Mode,
    dag: Arc<Dag>,
    bad: Rev,
    goods: &[Rev],
) -> Result<Bisection, Error> {
    let mut cfg = Config::new(mode, policy);
    if let Some(r) = options.runs {
        cfg.runs = r.max(1);
    }
    cfg.set_jobs(options.jobs);
    if let Some(c) = options.confidence {
        cfg.target = c;
    }
    // Runs that cost one run's time: the VMs a kernel commit boots at once (one otherwise).
    cfg.vms = match &options.kernel {
        Some(k) if k.vms > 0 => k.vms,
        Some(_) => culprit_vm::max_parallel_vms(&culprit_vm::VmConfig::default()) as u32,
        None => 1,
    };
    cfg.set_any_crash(options.any_crash);
    Ok(Bisection::new(dag, bad, goods, cfg).map_err(Bad::Range)?)
}

/// The backend that builds and tests (the kernel's with `--kernel`, the commands' otherwise),
/// with its checkouts; and a line for the log when the kept kernel checkouts are busy.
pub(crate) fn backend(
    repo: &Repo,
    options: &Options,
    kernel_setup: Option<KernelSetup>,
    state_dir: &Path,
    logs: &Path,
) -> Result<(Arc<dyn Backend>, Option<String>), Error> {
    // Kernel slots (source and build directory) live in the kept workspace when there is one
    // (incremental builds across bisections), otherwise in the state directory.
    let busy_workspace = kernel_setup
        .as_ref()
        .filter(|k| k.cache.is_some() && k.workspace.is_none())
        .map(|k| {
            format!(
                "the kept checkouts of this repository are in use by another culprit: building in {}",
                k.slots.display()
            )
        });
    let checkouts = Arc::new(match &kernel_setup {
        Some(k) => Checkouts::nested(repo, &k.slots, kernel::SOURCE_DIR)?,
        None => Checkouts::new(repo, state_dir)?,
    });
    let backend: Arc<dyn Backend> = match kernel_setup {
        Some(setup) => Arc::new(kernel::Kernel {
            setup,
            checkouts,
            logs: logs.to_path_buf(),
        }),
        None => Arc::new(Commands {
            build: options.build.clone(),
            test: options.test.clone(),
            timeout: Duration::from_secs(options.timeout_secs.max(1)),
            artifact: options.artifact.clone(),
            logs: logs.to_path_buf(),
            checkouts,
        }),
    };
    Ok((backend, busy_workspace))
}

/// The bisection starts being recorded: the kernel inputs checked (bad ones are reported before
/// anything is recorded), the outputs opened (`on_ready`), the parameters stored. Returns the
/// kernel set-up, whether this resumes a recorded bisection, and the run logs' directory.
pub(crate) fn begin(
    repo: &Repo,
    store: &Store,
    options: &Options,
    state_dir: &Path,
    on_ready: Option<OnReady<'_>>,
) -> Result<(Option<KernelSetup>, bool, PathBuf), Error> {
    let kernel_setup = match &options.kernel {
        Some(k) => Some(kernel::prepare(k, state_dir, repo.common_dir())?),
        None => None,
    };
    let params = serde_json::to_value(options).map_err(|source| Error::Encode {
        what: "the options",
        source,
    })?;
    if let Some(ready) = on_ready {
        ready(state_dir)?;
    }
    let resumed = store.begin(&params)? == Begin::Resumed;
    let logs = state_dir.join("logs");
    std::fs::create_dir_all(&logs).map_err(|source| Error::File {
        action: "create",
        path: logs.clone(),
        source,
    })?;
    Ok((kernel_setup, resumed, logs))
}
