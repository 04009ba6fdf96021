//! Load the graph of a repository once and print the time, the graph's size and the process's
//! peak memory.
//!
//! ```text
//! cargo run --release -p culprit-git --example load_graph -- PATH [REV] [--cache DIR]
//! ```
//!
//! With `--cache DIR`, [`Repo::load_graph_cached`] is used (a commit-graph of culprit's own in
//! `DIR` for repositories without one).

use std::time::Instant;

use culprit_git::Repo;

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let cache = args.iter().position(|a| a == "--cache").map(|at| {
        let dir = args.get(at + 1).cloned().unwrap_or_default();
        args.drain(at..(at + 2).min(args.len()));
        std::path::PathBuf::from(dir)
    });
    let mut args = args.into_iter();
    let Some(path) = args.next() else {
        eprintln!("usage: load_graph PATH [REV] [--cache DIR]");
        std::process::exit(2);
    };
    let rev = args.next().unwrap_or_else(|| "HEAD".into());
    let before = peak_rss_kib().unwrap_or(0);
    let started = Instant::now();
    let result = Repo::open(std::path::Path::new(&path))
        .map_err(|e| e.to_string())
        .and_then(|repo| {
            let tip = repo.resolve(&rev).map_err(|e| e.to_string())?;
            let opened = started.elapsed();
            let graph = match &cache {
                Some(dir) => repo.load_graph_cached(&[tip], dir),
                None => repo.load_graph(&[tip]),
            }
            .map_err(|e| e.to_string())?;
            Ok((opened, graph))
        });
    let elapsed = started.elapsed();
    match result {
        Ok((opened, graph)) => {
            let merges = (0..graph.len() as u32)
                .filter(|&i| graph.parents_of(i).len() > 1)
                .count();
            println!(
                "{} commits ({merges} merges) loaded in {:.1} ms (open+resolve {:.1} ms); graph heap {:.1} MiB; peak RSS {:.1} MiB (before: {:.1} MiB)",
                graph.len(),
                elapsed.as_secs_f64() * 1e3,
                opened.as_secs_f64() * 1e3,
                graph.heap_bytes() as f64 / 1048576.0,
                peak_rss_kib().unwrap_or(0) as f64 / 1024.0,
                before as f64 / 1024.0,
            );
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
