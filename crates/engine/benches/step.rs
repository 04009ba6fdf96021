//! Time to choose the next probe after a verdict on a 1,000,000-commit history, linear and with
//! merged side branches, for the `bayes` and `git` policies. Peak memory (VmHWM) is printed at
//! the end. Run: `cargo bench -p culprit-engine --bench step`.

#![allow(missing_docs)] // criterion_group! generates undocumented items

use std::hint::black_box;
use std::sync::Arc;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use culprit_engine::{Bisection, Build, Config, Dag, Mode, Outcome, Policy, Rev, Target};

const N: u32 = 1_000_000;
const TITLE: &str = "general protection fault in vhost_task_start";

fn linear() -> Dag {
    let mut start = Vec::with_capacity(N as usize + 1);
    let mut parents = Vec::with_capacity(N as usize);
    start.push(0);
    for i in 0..N {
        if i > 0 {
            parents.push(i - 1);
        }
        start.push(parents.len() as u32);
    }
    Dag::from_csr(start, parents, Vec::new()).expect("valid")
}

/// A main line where about 8% of the commits are merges of short side branches forked from a
/// recent main-line commit (kernel-like).
fn merges() -> Dag {
    let mut start = vec![0u32, 0]; // commit 0: the root, no parents
    let mut parents = Vec::new();
    let mut tip = 0u32;
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut rnd = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut len = 1u32;
    while len < N {
        let left = N - len;
        if left > 10 && rnd() % 100 < 8 {
            let fork = tip.saturating_sub((rnd() % 200) as u32);
            let side = 1 + (rnd() % 8) as u32;
            let mut prev = fork;
            for _ in 0..side {
                parents.push(prev);
                start.push(parents.len() as u32);
                prev = len;
                len += 1;
            }
            parents.push(tip);
            parents.push(prev);
            start.push(parents.len() as u32);
            tip = len;
            len += 1;
        } else {
            parents.push(tip);
            start.push(parents.len() as u32);
            tip = len;
            len += 1;
        }
    }
    Dag::from_csr(start, parents, Vec::new()).expect("valid")
}

/// An engine that has handed out its first bisection probe and received all but one of its
/// runs (all clean), plus that probe's id.
fn prepared(dag: &Arc<Dag>, policy: Policy) -> (Bisection, culprit_engine::ProbeId, u32) {
    let mut cfg = Config::new(Mode::Cause, policy);
    cfg.repro_check = false;
    let target = Target::new(TITLE);
    let bad = Rev(dag.len() as u32 - 1);
    let mut e =
        Bisection::with_target(Arc::clone(dag), bad, &[Rev(0)], cfg, target).expect("setup");
    let p = e.poll_probe().expect("first probe");
    e.handle_build(p.id, Build::Built { artifact: None })
        .expect("build");
    for _ in 1..p.runs {
        e.handle_run(p.id, Outcome::Ok).expect("run");
    }
    (e, p.id, p.runs)
}

fn bench(c: &mut Criterion) {
    for (shape, dag) in [("linear", linear()), ("merges", merges())] {
        let dag = Arc::new(dag);
        for policy in [Policy::Bayes, Policy::Git] {
            let name = format!("next probe after a verdict/{shape}/{policy:?}");
            c.bench_function(&name, |b| {
                b.iter_batched(
                    || prepared(&dag, policy).0,
                    |mut e| {
                        let id = e.in_flight()[0];
                        e.handle_run(id, Outcome::Ok).expect("run");
                        black_box(e.poll_probe())
                    },
                    BatchSize::PerIteration,
                )
            });
        }
    }
    if let Ok(status) = std::fs::read_to_string("/proc/self/status")
        && let Some(line) = status.lines().find(|l| l.starts_with("VmHWM"))
    {
        println!(
            "peak memory of the whole bench process: {}",
            line.trim_start_matches("VmHWM:").trim()
        );
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
