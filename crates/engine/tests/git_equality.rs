//! The first probe equals `git rev-list --bisect` on random DAG repositories built with real git.
//!
//! Each case makes a repository with `git fast-import` (random merges of random side branches,
//! committer dates that often tie), asks git for its bisection midpoint between a random bad
//! commit and one or two random good ancestors, and checks the engine picks the same commit and
//! the same "revisions left" figure.

use std::io::Write;
use std::process::{Command, Stdio};

use culprit_engine::midpoint;
use culprit_engine::order;
use culprit_engine::{Dag, Rev};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

struct World {
    parents: Vec<Vec<u32>>,
    time: Vec<i64>,
}

/// A random history: a main line where each new commit has the previous tip as first parent;
/// sometimes a side branch forks from an older commit, grows, and is merged back.
fn random_world(rng: &mut ChaCha8Rng, n: usize) -> World {
    let mut parents: Vec<Vec<u32>> = vec![vec![]];
    let mut time = vec![1_000_000_000i64];
    let tie_heavy = rng.random_bool(0.5);
    let mut heads: Vec<u32> = vec![0];
    while parents.len() < n {
        let id = parents.len() as u32;
        let r: f64 = rng.random();
        let base = if heads.len() > 1 && r < 0.25 {
            // merge two heads
            let a = heads.remove(rng.random_range(0..heads.len()));
            let b = heads.remove(rng.random_range(0..heads.len()));
            let mut p = vec![a, b];
            if heads.len() > 1 && rng.random_bool(0.1) {
                p.push(heads.remove(rng.random_range(0..heads.len())));
            }
            p
        } else if r < 0.45 {
            // fork from a random older commit
            vec![rng.random_range(0..id)]
        } else {
            let i = rng.random_range(0..heads.len());
            vec![heads.remove(i)]
        };
        let t = base.iter().map(|&p| time[p as usize]).max().unwrap_or(0)
            + if tie_heavy {
                rng.random_range(0..2)
            } else {
                rng.random_range(1..100)
            };
        parents.push(base);
        time.push(t);
        heads.push(id);
    }
    // merge all remaining heads into one tip so there is a single newest commit
    while heads.len() > 1 {
        let a = heads.remove(0);
        let b = heads.remove(0);
        let id = parents.len() as u32;
        let t = time[a as usize].max(time[b as usize]) + 1;
        parents.push(vec![a, b]);
        time.push(t);
        heads.push(id);
    }
    World { parents, time }
}

fn git(dir: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Writes the world with fast-import; returns commit hashes by index.
fn make_repo(dir: &std::path::Path, w: &World) -> Vec<String> {
    git(dir, &["init", "-q"]);
    let mut stream = String::new();
    for (i, ps) in w.parents.iter().enumerate() {
        let t = w.time[i];
        stream.push_str(&format!(
            "commit refs/heads/c{i}\nmark :{}\ncommitter T <t@example.com> {t} +0000\ndata {}\nc{i}\n",
            i + 1,
            format!("c{i}\n").len()
        ));
        for (k, p) in ps.iter().enumerate() {
            let kw = if k == 0 { "from" } else { "merge" };
            stream.push_str(&format!("{kw} :{}\n", p + 1));
        }
        stream.push_str(&format!("M 644 inline f{i}\ndata 2\n{i}\n\n").replace(
            &format!("data 2\n{i}\n"),
            &format!("data {}\n{i}\n", format!("{i}\n").len()),
        ));
    }
    stream.push_str("done\n");
    let mut child = Command::new("git")
        .args(["fast-import", "--quiet", "--done"])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .spawn()
        .expect("fast-import starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stream.as_bytes())
        .expect("write stream");
    assert!(child.wait().expect("fast-import").success());
    let refs = git(
        dir,
        &[
            "for-each-ref",
            "--format=%(refname:short) %(objectname)",
            "refs/heads",
        ],
    );
    let mut hashes = vec![String::new(); w.parents.len()];
    for line in refs.lines() {
        let (name, hash) = line.split_once(' ').expect("ref line");
        let i: usize = name.trim_start_matches('c').parse().expect("ref index");
        hashes[i] = hash.to_string();
    }
    hashes
}

#[test]
fn first_probe_equals_git_on_random_dags() {
    let cases: usize = std::env::var("CULPRIT_GIT_EQ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(220);
    let mut rng = ChaCha8Rng::seed_from_u64(0xc0ffee);
    let mut compared = 0;
    for case in 0..cases {
        let n = rng.random_range(8..160);
        let w = random_world(&mut rng, n);
        let tmp = tempfile::tempdir().expect("tempdir");
        let hashes = make_repo(tmp.path(), &w);
        let dag = Dag::from_parents(&w.parents, w.time.clone()).expect("valid dag");
        let bad = Rev(w.parents.len() as u32 - 1);
        // one or two good commits among the ancestors of bad
        let ngood = rng.random_range(1..=2);
        let mut goods: Vec<Rev> = Vec::new();
        for _ in 0..ngood {
            let g = Rev(rng.random_range(0..bad.0));
            if !goods.contains(&g) {
                goods.push(g);
            }
        }
        let mut args: Vec<String> = vec![
            "rev-list".into(),
            "--bisect-vars".into(),
            hashes[bad.idx()].clone(),
        ];
        for g in &goods {
            args.push(format!("^{}", hashes[g.idx()]));
        }
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = git(tmp.path(), &argv);
        let var = |k: &str| {
            out.lines()
                .find_map(|l| l.strip_prefix(&format!("{k}=")))
                .map(|v| v.trim_matches('\'').to_string())
        };
        let cands = order::candidates(&dag, bad, &goods);
        let ours = midpoint::find(&dag, &cands, bad);
        match var("bisect_rev") {
            Some(h) if !h.is_empty() => {
                let ours =
                    ours.unwrap_or_else(|| panic!("case {case}: git chose {h}, we chose nothing"));
                assert_eq!(
                    hashes[ours.rev.idx()],
                    h,
                    "case {case}: n={n} bad={bad} goods={goods:?} parents={:?} time={:?}",
                    w.parents,
                    w.time
                );
                let all: usize = var("bisect_all")
                    .and_then(|v| v.parse().ok())
                    .expect("bisect_all");
                assert_eq!(cands.len(), all, "case {case}: candidate count");
                let left: usize = var("bisect_good")
                    .and_then(|v| v.parse().ok())
                    .expect("bisect_good");
                assert_eq!(ours.left(), left, "case {case}: revisions left");
                let steps: u32 = var("bisect_steps")
                    .and_then(|v| v.parse().ok())
                    .expect("bisect_steps");
                assert_eq!(midpoint::estimate_steps(all), steps, "case {case}: steps");
                compared += 1;
            }
            _ => assert!(cands.is_empty() || ours.is_some_and(|m| m.rev == bad)),
        }
    }
    assert!(
        compared >= cases * 9 / 10,
        "only {compared} of {cases} cases compared"
    );
}
