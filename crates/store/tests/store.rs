//! The state directory with real files and real processes: records and lookups, the lock
//! (second opener, stale lock of a killed process), parameters of another bisection, kill -9 at
//! several points, a full disk and an unwritable directory.

#![allow(clippy::expect_used)] // test setup failures should panic with their reason

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use culprit_store::{Begin, Build, Error, Run, Store};
use serde_json::json;

fn build(i: usize) -> Build {
    Build {
        commit: format!("{i:040x}"),
        tree_id: format!("tree{}", i % 3),
        build_key: "make".into(),
        ok: !i.is_multiple_of(4),
        artifact_hash: (!i.is_multiple_of(4)).then(|| format!("artifact{}", i % 5)),
        secs: i as f64 + 0.5,
        error_lines: if i.is_multiple_of(4) {
            vec![format!("error {i}"), "second line".into()]
        } else {
            vec![]
        },
    }
}

fn run(i: usize, build_id: i64) -> Run {
    Run {
        probe_id: i as u64 / 2,
        commit: format!("{i:040x}"),
        build_id: Some(build_id),
        index: (i % 2) as u32,
        outcome: json!({"crashed": i.is_multiple_of(3), "title": format!("t{i}")}),
        secs: 1.25,
    }
}

fn params() -> serde_json::Value {
    json!({"repo": "/r", "bad": "abc", "build": "make", "test": "./t", "runs": 8})
}

#[test]
fn records_round_trip_and_lookups_find_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = dir.path().join("state");
    let store = Store::open(&state).expect("open");
    assert!(state.join("state.db").is_file());
    let pid = std::fs::read_to_string(state.join("lock")).expect("lock file");
    assert_eq!(pid.trim(), std::process::id().to_string());
    assert_eq!(store.begin(&params()).expect("begin"), Begin::Fresh);
    assert_eq!(store.params().expect("params"), Some(params()));

    let mut build_ids = Vec::new();
    for i in 0..8 {
        let id = store.record_build(&build(i)).expect("build");
        store.record_run(&run(i, id)).expect("run");
        build_ids.push(id);
    }
    let seq1 = store
        .append_event("probe_started", &json!({"probe": 1}))
        .expect("event");
    let seq2 = store
        .append_event("probe_result", &json!({"probe": 1, "runs": [true, false]}))
        .expect("event");
    assert_eq!((seq1, seq2), (1, 2));

    let builds = store.builds().expect("builds");
    assert_eq!(builds.len(), 8);
    assert_eq!(builds[4].1, build(4));
    let runs = store.runs().expect("runs");
    assert_eq!(runs[5].1, run(5, build_ids[5]));

    // Tree "tree1" = builds 1, 4, 7.
    let by_tree = store.builds_by_tree("tree1", "make").expect("lookup");
    assert_eq!(
        by_tree.iter().map(|b| b.1.clone()).collect::<Vec<_>>(),
        [build(1), build(4), build(7)]
    );
    assert!(
        store
            .builds_by_tree("tree1", "make V=1")
            .expect("lookup")
            .is_empty()
    );
    let runs_by_tree = store.runs_by_tree("tree1", "make").expect("lookup");
    assert_eq!(
        runs_by_tree
            .iter()
            .map(|r| r.1.commit.clone())
            .collect::<Vec<_>>(),
        [1, 4, 7].map(|i| format!("{i:040x}"))
    );
    // Artifact "artifact1" = builds 1 and 6 (4 failed: no artifact).
    let by_artifact = store.builds_by_artifact("artifact1").expect("lookup");
    assert_eq!(
        by_artifact.iter().map(|b| b.0).collect::<Vec<_>>(),
        [build_ids[1], build_ids[6]]
    );
    assert_eq!(
        store.runs_by_artifact("artifact1").expect("lookup").len(),
        2
    );

    let events = store.events().expect("events");
    assert_eq!(events.len(), 2);
    assert_eq!(events[1].kind, "probe_result");
    assert_eq!(
        events[1].payload,
        json!({"probe": 1, "runs": [true, false]})
    );

    // Everything is there after a clean close and reopen, and no takeover is reported.
    drop(store);
    let store = Store::open(&state).expect("reopen");
    assert_eq!(store.took_over_from(), None);
    assert_eq!(store.builds().expect("builds").len(), 8);
    assert_eq!(store.events().expect("events").len(), 2);
}

#[test]
fn a_second_opener_is_told_who_holds_the_lock() {
    let dir = tempfile::tempdir().expect("temp dir");
    let _store = Store::open(dir.path()).expect("open");
    let err = Store::open(dir.path())
        .err()
        .map(|e| e.to_string())
        .expect("locked");
    assert_eq!(
        err,
        format!(
            "state directory {} is locked by pid {}",
            dir.path().display(),
            std::process::id()
        )
    );
}

#[test]
fn parameters_of_another_bisection_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open");
    assert_eq!(store.begin(&params()).expect("begin"), Begin::Fresh);
    let reordered = json!({"runs": 8, "test": "./t", "build": "make", "bad": "abc", "repo": "/r"});
    assert_eq!(
        store.begin(&reordered).expect("same parameters"),
        Begin::Resumed
    );
    let other = json!({"repo": "/r", "bad": "def", "build": "make", "test": "./t", "runs": 8});
    let err = store.begin(&other).expect_err("other bisection");
    assert!(matches!(err, Error::OtherBisection { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("state from another bisection in"),
        "{err}"
    );
    assert_eq!(
        store.params().expect("params"),
        Some(params()),
        "stored parameters unchanged"
    );
}

#[test]
fn an_unwritable_state_directory_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("file");
    std::fs::write(&file, "").expect("write");
    let err = Store::open(&file.join("state"))
        .err()
        .map(|e| e.to_string())
        .expect("not a directory");
    assert!(
        err.starts_with(&format!(
            "cannot create state directory {}",
            file.join("state").display()
        )),
        "{err}"
    );
}

#[test]
fn another_schema_version_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    drop(Store::open(dir.path()).expect("open"));
    let conn = rusqlite::Connection::open(dir.path().join("state.db")).expect("sqlite");
    conn.execute(
        "UPDATE meta SET value = '99' WHERE key = 'schema_version'",
        [],
    )
    .expect("update");
    drop(conn);
    let err = Store::open(dir.path())
        .err()
        .map(|e| e.to_string())
        .expect("schema");
    assert!(err.contains("has schema version 99"), "{err}");
}

// --- Child processes -------------------------------------------------------------------------

const CHILD_DIR: &str = "CULPRIT_STORE_TEST_CHILD_DIR";

/// Not a test on its own: the body of the child processes started by the tests below (this
/// test binary re-executed with `CULPRIT_STORE_TEST_CHILD_DIR` set). Records build, run and
/// event `i` in that order, then prints `recorded i`, until killed or until a write fails.
#[test]
fn child_writer() {
    let Some(dir) = std::env::var_os(CHILD_DIR) else {
        return;
    };
    let store = Store::open(Path::new(&dir)).expect("child open");
    store.begin(&params()).expect("child begin");
    // Resume as the driver would: a build or run recorded before the kill is not repeated.
    let builds = store.builds().expect("builds");
    let runs = store.runs().expect("runs");
    let start = store.events().expect("events").len();
    let padding = "x".repeat(4000);
    for i in start..start + 1_000_000 {
        let result = match builds.get(i) {
            Some(&(id, _)) => Ok(id),
            None => store.record_build(&build(i)),
        }
        .and_then(|id| match runs.get(i) {
            Some(&(run_id, _)) => Ok(run_id),
            None => store.record_run(&run(i, id)),
        })
        .and_then(|_| store.append_event("step", &json!({"i": i, "padding": padding})));
        match result {
            Ok(_) => println!("recorded {i}"),
            Err(e) => {
                println!("error: {e}");
                return;
            }
        }
    }
}

fn spawn_child(dir: &Path, shell_prefix: Option<&str>) -> Child {
    let exe = std::env::current_exe().expect("test binary");
    let mut cmd = match shell_prefix {
        Some(prefix) => {
            let mut cmd = Command::new("sh");
            cmd.arg("-c")
                .arg(format!("{prefix}; exec \"$0\" \"$@\""))
                .arg(exe);
            cmd
        }
        None => Command::new(exe),
    };
    cmd.args(["child_writer", "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_DIR, dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    cmd.spawn().expect("spawn child")
}

/// Read the child's lines until `recorded` lines have been seen (or the child ends).
fn read_until(child: &mut Child, recorded: usize) -> Vec<String> {
    let stdout = child.stdout.take().expect("piped");
    let mut lines = Vec::new();
    let mut count = 0;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("child output");
        if line.starts_with("recorded ") {
            count += 1;
        }
        let done = count >= recorded || line.starts_with("error: ");
        lines.push(line);
        if done {
            break;
        }
    }
    lines
}

/// What a reopened store must show after any kill: builds, runs and events numbered from 0
/// without gaps, in step (build i, then run i, then event i), each equal to what was written.
fn assert_consistent_prefix(store: &Store) -> usize {
    let builds = store.builds().expect("builds");
    let runs = store.runs().expect("runs");
    let events = store.events().expect("events");
    assert!(builds.len() >= runs.len() && runs.len() >= events.len());
    assert!(
        builds.len() - events.len() <= 1,
        "{} builds, {} events",
        builds.len(),
        events.len()
    );
    for (i, (id, b)) in builds.iter().enumerate() {
        assert_eq!(*b, build(i), "build {i}");
        if let Some((_, r)) = runs.get(i) {
            assert_eq!(*r, run(i, *id), "run {i}");
        }
    }
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e.seq, i as i64 + 1);
        assert_eq!(e.payload["i"], json!(i));
    }
    events.len()
}

#[test]
fn kill_9_at_several_points_leaves_a_consistent_prefix() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut total = 0;
    for kill_after in [1, 3, 17, 40] {
        let mut child = spawn_child(dir.path(), None);
        let pid = child.id();
        let lines = read_until(&mut child, kill_after);
        assert!(lines.iter().all(|l| !l.starts_with("error: ")), "{lines:?}");
        child.kill().expect("SIGKILL");
        child.wait().expect("reap");
        let store = Store::open(dir.path()).expect("reopen after kill -9");
        assert_eq!(
            store.took_over_from(),
            Some(pid),
            "stale lock of the killed child taken over"
        );
        assert_eq!(
            store.begin(&params()).expect("same bisection"),
            Begin::Resumed
        );
        let recorded = assert_consistent_prefix(&store);
        // Everything the child reported as recorded is there.
        assert!(
            recorded >= total + kill_after,
            "{recorded} < {total} + {kill_after}"
        );
        total = recorded;
    }
}

#[test]
fn a_full_disk_is_a_clear_error_and_keeps_the_prefix() {
    let dir = tempfile::tempdir().expect("temp dir");
    // `ulimit -f` caps file sizes (the database, its WAL): writes beyond fail like a full disk.
    // SIGXFSZ is ignored so the write fails instead of killing the child.
    let mut child = spawn_child(dir.path(), Some("trap '' XFSZ; ulimit -f 1024"));
    let lines = read_until(&mut child, usize::MAX);
    child.wait().expect("reap");
    let last = lines.last().expect("some output");
    let db = dir.path().join("state.db");
    assert!(
        last.starts_with(&format!("error: cannot write state to {}", db.display())),
        "{lines:?}"
    );
    let store = Store::open(dir.path()).expect("reopen");
    let recorded = assert_consistent_prefix(&store);
    let reported = lines.iter().filter(|l| l.starts_with("recorded ")).count();
    assert!(
        reported > 10,
        "the limit leaves room for some records: {reported}"
    );
    assert!(recorded >= reported);
}

#[test]
fn the_store_can_be_shared_between_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Store>();
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open");
    std::thread::scope(|scope| {
        for t in 0..4 {
            let store = &store;
            scope.spawn(move || {
                for i in 0..10 {
                    store
                        .append_event("t", &json!({"t": t, "i": i}))
                        .expect("event");
                }
            });
        }
    });
    let events = store.events().expect("events");
    assert_eq!(events.len(), 40);
    assert_eq!(
        events.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (1..=40).collect::<Vec<i64>>()
    );
}

#[test]
fn values_are_kept_across_opens_and_replaced() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let store = Store::open(dir.path()).expect("open");
        assert_eq!(store.value("stats").expect("read"), None);
        store
            .set_value("stats", &json!({"runs": 3}))
            .expect("write");
        store
            .set_value("stats", &json!({"runs": 5, "secs": 1.5}))
            .expect("replace");
        assert!(store.set_value("schema_version", &json!(9)).is_err());
        assert_eq!(store.last_build_id().expect("id"), 0);
        assert_eq!(store.last_run_id().expect("id"), 0);
        let b = store.record_build(&build(1)).expect("build");
        store.record_build(&build(2)).expect("build");
        let r = store.record_run(&run(1, b)).expect("run");
        assert_eq!(store.last_build_id().expect("id"), b + 1);
        assert_eq!(store.last_run_id().expect("id"), r);
    }
    let store = Store::open(dir.path()).expect("reopen");
    assert_eq!(
        store.value("stats").expect("read"),
        Some(json!({"runs": 5, "secs": 1.5}))
    );
}
