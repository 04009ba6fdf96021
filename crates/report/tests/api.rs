//! The public API as the bisection driver uses it: several crashes in one log, `same_crash`
//! on titles and alternative titles, JSON of a report.

#![allow(clippy::expect_used, reason = "a test may panic")]

const GPF: &str = "[   10.000000][ T100] general protection fault, probably for non-canonical address 0xdffffc0000000001: 0000 [#1] PREEMPT SMP KASAN
[   10.000001][ T100] CPU: 0 PID: 100 Comm: syz.1.42 Not tainted 6.1.0 #1
[   10.000002][ T100] RIP: 0010:__se_sys_mremap+0x10/0x20
[   10.000003][ T100] Call Trace:
[   10.000004][ T100]  <TASK>
[   10.000005][ T100]  do_syscall_64+0x1/0x2
[   10.000006][ T100]  entry_SYSCALL_64_after_hwframe+0x1/0x2
[   10.000007][ T100]  </TASK>
";

const WARN: &str =
    "[   20.000000][ T200] WARNING: CPU: 1 PID: 200 at net/core/dev.c:10 dev_thing+0x1/0x2
[   20.000001][ T200] Modules linked in:
[   20.000002][ T200] RIP: 0010:dev_thing+0x1/0x2
[   20.000003][ T200] Call Trace:
[   20.000004][ T200]  <TASK>
[   20.000005][ T200]  netdev_run+0x1/0x2
[   20.000006][ T200]  do_syscall_64+0x1/0x2
[   20.000007][ T200]  </TASK>
";

#[test]
fn several_crashes_in_order_and_same_crash() {
    let log = format!("[    1.000000] boot ok\n{GPF}[   15.000000] noise\n{WARN}");
    let all = culprit_report::parse(log.as_bytes());
    let titles: Vec<&str> = all.iter().map(|r| r.title.as_str()).collect();
    assert_eq!(
        titles,
        ["general protection fault in mremap", "WARNING in dev_thing"]
    );
    assert!(all[0].start < all[1].start);
    assert_eq!(all[0].executor.as_deref(), Some("proc=1, id=42"));
    assert_eq!(all[0].kind.name(), "DoS");
    assert_eq!(all[1].kind.name(), "WARNING");
    assert!(!all[0].corrupted, "{:?}", all[0].corrupted_reason);

    let first = culprit_report::first(log.as_bytes()).expect("a crash");
    assert_eq!(first.title, all[0].title);
    assert!(culprit_report::same_crash(&first, &all[0]));
    assert!(!culprit_report::same_crash(&all[0], &all[1]));

    // The raw frame's alternative titles match a report titled with it.
    assert!(
        first
            .alt_titles
            .iter()
            .any(|t| t == "general protection fault in __se_sys_mremap")
    );
    let mut other = all[1].clone();
    other.title = "general protection fault in sys_mremap".into();
    other.alt_titles = vec!["bad-access in __se_sys_mremap".into()];
    assert!(culprit_report::same_crash(&first, &other));
}

#[test]
fn report_serialises_with_corpus_type_names() {
    let r = culprit_report::first(GPF.as_bytes()).expect("a crash");
    let v = serde_json::to_value(&r).expect("serialises");
    assert_eq!(v["type"], "DoS");
    assert_eq!(v["title"], "general protection fault in mremap");
    assert_eq!(v["frame"], "mremap");
    assert!(v.get("text").is_none(), "the raw text is not serialised");
}

#[test]
fn kmsan_report_whose_origin_stack_was_lost_is_corrupted() {
    let kmsan = |origin: &str| {
        format!(
            "[   30.000000][ T300] BUG: KMSAN: uninit-value in parse_thing+0x1/0x2
[   30.000001][ T300]  parse_thing+0x1/0x2
[   30.000002][ T300]  do_syscall_64+0x1/0x2
[   30.000003][ T300] 
[   30.000004][ T300] Uninit was created at:
[   30.000005][ T300] {origin}
[   30.000006][ T300] 
[   30.000007][ T300] CPU: 0 PID: 300 Comm: syz.2.7 Not tainted 6.1.0 #1
"
        )
    };
    let lost = culprit_report::first(kmsan("(stack is not available)").as_bytes()).expect("crash");
    assert_eq!(lost.title, "KMSAN: uninit-value in parse_thing");
    assert!(lost.corrupted);
    assert_eq!(
        lost.corrupted_reason.as_deref(),
        Some("no frames in the origin stack")
    );
    let kept = culprit_report::first(kmsan(" thing_alloc+0x1/0x2").as_bytes()).expect("crash");
    assert_eq!(kept.title, "KMSAN: uninit-value in parse_thing");
    assert!(!kept.corrupted, "{:?}", kept.corrupted_reason);
}
