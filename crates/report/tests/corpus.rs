//! The syzkaller crash-report corpus (`shared/corpus`), read exactly as its README says:
//! every header key of `linux-report/` is checked and the guilty file of `linux-guilty/`.
//! Prints per-key accuracy and the failing files; asserts the accuracy reached so far.
//! Run with `cargo test -p culprit-report --test corpus -- --nocapture` to see the figures.

#![allow(clippy::expect_used, reason = "a test may panic on a broken corpus")]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Accuracy floors (fractions of files), ratcheted up as the parser improves.
const MIN_REPORT_ALL_RIGHT: f64 = 0.999;
const MIN_GUILTY_RIGHT: f64 = 0.99;

fn corpus_dir(name: &str) -> Option<PathBuf> {
    let d = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus")
        .join(name);
    if d.is_dir() {
        Some(d)
    } else {
        println!(
            "corpus {} not found: skipping (looked in {})",
            name,
            d.display()
        );
        None
    }
}

fn test_files(dir: &Path) -> Vec<(u64, PathBuf)> {
    let mut files: Vec<(u64, PathBuf)> = std::fs::read_dir(dir)
        .expect("corpus dir reads")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.parse::<u64>().ok().map(|n| (n, e.path()))
        })
        .collect();
    files.sort();
    files
}

struct Case {
    headers: Vec<(String, String)>,
    log: Vec<u8>,
    report: Option<Vec<u8>>,
}

/// Split a test file into header, log and expected report, as the corpus README says.
fn read_case(path: &Path) -> Case {
    let mut data = std::fs::read(path).expect("corpus file reads");
    data.retain(|&b| b != b'\r');
    let mut headers = Vec::new();
    let mut pos = 0;
    loop {
        let end = data[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(data.len(), |i| pos + i);
        let line = &data[pos..end];
        pos = (end + 1).min(data.len());
        if line.is_empty() {
            break;
        }
        let line = String::from_utf8_lossy(line).into_owned();
        if line.starts_with('#') {
            continue;
        }
        let (k, v) = line
            .split_once(": ")
            .or_else(|| line.strip_suffix(':').map(|k| (k, "")))
            .unwrap_or_else(|| panic!("{}: bad header line {line:?}", path.display()));
        headers.push((k.to_string(), v.to_string()));
        if pos >= data.len() {
            break;
        }
    }
    let mut log = data[pos..].to_vec();
    if !log.is_empty() && !log.ends_with(b"\n") {
        log.push(b'\n');
    }
    let mut report = None;
    // "\n\nREPORT:\n" : the empty line stays in the log.
    if let Some(i) = find(&log, b"\nREPORT:\n").filter(|&i| i == 0 || log[i - 1] == b'\n') {
        let rep = log[i + b"\nREPORT:\n".len()..].to_vec();
        log.truncate(i + 1);
        report = Some(rep);
    } else if log.starts_with(b"REPORT:\n") {
        report = Some(log[b"REPORT:\n".len()..].to_vec());
        log.clear();
    }
    Case {
        headers,
        log,
        report,
    }
}

fn find(h: &[u8], n: &[u8]) -> Option<usize> {
    h.windows(n.len()).position(|w| w == n)
}

#[derive(Default)]
struct Score {
    right: usize,
    total: usize,
    failures: Vec<String>,
}

impl Score {
    fn check(&mut self, file: u64, ok: bool, what: impl FnOnce() -> String) {
        self.total += 1;
        if ok {
            self.right += 1;
        } else {
            self.failures.push(format!("{file}: {}", what()));
        }
    }
    fn frac(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.right as f64 / self.total as f64
        }
    }
}

#[test]
fn linux_report_corpus() {
    let Some(dir) = corpus_dir("linux-report") else {
        return;
    };
    let mut scores: BTreeMap<&str, Score> = BTreeMap::new();
    let mut all_right = Score::default();
    let mut strict = Score::default();
    for (n, path) in test_files(&dir) {
        let case = read_case(&path);
        let get = |k: &str| -> Option<String> {
            case.headers
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
                .filter(|v| !v.is_empty())
        };
        let flag = |k: &str| get(k).as_deref() == Some("Y");
        let alts: BTreeSet<String> = case
            .headers
            .iter()
            .filter(|(k, _)| k == "ALT")
            .map(|(_, v)| v.clone())
            .collect();
        let rep = culprit_report::first(&case.log);
        // The streaming reader must agree with the in-memory parser.
        let streamed = culprit_report::first_from_reader(&case.log[..]).expect("reads from memory");
        assert_eq!(
            streamed
                .as_ref()
                .map(|r| (&r.title, r.start, r.end, r.corrupted, r.panicked)),
            rep.as_ref()
                .map(|r| (&r.title, r.start, r.end, r.corrupted, r.panicked)),
            "{n}: first_from_reader disagrees with first"
        );
        let want_title = get("TITLE");
        let got_title = rep.as_ref().map(|r| r.title.clone());
        let mut ok = true;
        let mut ok_strict = true;
        let mut chk = |key: &'static str, good: bool, msg: String, primary: bool| {
            scores.entry(key).or_default().check(n, good, || msg);
            if !good {
                if primary {
                    ok = false;
                }
                ok_strict = false;
            }
        };
        chk(
            "TITLE",
            want_title == got_title,
            format!("want {want_title:?} got {got_title:?}"),
            true,
        );
        if want_title.is_none() {
            let c = culprit_report::contains_crash(&case.log);
            chk("NO-CRASH", !c, "contains_crash says yes".into(), true);
        }
        if let Some(r) = &rep {
            let got_alts: BTreeSet<String> = r.alt_titles.iter().cloned().collect();
            chk(
                "ALT",
                got_alts == alts,
                format!("want {alts:?} got {got_alts:?}"),
                true,
            );
            let want_type = get("TYPE").unwrap_or_default();
            chk(
                "TYPE",
                r.kind.name() == want_type,
                format!("want {want_type:?} got {:?} ({})", r.kind.name(), r.title),
                true,
            );
            chk(
                "CORRUPTED",
                r.corrupted == flag("CORRUPTED"),
                format!(
                    "want {} got {} {:?} ({})",
                    flag("CORRUPTED"),
                    r.corrupted,
                    r.corrupted_reason,
                    r.title
                ),
                true,
            );
            if let Some(fr) = get("FRAME") {
                chk(
                    "FRAME",
                    r.frame.as_deref() == Some(fr.as_str()),
                    format!("want {fr:?} got {:?}", r.frame),
                    true,
                );
            }
            chk(
                "SUPPRESSED",
                r.suppressed == flag("SUPPRESSED"),
                format!("want {} got {}", flag("SUPPRESSED"), r.suppressed),
                false,
            );
            chk(
                "PANICKED",
                r.panicked == flag("PANICKED"),
                format!("want {} got {}", flag("PANICKED"), r.panicked),
                false,
            );
            let ex = get("EXECUTOR");
            chk(
                "EXECUTOR",
                r.executor == ex,
                format!("want {ex:?} got {:?}", r.executor),
                false,
            );
            if let Some(want) = &case.report {
                chk(
                    "REPORT",
                    &r.text == want,
                    format!(
                        "report text differs ({} vs {} bytes)",
                        r.text.len(),
                        want.len()
                    ),
                    false,
                );
            }
            if let Some(s) = get("START") {
                let want = find(&case.log, s.as_bytes());
                chk(
                    "START",
                    want == Some(r.start),
                    format!("want {want:?} got {}", r.start),
                    false,
                );
            }
        }
        all_right.check(n, ok, || "not all primary keys right".into());
        strict.check(n, ok && ok_strict, || "not all keys right".into());
    }
    println!("\n== linux-report: per-key accuracy");
    for (k, s) in &scores {
        println!(
            "{k:12} {:4}/{:4} {:6.2}%",
            s.right,
            s.total,
            100.0 * s.frac()
        );
    }
    println!(
        "ALL-PRIMARY  {:4}/{:4} {:6.2}%  (title, alt, type, corrupted, frame, no-crash)",
        all_right.right,
        all_right.total,
        100.0 * all_right.frac()
    );
    println!(
        "ALL-STRICT   {:4}/{:4} {:6.2}%  (+ suppressed, panicked, executor, report, start)",
        strict.right,
        strict.total,
        100.0 * strict.frac()
    );
    for (k, s) in &scores {
        for f in &s.failures {
            println!("FAIL {k}: {f}");
        }
    }
    assert!(
        all_right.frac() >= MIN_REPORT_ALL_RIGHT,
        "linux-report accuracy {:.4} fell below {MIN_REPORT_ALL_RIGHT}",
        all_right.frac()
    );
}

#[test]
fn linux_guilty_corpus() {
    let Some(dir) = corpus_dir("linux-guilty") else {
        return;
    };
    let mut score = Score::default();
    for (n, path) in test_files(&dir) {
        let case = read_case(&path);
        let want = case
            .headers
            .iter()
            .find(|(k, _)| k == "FILE")
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty());
        let got = culprit_report::guilty_file_in_log(&case.log);
        score.check(n, got == want, || format!("want {want:?} got {got:?}"));
    }
    println!(
        "\n== linux-guilty: guilty file {:4}/{:4} {:6.2}%",
        score.right,
        score.total,
        100.0 * score.frac()
    );
    for f in &score.failures {
        println!("FAIL FILE: {f}");
    }
    assert!(
        score.frac() >= MIN_GUILTY_RIGHT,
        "linux-guilty accuracy {:.4} fell below {MIN_GUILTY_RIGHT}",
        score.frac()
    );
}
