//! Per-step git cost of a bisection: checking a candidate out in a slot (forced, cleaned) and
//! reading its metadata, on a 200k-commit history (`CULPRIT_BENCH_COMMITS` to change).
//!
//! ```text
//! cargo bench -p culprit-git --bench checkout
//! ```

#![allow(clippy::expect_used)] // benchmark setup failures should panic with their reason
#![allow(missing_docs)] // criterion's macros generate undocumented functions

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use culprit_git::{Checkouts, Clean, CommitId, Repo};
use culprit_testkit::History;

fn bench_step(c: &mut Criterion) {
    let n: u32 = std::env::var("CULPRIT_BENCH_COMMITS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let imported = History {
        commit_graph: true,
        ..History::with_merges(n, 10, 3)
    }
    .import();
    let repo = Repo::open(&imported.path).expect("open");
    let state = tempfile::tempdir().expect("state dir");
    let checkouts = Checkouts::new(&repo, state.path()).expect("checkouts");
    let ids: Vec<CommitId> = [n / 2, n / 3, n / 4, n - 1]
        .iter()
        .map(|&i| imported.ids[i as usize].parse().expect("full hash"))
        .collect();
    checkouts
        .checkout(0, ids[0])
        .expect("first checkout clones the slot");
    let mut group = c.benchmark_group("step");
    let mut next = 0;
    for (name, clean) in [
        ("checkout clean=all", Clean::All),
        ("checkout clean=keep-ignored", Clean::KeepIgnored),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                next = (next + 1) % ids.len();
                black_box(
                    checkouts
                        .checkout_with(0, ids[next], clean)
                        .expect("checkout"),
                )
            })
        });
    }
    group.bench_function("commit_info", |b| {
        b.iter(|| black_box(repo.commit_info(ids[1]).expect("info")))
    });
    group.finish();
}

criterion_group!(benches, bench_step);
criterion_main!(benches);
