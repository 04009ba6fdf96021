//! Fuzz the crash-report parser: any bytes, no panic, sane results.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let all = culprit_report::parse(data);
    assert!(all.len() <= culprit_report::MAX_REPORTS);
    for r in &all {
        assert!(r.start <= data.len() && r.end <= data.len());
        assert!(!r.title.is_empty() && r.title.len() <= 120);
    }
    let first = culprit_report::first(data);
    assert_eq!(first.is_some(), culprit_report::contains_crash(data));
    if let (Some(f), Some(a)) = (&first, all.first()) {
        assert_eq!(f.start, a.start);
        assert!(culprit_report::same_crash(f, f));
    }
});
