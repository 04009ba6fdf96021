//! Everything else the kernel parser knows, as data: where stacks start, anchors for stalls,
//! waiting words for hangs, syscall-wrapper prefixes, title normalisation, the title -> TYPE
//! table, built-in suppressions and guilty-file ignores. The title formats live in
//! `formats.rs`, the frames that are never guilty in `skip.rs`. All patterns are regexes (`{{..}}` placeholders
//! as described there) unless said otherwise.

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
    r"^ *(?:{{PC}} ?){0,2}[ (]*(?:[0-9]+:)?{{FUNC}}",
    r"^ *{{PC}} \(([a-zA-Z0-9_]+)\) from {{PC}} \({{FUNC}}",
];

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

/// The 13 words that mark a hung task's waiting primitives (substring tests).
#[rustfmt::skip]
pub(crate) static HANG_WAIT_WORDS: &[&str] = &[
    "sched", "_lock", "_slowlock", "down", "rwsem", "completion", "kthread", "wait", "synchronize",
    "context_switch", "__switch_to", "cancel_delayed_work", "rcu_barrier",
];

/// Frames that decide a hang wherever they are in the stack: (substring, the name the title
/// shows; `None` keeps the frame's own name).
#[rustfmt::skip]
pub(crate) static HANG_ANCHORS: &[(&str, Option<&str>)] = &[
    ("rtnl_lock", None), ("synchronize_rcu", Some("synchronize_rcu")),
    ("synchronize_srcu", Some("synchronize_rcu")), ("synchronize_net", Some("synchronize_rcu")),
    ("synchronize_sched", Some("synchronize_rcu")),
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
