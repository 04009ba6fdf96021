//! syzbot's bisection test scenarios (syzkaller `pkg/bisect` `TestBisectionResults`, described
//! in `shared/reference/syzbot-bisection.md` §12), recreated as engine tests with the `syzbot`
//! policy and the same expected results.
//!
//! The history: two setup commits, then commits titled r00..r05 for r = 4..9 with a release tag
//! vR.0 on r00; 650 sits on 500 and 700 merges 605 and 650; 790..792 branch off 700 and 804
//! merges 803 and 792; HEAD is 905; a side branch from 800 holds 851 and 852. A fake tester
//! decides each run from the commit's number: inside a broken range every run fails to boot,
//! inside an infra range the first half of the runs are infrastructure errors, otherwise the bug
//! is present when the "introduced" commit is an ancestor and the "fix" commit is not.
//!
//! Scenarios that exercise parts outside the engine (kernel config minimisation, title
//! re-identification of rewritten commits, fetching a commit that is on no local branch) are not here:
//! the engine's part of them is the same as `cause-finds-cause`.

use std::collections::HashMap;
use std::sync::Arc;

use culprit_engine::{
    Bisection, Build, Conclusion, Config, Dag, Failure, Mode, Outcome, Policy, Purpose, Release,
    Rev,
};

struct Repo {
    dag: Arc<Dag>,
    title: Vec<String>,
    by_title: HashMap<String, Rev>,
}

fn repo() -> Repo {
    let mut parents: Vec<Vec<u32>> = Vec::new();
    let mut title: Vec<String> = Vec::new();
    let mut by_title: HashMap<String, Rev> = HashMap::new();
    let mut add = |t: &str, ps: Vec<&str>, parents: &mut Vec<Vec<u32>>, title: &mut Vec<String>| {
        let id = parents.len() as u32;
        let ps: Vec<u32> = ps.iter().map(|p| by_title[*p].0).collect();
        parents.push(ps);
        title.push(t.to_string());
        by_title.insert(t.to_string(), Rev(id));
    };
    add("setup1", vec![], &mut parents, &mut title);
    add("setup2", vec!["setup1"], &mut parents, &mut title);
    let mut prev = "setup2".to_string();
    for r in 4..=9 {
        for k in 0..=5 {
            let t = format!("{r}0{k}");
            if t == "700" {
                add("650", vec!["500"], &mut parents, &mut title);
                add("700", vec!["605", "650"], &mut parents, &mut title);
            } else if t == "804" {
                add("804", vec!["803", "792"], &mut parents, &mut title);
            } else {
                add(&t, vec![&prev], &mut parents, &mut title);
            }
            if t == "705" {
                add("790", vec!["700"], &mut parents, &mut title);
                add("791", vec!["790"], &mut parents, &mut title);
                add("792", vec!["791"], &mut parents, &mut title);
            }
            if t == "805" {
                add("v8-branch", vec!["800"], &mut parents, &mut title);
                add("851", vec!["v8-branch"], &mut parents, &mut title);
                add("852", vec!["851"], &mut parents, &mut title);
            }
            prev = t;
        }
    }
    let by_title: HashMap<String, Rev> = title
        .iter()
        .enumerate()
        .map(|(i, t)| (t.clone(), Rev(i as u32)))
        .collect();
    let mut dag = Dag::from_parents(&parents, vec![]).expect("valid history");
    for r in 4..=9 {
        dag.set_release(
            by_title[&format!("{r}00")],
            Release {
                major: r,
                minor: 0,
                sub: None,
            },
        );
    }
    Repo {
        dag: Arc::new(dag),
        title,
        by_title,
    }
}

#[derive(Default, Clone)]
struct Case {
    fix: bool,
    start: &'static str,
    introduced: Option<&'static str>,
    fixed_by: Option<&'static str>,
    broken: Option<(u32, u32)>,
    infra: Option<(u32, u32)>,
    same: Option<(u32, u32)>,
    flaky: bool,
    syzfatal_in_clean: bool,
    lost_connection_in_clean: bool,
    kind: &'static str,
    cross_tree: bool,
}

const TITLE: &str = "crashes at crash occurs";

fn number(t: &str) -> Option<u32> {
    t.parse().ok()
}

fn within(range: Option<(u32, u32)>, t: &str) -> bool {
    matches!((range, number(t)), (Some((a, b)), Some(n)) if a <= n && n <= b)
}

/// Runs one scenario to its end with the syzbot policy; returns the conclusion.
fn run(repo: &Repo, case: &Case) -> Conclusion {
    run_with(repo, case, Policy::Syzbot)
}

fn run_with(repo: &Repo, case: &Case, policy: Policy) -> Conclusion {
    let mode = if case.fix { Mode::Fix } else { Mode::Cause };
    let mut cfg = Config::new(mode, policy);
    cfg.cross_tree = case.cross_tree;
    let start = repo.by_title[case.start];
    let goods = if case.fix {
        vec![repo.by_title["905"]]
    } else {
        vec![]
    };
    let mut e = Bisection::new(Arc::clone(&repo.dag), start, &goods, cfg).expect("setup");
    let has =
        |rev: Rev, t: Option<&str>| t.is_some_and(|t| repo.dag.is_ancestor(repo.by_title[t], rev));
    for _ in 0..500 {
        let Some(p) = e.poll_probe() else { break };
        let t = &repo.title[p.rev.idx()];
        if std::env::var_os("SCEN_TRACE").is_some() {
            eprintln!("probe {} {t} runs {}", p.id.0, p.runs);
        }
        let artifact = if within(case.same, t) {
            "same-sign".to_string()
        } else {
            format!("{t}-sign")
        };
        e.handle_build(
            p.id,
            Build::Built {
                artifact: Some(artifact),
            },
        )
        .expect("probe");
        let present = (case.introduced.is_none() || has(p.rev, case.introduced))
            && !has(p.rev, case.fixed_by);
        let n = p.runs;
        for i in 0..n {
            let o = if within(case.broken, t) {
                Outcome::Skip {
                    reason: "boot failed".into(),
                }
            } else if within(case.infra, t) && 2 * i <= n {
                Outcome::Infra {
                    reason: "VM lost".into(),
                }
            } else if present && (!case.flaky || i < 2.max(n / 6)) {
                Outcome::Crash {
                    title: TITLE.into(),
                    alt_titles: vec![],
                    kind: case.kind.into(),
                }
            } else if !present && case.syzfatal_in_clean && i == 0 {
                Outcome::Crash {
                    title: "SYZFATAL: executor failed".into(),
                    alt_titles: vec![],
                    kind: "SYZ_FAILURE".into(),
                }
            } else if !present && case.lost_connection_in_clean && i < n / 3 {
                Outcome::Crash {
                    title: "lost connection to test machine".into(),
                    alt_titles: vec![],
                    kind: "LOST_CONNECTION".into(),
                }
            } else {
                Outcome::Ok
            };
            e.handle_run(p.id, o).expect("probe");
        }
        while e.poll_event().is_some() {}
        if e.conclusion().is_some() {
            break;
        }
    }
    e.conclusion().cloned().expect("the bisection ends")
}

fn culprit(repo: &Repo, c: &Conclusion) -> (String, f64, bool, bool) {
    match c {
        Conclusion::Culprit {
            rev,
            confidence,
            flags,
        } => (
            repo.title[rev.idx()].clone(),
            confidence.unwrap_or(f64::NAN),
            flags.no_op,
            flags.release,
        ),
        other => panic!("expected one commit, got {other:?}"),
    }
}

fn titles(repo: &Repo, c: &Conclusion) -> Vec<String> {
    match c {
        Conclusion::Inconclusive { candidates, .. } => {
            let mut v: Vec<String> = candidates
                .iter()
                .map(|r| repo.title[r.idx()].clone())
                .collect();
            v.sort();
            v
        }
        other => panic!("expected several commits, got {other:?}"),
    }
}

fn horizon(repo: &Repo, c: &Conclusion) -> String {
    match c {
        Conclusion::Horizon { rev } => repo.title[rev.idx()].clone(),
        other => panic!("expected no commit, got {other:?}"),
    }
}

fn cause(start: &'static str, introduced: &'static str) -> Case {
    Case {
        start,
        introduced: Some(introduced),
        kind: "KASAN-READ",
        ..Case::default()
    }
}

fn fix(start: &'static str, fixed_by: Option<&'static str>) -> Case {
    Case {
        fix: true,
        start,
        fixed_by,
        kind: "KASAN-READ",
        ..Case::default()
    }
}

#[test]
fn cause_finds_cause() {
    let r = repo();
    let (t, conf, noop, release) = culprit(&r, &run(&r, &cause("905", "602")));
    assert_eq!((t.as_str(), noop, release), ("602", false, false));
    assert!(conf > 0.99, "confidence {conf}");
}

#[test]
fn cause_finds_cause_flaky() {
    let r = repo();
    let (t, conf, _, _) = culprit(
        &r,
        &run(
            &r,
            &Case {
                flaky: true,
                ..cause("905", "605")
            },
        ),
    );
    assert_eq!(t, "605");
    assert!(0.8 < conf && conf < 0.9, "confidence {conf}");
}

#[test]
fn cause_does_not_repro_without_an_older_release() {
    let r = repo();
    let c = run(
        &r,
        &Case {
            start: "400",
            kind: "KASAN-READ",
            ..Case::default()
        },
    );
    assert_eq!(c, Conclusion::Failed(Failure::NoReleases));
}

#[test]
fn cause_crashes_oldest() {
    let r = repo();
    let c = run(
        &r,
        &Case {
            start: "905",
            kind: "KASAN-READ",
            ..Case::default()
        },
    );
    assert_eq!(horizon(&r, &c), "400");
}

#[test]
fn cause_inconclusive() {
    let r = repo();
    let c = run(
        &r,
        &Case {
            broken: Some((500, 700)),
            ..cause("802", "605")
        },
    );
    let want = [
        "500", "501", "502", "503", "504", "505", "600", "601", "602", "603", "604", "605", "650",
        "700", "701",
    ];
    assert_eq!(titles(&r, &c), want);
}

#[test]
fn all_releases_broken() {
    let r = repo();
    let c = run(
        &r,
        &Case {
            broken: Some((100, 800)),
            ..cause("802", "605")
        },
    );
    assert_eq!(c, Conclusion::Failed(Failure::OldestReleaseBroken));
}

#[test]
fn fix_finds_fix() {
    let r = repo();
    let (t, _, noop, release) = culprit(&r, &run(&r, &fix("400", Some("500"))));
    assert_eq!((t.as_str(), noop, release), ("500", false, true));
}

#[test]
fn fix_after_bug_issue_4117() {
    let r = repo();
    let c = run(
        &r,
        &Case {
            introduced: Some("704"),
            ..fix("802", Some("803"))
        },
    );
    assert_eq!(culprit(&r, &c).0, "803");
}

#[test]
fn fix_finds_fix_despite_syzfatal() {
    let r = repo();
    let (t, _, _, release) = culprit(
        &r,
        &run(
            &r,
            &Case {
                syzfatal_in_clean: true,
                ..fix("400", Some("500"))
            },
        ),
    );
    assert_eq!((t.as_str(), release), ("500", true));
}

#[test]
fn fix_finds_fix_despite_lost_connection() {
    let r = repo();
    let c = run(
        &r,
        &Case {
            lost_connection_in_clean: true,
            ..fix("400", Some("500"))
        },
    );
    assert_eq!(culprit(&r, &c).0, "500");
}

#[test]
fn fix_finds_fix_for_syzfatal() {
    let r = repo();
    let (t, _, _, release) = culprit(
        &r,
        &run(
            &r,
            &Case {
                kind: "SYZ_FAILURE",
                ..fix("400", Some("500"))
            },
        ),
    );
    assert_eq!((t.as_str(), release), ("500", true));
}

#[test]
fn fix_does_not_repro() {
    // syzbot starts at 905 = HEAD, finds no crash there and fails. The engine refuses the range
    // before testing anything: the crashing end and the fixed end are the same commit.
    let r = repo();
    let cfg = Config::new(Mode::Fix, Policy::Syzbot);
    let head = r.by_title["905"];
    let err = Bisection::new(Arc::clone(&r.dag), head, &[head], cfg).expect_err("same commit");
    assert_eq!(err, culprit_engine::SetupError::GoodIsBad(head));
    // Started one commit lower (904, without the bug: it is fixed by 900) it does not reproduce.
    assert_eq!(run(&r, &fix("904", Some("900"))), Conclusion::NotReproduced);
}

#[test]
fn fix_head_broken() {
    let r = repo();
    let c = run(
        &r,
        &Case {
            broken: Some((500, 1000)),
            ..fix("400", None)
        },
    );
    assert_eq!(horizon(&r, &c), "905");
}

#[test]
fn fix_head_crashes() {
    let r = repo();
    assert_eq!(horizon(&r, &run(&r, &fix("400", None))), "905");
}

#[test]
fn fix_inconclusive() {
    let r = repo();
    let got = titles(
        &r,
        &run(
            &r,
            &Case {
                broken: Some((600, 700)),
                ..fix("500", Some("601"))
            },
        ),
    );
    assert_eq!(got.len(), 9, "{got:?}");
    for t in ["600", "601", "602", "603", "604", "605", "650", "700"] {
        assert!(got.contains(&t.to_string()), "{t} missing from {got:?}");
    }
    assert!(
        got.contains(&"701".to_string()) || got.contains(&"790".to_string()),
        "{got:?}"
    );
}

#[test]
fn same_binary_cases() {
    let r = repo();
    let cases: [(Case, &str, bool, bool); 9] = [
        (
            Case {
                same: Some((502, 503)),
                ..cause("905", "503")
            },
            "503",
            true,
            false,
        ),
        (
            Case {
                same: Some((400, 502)),
                ..cause("905", "503")
            },
            "503",
            false,
            false,
        ),
        (
            Case {
                same: Some((503, 905)),
                ..cause("905", "503")
            },
            "503",
            false,
            false,
        ),
        (
            Case {
                same: Some((502, 504)),
                ..fix("400", Some("503"))
            },
            "503",
            true,
            false,
        ),
        (
            Case {
                same: Some((405, 500)),
                ..cause("905", "500")
            },
            "500",
            true,
            true,
        ),
        (
            Case {
                same: Some((500, 501)),
                ..cause("905", "501")
            },
            "501",
            true,
            false,
        ),
        (
            Case {
                same: Some((404, 405)),
                ..cause("905", "405")
            },
            "405",
            true,
            false,
        ),
        (
            Case {
                same: Some((904, 905)),
                ..fix("400", Some("905"))
            },
            "905",
            true,
            false,
        ),
        (
            Case {
                same: Some((500, 650)),
                ..cause("905", "650")
            },
            "650",
            true,
            false,
        ),
    ];
    for (i, (case, want, noop, release)) in cases.into_iter().enumerate() {
        let (t, _, n, rel) = culprit(&r, &run(&r, &case));
        assert_eq!(
            (t.as_str(), n, rel),
            (want, noop, release),
            "same-binary case {i}"
        );
    }
}

#[test]
fn fix_release() {
    let r = repo();
    let (t, _, _, release) = culprit(&r, &run(&r, &fix("400", Some("900"))));
    assert_eq!((t.as_str(), release), ("900", true));
}

#[test]
fn cause_infra_problems() {
    let r = repo();
    let c = run(
        &r,
        &Case {
            infra: Some((600, 800)),
            ..cause("905", "602")
        },
    );
    assert_eq!(c, Conclusion::Failed(Failure::Infra));
}

/// The same worlds under the default `bayes` policy, where the answer is the same.
#[test]
fn bayes_agrees_on_the_scenarios() {
    let r = repo();
    let cases: [(Case, &str); 6] = [
        (cause("905", "602"), "602"),
        (
            Case {
                flaky: true,
                ..cause("905", "605")
            },
            "605",
        ),
        (fix("400", Some("500")), "500"),
        (
            Case {
                introduced: Some("704"),
                ..fix("802", Some("803"))
            },
            "803",
        ),
        (
            Case {
                lost_connection_in_clean: true,
                ..fix("400", Some("500"))
            },
            "500",
        ),
        (
            Case {
                same: Some((502, 503)),
                ..cause("905", "503")
            },
            "503",
        ),
    ];
    for (i, (case, want)) in cases.into_iter().enumerate() {
        let c = run_with(&r, &case, Policy::Bayes);
        let (t, conf, _, _) = culprit(&r, &c);
        assert_eq!(t, want, "case {i}");
        assert!(conf >= 0.99, "case {i}: confidence {conf}");
    }
    let c = run_with(
        &r,
        &Case {
            broken: Some((500, 700)),
            ..cause("802", "605")
        },
        Policy::Bayes,
    );
    let got = titles(&r, &c);
    for t in ["600", "601", "602", "603", "604", "605"] {
        assert!(got.contains(&t.to_string()), "{t} missing from {got:?}");
    }
}

#[test]
fn fix_cross_tree() {
    let r = repo();
    let c = run(
        &r,
        &Case {
            cross_tree: true,
            ..fix("851", Some("903"))
        },
    );
    assert_eq!(culprit(&r, &c).0, "903");
}

#[test]
fn no_fix_cross_tree() {
    let r = repo();
    let c = run(
        &r,
        &Case {
            cross_tree: true,
            introduced: Some("851"),
            ..fix("852", None)
        },
    );
    assert_eq!(horizon(&r, &c), "800");
}

#[test]
fn fix_cross_tree_broken_start() {
    let r = repo();
    let c = run(
        &r,
        &Case {
            cross_tree: true,
            broken: Some((800, 800)),
            ..fix("851", Some("903"))
        },
    );
    assert_eq!(horizon(&r, &c), "800");
}

#[test]
fn cause_finds_other_branch_commit() {
    let r = repo();
    let (t, _, _, _) = culprit(&r, &run(&r, &cause("852", "602")));
    assert_eq!(t, "602");
}

/// Runs bayes asks for on the first release after a reproducibility check on 905 whose runs
/// crash `crashes` times out of ten (spread evenly over the runs), with `vms` runs at once.
fn first_release_runs(crashes: u32, vms: u32) -> u32 {
    let r = repo();
    let mut cfg = Config::new(Mode::Cause, Policy::Bayes);
    cfg.vms = vms;
    let mut e = Bisection::new(Arc::clone(&r.dag), r.by_title["905"], &[], cfg).expect("setup");
    let mut k = 0;
    loop {
        let p = e.poll_probe().expect("a probe");
        if p.purpose == Purpose::Release {
            return p.runs;
        }
        assert_eq!(p.purpose, Purpose::ReproCheck);
        e.handle_build(p.id, Build::Built { artifact: None })
            .expect("probe");
        for _ in 0..p.runs {
            // Run k crashes when the count of crashes among the first k + 1 runs goes up.
            let o = if (k + 1) * crashes / 10 > k * crashes / 10 {
                Outcome::Crash {
                    title: TITLE.into(),
                    alt_titles: vec![],
                    kind: "BUG".into(),
                }
            } else {
                Outcome::Ok
            };
            k += 1;
            e.handle_run(p.id, o).expect("probe");
        }
        while e.poll_event().is_some() {}
    }
}

#[test]
fn bayes_runs_on_a_release_follow_the_learned_crash_rate() {
    // Three crashes in the three runs of the first round: six clean runs leave a 0.5% chance
    // that a release with the bug showed none; with four VMs at once the batch is completed
    // to eight.
    assert_eq!(first_release_runs(10, 1), 6);
    assert_eq!(first_release_runs(10, 4), 8);
    // Three in ten: the twenty runs of the cap are needed.
    assert_eq!(first_release_runs(3, 1), 20);
    // Seven in ten: in between.
    let n = first_release_runs(7, 1);
    assert!((6..20).contains(&n), "{n}");
}
