//! The title recipes of `shared/reference/crash-reports.md`, one rule at a time, on console
//! logs written here from the reference (no corpus file is copied): for each format family the
//! rule that names the guilty frame, and its fallback (the frame skipped or missing, the
//! second recipe, the `corrupted` form). Function names are invented (`widget_*`,
//! `gizmo_*`) unless the rule is about a real kernel function.

#![allow(clippy::expect_used, reason = "a test may panic")]

use culprit_report::Report;

/// Console lines with printk timestamps only (context "console").
fn console(body: &str) -> Vec<u8> {
    let mut out = String::new();
    for (i, l) in body.lines().enumerate() {
        out.push_str(&format!("[  100.{:06}] {l}\n", i * 7));
    }
    out.into_bytes()
}

/// Console lines printed by task `tid` (`[ T123]` caller id).
fn task(tid: u32, body: &str) -> Vec<u8> {
    let mut out = String::new();
    for (i, l) in body.lines().enumerate() {
        out.push_str(&format!("[  100.{:06}][ T{tid}] {l}\n", i * 7));
    }
    out.into_bytes()
}

/// Console lines printed in interrupt context on CPU `cpu` (`[ C1]` caller id).
fn cpu(n: u32, body: &str) -> Vec<u8> {
    let mut out = String::new();
    for (i, l) in body.lines().enumerate() {
        out.push_str(&format!("[  100.{:06}][    C{n}] {l}\n", i * 7));
    }
    out.into_bytes()
}

fn first(log: &[u8]) -> Report {
    culprit_report::first(log).expect("the log has a crash")
}

/// Title, alternative titles (sorted), type and corrupted flag of the first crash.
#[track_caller]
fn check(log: &[u8], title: &str, corrupted: bool) -> Report {
    let r = first(log);
    assert_eq!(
        (r.title.as_str(), r.corrupted),
        (title, corrupted),
        "corrupted reason: {:?}\n{}",
        r.corrupted_reason,
        String::from_utf8_lossy(log)
    );
    r
}

fn alts(r: &Report) -> Vec<&str> {
    let mut v: Vec<&str> = r.alt_titles.iter().map(String::as_str).collect();
    v.sort_unstable();
    v
}

/// The end of a syscall's stack on x86.
const SYSCALL_TAIL: &str = " do_syscall_64+0x2d/0x70
 entry_SYSCALL_64_after_hwframe+0x44/0xae
RIP: 0033:0x45e2a9
RSP: 002b:00007f0d6a5a1c68 EFLAGS: 00000246 ORIG_RAX: 0000000000000010
 </TASK>";

// ---------------------------------------------------------------------------------------
// §1 console prefixes and contexts

#[test]
fn a_bare_timestamp_without_the_space_is_no_prefix() {
    // "[  1.0]" alone is not a printk prefix (the prefix ends with a space): the line has no
    // context and does not count as one of the report's prefix lines.
    let log = b"[  100.000001] widget: about to fail\n[  100.000002]\n[  100.000003] general protection fault: 0000 [#1] SMP\n[  100.000004] RIP: 0010:widget_walk+0x1a/0x40\n[  100.000005] Call Trace:\n[  100.000006]  widget_ioctl+0x1/0x2\n[  100.000007]  do_syscall_64+0x1/0x2\n[  100.000008]  entry_SYSCALL_64_after_hwframe+0x1/0x2\n";
    let r = check(log, "general protection fault in widget_walk", false);
    let text = String::from_utf8_lossy(&r.text);
    assert!(text.starts_with("widget: about to fail\ngeneral protection fault"));
}

#[test]
fn an_unprefixed_marker_line_keeps_only_unprefixed_lines() {
    // The context filter is the same for every context, the empty one included: the kernel
    // lines (timestamped) are not part of a user-space "BUG:" line's report.
    let mut log = b"BUG: widget test failed\n".to_vec();
    log.extend(console(
        "general protection fault: 0000 [#1] SMP\nRIP: 0010:widget_walk+0x1a/0x40",
    ));
    let r = first(&log);
    assert_eq!(r.title, "BUG: widget test failed");
    assert!(!String::from_utf8_lossy(&r.text).contains("RIP"));
}

#[test]
fn other_tasks_lines_are_not_part_of_the_report() {
    // Two tasks interleave: the GPF of T7 keeps its own stack; T9's frames and its WARNING
    // line are another report.
    let gpf = task(
        7,
        "general protection fault, probably for non-canonical address 0xdffffc0000000001: 0000 [#1] PREEMPT SMP KASAN
CPU: 0 PID: 7 Comm: syz.0.1 Not tainted 6.1.0 #1
RIP: 0010:xas_load+0x5e/0x1a0
Code: 48 89 fa 48 c1 ea 03 <80> 3c 02 00 75 07
RSP: 0018:ffffc90003c4f8d8 EFLAGS: 00010202
Call Trace:
 <TASK>
 xas_load+0x5e/0x1a0
 gizmo_find_entry+0x87/0x250
 gizmo_ioctl+0x41/0x90
 do_syscall_64+0x2d/0x70
 entry_SYSCALL_64_after_hwframe+0x44/0xae
 </TASK>",
    );
    let other = task(
        9,
        "WARNING: CPU: 1 PID: 9 at drivers/widget/core.c:77 widget_check+0x1a/0x40\nRIP: 0010:widget_check+0x1a/0x40\nCall Trace:\n widget_poll+0x1/0x2",
    );
    // Interleave line by line.
    let a: Vec<&[u8]> = gpf.split_inclusive(|&b| b == b'\n').collect();
    let b: Vec<&[u8]> = other.split_inclusive(|&b| b == b'\n').collect();
    let mut log = Vec::new();
    for i in 0..a.len().max(b.len()) {
        if let Some(l) = a.get(i) {
            log.extend_from_slice(l);
        }
        if let Some(l) = b.get(i) {
            log.extend_from_slice(l);
        }
    }
    let r = check(&log, "general protection fault in gizmo_find_entry", false);
    assert_eq!(r.executor.as_deref(), Some("proc=0, id=1"));
}

// ---------------------------------------------------------------------------------------
// §3.2 / §4 KASAN, KMSAN, KCSAN, KFENCE

const KASAN_UAF: &str = "==================================================================
BUG: KASAN: slab-use-after-free in widget_put+0x21/0x80
Read of size 8 at addr ffff888012345678 by task syz-executor.3/4242

CPU: 0 PID: 4242 Comm: syz-executor.3 Not tainted 6.1.0 #1
Hardware name: QEMU Standard PC (i440FX + PIIX, 1996)
Call Trace:
 <TASK>
 dump_stack_lvl+0x1/0x2
 print_report+0x1/0x2
 kasan_report+0x1/0x2
 widget_put+0x21/0x80
 widget_release+0x10/0x30
 __fput+0x1/0x2
 task_work_run+0x1/0x2
 </TASK>

Allocated by task 4242:
 kasan_save_stack+0x1/0x2
 __kmalloc+0x1/0x2
 widget_create+0x1/0x2

Freed by task 4242:
 kasan_save_stack+0x1/0x2
 kfree+0x1/0x2
 widget_destroy+0x1/0x2
==================================================================";

#[test]
fn kasan_access_takes_the_function_on_the_bug_line() {
    let r = check(
        &console(KASAN_UAF),
        "KASAN: slab-use-after-free Read in widget_put",
        false,
    );
    assert_eq!(alts(&r), ["bad-access in widget_put"]);
    assert_eq!(r.kind.name(), "KASAN-USE-AFTER-FREE-READ");
    assert_eq!(r.frame.as_deref(), Some("widget_put"));
}

#[test]
fn kasan_access_in_a_string_helper_takes_its_caller() {
    // Fallback: the function on the BUG: line is never guilty (`strlen`), so the first good
    // frame of the Call Trace is.
    let log = console(
        &KASAN_UAF
            .replace("in widget_put+0x21/0x80", "in strlen+0x7c/0x90")
            .replace("Read of size 8", "Write of size 1")
            .replace(
                " widget_put+0x21/0x80\n",
                " strlen+0x7c/0x90\n widget_name+0x3/0x9\n",
            ),
    );
    let r = check(
        &log,
        "KASAN: slab-use-after-free Write in widget_name",
        false,
    );
    assert_eq!(r.kind.name(), "KASAN-USE-AFTER-FREE-WRITE");
}

#[test]
fn kasan_hardware_tag_fault_skips_the_arm64_fault_path() {
    // The format's own row: `kernel_fault`, `tag_check`, `mem_abort`, `^el1_`, `^el1h_`.
    let log = console(
        "BUG: KASAN: invalid-access in __do_kernel_fault+0x190/0x1b0
Write at addr f4ff000002f6a0c0 by task syz/77
Pointer tag: [f4], memory tag: [fe]

CPU: 0 PID: 77 Comm: syz Not tainted 6.1.0 #1
Call trace:
 dump_backtrace+0x1/0x2
 show_stack+0x1/0x2
 dump_stack_lvl+0x1/0x2
 print_report+0x1/0x2
 kasan_report+0x1/0x2
 __do_kernel_fault+0x190/0x1b0
 do_tag_check_fault+0x78/0x8c
 do_mem_abort+0x44/0x94
 el1_abort+0x40/0x60
 el1h_64_sync_handler+0xa4/0xe4
 el1h_64_sync+0x78/0x7c
 gizmo_store+0x40/0x80
 kernfs_fop_write_iter+0x1/0x2",
    );
    check(&log, "KASAN: invalid-access Write in gizmo_store", false);
}

#[test]
fn kasan_invalid_free_skips_the_free_path() {
    let log = console(
        "BUG: KASAN: double-free or invalid-free in kfree+0xe2/0x2c0

CPU: 1 PID: 55 Comm: syz Not tainted 6.1.0 #1
Call Trace:
 <TASK>
 dump_stack_lvl+0x1/0x2
 print_report+0x1/0x2
 kasan_report_invalid_free+0x1/0x2
 ____kasan_slab_free+0x1/0x2
 slab_free_freelist_hook+0x1/0x2
 kfree+0xe2/0x2c0
 widget_release+0x33/0x70
 __fput+0x1/0x2
 </TASK>",
    );
    let r = check(&log, "KASAN: invalid-free in widget_release", false);
    assert_eq!(alts(&r), ["invalid-free in widget_release"]);
    assert_eq!(r.kind.name(), "KASAN-INVALID-FREE");
}

#[test]
fn kasan_old_on_address_form_has_no_function() {
    let log = console(
        "BUG: KASAN: use-after-free on address ffff8800b4d1c508
Read of size 4 by task syz-executor/1234
CPU: 0 PID: 1234 Comm: syz-executor Not tainted 4.4.0 #1
Call Trace:
 [<ffffffff81c9c2e3>] dump_stack+0x12/0x1a
 [<ffffffff81234567>] widget_get+0x1/0x2
 [<ffffffff81234568>] widget_ioctl+0x1/0x2",
    );
    let r = check(&log, "KASAN: use-after-free Read", false);
    assert_eq!(r.frame, None);
}

#[test]
fn kasan_of_no_known_form_is_corrupted() {
    let log = console(
        "BUG: KASAN: wobbly-access somewhere odd\nCall Trace:\n widget_a+0x1/0x2\n widget_b+0x1/0x2\n widget_c+0x1/0x2",
    );
    let r = check(&log, "KASAN: wobbly-access somewhere odd", true);
    assert_eq!(r.kind.name(), "KASAN-UNKNOWN");
}

const KMSAN_UNINIT: &str = "=====================================================
BUG: KMSAN: uninit-value in widget_check+0x2c/0x90
 widget_check+0x2c/0x90
 widget_ioctl+0x41/0x70
 __se_sys_ioctl+0x1/0x2
 do_syscall_64+0x1/0x2

Uninit was created at:
 slab_post_alloc_hook+0x1/0x2
 __kmalloc+0x1/0x2
 widget_alloc_buf+0x11/0x40
 widget_open+0x1/0x2

CPU: 0 PID: 31 Comm: syz Not tainted 6.1.0 #1
=====================================================";

#[test]
fn kmsan_reads_the_stack_after_the_title() {
    let r = check(
        &task(31, KMSAN_UNINIT),
        "KMSAN: uninit-value in widget_check",
        false,
    );
    assert_eq!(alts(&r), ["bad-access in widget_check"]);
    assert_eq!(r.kind.name(), "KMSAN-UNINIT-VALUE");
}

#[test]
fn kmsan_skips_the_crypto_api_of_its_format() {
    // `^(?:crypto|cipher|drbg|rng)_` and `_encrypt$` belong to the KMSAN row only.
    let log = task(
        31,
        &KMSAN_UNINIT
            .replace(
                "in widget_check+0x2c/0x90",
                "in crypto_sha1_update+0x2c/0x90",
            )
            .replace(
                " widget_check+0x2c/0x90\n",
                " crypto_sha1_update+0x2c/0x90\n aesni_encrypt+0x1/0x2\n widget_hash+0x5/0x10\n",
            ),
    );
    check(&log, "KMSAN: uninit-value in widget_hash", false);
}

#[test]
fn kmsan_usb_infoleak_names_the_origin_too() {
    let log = task(
        12,
        "BUG: KMSAN: kernel-usb-infoleak in usb_submit_urb+0x6c1/0x1ad0
 kmsan_internal_check_memory+0x1/0x2
 usb_submit_urb+0x6c1/0x1ad0
 usb_start_wait_urb+0x1/0x2
 usb_control_msg+0x1/0x2
 gizmo_usb_probe+0x99/0x200
 usb_probe_interface+0x1/0x2

Uninit was created at:
 slab_post_alloc_hook+0x1/0x2
 __kmalloc+0x1/0x2
 gizmo_alloc_buf+0x11/0x40
 gizmo_usb_probe+0x50/0x200

Bytes 0-7 of 8 are uninitialized",
    );
    let r = check(&log, "KMSAN: kernel-usb-infoleak in gizmo_usb_probe", false);
    assert_eq!(alts(&r), ["KMSAN origin in gizmo_alloc_buf"]);
    assert_eq!(r.kind.name(), "KMSAN-INFO-LEAK");
}

#[test]
fn kcsan_keeps_the_kernels_text() {
    let log = console(
        "BUG: KCSAN: data-race in widget_read / widget_write

write to 0xffff888100000000 of 4 bytes by task 1 on cpu 0:
 widget_write+0x1/0x2

read to 0xffff888100000000 of 4 bytes by task 2 on cpu 1:
 widget_read+0x1/0x2",
    );
    let r = check(
        &log,
        "KCSAN: data-race in widget_read / widget_write",
        false,
    );
    assert_eq!(r.frame.as_deref(), Some("widget_read"));
    assert_eq!(r.kind.name(), "KCSAN-DATARACE");
}

#[test]
fn kfence_takes_the_bug_line_then_its_stack() {
    let log = console(
        "BUG: KFENCE: use-after-free read in widget_peek+0x11/0x30

Use-after-free read at 0xffff8c3f2e291fb0 (in kfence-#72):
 widget_peek+0x11/0x30
 widget_ioctl+0x1/0x2",
    );
    let r = check(&log, "KFENCE: use-after-free read in widget_peek", false);
    assert_eq!(alts(&r), ["bad-access in widget_peek"]);
    assert_eq!(r.kind.name(), "KFENCE-USE-AFTER-FREE-READ");
    // Fallback: a skipped function on the BUG line, its caller from the stack.
    let log = console(
        "BUG: KFENCE: out-of-bounds write in memset+0x20/0x40

Out-of-bounds write at 0xffff8c3f2e291fb0 (in kfence-#72):
 memset+0x20/0x40
 widget_fill+0x9/0x20
 widget_ioctl+0x1/0x2",
    );
    let r = check(&log, "KFENCE: out-of-bounds write in widget_fill", false);
    assert_eq!(r.kind.name(), "KFENCE-WRITE");
}

// ---------------------------------------------------------------------------------------
// §3.2 / §4 faults: RIP line first, then the Call Trace

const PAGING: &str = "BUG: unable to handle page fault for address: ffffc90000a1b2c3
#PF: supervisor read access in kernel mode
#PF: error_code(0x0000) - not-present page
Oops: 0000 [#1] PREEMPT SMP KASAN
CPU: 0 PID: 99 Comm: syz.2.5 Not tainted 6.1.0 #1
RIP: 0010:widget_lookup+0x3a/0x90
Code: 48 8b 07 <48> 8b 40 08 c3
RSP: 0018:ffffc90003c4f8d8 EFLAGS: 00010246
Call Trace:
 <TASK>
 widget_find+0x22/0x50
 widget_ioctl+0x41/0x90
 do_syscall_64+0x2d/0x70
 entry_SYSCALL_64_after_hwframe+0x44/0xae
 </TASK>";

#[test]
fn paging_fault_takes_the_rip_function() {
    let r = check(
        &task(99, PAGING),
        "BUG: unable to handle kernel paging request in widget_lookup",
        false,
    );
    assert_eq!(alts(&r), ["bad-access in widget_lookup"]);
    assert_eq!(r.kind.name(), "MEMORY_SAFETY_BUG");
    assert_eq!(r.executor.as_deref(), Some("proc=2, id=5"));
}

#[test]
fn fault_in_a_skipped_rip_function_takes_the_call_trace() {
    // Fallback: RIP in a never-guilty function (an xarray lookup), the first good frame of
    // the Call Trace.
    let log = task(
        99,
        &PAGING
            .replace("RIP: 0010:widget_lookup", "RIP: 0010:xas_find")
            .replace(
                " widget_find+0x22/0x50\n",
                " xas_find+0x3a/0x90\n widget_find+0x22/0x50\n",
            ),
    );
    check(
        &log,
        "BUG: unable to handle kernel paging request in widget_find",
        false,
    );
}

#[test]
fn null_dereference_and_the_bare_form() {
    let log = task(
        99,
        &PAGING.replace(
            "BUG: unable to handle page fault for address: ffffc90000a1b2c3",
            "BUG: kernel NULL pointer dereference, address: 0000000000000008",
        ),
    );
    let r = check(
        &log,
        "BUG: unable to handle kernel NULL pointer dereference in widget_lookup",
        false,
    );
    assert_eq!(r.kind.name(), "NULL-POINTER-DEREFERENCE");
    let log = console("BUG: unable to handle kernel\nsomething garbled");
    check(&log, "BUG: unable to handle kernel", true);
}

#[test]
fn fault_without_any_usable_frame_is_in_corrupted() {
    // Fallback of the fallback: RIP is an address only and no Call Trace follows.
    let log = console(
        "BUG: unable to handle page fault for address: ffffc90000a1b2c3
Oops: 0000 [#1] PREEMPT SMP KASAN
RIP: 0010:0xffffffffa0001234
Code: Unable to access opcode bytes at 0xffffffffa000120a.",
    );
    let r = check(
        &log,
        "BUG: unable to handle kernel paging request in corrupted",
        true,
    );
    assert_eq!(r.frame.as_deref(), Some("corrupted"));
}

const GPF: &str = "general protection fault, probably for non-canonical address 0xdffffc0000000002: 0000 [#1] PREEMPT SMP KASAN
KASAN: null-ptr-deref in range [0x0000000000000010-0x0000000000000017]
CPU: 1 PID: 300 Comm: syz-executor.1 Not tainted 6.1.0 #1
Hardware name: QEMU Standard PC (i440FX + PIIX, 1996)
RIP: 0010:__se_sys_widget+0x5e/0x1a0
Code: 48 89 fa 48 c1 ea 03 <80> 3c 02 00 75 07
RSP: 0018:ffffc90003c4f8d8 EFLAGS: 00010202
RAX: dffffc0000000000 RBX: 0000000000000000 RCX: 0000000000000000
Call Trace:
 <TASK>
 do_syscall_64+0x2d/0x70
 entry_SYSCALL_64_after_hwframe+0x44/0xae
 </TASK>
Modules linked in:
---[ end trace 0000000000000000 ]---";

#[test]
fn gpf_strips_syscall_prefixes_and_keeps_raw_variants() {
    let r = check(&console(GPF), "general protection fault in widget", false);
    assert_eq!(
        alts(&r),
        [
            "bad-access in __se_sys_widget",
            "bad-access in sys_widget",
            "bad-access in widget",
            "general protection fault in __se_sys_widget",
            "general protection fault in sys_widget",
        ]
    );
    assert_eq!(r.kind.name(), "DoS");
}

#[test]
fn gpf_in_a_crc_helper_takes_its_caller_and_stack_segment_likewise() {
    let log = console(
        &GPF.replace("__se_sys_widget+0x5e/0x1a0", "crc32_le_base+0x5e/0x1a0")
            .replace(
                " do_syscall_64+0x2d/0x70\n",
                " crc32_le_base+0x5e/0x1a0\n gizmo_checksum+0x10/0x40\n do_syscall_64+0x2d/0x70\n",
            ),
    );
    check(&log, "general protection fault in gizmo_checksum", false);
    let log = console(&GPF.replace(
        "general protection fault, probably for non-canonical address 0xdffffc0000000002: 0000",
        "stack segment: 0000",
    ));
    check(&log, "stack segment fault in widget", false);
}

#[test]
fn user_space_general_protection_is_no_crash() {
    let log = console(
        "traps: widgetd[123] general protection fault ip:7f00 sp:7ffc error:0 in libc.so.6[7f00+1000]",
    );
    assert!(culprit_report::first(&log).is_none());
}

#[test]
fn gpf_without_call_trace_is_corrupted_by_the_stack_check() {
    // The frame comes from RIP, but a report that needs a stack and has none is corrupted.
    let log = console(
        "general protection fault: 0000 [#1] SMP KASAN\nRIP: 0010:widget_walk+0x1a/0x40\nRSP: 0018:ffffc90003c4f8d8 EFLAGS: 00010202",
    );
    let r = check(&log, "general protection fault in widget_walk", true);
    assert_eq!(
        r.corrupted_reason.as_deref(),
        Some("no stack trace in report")
    );
}

#[test]
fn a_call_trace_cut_after_two_lines_is_corrupted() {
    let log = console(
        "general protection fault: 0000 [#1] SMP KASAN\nRIP: 0010:widget_walk+0x1a/0x40\nCall Trace:\n",
    );
    let r = check(&log, "general protection fault in widget_walk", true);
    assert_eq!(r.corrupted_reason.as_deref(), Some("call trace is missed"));
}

#[test]
fn arm_faults_read_pc_then_the_call_trace() {
    let body = "Unable to handle kernel paging request at virtual address dead000000000108
Mem abort info:
  ESR = 0x96000044
Internal error: Oops: 96000044 [#1] PREEMPT SMP
Modules linked in:
CPU: 0 PID: 3 Comm: syz Not tainted 6.1.0 #1
Hardware name: linux,dummy-virt (DT)
pc : widget_unlink+0x1c/0x40
lr : widget_remove+0x30/0x60
sp : ffff80000a1b3c90
Call trace:
 widget_unlink+0x1c/0x40
 widget_remove+0x30/0x60
 platform_remove+0x1/0x2
 el0_svc+0x1/0x2";
    let r = check(
        &console(body),
        "BUG: unable to handle kernel paging request in widget_unlink",
        false,
    );
    assert_eq!(alts(&r), ["bad-access in widget_unlink"]);
    // An `Internal error` alone, in a port-I/O accessor: its caller.
    let body = "Internal error: synchronous external abort: 96000010 [#1] PREEMPT SMP
Modules linked in:
CPU: 1 PID: 40 Comm: syz Not tainted 6.1.0 #1
pc : logic_inb+0x54/0x120
lr : gizmo_port_read+0x20/0x40
sp : ffff80000a1b3c90
Call trace:
 logic_inb+0x54/0x120
 gizmo_port_read+0x20/0x40
 gizmo_ioctl+0x1/0x2
 el0_svc+0x1/0x2";
    let r = check(&console(body), "Internal error in gizmo_port_read", false);
    assert_eq!(r.kind.name(), "DoS");
    // 32-bit ARM: `PC is at` and the `(f) from (g)` frames, an MMIO accessor skipped.
    let body = "Internal error: Oops - undefined instruction: 0 [#1] SMP ARM
Modules linked in:
CPU: 1 PID: 40 Comm: syz Not tainted 5.10.0 #1
PC is at readl+0x8/0x10
LR is at gizmo_probe+0x20/0x40
Backtrace:
[<80123456>] (readl) from [<80234567>] (gizmo_probe+0x20/0x40)
[<80234567>] (gizmo_probe) from [<80345678>] (platform_probe+0x50/0x90)";
    check(&console(body), "Internal error in gizmo_probe", false);
}

#[test]
fn traps_take_the_rip_function() {
    for (marker, title) in [
        (
            "divide error: 0000 [#1] PREEMPT SMP KASAN",
            "divide error in widget_ratio",
        ),
        (
            "invalid opcode: 0000 [#1] PREEMPT SMP KASAN",
            "invalid opcode in widget_ratio",
        ),
        ("int3: 0000 [#1] PREEMPT SMP KASAN", "int3 in widget_ratio"),
    ] {
        let log = console(&format!(
            "{marker}\nCPU: 0 PID: 1 Comm: syz Not tainted 6.1.0 #1\nRIP: 0010:widget_ratio+0x10/0x20\nCall Trace:\n <TASK>\n widget_ioctl+0x1/0x2\n{SYSCALL_TAIL}"
        ));
        let r = check(&log, title, false);
        assert_eq!(r.kind.name(), "DoS");
    }
}

// ---------------------------------------------------------------------------------------
// §3.2 / §4 WARNING families

const WARN_OLD: &str = "------------[ cut here ]------------
WARNING: CPU: 0 PID: 123 at drivers/widget/core.c:77 widget_check+0x1a/0x40
Modules linked in:
CPU: 0 PID: 123 Comm: syz-executor.0 Not tainted 6.1.0 #1
RIP: 0010:widget_check+0x1a/0x40
Code: 0f 0b eb 02 <0f> 0b c3
RSP: 0018:ffffc90003c4f8d8 EFLAGS: 00010293
Call Trace:
 <TASK>
 widget_ioctl+0x41/0x90
 do_syscall_64+0x2d/0x70
 entry_SYSCALL_64_after_hwframe+0x44/0xae
 </TASK>";

#[test]
fn warning_takes_the_rip_function() {
    let r = check(&task(123, WARN_OLD), "WARNING in widget_check", false);
    assert_eq!(r.kind.name(), "WARNING");
    // The new one-line form names the same function.
    let log = task(
        123,
        &WARN_OLD.replace(
            "WARNING: CPU: 0 PID: 123 at drivers/widget/core.c:77 widget_check+0x1a/0x40",
            "WARNING: drivers/widget/core.c:77 at widget_check+0x1a/0x40, CPU#0: syz/123",
        ),
    );
    check(&log, "WARNING in widget_check", false);
}

#[test]
fn warning_with_its_message_after_the_marker_line_takes_the_function() {
    // Older kernels print WARN()'s message after the WARNING line, and no RIP line: the
    // frame comes from the Call Trace, past the reporting machinery.
    let log = console(
        "WARNING: CPU: 1 PID: 0 at net/sched/sch_generic.c:320 dev_watchdog+0x4d2/0x4f0()
NETDEV WATCHDOG: eth0 (gizmo): transmit queue 0 timed out
Modules linked in:
CPU: 1 PID: 0 Comm: swapper/1 Not tainted 4.4.0 #1
Call Trace:
 <IRQ>  [<ffffffff81c9c2e3>] dump_stack+0x12/0x1a
 [<ffffffff81c9c2e4>] warn_slowpath_common+0x1/0x2
 [<ffffffff81c9c2e5>] warn_slowpath_fmt+0x1/0x2
 [<ffffffff81c9c2e6>] dev_watchdog+0x4d2/0x4f0
 [<ffffffff81c9c2e7>] call_timer_fn+0x1/0x2",
    );
    check(&log, "WARNING in dev_watchdog", false);
}

#[test]
fn warning_in_a_skipped_rip_function_takes_the_call_trace() {
    // `__timer_delete_sync` is never guilty: the caller that tears the timer down is.
    let log = task(
        123,
        &WARN_OLD
            .replace(
                "drivers/widget/core.c:77 widget_check",
                "kernel/time/timer.c:1600 __timer_delete_sync",
            )
            .replace("RIP: 0010:widget_check", "RIP: 0010:__timer_delete_sync")
            .replace(
                " widget_ioctl+0x41/0x90\n",
                " __timer_delete_sync+0x1/0x2\n widget_stop+0x10/0x20\n widget_ioctl+0x41/0x90\n",
            ),
    );
    check(&log, "WARNING in widget_stop", false);
}

#[test]
fn powerpc_warning_reads_the_interrupt_line() {
    let log = console(
        "WARNING: CPU: 0 PID: 1 at drivers/widget/core.c:77 widget_check+0x1a/0x40
NIP:  c000000000a1b2c3 LR: c000000000a1b2c4 CTR: 0000000000000000
Call Trace:
[c000000002a7f9b0] [c000000000a1b2c4] widget_ioctl+0x41/0x90 (unreliable)
[c000000002a7fa20] [c0000000000c0ffe] program_check_exception+0x1/0x2
--- interrupt: 700 at widget_check+0x1a/0x40
[c000000002a7fb00] [c000000000a1b2c5] widget_ioctl+0x41/0x90",
    );
    check(&log, "WARNING in widget_check", false);
}

#[test]
fn warning_families_by_source_file() {
    let cases = [
        (
            "lib/refcount.c:25 refcount_warn_saturate",
            "WARNING: refcount bug in widget_put",
            "REFCOUNT_WARNING",
        ),
        (
            "lib/debugobjects.c:505 debug_print_object",
            "WARNING: ODEBUG bug in widget_put",
            "WARNING",
        ),
        (
            "mm/usercopy.c:99 usercopy_warn",
            "WARNING: bad usercopy in widget_put",
            "WARNING",
        ),
        (
            "lib/kobject.c:700 kobject_put",
            "WARNING: kobject bug in widget_put",
            "WARNING",
        ),
        (
            "fs/proc/generic.c:370 proc_register",
            "WARNING: proc registration bug in widget_put",
            "WARNING",
        ),
        (
            "kernel/locking/lockdep.c:5000 __lock_acquire",
            "WARNING: locking bug in widget_put",
            "LOCKDEP",
        ),
        (
            "mm/slab_common.c:1012 kmalloc_slab",
            "WARNING: kmalloc bug in widget_put",
            "WARNING",
        ),
        (
            "drivers/usb/core/urb.c:500 usb_submit_urb",
            "WARNING in widget_put/usb_submit_urb",
            "WARNING",
        ),
    ];
    for (at, title, kind) in cases {
        let (src, func) = at.split_once(' ').expect("src func");
        let log = task(
            5,
            &format!(
                "WARNING: CPU: 0 PID: 5 at {src} {func}+0x1a/0x40
Modules linked in:
RIP: 0010:{func}+0x1a/0x40
Call Trace:
 <TASK>
 {func}+0x1/0x2
 widget_put+0x10/0x20
 widget_ioctl+0x41/0x90
{SYSCALL_TAIL}"
            ),
        );
        let r = check(&log, title, false);
        assert_eq!(r.kind.name(), kind, "{title}");
    }
}

#[test]
fn a_lockdep_warning_not_about_lock_functions_is_a_plain_warning() {
    // The locking-bug family is `WARNING: .*kernel/locking/lockdep\.c.*lock_`.
    let log = task(
        5,
        &format!(
            "WARNING: CPU: 0 PID: 5 at kernel/locking/lockdep.c:4800 check_flags+0x1a/0x40
Modules linked in:
RIP: 0010:check_flags+0x1a/0x40
Call Trace:
 <TASK>
 widget_ioctl+0x41/0x90
{SYSCALL_TAIL}"
        ),
    );
    check(&log, "WARNING in check_flags", false);
}

#[test]
fn debugobjects_family_skips_its_own_helpers() {
    // The ODEBUG row skips `debug_`, `timer_`, `work_`, `hrtimer_`, ... and `kobject_`.
    let log = task(
        5,
        &format!(
            "ODEBUG: free active (active state 0) object: ffff888012345678 object type: timer_list hint: widget_timeout+0x0/0x10
WARNING: CPU: 0 PID: 5 at lib/debugobjects.c:505 debug_print_object+0x16a/0x1f0
Modules linked in:
RIP: 0010:debug_print_object+0x16a/0x1f0
Call Trace:
 <TASK>
 debug_check_no_obj_freed+0x1/0x2
 hrtimer_cancel+0x1/0x2
 __free_pages+0x1/0x2
 widget_free+0x10/0x20
{SYSCALL_TAIL}"
        ),
    );
    check(&log, "WARNING: ODEBUG bug in widget_free", false);
}

#[test]
fn warning_with_nothing_after_is_corrupted() {
    let log = console("WARNING:\n");
    check(&log, "WARNING: corrupted", true);
}

// ---------------------------------------------------------------------------------------
// §3.2 / §4 lockdep

const CIRCULAR: &str = "======================================================
WARNING: possible circular locking dependency detected
6.1.0 #1 Not tainted
------------------------------------------------------
syz-executor.2/500 is trying to acquire lock:
ffff888012345678 (&widget->lock){+.+.}-{3:3}, at: widget_flush+0x30/0x90

but task is already holding lock:
ffff888012345679 (&gizmo->mutex){+.+.}-{3:3}, at: gizmo_ioctl+0x50/0x200

which lock already depends on the new lock.


the existing dependency chain (in reverse order) is:

-> #1 (&gizmo->mutex){+.+.}-{3:3}:
       lock_acquire+0x1/0x2
       __mutex_lock+0x1/0x2
       gizmo_attach+0x1/0x2

-> #0 (&widget->lock){+.+.}-{3:3}:
       lock_acquire+0x1/0x2
       widget_flush+0x30/0x90

other info that might help us debug this:

stack backtrace:
CPU: 0 PID: 500 Comm: syz-executor.2 Not tainted 6.1.0 #1
Call Trace:
 <TASK>
 dump_stack_lvl+0x1/0x2
 check_noncircular+0x1/0x2
 lock_acquire+0x1/0x2
 widget_flush+0x30/0x90
 gizmo_ioctl+0x50/0x200
 do_syscall_64+0x2d/0x70
 </TASK>";

#[test]
fn circular_deadlock_is_where_the_new_lock_is_taken() {
    let r = check(
        &task(500, CIRCULAR),
        "possible deadlock in widget_flush",
        false,
    );
    assert_eq!(r.kind.name(), "LOCKDEP");
    assert!(r.alt_titles.is_empty());
}

#[test]
fn circular_deadlock_in_a_skipped_function_takes_the_held_lock() {
    // Fallback: the new lock is taken in a never-guilty function (`flush_workqueue`, a
    // skip of this format): the second `at:` names the culprit.
    let log = task(
        500,
        &CIRCULAR.replace(
            "at: widget_flush+0x30/0x90",
            "at: __flush_workqueue+0x30/0x90",
        ),
    );
    check(&log, "possible deadlock in gizmo_ioctl", false);
}

#[test]
fn circular_deadlock_with_the_lines_of_another_cpu_interleaved() {
    // The report of T500 is interleaved with an interrupt's output on C1: the context filter
    // keeps the report whole.
    let rep = task(500, CIRCULAR);
    let noise = cpu(
        1,
        "widget: rx queue 0 stalled\n ? widget_irq+0x1/0x2\nwidget: resetting\nwidget: at: nothing+0x1/0x2",
    );
    let mut log = Vec::new();
    let r: Vec<&[u8]> = rep.split_inclusive(|&b| b == b'\n').collect();
    let n: Vec<&[u8]> = noise.split_inclusive(|&b| b == b'\n').collect();
    for (i, l) in r.iter().enumerate() {
        log.extend_from_slice(l);
        if i % 3 == 1 {
            log.extend_from_slice(n[(i / 3) % n.len()]);
        }
    }
    check(&log, "possible deadlock in widget_flush", false);
}

#[test]
fn circular_deadlock_without_the_acquire_line_is_corrupted() {
    // The title recogniser matches, the full-report one ("is trying to acquire lock") does
    // not: corrupted, titled by the marker line.
    let log = task(
        500,
        "WARNING: possible circular locking dependency detected\n6.1.0 #1 Not tainted\n",
    );
    let r = check(
        &log,
        "WARNING: possible circular locking dependency detected",
        true,
    );
    assert_eq!(r.kind.name(), "WARNING");
}

#[test]
fn recursive_locking_takes_the_at_line() {
    let log = task(
        8,
        "============================================
WARNING: possible recursive locking detected
6.1.0 #1 Not tainted
--------------------------------------------
syz/8 is trying to acquire lock:
ffff888012345678 (&widget->lock){+.+.}-{2:2}, at: _raw_spin_lock+0x2a/0x40

but task is already holding lock:
ffff888012345678 (&widget->lock){+.+.}-{2:2}, at: widget_poll+0x30/0x90

stack backtrace:
Call Trace:
 <TASK>
 dump_stack_lvl+0x1/0x2
 lock_acquire+0x1/0x2
 _raw_spin_lock+0x2a/0x40
 widget_poll+0x30/0x90
 do_syscall_64+0x2d/0x70
 </TASK>",
    );
    check(&log, "possible deadlock in widget_poll", false);
}

#[test]
fn inconsistent_lock_state_reads_the_stack() {
    let log = task(
        8,
        "================================
WARNING: inconsistent lock state
6.1.0 #1 Not tainted
--------------------------------
inconsistent {SOFTIRQ-ON-W} -> {IN-SOFTIRQ-W} usage.
syz/8 [HC0[0]:SC1[1]:HE1:SE0] takes:
ffff888012345678 (&widget->lock){+.?.}-{2:2}, at: widget_rx+0x30/0x90
{SOFTIRQ-ON-W} state was registered at:
  lock_acquire+0x1/0x2
  widget_setup+0x1/0x2
stack backtrace:
Call Trace:
 <IRQ>
 dump_stack_lvl+0x1/0x2
 mark_lock+0x1/0x2
 lock_acquire+0x1/0x2
 _raw_spin_lock+0x1/0x2
 widget_rx+0x30/0x90
 net_rx_action+0x1/0x2
 </IRQ>",
    );
    let r = check(&log, "inconsistent lock state in widget_rx", false);
    assert_eq!(r.kind.name(), "LOCKDEP");
}

#[test]
fn spinlock_bugs_skip_the_lock_functions() {
    // `spin_`, `_lock`, `_unlock` are this format's own skips.
    let log = console(
        "BUG: spinlock recursion on CPU#0, syz/77
 lock: 0xffff888012345678, .magic: dead4ead, .owner: syz/77, .owner_cpu: 0
CPU: 0 PID: 77 Comm: syz Not tainted 6.1.0 #1
Call Trace:
 <TASK>
 dump_stack_lvl+0x1/0x2
 do_raw_spin_lock+0x1/0x2
 widget_hold_lock+0x1/0x2
 widget_tx+0x20/0x70
 do_syscall_64+0x2d/0x70
 </TASK>",
    );
    let r = check(&log, "BUG: spinlock recursion in widget_tx", false);
    assert_eq!(r.kind.name(), "LOCKDEP");
}

#[test]
fn bad_unlock_balance_takes_the_releasing_line() {
    let log = task(
        8,
        "=====================================
WARNING: bad unlock balance detected!
6.1.0 #1 Not tainted
-------------------------------------
syz/8 is trying to release lock (&widget->mutex) at:
[<ffffffff81234567>] widget_close+0x30/0x90
but there are no more locks to release!
Call Trace:
 <TASK>
 dump_stack_lvl+0x1/0x2
 lock_release+0x1/0x2
 __mutex_unlock_slowpath+0x1/0x2
 widget_close+0x30/0x90
 </TASK>",
    );
    check(&log, "WARNING: bad unlock balance in widget_close", false);
}

#[test]
fn invalid_wait_context_is_a_locking_bug() {
    // The format's row skips `lock_sock`.
    let log = task(
        8,
        "=============================
[ BUG: Invalid wait context ]
6.1.0 #1 Not tainted
-----------------------------
syz/8 is trying to lock:
Call Trace:
 <TASK>
 dump_stack_lvl+0x1/0x2
 __lock_acquire+0x1/0x2
 lock_acquire+0x1/0x2
 lock_sock_nested+0x1/0x2
 gizmo_sock_bind+0x20/0x70
 do_syscall_64+0x2d/0x70
 </TASK>",
    );
    check(&log, "WARNING: locking bug in gizmo_sock_bind", false);
}

#[test]
fn suspicious_rcu_usage_skips_rcu_helpers() {
    let log = task(
        8,
        "=============================
WARNING: suspicious RCU usage
6.1.0 #1 Not tainted
-----------------------------
net/widget/core.c:120 suspicious rcu_dereference_check() usage!

other info that might help us debug this:

stack backtrace:
Call Trace:
 <TASK>
 dump_stack_lvl+0x1/0x2
 lockdep_rcu_suspicious+0x1/0x2
 rcu_dereference_widget+0x1/0x2
 widget_route+0x20/0x70
 do_syscall_64+0x2d/0x70
 </TASK>",
    );
    check(&log, "WARNING: suspicious RCU usage in widget_route", false);
}

#[test]
fn non_static_key_skips_its_rows_words() {
    let log = task(
        8,
        "INFO: trying to register non-static key.
The code is fine but needs lockdep annotation, or maybe
you didn't initialize this object before use?
turning off the locking correctness validator.
Call Trace:
 <TASK>
 dump_stack_lvl+0x1/0x2
 register_lock_class+0x1/0x2
 __lock_acquire+0x1/0x2
 lock_acquire+0x1/0x2
 _raw_spin_lock_irqsave+0x1/0x2
 widget_notify+0x20/0x70
 do_syscall_64+0x2d/0x70
 </TASK>",
    );
    check(
        &log,
        "INFO: trying to register non-static key in widget_notify",
        false,
    );
}

// ---------------------------------------------------------------------------------------
// §3.2 / §4.3 stalls and hangs

/// A self-detected stall: the detecting CPU's interrupt stack, then the interrupted task.
const STALL: &str = "rcu: INFO: rcu_preempt self-detected stall on CPU
rcu: \t0-....: (10500 ticks this GP) idle=b2c/1/0x4000000000000000 softirq=1/1 fqs=5000
\t(t=10502 jiffies g=1 q=1 ncpus=2)
NMI backtrace for cpu 0
CPU: 0 PID: 42 Comm: syz-executor Not tainted 6.1.0 #1
Call Trace:
 <IRQ>
 dump_stack_lvl+0x1/0x2
 nmi_cpu_backtrace+0x1/0x2
 rcu_dump_cpu_stacks+0x1/0x2
 rcu_sched_clock_irq+0x1/0x2
 update_process_times+0x1/0x2
 tick_sched_timer+0x1/0x2
 __hrtimer_run_queues+0x1/0x2
 hrtimer_interrupt+0x1/0x2
 __sysvec_apic_timer_interrupt+0x1/0x2
 sysvec_apic_timer_interrupt+0x1/0x2
 </IRQ>
 <TASK>
 asm_sysvec_apic_timer_interrupt+0x1a/0x20
RIP: 0010:widget_spin+0x10/0x20
Code: 48 8b 07 <48> 8b 40 08 c3
RSP: 0018:ffffc90003c4f8d8 EFLAGS: 00000246
 widget_wait_ready+0x1/0x2
 widget_write+0x20/0x70
 vfs_write+0x1/0x2
 ksys_write+0x1/0x2
 do_syscall_64+0x2d/0x70
 entry_SYSCALL_64_after_hwframe+0x44/0xae
 </TASK>";

#[test]
fn rcu_stall_takes_the_frame_above_the_first_anchor_after_the_interrupt() {
    let r = check(
        &console(STALL),
        "INFO: rcu detected stall in widget_write",
        false,
    );
    assert_eq!(alts(&r), ["stall in widget_write"]);
    assert_eq!(r.kind.name(), "HANG");
}

#[test]
fn rcu_stall_reads_the_stack_after_the_interrupted_rip() {
    // After the interrupt entry, the frames are read from the interrupted function (RIP)
    // on: frames printed between the entry and the RIP line belong to another stack.
    let log = console(&STALL.replace(
        " asm_sysvec_apic_timer_interrupt+0x1a/0x20\n",
        " asm_sysvec_apic_timer_interrupt+0x1a/0x20\n gizmo_softirq+0x1/0x2\n __do_softirq+0x1/0x2\n irq_exit_rcu+0x1/0x2\n",
    ));
    check(&log, "INFO: rcu detected stall in widget_write", false);
}

#[test]
fn rcu_stall_without_rip_reads_from_the_interrupt_entry() {
    // Fallback: no RIP line after the entry (older kernels): the stack that follows the
    // interrupt entry itself.
    let log = console(
        "INFO: rcu_sched self-detected stall on CPU
\t1-...: (10500 ticks this GP) idle=7fb/140000000000001/0
\t (t=10500 jiffies g=2314 c=2313 q=216)
Task dump for CPU 1:
syz             R  running task    27384  2030      2 0x00000008
Call Trace:
 <IRQ>  [<ffffffff813eb3e6>] sched_show_task+0x2d0/0x2dc
 [<ffffffff813f1b4f>] rcu_check_callbacks+0x5f5/0xc05
 [<ffffffff8125d08f>] update_process_times+0x3f/0x70
 [<ffffffff8126165b>] hrtimer_interrupt+0x18b/0x3f0
 [<ffffffff82a608c1>] smp_apic_timer_interrupt+0x81/0xb0
 [<ffffffff82a5ecc0>] apic_timer_interrupt+0xa0/0xb0
 [<ffffffff822e04aa>] gizmo_validate+0x1a/0x30
 [<ffffffff8294e062>] gizmo_handle_frame+0x732/0xca0
 [<ffffffff822ad960>] __netif_receive_skb+0x60/0x1c0
 [<ffffffff822b1c6d>] process_backlog+0x21d/0x6a0",
    );
    check(
        &log,
        "INFO: rcu detected stall in gizmo_handle_frame",
        false,
    );
}

#[test]
fn rcu_stall_on_arm_starts_at_the_exception_stack() {
    let log = console(
        "rcu: INFO: rcu_sched self-detected stall on CPU
rcu: \t0-...!: (2099 ticks this GP) idle=4c6/1/0x40000002
rcu: RCU grace-period kthread stack dump:
Backtrace:
[<80c1e5e8>] (__schedule) from [<80c1eb20>] (schedule+0x60/0xdc)
[<80c1eb20>] (schedule) from [<80c2287c>] (schedule_timeout+0xac/0x1e8)
[<801c2674>] (rcu_gp_kthread) from [<8016e220>] (kthread+0x174/0x18c)
[<8016e220>] (kthread) from [<80100168>] (ret_from_fork+0x14/0x2c)
NMI backtrace for cpu 0
[<80118054>] (unwind_backtrace) from [<80110ce4>] (show_stack+0x20/0x24)
[<80110ce4>] (show_stack) from [<80c16564>] (dump_stack+0x104/0x138)
[<806ab444>] (gic_handle_irq) from [<80100b6c>] (__irq_svc+0x6c/0x90)
Exception stack(0x91883f00 to 0x91883f48)
3f00: 20b35644 7effffff 00040000 00000055 00000000 1f4cabd4 20000100 20000118
[<80100b6c>] (__irq_svc) from [<80616f94>] (gizmo_copy+0x140/0x1dc)
[<80616f94>] (gizmo_copy) from [<80321578>] (gizmo_write+0x124/0x170)
[<80321578>] (gizmo_write) from [<80100080>] (vfs_write+0x0/0x54)",
    );
    check(&log, "INFO: rcu detected stall in gizmo_write", false);
}

#[test]
fn rcu_stall_without_interrupt_entry_is_in_corrupted() {
    let log = console(
        "rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:
rcu: \tTasks blocked on level-0 rcu_node (CPUs 0-1): P9/1:b..l
\t(detected by 1, t=10502 jiffies, g=1, q=1)
task:syz state:R  running task     stack:24880 pid:17688 ppid: 13379 flags:0x00004000
Call Trace:
 __schedule+0x1/0x2
 widget_loop+0x1/0x2",
    );
    check(&log, "INFO: rcu detected stall in corrupted", true);
}

#[test]
fn rcu_stall_in_an_ipi_is_smp_call_function() {
    let log = console(&STALL.replace(
        " widget_wait_ready+0x1/0x2\n widget_write+0x20/0x70\n",
        " smp_call_function_many_cond+0x1/0x2\n on_each_cpu_cond_mask+0x1/0x2\n widget_write+0x20/0x70\n",
    ));
    let r = check(&log, "INFO: rcu detected stall in smp_call_function", false);
    assert_eq!(
        alts(&r),
        [
            "INFO: rcu detected stall in smp_call_function_many_cond",
            "stall in smp_call_function",
            "stall in smp_call_function_many_cond",
        ]
    );
}

#[test]
fn soft_lockup_reads_rip_then_the_call_trace() {
    let log = cpu(
        0,
        "watchdog: BUG: soft lockup - CPU#0 stuck for 143s! [syz:77]
Modules linked in:
CPU: 0 PID: 77 Comm: syz Not tainted 6.1.0 #1
RIP: 0010:widget_spin+0x10/0x20
Code: 48 8b 07 <48> 8b 40 08 c3
RSP: 0018:ffffc90003c4f8d8 EFLAGS: 00000246
Call Trace:
 <TASK>
 widget_wait_ready+0x1/0x2
 widget_ioctl+0x20/0x70
 __x64_sys_ioctl+0x1/0x2
 do_syscall_64+0x2d/0x70
 </TASK>",
    );
    let r = check(&log, "BUG: soft lockup in widget_ioctl", false);
    assert_eq!(alts(&r), ["stall in widget_ioctl"]);
    // No anchor at all: no frame.
    let log = cpu(
        0,
        "watchdog: BUG: soft lockup - CPU#0 stuck for 143s! [syz:77]
RIP: 0010:widget_spin+0x10/0x20
Call Trace:
 <TASK>
 widget_wait_ready+0x1/0x2
 widget_spin_more+0x1/0x2
 </TASK>",
    );
    check(&log, "BUG: soft lockup in corrupted", true);
}

const HUNG: &str = "INFO: task syz-executor.1:4242 blocked for more than 143 seconds.
      Not tainted 6.1.0 #1
\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.
task:syz-executor.1 state:D stack:26824 pid:4242 ppid:3636 flags:0x00004004
Call Trace:
 <TASK>
 __schedule+0x1/0x2
 schedule+0x1/0x2
 schedule_timeout+0x1/0x2
 wait_for_completion+0x1/0x2
 __flush_work+0x1/0x2
 __cancel_work_timer+0x1/0x2
 cancel_delayed_work_sync+0x1/0x2
 widget_quiesce+0x20/0x70
 widget_release+0x1/0x2
 __fput+0x1/0x2
 </TASK>";

#[test]
fn hung_task_skips_waiting_primitives() {
    let r = check(&console(HUNG), "INFO: task hung in widget_quiesce", false);
    assert_eq!(alts(&r), ["hang in widget_quiesce"]);
    assert_eq!(r.kind.name(), "HANG");
}

#[test]
fn hung_task_behind_rtnl_or_rcu_is_grouped_wherever_it_is() {
    // A frame containing `rtnl_lock` decides even below a non-waiting frame.
    let log = console(&HUNG.replace(
        " widget_release+0x1/0x2\n",
        " widget_release+0x1/0x2\n rtnl_lock+0x1/0x2\n gizmo_netdev_op+0x1/0x2\n",
    ));
    check(&log, "INFO: task hung in rtnl_lock", false);
    let log = console(&HUNG.replace(
        " widget_quiesce+0x20/0x70\n",
        " widget_quiesce+0x20/0x70\n synchronize_srcu+0x1/0x2\n",
    ));
    let r = check(&log, "INFO: task hung in synchronize_rcu", false);
    assert_eq!(
        alts(&r),
        [
            "INFO: task hung in synchronize_srcu",
            "hang in synchronize_rcu",
            "hang in synchronize_srcu",
        ]
    );
}

#[test]
fn task_cant_die_skips_schedule() {
    let log = console(
        "INFO: task syz:77 can't die for more than 143 seconds.
task:syz state:R  running task     stack:26824 pid:77 ppid:3636 flags:0x00004004
Call Trace:
 <TASK>
 preempt_schedule_common+0x1/0x2
 __cond_resched+0x1/0x2
 widget_drain+0x20/0x70
 do_exit+0x1/0x2
 </TASK>",
    );
    let r = check(&log, "INFO: task can't die in widget_drain", false);
    assert_eq!(r.kind.name(), "HANG");
}

#[test]
fn stack_guard_page_and_overflow_use_the_stall_chooser() {
    let log = console(
        "BUG: TASK stack guard page was hit at ffffc90003ef7f78 (stack is ffffc90003ef8000..ffffc90003f00000)
stack guard page: 0000 [#1] PREEMPT SMP KASAN
CPU: 0 PID: 1 Comm: syz Not tainted 6.1.0 #1
RIP: 0010:widget_recurse+0x10/0x20
Call Trace:
 <TASK>
 widget_recurse+0x10/0x20
 widget_recurse+0x10/0x20
 widget_walk_tree+0x1/0x2
 widget_ioctl+0x1/0x2
 __x64_sys_ioctl+0x1/0x2
 do_syscall_64+0x2d/0x70
 </TASK>",
    );
    let r = check(&log, "BUG: stack guard page was hit in widget_ioctl", false);
    assert_eq!(r.kind.name(), "");
}

// ---------------------------------------------------------------------------------------
// other BUG: formats

#[test]
fn sleeping_function_and_scheduling_while_atomic() {
    let log = task(
        3,
        "BUG: sleeping function called from invalid context at kernel/sched/core.c:9900
in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 3, name: syz
Call Trace:
 <TASK>
 dump_stack_lvl+0x1/0x2
 __might_resched+0x1/0x2
 __might_sleep+0x1/0x2
 mutex_lock_nested+0x1/0x2
 widget_lock_all+0x10/0x40
 do_syscall_64+0x2d/0x70
 </TASK>",
    );
    let r = check(
        &log,
        "BUG: sleeping function called from invalid context in widget_lock_all",
        false,
    );
    assert_eq!(r.kind.name(), "ATOMIC_SLEEP");
    let log = task(
        3,
        "BUG: scheduling while atomic: syz/3/0x00000002
Call Trace:
 <TASK>
 dump_stack_lvl+0x1/0x2
 __schedule_bug+0x1/0x2
 __schedule+0x1/0x2
 schedule+0x1/0x2
 widget_sleep+0x10/0x40
 do_syscall_64+0x2d/0x70
 </TASK>",
    );
    check(&log, "BUG: scheduling while atomic in widget_sleep", false);
}

#[test]
fn using_in_preemptible_skips_its_rows_words() {
    let log = task(
        3,
        "BUG: using smp_processor_id() in preemptible [00000000] code: syz/3
caller is debug_smp_processor_id+0x1/0x2
Call Trace:
 <TASK>
 dump_stack_lvl+0x1/0x2
 check_preemption_disabled+0x1/0x2
 debug_smp_processor_id+0x1/0x2
 widget_counter_inc+0x10/0x40
 do_syscall_64+0x2d/0x70
 </TASK>",
    );
    let r = check(
        &log,
        "BUG: using smp_processor_id() in preemptible code in widget_counter_inc",
        false,
    );
    assert_eq!(r.kind.name(), "LOCKDEP");
}

#[test]
fn memory_leak_reads_the_backtrace() {
    let log = console(
        "BUG: memory leak
unreferenced object 0xffff888012345678 (size 64):
  comm \"syz\", pid 5, jiffies 4294000000 (age 12.340s)
  hex dump (first 32 bytes):
    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  ................
  backtrace (crc 1a2b3c4d):
    [<ffffffff81234567>] kmemleak_alloc+0x1/0x2
    [<ffffffff81234568>] __kmalloc+0x1/0x2
    [<ffffffff81234569>] kstrdup+0x1/0x2
    [<ffffffff8123456a>] widget_set_name+0x10/0x40
    [<ffffffff8123456b>] widget_ioctl+0x1/0x2",
    );
    let r = check(&log, "memory leak in widget_set_name", false);
    assert_eq!(r.kind.name(), "LEAK");
}

#[test]
fn bad_page_state_reads_the_allocation_stack() {
    let log = console(
        "BUG: Bad page state in process syz  pfn:12345
page:ffffea0000123450 refcount:0 mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x12345
page dumped because: nonzero mapcount
page_owner tracks the page as allocated
page last allocated via order 0, migratetype Movable, gfp_mask 0x0(), pid 5, tgid 5 (syz), ts 1, free_ts 2
 post_alloc_hook+0x1/0x2
 get_page_from_freelist+0x1/0x2
 __alloc_pages+0x1/0x2
 alloc_pages+0x1/0x2
 widget_get_buffer+0x10/0x40
 widget_ioctl+0x1/0x2
Call Trace:
 <TASK>
 dump_stack_lvl+0x1/0x2
 bad_page+0x1/0x2
 free_unref_page+0x1/0x2
 </TASK>",
    );
    check(&log, "BUG: Bad page state in widget_get_buffer", false);
}

#[test]
fn workqueue_leaked_lock_names_the_last_function() {
    let log = console(
        "BUG: workqueue leaked lock or atomic: kworker/0:1/0x00000000/12
     last function: widget_work_fn
1 lock held by kworker/0:1/12:
CPU: 0 PID: 12 Comm: kworker/0:1 Not tainted 6.1.0 #1",
    );
    check(
        &log,
        "BUG: workqueue leaked lock or atomic in widget_work_fn",
        false,
    );
}

#[test]
fn fixed_text_bugs_need_no_stack() {
    for (line, title) in [
        (
            "BUG: workqueue lockup - pool cpus=0 node=0 flags=0x0 nice=0 stuck for 153s!",
            "BUG: workqueue lockup",
        ),
        (
            "BUG: Bad rss-counter state mm:ffff888012345678 type:MM_FILEPAGES val:-1",
            "BUG: Bad rss-counter state",
        ),
        (
            "BUG kmalloc-64 (Not tainted): Object already free",
            "BUG: Object already free",
        ),
        (
            "unregister_netdevice: waiting for wdg0 to become free. Usage count = 2",
            "unregister_netdevice: waiting for DEV to become free",
        ),
        (
            "VFS: Busy inodes after unmount of loop0 (widgetfs)",
            "VFS: Busy inodes after unmount (use-after-free)",
        ),
    ] {
        let r = check(&console(line), title, false);
        assert!(!r.corrupted, "{title}");
    }
}

// ---------------------------------------------------------------------------------------
// panics, kernel BUG, UBSAN, rust

#[test]
fn kernel_bug_takes_rip_and_skips_skb_helpers() {
    let body = "------------[ cut here ]------------
kernel BUG at net/core/skbuff.c:110!
invalid opcode: 0000 [#1] PREEMPT SMP KASAN
CPU: 0 PID: 1 Comm: syz Not tainted 6.1.0 #1
RIP: 0010:skb_panic+0x16c/0x16e
Call Trace:
 <TASK>
 skb_put+0x1/0x2
 widget_build_frame+0x10/0x40
 widget_xmit+0x1/0x2
 </TASK>";
    let r = check(&console(body), "kernel BUG in widget_build_frame", false);
    assert_eq!(r.kind.name(), "BUG");
    // The list checker itself is skipped (`list_del`): its caller.
    let log = console(
        &body
            .replace("net/core/skbuff.c:110", "lib/list_debug.c:59")
            .replace("skb_panic", "__list_del_entry_valid")
            .replace(" skb_put+0x1/0x2\n", ""),
    );
    let r = check(&log, "BUG: corrupted list in widget_build_frame", false);
    assert_eq!(alts(&r), ["bad-access in widget_build_frame"]);
    assert_eq!(r.kind.name(), "MEMORY_SAFETY_BUG");
}

#[test]
fn panic_titles() {
    let init = "Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b
CPU: 0 PID: 1 Comm: init Not tainted 6.1.0 #1
Call Trace:
 <TASK>
 dump_stack_lvl+0x1/0x2
 panic+0x1/0x2
 do_exit+0x1/0x2
 </TASK>";
    let r = check(
        &console(init),
        "kernel panic: Attempted to kill init!",
        false,
    );
    assert!(r.panicked);
    assert_eq!(r.kind.name(), "DoS");
    // A panic message needs its stack like any report.
    let r = check(
        &console("Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)"),
        "kernel panic: VFS: Unable to mount root fs on unknown-block(NUM,NUM)",
        true,
    );
    assert_eq!(
        r.corrupted_reason.as_deref(),
        Some("no stack trace in report")
    );
    check(
        &console("Kernel panic - not syncing: panic_on_warn set ..."),
        "kernel panic: panic_on_warn set",
        true,
    );
    let log = console(
        "Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: widget_parse+0x1a2/0x1b0
CPU: 0 PID: 1 Comm: syz Not tainted 6.1.0 #1
Call Trace:
 <TASK>
 dump_stack_lvl+0x1/0x2
 panic+0x1/0x2
 __stack_chk_fail+0x1/0x2
 widget_parse+0x1a2/0x1b0
 </TASK>",
    );
    check(
        &log,
        "kernel panic: stack is corrupted in widget_parse",
        false,
    );
}

#[test]
fn ubsan_skips_its_own_helpers() {
    let log = console(
        "UBSAN: array-index-out-of-bounds in drivers/widget/core.c:77:5
index 9 is out of range for type 'u32 [8]'
CPU: 0 PID: 1 Comm: syz Not tainted 6.1.0 #1
Call Trace:
 <TASK>
 dump_stack_lvl+0x1/0x2
 ubsan_epilogue+0x1/0x2
 __ubsan_handle_out_of_bounds+0x1/0x2
 widget_index+0x10/0x40
 widget_ioctl+0x1/0x2
 </TASK>",
    );
    let r = check(
        &log,
        "UBSAN: array-index-out-of-bounds in widget_index",
        false,
    );
    assert_eq!(alts(&r), ["bad-access in widget_index"]);
    assert_eq!(r.kind.name(), "MEMORY_SAFETY_UBSAN");
    let log = console(
        "UBSAN: shift-out-of-bounds in drivers/widget/core.c:80:9
shift exponent 64 is too large for 64-bit type 'long unsigned int'
Call Trace:
 <TASK>
 dump_stack_lvl+0x1/0x2
 __ubsan_handle_shift_out_of_bounds+0x1/0x2
 check_mul_overflow_widget+0x1/0x2
 widget_shift+0x10/0x40
 </TASK>",
    );
    let r = check(&log, "UBSAN: shift-out-of-bounds in widget_shift", false);
    assert_eq!(r.kind.name(), "UBSAN");
}

#[test]
fn fault_injection_frames_mark_the_report_corrupted() {
    let log = task(
        123,
        &WARN_OLD
            .replace("RIP: 0010:widget_check+0x1a/0x40\n", "")
            .replace(
                " widget_ioctl+0x41/0x90\n",
                " should_fail_ex+0x1/0x2\n should_failslab+0x1/0x2\n widget_ioctl+0x41/0x90\n",
            ),
    );
    let r = check(&log, "WARNING in corrupted", true);
    assert_eq!(
        r.corrupted_reason.as_deref(),
        Some("fault injection frames in the report")
    );
}

#[test]
fn title_with_a_timestamp_inside_is_corrupted() {
    // Another line's prefix glued into the marker line.
    let log = b"[  100.000001] BUG: sleeping function called from invalid [  100.000002] widget: hello\n[  100.000003] Call Trace:\n[  100.000004]  widget_a+0x1/0x2\n[  100.000005]  widget_b+0x1/0x2\n[  100.000006]  widget_c+0x1/0x2\n";
    let r = first(log);
    assert!(r.corrupted, "{}", r.title);
    assert_eq!(
        r.corrupted_reason.as_deref(),
        Some("title contains a console timestamp")
    );
    // The same report on one line is fine.
    let log = b"[  100.000001] BUG: sleeping function called from invalid context at widget.c:1\n[  100.000003] Call Trace:\n[  100.000004]  widget_a+0x1/0x2\n[  100.000005]  widget_b+0x1/0x2\n[  100.000006]  widget_c+0x1/0x2\n";
    assert!(!first(log).corrupted);
}

#[test]
fn boot_notices_that_say_warning_or_info_are_no_crash() {
    // Known noise of the markers' ignore lists: the real report after them is the first.
    let mut log = console(
        "WARNING: workqueue cpumask: online intersect > possible intersect
INFO: sys_widget is not present in /proc/kallsyms
INFO: no syscalls can create resource widget_fd
BUG: no syscalls can create resource widget_fd
WARNING: The mand mount option has been deprecated and
EXT4-fs (sda1): WARNING: mounting fs with errors
INFO: lockdep is turned off.",
    );
    assert!(culprit_report::first(&log).is_none());
    log.extend(task(123, WARN_OLD));
    check(&log, "WARNING in widget_check", false);
}

#[test]
fn fault_frames_come_from_the_call_trace_not_from_lines_before_it() {
    // In a console without caller ids, another CPU's frames can land between the RIP line
    // and the Call Trace: with RIP never guilty, the first good frame is the Call Trace's.
    let log = console(
        "general protection fault: 0000 [#1] SMP KASAN
CPU: 0 PID: 7 Comm: syz Not tainted 5.0.0 #1
RIP: 0010:strlen+0x1a/0x40
 gizmo_other_cpu_frame+0x1/0x2
RSP: 0018:ffffc90003c4f8d8 EFLAGS: 00010202
Call Trace:
 strlen+0x1a/0x40
 widget_name_len+0x10/0x30
 widget_ioctl+0x1/0x2",
    );
    check(&log, "general protection fault in widget_name_len", false);
    // 32-bit x86 names the segment before the address.
    let log = console(
        "BUG: unable to handle kernel NULL pointer dereference at 00000008
IP: 0060:[<c1234567>] widget_peek+0x1a/0x40
Oops: 0000 [#1] SMP
Call Trace:
 widget_ioctl+0x1/0x2
 do_int80_syscall_32+0x1/0x2",
    );
    check(
        &log,
        "BUG: unable to handle kernel NULL pointer dereference in widget_peek",
        false,
    );
}

#[test]
fn held_locks_formats() {
    let log = task(
        8,
        "================================================
WARNING: lock held when returning to user space!
6.1.0 #1 Not tainted
------------------------------------------------
syz/8 is leaving the kernel with locks still held!
1 lock held by syz/8:
 #0: ffff888012345678 (&widget->mutex){+.+.}-{3:3}, at: widget_ioctl+0x30/0x90",
    );
    let r = check(
        &log,
        "WARNING: lock held when returning to user space in widget_ioctl",
        false,
    );
    assert_eq!(r.kind.name(), "LOCKDEP");
    let log = task(
        8,
        "=========================
WARNING: held lock freed!
6.1.0 #1 Not tainted
-------------------------
syz/8 is freeing memory ffff888012345600-ffff8880123456ff, with a lock still held there!
ffff888012345678 (&widget->lock){+.+.}-{2:2}, at: widget_destroy+0x30/0x90
1 lock held by syz/8:
Call Trace:
 <TASK>
 dump_stack_lvl+0x1/0x2
 debug_check_no_locks_freed+0x1/0x2
 kfree+0x1/0x2
 widget_destroy+0x30/0x90
 </TASK>",
    );
    check(&log, "WARNING: held lock freed in widget_destroy", false);
}

#[test]
fn stack_end_and_overflow_panics_use_the_stall_chooser() {
    let body = "Call Trace:
 <TASK>
 dump_stack_lvl+0x1/0x2
 panic+0x1/0x2
 schedule+0x1/0x2
 widget_recurse+0x10/0x20
 widget_ioctl+0x1/0x2
 __x64_sys_ioctl+0x1/0x2
 do_syscall_64+0x2d/0x70
 </TASK>";
    let log = console(&format!(
        "Kernel panic - not syncing: corrupted stack end detected inside scheduler\nCPU: 0 PID: 1 Comm: syz Not tainted 6.1.0 #1\n{body}"
    ));
    let r = check(
        &log,
        "kernel panic: corrupted stack end in widget_ioctl",
        false,
    );
    assert_eq!(alts(&r), ["stack-overflow in widget_ioctl"]);
    let log = console(&format!(
        "Kernel panic - not syncing: kernel stack overflow\nCPU: 0 PID: 1 Comm: syz Not tainted 6.1.0 #1\n{body}"
    ));
    let r = check(&log, "kernel stack overflow in widget_ioctl", false);
    assert_eq!(r.kind.name(), "DoS");
}

#[test]
fn double_fault_reads_rip_only() {
    let log = console(
        "PANIC: double fault, error_code: 0x0
CPU: 0 PID: 1 Comm: syz Not tainted 6.1.0 #1
RIP: 0010:widget_recurse+0x10/0x20
RSP: 0018:ffffc90003c4f8d8 EFLAGS: 00010202
Call Trace:
 <#DF>
 </#DF>
 <TASK>
 widget_ioctl+0x1/0x2
 </TASK>",
    );
    check(&log, "PANIC: double fault in widget_recurse", false);
}

#[test]
fn shared_markers_need_no_stack() {
    let r = check(
        &console("SYZFAIL: widget setup failed\n(errno 22: Invalid argument)"),
        "SYZFAIL: widget setup failed",
        false,
    );
    assert_eq!(r.kind.name(), "SYZ_FAILURE");
    let r = check(
        &console("SYZFATAL: executor failed to reply"),
        "SYZFATAL: executor failed to reply",
        false,
    );
    assert_eq!(alts(&r), ["SYZFATAL"]);
    let r = check(
        &console("Booting the kernel."),
        "unexpected kernel reboot",
        false,
    );
    assert_eq!(r.kind.name(), "REBOOT");
}
