//! Everything else the kernel parser knows, as data: frames that are never guilty, where stacks
//! start, anchors for stalls, waiting words for hangs, syscall-wrapper prefixes, title
//! normalisation, the title -> TYPE table, built-in suppressions and guilty-file ignores.
//! The title formats live in `formats.rs`. All patterns are regexes (`{{..}}` placeholders
//! as described there) unless said otherwise.

/// Frames that are never guilty, whatever the format (unanchored unless `^`/`$`).
#[rustfmt::skip]
pub(crate) static SKIP: &[&str] = &[
    // sanitizers and debug checks
    "__asan",
    "kasan",
    "__msan",
    "kmsan",
    "kcsan_setup_watchpoint",
    "check_memory_region",
    "check_region",
    "debug_object",
    "print_address_description",
    "__sanitizer",
    "ubsan_",
    "__ubsan",
    "check_heap_object",
    "__check_object_size",
    "check_object_size",
    "kfence_",
    "kmemleak",
    "stack_trace_",
    "save_stack",
    "^kcov",
    "fortify",
    "warn_bogus",
    "^__seqprop",
    "virt_to_phys",
    "work_is_static_object",
    "read_word_at_a_time",
    // reporting machinery and trap handlers
    "panic",
    "report_bug",
    "^__warn",
    "warn_slowpath",
    "warn_alloc",
    "dump_stack",
    "show_stack",
    "show_regs",
    "show_trace",
    "print_report",
    "describe_object",
    "print_trailer",
    "invalid_op",
    "^do_trap",
    "do_error_trap",
    "handle_bug",
    "^exc_",
    "^asm_exc_",
    "fixup_exception",
    "^do_general_protection",
    "^general_protection",
    "^page_fault",
    "^do_page_fault",
    "^__do_page_fault",
    "^handle_page_fault",
    "^no_context",
    "^bad_area",
    "do_user_addr_fault",
    "do_kern_addr_fault",
    "kernelmode_fixup_or_oops",
    "page_fault_oops",
    "^die$",
    "^__die",
    "oops_",
    "^do_int3",
    "^int3$",
    "^do_divide_error",
    "^divide_error",
    "^do_invalid_op",
    "^do_double_fault",
    "^double_fault",
    "^do_stack_segment",
    "^stack_segment",
    "^bug_handler",
    "^do_undefinstr",
    "^__do_user_fault",
    // allocators
    "k?v?(?:m|z|c)alloc",
    "krealloc",
    "kmem_cache",
    "slab_",
    "alloc_page",
    "alloc_frozen_pages",
   
    "^kv?free$",
    "^kfree_",
    "kfree_skb",
    "^kvfree",
    "^vfree",
    "^__vfree",
    "^vzalloc",
    "^vmalloc",
    "^__vmalloc",
    "mempool_",
    "^kmem_",
    "^__kmem_",
    "^slab_",
    "^___slab",
    "^__slab",
    "^new_slab",
    "^allocate_slab",
    "^kstrdup",
    "^kmemdup",
    "^page_alloc",
    "^free_pages",
    "^__free_pages",
    "^free_unref",
    "^put_page",
    "^__put_page",
    "^folio_",
    "^__folio_",
    "^filemap_",
    "^__filemap_",
    "^pagecache_",
    "^__page_cache_",
    "^page_cache_",
    "^find_get_page",
    "^find_lock_page",
    // locking and atomics
    "lock_acquire",
    "lock_release",
    "lockdep",
    "^__lock_",
    "spin_lock",
    "spin_unlock",
    "spin_trylock",
    "_raw_spin",
    "do_raw_spin",
    "_raw_read",
    "_raw_write",
    "do_raw_read",
    "do_raw_write",
    "read_lock",
    "read_unlock",
    "write_lock",
    "write_unlock",
    "down_read",
    "down_write",
    "^up_read",
    "^up_write",
    "^down$",
    "^up$",
    "^down_",
    "^mutex_",
    "^__mutex_",
    "rwsem",
    "osq_lock",
    "queued_spin",
    "queued_read",
    "queued_write",
    "^__pv_queued",
    "^register_lock_class",
    "^look_up_lock_class",
    "^lock_is_held",
    "^lock_downgrade",
    // the atomic operations only, not every function with "atomic" in its name
    // (`drm_atomic_helper_*`, `vkms_atomic_crtc_*` are driver code)
    "atomic(?:64|_long)?_(?:dec|inc|read|set|or|xor|and|add|sub|fetch|xchg|cmpxchg|try)",
    "^__atomic",
    "^test_bit",
    "^set_bit",
    "^clear_bit",
    "^__set_bit",
    "^__clear_bit",
    "^test_and_",
    "^arch_atomic",
    "^bit_",
    "might_sleep",
    "might_fault",
    "might_resched",
    "^preempt_",
    "^__preempt",
    "^rcu_read_lock",
    "^rcu_read_unlock",
    "^rcu_lock_",
    "local_bh_enable",
    "local_bh_disable",
    "^__raw_",
    "^raw_",
    "^_local_bh_enable",
    "^seqcount",
    "^write_seqcount",
    "^read_seqcount",
    "^__wake_up",
    "^wake_up",
    "^try_to_wake_up",
    "^complete$",
    "^kthread_insert_work_sanity_check",
    // refcounts and containers
    "^refcount_",
    "^kref_",
    "ref_tracker",
    "list_add",
    "list_del",
    "^__list_",
    "^list_",
    "^hlist_",
    "^rb_",
    "^__rb_",
    "^rhashtable_lookup",
    // strings and copies
    "memcpy",
    "memset",
    "memmove",
    "memcmp",
    "memchr",
    "^memdup",
    "^__memcpy",
    "^__memset",
    "strlen",
    "strnlen",
    "strcpy",
    "strncpy",
    "strlcpy",
    "strscpy",
    "strcmp",
    "strncmp",
    "strcat",
    "strncat",
    "strstr",
    "strchr",
    "strrchr",
    "strsep",
    "^string$",
    "^number$",
    "vsnprintf",
    "snprintf",
    "sprintf",
    "vsprintf",
    "printk",
    "^pointer$",
    "dev_err",
    "dev_warn",
    "dev_info",
    "dev_notice",
    "dev_printk",
    "^_dev_",
    "^__dev_printk",
    "copy_to_user",
    "copy_from_user",
    "copy_user",
    "copy_from_iter",
    "copy_to_iter",
    "copy_page_to_iter",
    "copy_page_from_iter",
    // unanchored, as the reference writes them: they also cover `__get_user_4` and any
    // name containing them (`sget_userns`)
    "get_user",
    "put_user",
    "strncpy_from_user",
    "strnlen_user",
    "^csum_partial",
    "^crc[0-9]+",
    "^crc32",
    "^aes_encrypt",
    "^aes_decrypt",
    "^__crc",
    // workqueue, timer and device plumbing
    "flush_work",
    "queue_work",
    "queue_delayed_work",
    "^__queue_work",
    "del_timer",
    "^__mod_timer",
    "^mod_timer",
    "^add_timer",
    "try_to_del_timer",
    "^timer_delete",
    "^__timer_delete",
    "kobject_",
    "device_del",
    "device_unregister",
    "sysfs_remove",
    "sysfs_create",
    "add_uevent_var",
    "usb_submit_urb",
    "usb_start_wait_urb",
    "usb_control_msg",
    "usb_bulk_msg",
    "usb_interrupt_msg",
    "devres_release",
    // MMIO accessors, arm64 fault plumbing, thunks, inode/dentry puts
    "read[bwlq]$",
    "write[bwlq]$",
    "^ioread",
    "^iowrite",
    "do_mem_abort",
    "el1h_64_sync",
    "^el1_abort",
    "^el1_da",
    "^el1_sync",
    "^__do_kernel_fault",
    "^do_translation_fault",
    "^do_bad_area",
    "^do_alignment_fault",
    "^do_page_fault",
    "^arm64_",
    "indirect_thunk",
    "return_thunk",
    "iput",
    "dput",
    "^drop_nlink",
    "^mark_buffer_dirty",
    // stack walkers, lockdep internals, device and driver-core plumbing
    "dump_backtrace", "unwind_backtrace", "walk_stackframe", "^trace_hardirqs", "fixup_bug",
    "^mark_lock", "^mark_held_locks", "print_usage_bug", "print_circular_bug", "check_noncircular", "^check_usage", "check_irq_usage", "check_prev_add",
    "validate_chain", "reacquire_held_locks", "debug_check_no_locks", "^perf_trace_",
    "printf", "^str[a-z]+$", "^device_(?:add|del|destroy|unregister|remove|release)",
    "get_device_parent", "rollback_registered", "unregister_netdevice_many",
    "usb_kill_anchored_urbs", "usb_kill_urb", "^kthread_stop", "^wait_for_completion",
    "cancel_work", "cancel_delayed_work", "print_tainted", "rust_begin_unwind",
    "^__read_once", "_nocheck$", "^klist_", "^unlock_page", "^lock_page", "^folio_unlock",
    "assertfail", "^__phys_addr", "hwasan", "^lock_timer_base", "page_pool_alloc", "^aesti_",
    "unregister_netdev", "^release_sock$", "^lock_sock", "imbalance_bug",
    "^tty_unregister_device", "^hwrng_unregister", "^__unregister_client",
    "^device_for_each_child", "^i2c_del_adapter", "rep_movs_alternative", "check_copy_size", "^__rcu_read_lock", "^__rcu_read_unlock",
    "^instrument_", "^bcmp$", "^__?bitmap_", "^_?_?find_(?:next|first|last)_(?:zero_)?bit",
    "^core::panicking", "^core::panic", "^kernel::", "^__rustc::", "^do_read_cache_",
];

/// Lines where a stack trace starts.
#[rustfmt::skip]
pub(crate) static STACK_START: &[&str] = &[
    r"Call (?:T|t)race", r"Allocated:", r"Allocated by task [0-9]+:", r"Freed:",
    r"Freed by task [0-9]+:", r"(?:^|[^k]\s|[^\s])backtrace(?: \(crc [0-9a-f]+\))?:",
    r"Backtrace:", r"Uninit was stored to memory at",
    r"status: [0-9a-f]+ badaddr: [0-9a-f]+ cause: [0-9a-f]+",
];

/// A stack frame line; group 1 (and 2 for ARM) name the function.
#[rustfmt::skip]
pub(crate) static FRAME_LINES: &[&str] = &[
    r"^ *(?:{{PC}} ?){0,2}[ (]*(?:[0-9]+:)?([a-zA-Z0-9_]+)(?:\.[a-zA-Z0-9_.]+)?\+0x[0-9a-f]+/0x[0-9a-f]+",
    r"^ *{{PC}} \(([a-zA-Z0-9_]+)\) from {{PC}} \({{FUNC}}",
];

/// The interrupted function of a stall: a `RIP:` line read as a frame.
pub(crate) static RIP_FRAME_LINE: &str = r"^RIP: [0-9]{4}:(?:{{PC}} +){0,2}([a-zA-Z0-9_]+)(?:\.[a-zA-Z0-9_.]+)?\+0x[0-9a-f]+/0x[0-9a-f]+";

/// A frame line that shows injected-fault output intermixed with the report.
#[rustfmt::skip]
pub(crate) static CORRUPTED_FRAMES: &[&str] =
    &[r"^ *(?:{{PC}} ?){0,2}should_fail(?:slab)?[a-z_]*(?:\.|\+)"];

/// Frames just below the stuck code of a stall: substring tests, or prefix/suffix/exact tests
/// when written with `^`/`$` (not regexes).
#[rustfmt::skip]
pub(crate) static STALL_ANCHORS: &[&str] = &[
    "do_syscall_", "do_fast_syscall_", "entry_SYSCALL", "entry_SYSENTER", "entry_INT80",
    "el0_svc", "ret_from_fork", "process_one_work", "^worker_thread$", "^kthread$",
    "call_timer_fn", "expire_timers", "__hrtimer_run_queues", "hrtimer_interrupt",
    "tasklet_action", "net_rx_action", "__napi_poll", "process_backlog", "irq_exit",
    "__irq_exit_rcu", "smp_call_function", "vfs_write", "vfs_read", "vfs_writev",
    "vfs_readv", "vfs_ioctl", "do_vfs_ioctl", "vfs_open", "do_dentry_open", "vfs_fallocate",
    "vfs_fsync", "sock_sendmsg", "sock_recvmsg", "sock_write_iter", "sock_read_iter",
    "rtnetlink_rcv_msg", "nfnetlink_rcv_msg", "sys_ioctl", "SyS_ioctl", "new_sync_read",
    "new_sync_write", "__vfs_read", "__vfs_write", "sock_common_setsockopt", "__sys_setsockopt",
    "invoke_syscall", "__do_fault", "ret_fast_syscall", "compat_ioctl", "do_mmap", "mmap_region",
    "__mm_populate", "do_exit", "do_group_exit", "get_signal", "__fput", "task_work_run",
    "exit_to_user_mode", "syscall_exit_to_user_mode", "__netif_receive_skb",
];

/// Words that mark a hung task's waiting primitives (substring tests).
#[rustfmt::skip]
pub(crate) static HANG_WAIT_WORDS: &[&str] = &[
    "sched", "_lock", "_slowlock", "down", "rwsem", "completion", "wait", "kthread", "synchronize",
    "context_switch", "__switch_to", "schedule", "io_schedule", "cancel_work", "rcu_barrier", "sleep",
];

/// Syscall-wrapper prefixes stripped from frame names (each tried alone; shortest kept).
#[rustfmt::skip]
pub(crate) static SYSCALL_PREFIXES: &[&str] = &[
    "SYSC_", "SyS_", "sys_", "__x64_", "__ia32_", "__arm64_", "__sys_", "___sys_", "____sys_",
    "__se_", "__se_sys_", "__do_sys_", "compat_SYSC_", "compat_SyS_", "ksys_",
];

/// Title normalisation: (pattern, replacement), in order, each repeated until stable.
#[rustfmt::skip]
pub(crate) static NORMALISE: &[(&str, &str)] = &[
    (r"syz-executor\.?[0-9]+(?:/[0-9]+)?", "syz-executor"),
    (r"syzkaller[0-9]+", "syzkaller"),
    (r"([^a-zA-Z0-9])(?:0x)?[0-9a-f]{6,}", "${1}ADDR"),
    (
        r"([^0-9]|^)[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}([^0-9]|$)",
        "${1}IP${2}",
    ),
    (r"(\.[a-zA-Z0-9]+):[0-9]+(?::[0-9]+)?", "${1}:LINE"),
    (r"([a-zA-Z0-9_.]+)\+0x[0-9a-f]+/0x[0-9a-f]+", "${1}"),
    (r"CPU#[0-9]+", "CPU"),
    (r"([^a-zA-Z0-9_]|^)[0-9]+([^a-zA-Z0-9_]|$)", "${1}NUM${2}"),
    (r"[0-9]{7,}", "NUM"),
];

/// Maximum title length in bytes after sanitising.
pub(crate) const MAX_TITLE: usize = 120;

/// Title prefix -> TYPE, first match wins.
#[rustfmt::skip]
pub(crate) static TYPES: &[(&[&str], &str)] = &[
    (
        &[
            "KASAN: use-after-free Read", "KASAN: slab-use-after-free Read",
            "KASAN: use-after-free in",
        ],
        "KASAN-USE-AFTER-FREE-READ",
    ),
    (
        &[
            "KASAN: use-after-free Write", "KASAN: slab-use-after-free Write",
        ],
        "KASAN-USE-AFTER-FREE-WRITE",
    ),
    (
        &[
            "KASAN: slab-out-of-bounds Read", "KASAN: stack-out-of-bounds Read",
            "KASAN: global-out-of-bounds Read", "KASAN: vmalloc-out-of-bounds Read",
            "KASAN: out-of-bounds Read", "KASAN: user-memory-access Read",
            "KASAN: invalid-access Read", "KASAN: unknown-crash Read",
            "KASAN: wild-memory-access Read", "KASAN: wild-memory-access in",
            "KASAN: slab-out-of-bounds in", "KASAN: stack-out-of-bounds in",
            "KASAN: global-out-of-bounds in",
        ],
        "KASAN-READ",
    ),
    (
        &[
            "KASAN: slab-out-of-bounds Write", "KASAN: stack-out-of-bounds Write",
            "KASAN: global-out-of-bounds Write", "KASAN: vmalloc-out-of-bounds Write",
            "KASAN: out-of-bounds Write", "KASAN: user-memory-access Write",
            "KASAN: invalid-access Write", "KASAN: unknown-crash Write",
            "KASAN: wild-memory-access Write",
        ],
        "KASAN-WRITE",
    ),
    (
        &["KASAN: null-ptr-deref Read"],
        "KASAN-NULL-POINTER-DEREFERENCE-READ",
    ),
    (
        &["KASAN: null-ptr-deref Write"],
        "KASAN-NULL-POINTER-DEREFERENCE-WRITE",
    ),
    (
        &[
            "KASAN: invalid-free", "KASAN: double-free or invalid-free", "KASAN: double-free",
        ],
        "KASAN-INVALID-FREE",
    ),
    (&["KASAN: "], "KASAN-UNKNOWN"),
    (&["KMSAN: uninit-value"], "KMSAN-UNINIT-VALUE"),
    (
        &["KMSAN: kernel-infoleak", "KMSAN: kernel-usb-infoleak"],
        "KMSAN-INFO-LEAK",
    ),
    (
        &["KMSAN: use-after-free", "KMSAN: slab-use-after-free"],
        "KMSAN-USE-AFTER-FREE-READ",
    ),
    (&["KMSAN: "], "KMSAN-UNKNOWN"),
    (
        &["KFENCE: use-after-free read", "KFENCE: use-after-free Read"],
        "KFENCE-USE-AFTER-FREE-READ",
    ),
    (
        &[
            "KFENCE: use-after-free write", "KFENCE: use-after-free Write",
        ],
        "KFENCE-USE-AFTER-FREE-WRITE",
    ),
    (
        &[
            "KFENCE: out-of-bounds read", "KFENCE: invalid read", "KFENCE: out-of-bounds Read",
            "KFENCE: invalid Read",
        ],
        "KFENCE-READ",
    ),
    (
        &[
            "KFENCE: out-of-bounds write", "KFENCE: invalid write", "KFENCE: out-of-bounds Write",
            "KFENCE: invalid Write",
        ],
        "KFENCE-WRITE",
    ),
    (&["KFENCE: memory corruption"], "KFENCE-MEMORY-CORRUPTION"),
    (&["KFENCE: invalid free"], "KFENCE-INVALID-FREE"),
    (&["KFENCE: "], "KFENCE-UNKNOWN"),
    (&["KCSAN: data-race"], "KCSAN-DATARACE"),
    (&["KCSAN: assert: race in"], "KCSAN-ASSERT"),
    (&["KCSAN: "], "KCSAN-UNKNOWN"),
    (
        &["BUG: unable to handle kernel NULL pointer dereference in"],
        "NULL-POINTER-DEREFERENCE",
    ),
    (
        &[
            "BUG: unable to handle kernel paging request", "BUG: corrupted list",
        ],
        "MEMORY_SAFETY_BUG",
    ),
    (&["WARNING: refcount bug"], "REFCOUNT_WARNING"),
    (&["UBSAN: array-index-out-of-bounds"], "MEMORY_SAFETY_UBSAN"),
    (&["UBSAN: "], "UBSAN"),
    (
        &[
            "possible deadlock in", "inconsistent lock state in", "WARNING: locking bug in",
            "WARNING: suspicious RCU usage in", "BUG: spinlock",
            "BUG: rwlock", "WARNING: bad unlock balance", "BUG: bad unlock balance",
            "WARNING: held lock freed", "BUG: held lock freed", "WARNING: still has locks held",
            "BUG: still has locks held", "WARNING: lock held",
            "WARNING: nested lock", "BUG: using",
        ],
        "LOCKDEP",
    ),
    (
        &[
            "BUG: sleeping function called from invalid context in",
            "BUG: scheduling while atomic in",
        ],
        "ATOMIC_SLEEP",
    ),
    (&["memory leak in"], "LEAK"),
    (&["kernel BUG", "BUG: bad usercopy in"], "BUG"),
    (
        &[
            "BUG: stack guard page was hit in", "WARNING: corrupted", "WARNING: kernel stack",
        ],
        "",
    ),
    (&["WARNING in", "WARNING: "], "WARNING"),
    (
        &[
            "INFO: task hung in", "INFO: task can't die in", "INFO: rcu detected stall in",
            "BUG: soft lockup in",
        ],
        "HANG",
    ),
    (
        &[
            "general protection fault in", "kernel panic:", "divide error in", "invalid opcode in",
            "int3 in", "stack segment fault in", "PANIC: double fault", "Internal error in",
            "Unhandled fault in", "Alignment trap in", "kernel stack overflow",
            "BUG: Object already free", "unregister_netdevice:", "VFS: ", "panic:",
            "go runtime error", "trusty:",
        ],
        "DoS",
    ),
    (&["unexpected kernel reboot"], "REBOOT"),
    (&["SYZFAIL", "SYZFATAL:"], "SYZ_FAILURE"),
];

/// Whole-log patterns that make a found crash not worth reporting.
#[rustfmt::skip]
pub(crate) static SUPPRESSIONS: &[&str] = &[
    r"panic: failed to start executor binary", r"(?:panic|SYZFAIL): .*pthread_create failed",
    r"fatal error: out of memory",
    r"panic: handshake failed", r"(?:panic|SYZFAIL): .*failed to create temp dir",
    r"fatal error: runtime: out of memory", r"fatal error: runtime: cannot allocate memory",
    r"fatal error: unexpected signal during runtime execution", r"signal SIGBUS: bus error",
    r"panic: .*cannot allocate memory", r"SYZFAIL: SIGBUS",
    r"Out of memory: Kill process .* \((?:syz-executor|syz-fuzzer|sshd)",
    r"Out of memory: Killed process .* \((?:syz-executor|syz-fuzzer|sshd)",
    r"Killed process .* \((?:syz-executor|syz-fuzzer|sshd)",
    r"lowmemorykiller: Killing 'syz-executor", r"INIT: PANIC: segmentation violation!",
    r"\*\*\* stack smashing detected \*\*\*: terminated",
];

/// Source files that are never blamed when a better one exists.
#[rustfmt::skip]
pub(crate) static GUILTY_IGNORE: &[&str] = &[
    r"^\.?/?include/", r"\.h$", r"^lib/", r"^virt/lib/", r"^mm/kasan/", r"^mm/kmsan/",
    r"^kernel/kcov\.c", r"^mm/sl.b\.c", r"^mm/slab_common\.c", r"^mm/filemap\.c", r"^mm/memory\.c",
    r"^mm/page_alloc\.c", r"^mm/vmalloc\.c", r"^mm/percpu", r"^mm/mempool\.c", r"^mm/util\.c",
    r"^mm/gup\.c", r"^mm/kfence/", r"^mm/page_owner\.c", r"^mm/usercopy\.c", r"^mm/internal\.h",
    r"^kernel/rcu/", r"^kernel/locking/", r"^kernel/sched/", r"^kernel/panic\.c",
    r"^kernel/printk/", r"^kernel/softirq\.c", r"^kernel/kthread\.c", r"^kernel/workqueue\.c",
    r"^kernel/time/timer\.c", r"^kernel/time/hrtimer\.c", r"^kernel/stacktrace\.c",
    r"^kernel/irq_work\.c", r"^mm/truncate\.c", r"^mm/folio-compat\.c", r"^arch/[a-z0-9]+/mm/physaddr\.c", r"^arch/[a-z0-9]+/kernel/process\.c", r"^arch/[a-z0-9]+/kernel/traps\.c", r"^arch/x86/kernel/apic/",
    r"^arch/[a-z0-9]+/mm/fault\.c", r"^arch/[a-z0-9]+/kernel/unwind",
    r"^arch/[a-z0-9]+/kernel/stacktrace\.c",
    r"^arch/[a-z0-9]+/entry/", r"^arch/[a-z0-9]+/kernel/entry", r"^arch/[a-z0-9]+/lib/",
    r"^arch/[a-z0-9]+/crypto/crc", r"^net/core/dev\.c", r"^net/core/sock\.c",
    r"^net/core/skbuff\.c", r"^fs/proc/generic\.c", r"^trusty/", r"^drivers/usb/core/urb\.c",
    r"^security/lsm_",
];

/// Report lines never searched for the guilty file (lockdep bookkeeping).
#[rustfmt::skip]
pub(crate) static GUILTY_IGNORE_LINES: &[&str] = &[
    r"(?:hardirqs|softirqs) last(?:  enabled| disabled) at", r", at: ", r"^ *#[0-9]+: ",
    r"Register r[0-9]+ information",
];

/// Info messages that carry a stack and start a second report.
#[rustfmt::skip]
pub(crate) static INFO_WITH_STACK: &[&str] = &[
    "vmalloc: allocation failure:", "FAULT_INJECTION: forcing a failure",
    "FAULT_FLAG_ALLOW_RETRY missing",
];

/// Marker texts that never start a second report.
#[rustfmt::skip]
pub(crate) static NO_SECOND_REPORT: &[&str] = &[
    "invalid opcode: 0000", "Kernel panic - not syncing", "unregister_netdevice: waiting for",
    "PANIC: double fault", "Internal error:",
];
