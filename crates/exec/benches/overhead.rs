//! What running a command costs culprit itself: `sh -c true` through [`culprit_exec::Command`]
//! (process group, log file, reader and waiter threads) against a bare `std::process::Command`.
//!
//! ```text
//! cargo bench -p culprit-exec --bench overhead
//! ```

#![allow(clippy::expect_used)] // benchmark setup failures should panic with their reason
#![allow(missing_docs)] // criterion's macros generate undocumented functions

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use culprit_exec::{Cancel, Command};

fn bench_overhead(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("log");
    let cancel = Cancel::new();
    let mut group = c.benchmark_group("exec");
    group.bench_function("culprit_exec sh -c true", |b| {
        b.iter(|| {
            let outcome = Command::new("true", dir.path(), &log)
                .run(&cancel)
                .expect("run");
            black_box(outcome.status)
        });
    });
    group.bench_function("std sh -c true", |b| {
        b.iter(|| {
            let status = std::process::Command::new("sh")
                .args(["-c", "true"])
                .current_dir(dir.path())
                .status()
                .expect("run");
            black_box(status)
        });
    });
    group.finish();
}

criterion_group!(benches, bench_overhead);
criterion_main!(benches);
