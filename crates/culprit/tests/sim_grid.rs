//! `culprit sim`, through the binary: the grid's table, its check and its JSON; the new world
//! flags.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::process::{Command, Output};

fn sim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_culprit"))
        .arg("sim")
        .args(args)
        .output()
        .expect("culprit runs")
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "status {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn grid_prints_every_cell_and_strategy_and_the_check() {
    let text = stdout(&sim(&[
        "--grid",
        "--commits",
        "120",
        "--trials",
        "3",
        "--seed",
        "2",
    ]));
    let cells = culprit_sim::grid::cells(120);
    assert_eq!(cells.len(), 45);
    for c in &cells {
        for s in ["git", "syzbot", "bayes"] {
            let rows = text
                .lines()
                .filter(|l| l.starts_with(&c.name) && l[c.name.len()..].trim_start().starts_with(s))
                .count();
            assert_eq!(rows, 1, "{} {s}:\n{text}", c.name);
        }
    }
    assert!(text.contains("check (issue 11 acceptance"), "{text}");
    // One check line per cell: (a) and (b) do not apply below repro 0.1, (b) not above
    // unrelated 0.1.
    let line = |name: &str| {
        text.lines()
            .rfind(|l| {
                l.starts_with(name) && l[name.len()..].trim_start().starts_with(['p', 'F', '-'])
            })
            .unwrap_or_else(|| panic!("no check line for {name}:\n{text}"))
            .split_whitespace()
            .rev()
            .take(3)
            .collect::<Vec<_>>()
    };
    let low = line("repro 0.05, unrelated 0, linear");
    assert_eq!(&low[1..], ["-", "-"], "{low:?}");
    let noisy = line("repro 0.3, unrelated 0.3, dag");
    assert_eq!(noisy[1], "-", "{noisy:?}");
    assert_ne!(noisy[2], "-", "{noisy:?}");
    assert!(
        text.contains("applicable checks pass") || text.contains("applicable checks fail"),
        "{text}"
    );
}

#[test]
fn grid_json_holds_cells_rows_and_checks() {
    let text = stdout(&sim(&[
        "--grid",
        "--commits",
        "100",
        "--trials",
        "2",
        "--strategies",
        "syzbot,bayes",
        "--json",
    ]));
    let v: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let cells = v["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 45);
    for c in cells {
        let rows = c["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 2);
        for r in rows {
            for k in [
                "accuracy",
                "inconclusive_rate",
                "named_rate",
                "accuracy_among_named",
                "mean_confidence",
                "mean_confidence_among_named",
                "mean_runs",
                "mean_builds",
                "mean_wall_s",
                "p95_wall_s",
                "non_monotone_flagged_rate",
            ] {
                assert!(r[k].is_number(), "{k} in {r}");
            }
            assert_eq!(r["trials"], 2);
        }
    }
    assert_eq!(v["checks"].as_array().unwrap().len(), 45 * 3);
    assert_eq!(v["trials"], 2);
}

#[test]
fn world_flags_reach_the_world() {
    // A deterministic world where git names the culprit every time: a trap at rate 1 on a range
    // that git probes fools its any-crash rule in some trials.
    let base = [
        "--commits",
        "300",
        "--trials",
        "40",
        "--repro-rate",
        "1",
        "--unrelated-rate",
        "0",
        "--build-fail-rate",
        "0",
        "--strategies",
        "git",
        "--json",
    ];
    let accuracy = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        let v: serde_json::Value = serde_json::from_str(&stdout(&sim(&args))).unwrap();
        v[0]["accuracy"].as_f64().unwrap()
    };
    assert_eq!(accuracy(&[]), 1.0);
    assert!(accuracy(&["--trap", "1"]) < 0.95);
    // Without a value the trap fires at 0.5.
    assert!(accuracy(&["--trap"]) < 1.0);
    // Title change and non-monotone keep a deterministic git right.
    assert_eq!(accuracy(&["--title-change", "--non-monotone"]), 1.0);
    let text = stdout(&sim(&[
        "--commits",
        "300",
        "--trials",
        "5",
        "--build-stretches",
        "2",
        "--repro-spread",
        "1",
        "--non-monotone",
    ]));
    assert!(
        text.contains("2 build stretches, per-commit spread 1, non-monotone"),
        "{text}"
    );
    assert!(text.contains("flagged non-monotone in"), "{text}");
}

#[test]
fn grid_refuses_world_flags_and_bad_values_are_refused() {
    for args in [
        &["--grid", "--dag"][..],
        &["--grid", "--repro-rate", "0.5"],
        &["--grid", "--trap"],
        &["--trap", "1.5"],
        &["--repro-spread", "-1"],
        &["--commits", "3", "--non-monotone"],
    ] {
        let out = sim(args);
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(!err.trim().is_empty(), "{args:?}");
    }
}
