//! Parsing the real MAINTAINERS of linux-source-6.1 and looking up a culprit's files.
//! Needs the kernel e2e fixture tree (crates/kbuild/tests/fixture/prepare-linux.sh).

#![allow(missing_docs, clippy::expect_used)] // bench harness; setup failures should panic

use criterion::{Criterion, criterion_group, criterion_main};
use culprit_maintainers::{Maintainers, split_recipients};

fn maintainers_text() -> Option<String> {
    let cache =
        std::env::var("CULPRIT_E2E_CACHE").unwrap_or_else(|_| "/var/tmp/culprit-e2e".into());
    std::fs::read_to_string(format!("{cache}/linux/MAINTAINERS")).ok()
}

fn bench(c: &mut Criterion) {
    let Some(text) = maintainers_text() else {
        eprintln!("SKIPPED: no MAINTAINERS (run crates/kbuild/tests/fixture/prepare-linux.sh)");
        return;
    };
    c.bench_function("parse MAINTAINERS (linux 6.1)", |b| {
        b.iter(|| Maintainers::parse(&text))
    });
    let m = Maintainers::parse(&text);
    let files = [
        "fs/proc/version.c",
        "kernel/sched/core.c",
        "drivers/tty/serial/8250/8250_core.c",
    ];
    c.bench_function("recipients for 3 files", |b| {
        b.iter(|| split_recipients(&m.recipients(&files, None)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
