//! Latency of one durable record (a committed, fsynced insert) and of the cache lookups.
//!
//! ```text
//! cargo bench -p culprit-store --bench record
//! ```

#![allow(clippy::expect_used)] // benchmark setup failures should panic with their reason
#![allow(missing_docs)] // criterion's macros generate undocumented functions

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use culprit_store::{Build, Run, Store};

fn bench_record(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open");
    let build = Build {
        commit: "0".repeat(40),
        tree_id: "1".repeat(40),
        build_key: "make -j2".into(),
        ok: true,
        artifact_hash: Some("2".repeat(64)),
        secs: 12.5,
        error_lines: Vec::new(),
    };
    let build_id = store.record_build(&build).expect("build");
    let run = Run {
        probe_id: 7,
        commit: "0".repeat(40),
        build_id: Some(build_id),
        index: 0,
        outcome: serde_json::json!({"crashed": true, "title": "KASAN: null-ptr-deref in foo"}),
        secs: 3.25,
    };
    let mut group = c.benchmark_group("store");
    group.bench_function("record_run", |b| {
        b.iter(|| black_box(store.record_run(&run).expect("run")))
    });
    group.bench_function("append_event", |b| {
        b.iter(|| {
            black_box(
                store
                    .append_event("probe_result", &run.outcome)
                    .expect("event"),
            )
        })
    });
    // 1000 more builds with 2 runs each; look one of them up.
    for i in 0..1000 {
        let mut other = build.clone();
        other.tree_id = format!("{i:040x}");
        let id = store.record_build(&other).expect("build");
        for index in 0..2 {
            store
                .record_run(&Run {
                    build_id: Some(id),
                    index,
                    ..run.clone()
                })
                .expect("run");
        }
    }
    let tree = format!("{:040x}", 500);
    group.bench_function("runs_by_tree (1001 builds, 2 runs each)", |b| {
        b.iter(|| {
            black_box(
                store
                    .runs_by_tree(&tree, &build.build_key)
                    .expect("lookup")
                    .len(),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, bench_record);
criterion_main!(benches);
