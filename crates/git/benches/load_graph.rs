//! Time to load a whole history with [`culprit_git::Repo::load_graph`], on synthetic histories
//! written with `git fast-import`: linear and with merges, with and without a commit-graph file.
//!
//! `CULPRIT_BENCH_COMMITS` sets the size (default 200000). Besides criterion's timings, each case
//! prints the graph's heap size once.
//!
//! ```text
//! cargo bench -p culprit-git --bench load_graph
//! CULPRIT_BENCH_COMMITS=1000000 cargo bench -p culprit-git --bench load_graph
//! ```

#![allow(clippy::expect_used)] // benchmark setup failures should panic with their reason
#![allow(missing_docs)] // criterion's macros generate undocumented functions

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use culprit_git::{CommitId, Repo};
use culprit_testkit::History;

fn commits() -> u32 {
    std::env::var("CULPRIT_BENCH_COMMITS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000)
}

fn bench_load(c: &mut Criterion) {
    let n = commits();
    let mut group = c.benchmark_group("load_graph");
    group.sample_size(10);
    let shapes = [
        ("linear", History::linear(n)),
        ("merges", History::with_merges(n, 10, 3)),
    ];
    for (shape, history) in shapes {
        let imported = history.import();
        let tip: CommitId = imported.tip.parse().expect("full hash");
        for commit_graph in [false, true] {
            if commit_graph {
                let mut cmd = culprit_testkit::git_command(&imported.path);
                cmd.args(["commit-graph", "write", "--reachable"]);
                culprit_testkit::run_git(cmd);
            }
            let repo = Repo::open(&imported.path).expect("open");
            let graph = repo.load_graph(&[tip]).expect("load");
            assert_eq!(graph.len(), n as usize);
            eprintln!(
                "load_graph/{shape}/{n}/commit-graph={commit_graph}: {} commits, {} merges, graph heap {:.1} MiB",
                graph.len(),
                imported.merges,
                graph.heap_bytes() as f64 / (1 << 20) as f64
            );
            drop(graph);
            let name = format!(
                "{shape}/{n}/{}",
                if commit_graph {
                    "commit-graph"
                } else {
                    "objects"
                }
            );
            group.bench_function(name, |b| {
                b.iter(|| black_box(repo.load_graph(&[tip]).expect("load")).len());
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench_load);
criterion_main!(benches);
