//! Frames that are never guilty, as data: the complete tables of
//! `shared/reference/skip-frames.md` (239 global patterns, 112 patterns of 33 report formats).
//!
//! A frame's function name (demangled, suffixes such as `.isra.0` already cut by the frame
//! line grammar) is passed over when it matches any global pattern or any pattern of the
//! report's format. Patterns are unanchored regexes unless written with `^`/`$`. The rows
//! are kept exactly as the reference writes them (`tests` in `compiled.rs` compare them
//! with the reference file): a pattern that looks redundant or too broad stays, because the
//! titles the corpus expects were made with exactly these tables.

/// Frames that are never guilty, whatever the format: the 239 global patterns of
/// `skip-frames.md`, in its order (`invalid_op` is listed twice there, and here).
#[rustfmt::skip]
pub(crate) static GLOBAL: &[&str] = &[
    r"__sanitizer", r"__asan", r"kasan", r"hwasan",
    r"__msan", r"kmsan", r"kcsan_setup_watchpoint", r"check_memory_region",
    r"check_heap_object", r"check_object", r"read_word_at_a_time", r"(read|write)_once_.*nocheck",
    r"print_address_description", r"panic", r"invalid_op", r"report_bug",
    r"fixup_bug", r"print_report", r"print_usage_bug", r"do_error",
    r"invalid_op", r"_trap$|do_trap", r"show_stack", r"dump_stack",
    r"walk_stack", r"dump_backtrace", r"warn_slowpath", r"warn_alloc",
    r"warn_bogus", r"__warn", r"alloc_page", r"k?v?(?:m|z|c)alloc",
    r"krealloc", r"kmem_cache", r"allocate_slab", r"__alloc_frozen_pages_noprof",
    r"folio_(?:alloc|unlock)", r"filemap_alloc_folio", r"__filemap_get_folio", r"find_or_create_page",
    r"do_read_cache_folio", r"read_cache_page", r"pagecache_get_page", r"grab_cache_page_write_begin",
    r"slab_", r"debug_object", r"timer_is_static_object", r"work_is_static_object",
    r"__might_fault", r"print_unlock", r"imbalance_bug", r"lockdep",
    r"bh_enable", r"bh_disable", r"perf_trace", r"lock_acquire",
    r"lock_release", r"lock_class", r"mark_lock", r"(reacquire|mark)_held_locks",
    r"raw_spin_rq", r"spin_lock", r"spin_trylock", r"spin_unlock",
    r"read_lock", r"read_trylock", r"write_lock", r"write_trylock",
    r"read_unlock", r"write_unlock", r"^down$", r"down_read",
    r"down_write", r"down_read_trylock", r"down_write_trylock", r"down_trylock",
    r"up_read", r"up_write", r"^mutex_", r"^__mutex_",
    r"^rt_mutex_", r"owner_on_cpu", r"osq_lock", r"osq_unlock",
    r"atomic(64)?_(dec|inc|read|set|or|xor|and|add|sub|fetch|xchg|cmpxchg|try)", r"(set|clear|change|test)_bit", r"__wake_up", r"^refcount_",
    r"^kref_", r"ref_tracker", r"seqprop_assert", r"memcpy",
    r"memcmp", r"memset", r"memchr", r"memmove",
    r"memdup", r"strcmp", r"strncmp", r"strcpy",
    r"strlcpy", r"strncpy", r"strscpy", r"strlen",
    r"strstr", r"strnstr", r"strnlen", r"strchr",
    r"strdup", r"strndup", r"copy_to_user", r"copy_from_user",
    r"copy_to_iter", r"copy_from_iter", r"copy_page_to_iter", r"copy_page_from_iter",
    r"copy_folio_to_iter", r"^copyin$", r"^copyout$", r"put_user",
    r"get_user", r"might_fault", r"might_sleep", r"list_add",
    r"list_del", r"list_replace", r"list_move", r"list_splice",
    r"^rb_", r"^__rb_", r"_indirect_thunk_", r"string",
    r"pointer", r"snprintf", r"scnprintf", r"kasprintf",
    r"kvasprintf", r"printk", r"va_format", r"dev_info",
    r"dev_notice", r"dev_warn", r"dev_err", r"dev_alert",
    r"dev_crit", r"dev_emerg", r"program_check_exception", r"program_check_common",
    r"del_timer", r"flush_work", r"__cancel_work_timer", r"cancel_work_sync",
    r"try_to_grab_pending", r"flush_workqueue", r"drain_workqueue", r"destroy_workqueue",
    r"queue_work", r"finish_wait", r"kthread_stop", r"kobject_",
    r"add_uevent_var", r"get_device_parent", r"device_add", r"device_del",
    r"device_unregister", r"device_destroy", r"device_release", r"devres_release_all",
    r"hwrng_unregister", r"i2c_del_adapter", r"__unregister_client", r"device_for_each_child",
    r"rollback_registered", r"unregister_netdev", r"sysfs_remove", r"device_remove_file",
    r"tty_unregister_device", r"dummy_urb_enqueue", r"usb_kill_urb", r"usb_kill_anchored_urbs",
    r"usb_control_msg", r"usb_hcd_submit_urb", r"usb_submit_urb", r"^complete$",
    r"wait_for_completion", r"^kv?free$", r"kfree_skb", r"readb$",
    r"readw$", r"readl$", r"readq$", r"writeb$",
    r"writew$", r"writel$", r"writeq$", r"logic_in",
    r"logic_out", r"^crc\d+", r"crc_itu_t", r"__might_resched",
    r"assertfail", r"^iput$", r"^iput_final$", r"^ihold$",
    r"hex_dump_to_buffer", r"print_hex_dump", r"^klist_", r"(trace|lockdep)_(hard|soft)irq",
    r"^(un)?lock_page", r"stack_trace_consume_entry", r"arch_stack_walk", r"stack_trace_save",
    r"insert_work", r"__queue_delayed_work", r"queue_delayed_work_on", r"ida_free",
    r"do_(kernel|translation)_fault", r"do_mem_abort", r"el1_abort", r"el1h_64_sync(?:_handler)?",
    r"print_tainted", r"xas_(?:start|load|find)", r"find_lock_entries", r"truncate_inode_pages_range",
    r"__phys_addr", r"__fortify_report", r"cleanup_srcu_struct", r"rhashtable_lookup",
    r"extract_(user|iter)_to_sg", r"drop_nlink", r"^get_taint$", r"^put_device$",
    r"lock_timer_base", r"__timer_delete_sync", r"sk_stop_timer_sync", r"__mod_timer",
    r"fast_dput", r"dput", r"mark_buffer_dirty",
];

/// `BUG: KASAN:`
pub(crate) const KASAN_ACCESS: &[&str] = &[
    r"kernel_fault",
    r"tag_check",
    r"mem_abort",
    r"^el1_",
    r"^el1h_",
];
/// `BUG: KASAN:`
pub(crate) const KASAN_FREE: &[&str] = &[r"slab_", r"kfree", r"vunmap", r"vfree"];
/// `BUG: KMSAN: kernel-usb-infoleak`
pub(crate) const KMSAN_USB_INFOLEAK: &[&str] = &[
    r"alloc_skb",
    r"usb_submit_urb",
    r"usb_start_wait_urb",
    r"usb_bulk_msg",
    r"usb_interrupt_msg",
    r"usb_control_msg",
];
/// `BUG: KMSAN:`
pub(crate) const KMSAN: &[&str] = &[
    r"alloc_skb",
    r"netlink_ack",
    r"netlink_rcv_skb",
    r"_encrypt$",
    r"^(?:crypto|cipher|drbg|rng)_",
];
/// `BUG: (spinlock|rwlock) (lockup suspected|already unlocked|recursion`
pub(crate) const SPINLOCK: &[&str] = &[r"spin_", r"_lock", r"_unlock"];
/// `BUG: scheduling while atomic`
pub(crate) const SCHEDULING_WHILE_ATOMIC: &[&str] = &[r"schedule"];
/// `BUG: Bad page (state|cache)`
pub(crate) const BAD_PAGE: &[&str] = &[
    r"(free|put|get|update|release)_page",
    r"free_unref",
    r"^_*folio",
    r"truncate_inode_pages",
    r"page_frag_free",
    r"alloc",
    r"vmap",
    r"page_owner",
];
/// `BUG: using ([a-z_]+)\(\) in preemptible`
pub(crate) const USING_IN_PREEMPTIBLE: &[&str] = &[
    r"dump_stack",
    r"preemption",
    r"preempt",
    r"debug_",
    r"processor_id",
    r"this_cpu",
];
/// `BUG: memory leak`
pub(crate) const MEMORY_LEAK: &[&str] = &[
    r"kmemleak",
    r"mmap",
    r"kmem",
    r"slab",
    r"alloc",
    r"create_object",
    r"idr_get",
    r"list_lru_init",
    r"kasprintf",
    r"kvasprintf",
    r"pcpu_create",
    r"strdup",
    r"strndup",
    r"memdup",
];
/// `BUG: Invalid wait context`
pub(crate) const INVALID_WAIT_CONTEXT: &[&str] = &[r"lock_sock", r"release_sock"];
/// `WARNING: possible circular locking dependency detected`
pub(crate) const CIRCULAR_LOCKING: &[&str] = &[
    r"process_one_work",
    r"flush_workqueue",
    r"drain_workqueue",
    r"destroy_workqueue",
];
/// `WARNING: suspicious RCU usage`
pub(crate) const WARNING_SUSPICIOUS_RCU: &[&str] = &[r"rcu", r"kmem", r"slab"];
/// `INFO: rcu_(?:preempt|sched|bh|tasks) (?:self-)?detected(?: expedited)? stall`
pub(crate) const RCU_STALL: &[&str] = &[r"apic_timer_interrupt", r"rcu"];
/// `INFO: trying to register non-static key`
pub(crate) const NON_STATIC_KEY: &[&str] = &[r"stack", r"lock", r"IRQ"];
/// `INFO: suspicious RCU usage`
pub(crate) const INFO_SUSPICIOUS_RCU: &[&str] = &[r"rcu", r"kmem", r"slab"];
/// `INFO: task {{TASK}} can't die for more than .* seconds`
pub(crate) const TASK_CANT_DIE: &[&str] = &[r"schedule"];
/// `Kernel panic - not syncing: stack-protector:`
pub(crate) const STACK_PROTECTOR: &[&str] = &[r"stack_chk"];
/// `Kernel panic - not syncing: corrupted stack end`
pub(crate) const CORRUPTED_STACK_END: &[&str] = &[r"schedule", r"retint_kernel"];
/// `Kernel panic - not syncing: kernel stack overflow`
pub(crate) const KERNEL_STACK_OVERFLOW: &[&str] = &[r"bad_stack"];
/// `rust_kernel: panicked`
pub(crate) const RUST_PANIC: &[&str] = &[r"__rustc::rust_begin_unwind"];
/// `kernel BUG at mm/usercopy.c`
pub(crate) const KERNEL_BUG_USERCOPY: &[&str] = &[r"usercopy", r"__check"];
/// `kernel BUG at (.*)`
pub(crate) const KERNEL_BUG: &[&str] = &[r"^skb_"];
/// `UBSAN:`
pub(crate) const UBSAN: &[&str] = &[r"ubsan", r"overflow"];
/// `UBSAN: array-index-out-of-bounds in`
pub(crate) const UBSAN_ARRAY_INDEX: &[&str] = &[r"ubsan", r"overflow"];
/// `UBSAN:`
pub(crate) const UBSAN_OTHER: &[&str] = &[r"ubsan", r"overflow"];
/// `WARNING: .*lib/debugobjects\.c.* (?:debug_print|debug_check|at)`
pub(crate) const WARNING_DEBUGOBJECTS: &[&str] = &[
    r"debug_",
    r"rcu",
    r"hrtimer_",
    r"timer_",
    r"work_",
    r"percpu_",
    r"vunmap",
    r"vfree",
    r"__free_",
    r"debug_check",
    r"kobject_",
];
/// `WARNING: .*mm/usercopy\.c.* (?:usercopy_warn|at)`
pub(crate) const WARNING_USERCOPY: &[&str] = &[r"usercopy", r"__check"];
/// `WARNING: .*lib/kobject\.c.* (?:kobject_|at)`
pub(crate) const WARNING_KOBJECT: &[&str] = &[r"kobject_"];
/// `WARNING: .*fs/proc/generic\.c.* (?:proc_register|at)`
pub(crate) const WARNING_PROC: &[&str] = &[r"proc_"];
/// `WARNING: .*lib/refcount\.c.* (?:refcount_|at)`
pub(crate) const WARNING_REFCOUNT: &[&str] = &[r"refcount", r"kobject_"];
/// `WARNING: .*kernel/locking/lockdep\.c.*lock_`
pub(crate) const WARNING_LOCKDEP: &[&str] = &[r"lock_sock", r"release_sock"];
/// `WARNING: .*mm/.*\.c.* k?.?malloc`
pub(crate) const WARNING_KMALLOC: &[&str] = &[r"kmalloc", r"krealloc", r"slab", r"kmem"];
/// `WARNING: .* usb_submit_urb`
pub(crate) const WARNING_USB_SUBMIT_URB: &[&str] = &[
    r"usb_submit_urb",
    r"usb_start_wait_urb",
    r"usb_bulk_msg",
    r"usb_interrupt_msg",
    r"usb_control_msg",
];

/// The format-specific rows of `skip-frames.md`: (the format's title expression as syzkaller
/// writes it, its extra patterns), in the reference's order.
#[rustfmt::skip]
#[cfg_attr(not(test), expect(dead_code, reason = "the rows' index, read by the tests"))]
pub(crate) static BY_FORMAT: &[(&str, &[&str])] = &[
    (r"BUG: KASAN:", KASAN_ACCESS),
    (r"BUG: KASAN:", KASAN_FREE),
    (r"BUG: KMSAN: kernel-usb-infoleak", KMSAN_USB_INFOLEAK),
    (r"BUG: KMSAN:", KMSAN),
    (r"BUG: (spinlock|rwlock) (lockup suspected|already unlocked|recursion", SPINLOCK),
    (r"BUG: scheduling while atomic", SCHEDULING_WHILE_ATOMIC),
    (r"BUG: Bad page (state|cache)", BAD_PAGE),
    (r"BUG: using ([a-z_]+)\(\) in preemptible", USING_IN_PREEMPTIBLE),
    (r"BUG: memory leak", MEMORY_LEAK),
    (r"BUG: Invalid wait context", INVALID_WAIT_CONTEXT),
    (r"WARNING: possible circular locking dependency detected", CIRCULAR_LOCKING),
    (r"WARNING: suspicious RCU usage", WARNING_SUSPICIOUS_RCU),
    (r"INFO: rcu_(?:preempt|sched|bh|tasks) (?:self-)?detected(?: expedited)? stall", RCU_STALL),
    (r"INFO: trying to register non-static key", NON_STATIC_KEY),
    (r"INFO: suspicious RCU usage", INFO_SUSPICIOUS_RCU),
    (r"INFO: task {{TASK}} can't die for more than .* seconds", TASK_CANT_DIE),
    (r"Kernel panic - not syncing: stack-protector:", STACK_PROTECTOR),
    (r"Kernel panic - not syncing: corrupted stack end", CORRUPTED_STACK_END),
    (r"Kernel panic - not syncing: kernel stack overflow", KERNEL_STACK_OVERFLOW),
    (r"rust_kernel: panicked", RUST_PANIC),
    (r"kernel BUG at mm/usercopy.c", KERNEL_BUG_USERCOPY),
    (r"kernel BUG at (.*)", KERNEL_BUG),
    (r"UBSAN:", UBSAN),
    (r"UBSAN: array-index-out-of-bounds in", UBSAN_ARRAY_INDEX),
    (r"UBSAN:", UBSAN_OTHER),
    (r"WARNING: .*lib/debugobjects\.c.* (?:debug_print|debug_check|at)", WARNING_DEBUGOBJECTS),
    (r"WARNING: .*mm/usercopy\.c.* (?:usercopy_warn|at)", WARNING_USERCOPY),
    (r"WARNING: .*lib/kobject\.c.* (?:kobject_|at)", WARNING_KOBJECT),
    (r"WARNING: .*fs/proc/generic\.c.* (?:proc_register|at)", WARNING_PROC),
    (r"WARNING: .*lib/refcount\.c.* (?:refcount_|at)", WARNING_REFCOUNT),
    (r"WARNING: .*kernel/locking/lockdep\.c.*lock_", WARNING_LOCKDEP),
    (r"WARNING: .*mm/.*\.c.* k?.?malloc", WARNING_KMALLOC),
    (r"WARNING: .* usb_submit_urb", WARNING_USB_SUBMIT_URB),
];

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;

    /// The reference file, when the shared directory is next to the checkout.
    fn reference() -> Option<String> {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/reference/skip-frames.md");
        match std::fs::read_to_string(&p) {
            Ok(s) => Some(s),
            Err(_) => {
                println!("{} not found: comparison skipped", p.display());
                None
            }
        }
    }

    /// The back-quoted patterns of one markdown table cell (`\|` is a `|` in the pattern).
    fn patterns(cell: &str) -> Vec<String> {
        cell.split('`')
            .skip(1)
            .step_by(2)
            .map(|p| p.replace("\\|", "|"))
            .collect()
    }

    /// The cells of a markdown table row, split at `|` not escaped by a backslash.
    fn cells(row: &str) -> Vec<String> {
        let mut out = vec![String::new()];
        let mut prev = ' ';
        for c in row.trim().trim_start_matches('|').chars() {
            if c == '|' && prev != '\\' {
                out.push(String::new());
            } else if let Some(last) = out.last_mut() {
                last.push(c);
            }
            prev = c;
        }
        out.pop();
        out
    }

    /// (global patterns, format rows) as the reference writes them.
    fn parse_reference(md: &str) -> (Vec<String>, Vec<(String, Vec<String>)>) {
        let (global, by_format) = md
            .split_once("## Added by one report format")
            .unwrap_or((md, ""));
        let rows = |s: &str| -> Vec<Vec<String>> {
            s.lines()
                .filter(|l| l.starts_with('|') && l.contains('`'))
                .map(cells)
                .collect()
        };
        let g = rows(global)
            .iter()
            .flat_map(|r| r.iter().flat_map(|c| patterns(c)))
            .collect();
        let f = rows(by_format)
            .iter()
            .filter(|r| r.len() == 2)
            .map(|r| {
                let title = patterns(&r[0]).into_iter().next().unwrap_or_default();
                (title, patterns(&r[1]))
            })
            .collect();
        (g, f)
    }

    #[test]
    fn counts_are_the_references() {
        assert_eq!(GLOBAL.len(), 239);
        let distinct: std::collections::BTreeSet<_> = GLOBAL.iter().collect();
        assert_eq!(distinct.len(), 238);
        assert_eq!(BY_FORMAT.len(), 33);
        assert_eq!(BY_FORMAT.iter().map(|(_, p)| p.len()).sum::<usize>(), 112);
    }

    #[test]
    fn every_pattern_of_the_reference_is_here() {
        let Some(md) = reference() else {
            return;
        };
        let (global, by_format) = parse_reference(&md);
        assert_eq!(global.len(), 239, "the reference's global table parses");
        assert_eq!(by_format.len(), 33, "the reference's format table parses");
        let ours: Vec<String> = GLOBAL.iter().map(|s| s.to_string()).collect();
        for p in &global {
            assert!(ours.contains(p), "global pattern {p:?} is missing");
        }
        for p in &ours {
            assert!(
                global.contains(p),
                "global pattern {p:?} is not the reference's"
            );
        }
        assert_eq!(ours, global, "same patterns, same order");
        let ours: Vec<(String, Vec<String>)> = BY_FORMAT
            .iter()
            .map(|(t, p)| (t.to_string(), p.iter().map(|s| s.to_string()).collect()))
            .collect();
        assert_eq!(ours, by_format);
    }

    #[test]
    fn the_parser_of_this_test_sees_a_missing_pattern() {
        // The comparison above must be able to fail: a table without one of its patterns
        // is told apart from the real one.
        let md = "## Global patterns (2)\n\n| | |\n|---|---|\n| `a\\|b` | `^c$` |\n\n\
                  ## Added by one report format\n\n| format | extra |\n|---|---|\n\
                  | `X: (y\\|z)` | `p`, `q` |\n";
        let (g, f) = parse_reference(md);
        assert_eq!(g, vec!["a|b".to_string(), "^c$".to_string()]);
        assert_eq!(
            f,
            vec![(
                "X: (y|z)".to_string(),
                vec!["p".to_string(), "q".to_string()]
            )]
        );
        assert_ne!(g, vec!["a|b".to_string()]);
    }

    fn skips(extra: &[&str], name: &str) -> bool {
        let all: Vec<String> = GLOBAL
            .iter()
            .chain(extra)
            .map(|p| format!("(?:{p})"))
            .collect();
        Regex::new(&all.join("|")).is_ok_and(|re| re.is_match(name))
    }

    #[test]
    fn unanchored_unless_anchored() {
        // The reference's own examples.
        assert!(skips(&[], "hex_string"));
        assert!(skips(&[], "string_nocheck"));
        assert!(skips(&[], "kfree"));
        assert!(skips(&[], "kvfree"));
        assert!(!skips(&[], "kfree_rcu_work"));
        // One of each kind the issue names.
        for name in [
            "vsnprintf",
            "crc32_le_base",
            "crc_itu_t",
            "arch_stack_walk",
            "stack_trace_consume_entry",
            "xas_load",
            "lockdep_hardirqs_on_prepare",
            "debug_object_activate",
            "__cancel_work_timer",
            "__timer_delete_sync",
            "print_tainted",
            "get_taint",
            "ida_free",
            "logic_inb",
            "ioread32be",
        ] {
            let want = name != "ioread32be";
            assert_eq!(skips(&[], name), want, "{name}");
        }
        // Anchors stay anchors: `^iput$` does not skip `iput_not_last`, `^down$` not
        // `shutdown`.
        assert!(!skips(&[], "iput_not_last"));
        assert!(!skips(&[], "shutdown"));
        assert!(!skips(&[], "tcp_sendmsg"));
    }

    #[test]
    fn format_rows_only_for_their_format() {
        assert!(!skips(&[], "schedule_timeout"));
        assert!(skips(SCHEDULING_WHILE_ATOMIC, "schedule_timeout"));
        assert!(!skips(&[], "kmemleak_alloc_recursive_x"));
        assert!(skips(MEMORY_LEAK, "kmemleak_alloc_recursive_x"));
        assert!(!skips(&[], "rcu_core"));
        assert!(skips(RCU_STALL, "rcu_core"));
    }
}
