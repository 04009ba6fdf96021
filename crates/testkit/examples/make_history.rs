//! Write a synthetic history with `git fast-import` into a new repository.
//!
//! ```text
//! cargo run --release -p culprit-testkit --example make_history -- PATH COMMITS [MERGE_EVERY SIDE_LEN] [--commit-graph]
//! ```

use culprit_testkit::History;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let commit_graph = args.iter().any(|a| a == "--commit-graph");
    let args: Vec<&String> = args.iter().filter(|a| *a != "--commit-graph").collect();
    let number = |i: usize, default: u32| -> u32 {
        args.get(i)
            .map(|a| {
                a.parse()
                    .unwrap_or_else(|e| panic!("{a:?} is not a number: {e}"))
            })
            .unwrap_or(default)
    };
    let Some(path) = args.first() else {
        eprintln!("usage: make_history PATH COMMITS [MERGE_EVERY SIDE_LEN] [--commit-graph]");
        std::process::exit(2);
    };
    let history = History {
        commit_graph,
        ..History::with_merges(number(1, 200_000), number(2, 0), number(3, 1))
    };
    let started = std::time::Instant::now();
    let imported = history.import_into(std::path::Path::new(path));
    println!(
        "{} commits ({} merges) in {:.1} s, tip {}",
        imported.ids.len(),
        imported.merges,
        started.elapsed().as_secs_f64(),
        imported.tip
    );
}
