//! The kernel crash formats as data: for every crash marker, the lines that look like it but are
//! not crashes, and the ordered list of title formats (recogniser, title template, alternative
//! templates, where the guilty frame is read, which frames never are guilty).
//!
//! Regular expressions are written with a few placeholders, expanded when they are compiled
//! (see `compiled.rs`): `{{FUNC}}` a function name followed by `+0x..` or `.isra..` (captured),
//! `{{PC}}` a bracketed address `[<ffffffff81234567>]`, `{{ADDR}}` a hex number, `{{SRC}}` a
//! `dir/file.c:123` source location, `{{RIP}}` the faulting-instruction line of any architecture.
//!
//! Templates: `{1}`, `{2}`.. are the recogniser's groups, `{F}` the guilty frame, `{G}` the frame
//! read by the format's second ("origin") recipe.

/// How the candidate frames of a recipe become the guilty frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Chooser {
    /// The first candidate that survives the skip lists.
    First,
    /// Stuck code: the frame just above the first anchor frame (see `tables::STALL_ANCHORS`).
    Stall,
    /// Hung task: the first frame that is not a waiting primitive.
    Hang,
}

/// One step of a frame recipe.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Part {
    /// Scan to the first line matching; take its group 1 as a candidate when it matched.
    Line(&'static str),
    /// Read the following lines as a stack trace.
    Trace,
}

/// Where the guilty frame is read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Recipe {
    pub parts: &'static [Part],
    /// Tried when `parts` yields nothing.
    pub parts2: &'static [Part],
    /// Format-specific frames that are never guilty (regexes, unanchored).
    pub skip: &'static [&'static str],
    pub chooser: Chooser,
}

/// One title format of a marker.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Format {
    pub title: &'static str,
    pub report: Option<&'static str>,
    pub fmt: &'static str,
    pub alt: &'static [&'static str],
    pub stack: Option<Recipe>,
    /// Second recipe whose frame fills `{G}` (KMSAN origin).
    pub origin: Option<Recipe>,
    pub no_stack: bool,
    pub corrupted: bool,
}

/// A crash marker: a line containing `text` (and matching none of `ignore`) starts a report.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Marker {
    pub text: &'static str,
    pub ignore: &'static [&'static str],
    pub formats: &'static [Format],
}

const F: Format = Format {
    title: "",
    report: None,
    fmt: "",
    alt: &[],
    stack: None,
    origin: None,
    no_stack: false,
    corrupted: false,
};

const R: Recipe = Recipe {
    parts: &[],
    parts2: &[],
    skip: &[],
    chooser: Chooser::First,
};

const CALL_TRACE: &str = r"(?:Call (?:T|t)race:|Backtrace:)";
const RIP_TRACE: &[Part] = &[Part::Line("{{RIP}}"), Part::Line(CALL_TRACE), Part::Trace];
const TRACE: &[Part] = &[Part::Line(CALL_TRACE), Part::Trace];
const RIP_ONLY: &[Part] = &[Part::Line("{{RIP}}")];

const fn rip(skip: &'static [&'static str]) -> Option<Recipe> {
    Some(Recipe {
        parts: RIP_TRACE,
        parts2: TRACE,
        skip,
        chooser: Chooser::First,
    })
}

const fn trace(skip: &'static [&'static str]) -> Option<Recipe> {
    Some(Recipe {
        parts: TRACE,
        skip,
        ..R
    })
}

const fn warn(skip: &'static [&'static str]) -> Option<Recipe> {
    Some(Recipe {
        parts: &[
            Part::Line("(?:{{RIP}}|--- interrupt: [0-9a-f]+ at {{FUNC}})"),
            Part::Line(CALL_TRACE),
            Part::Trace,
        ],
        parts2: TRACE,
        skip,
        chooser: Chooser::First,
    })
}

const fn stall(parts: &'static [Part], parts2: &'static [Part]) -> Option<Recipe> {
    Some(Recipe {
        parts,
        parts2,
        skip: &[],
        chooser: Chooser::Stall,
    })
}

const LOCK_AT: &str = "at: (?:{{PC}} +)?{{FUNC}}";

/// Lockdep reports that name the lock's place on an `at:` line, then the stack.
const fn lock_at() -> Option<Recipe> {
    Some(Recipe {
        parts: &[Part::Line(LOCK_AT), Part::Line(CALL_TRACE), Part::Trace],
        parts2: TRACE,
        ..R
    })
}

/// Unlock imbalance: the frame on the line after "is trying to release lock".
const fn unlock() -> Option<Recipe> {
    Some(Recipe {
        parts: &[Part::Line("is trying to release lock"), Part::Trace],
        parts2: TRACE,
        ..R
    })
}

const LOCKDEP_AT: &[Part] = &[
    Part::Line("at: (?:{{PC}} +)?{{FUNC}}"),
    Part::Line("at: (?:{{PC}} +)?{{FUNC}}"),
    Part::Line(CALL_TRACE),
    Part::Trace,
];

/// The header of a WARNING line up to the source file, old and new style.
macro_rules! warn_at {
    ($file:literal) => {
        concat!(
            r"WARNING: (?:CPU: [0-9]+ PID: -?[0-9]+ at |\[[^\]]*\] )?[^ ]*?",
            $file
        )
    };
}

const KASAN_SKIP: &[&str] = &["^el1_", "tag_check"];

#[rustfmt::skip]
static BUG: &[Format] = &[
    Format {
        title: r"BUG: KASAN: ([a-z\-]+) in {{FUNC}}(?:.*\n)+?.*(Read|Write) (?:of size|at addr) (?:[0-9]+)",
        fmt: "KASAN: {1} {3} in {F}",
        alt: &["bad-access in {F}"],
        stack: Some(Recipe {
            parts: &[
                Part::Line("BUG: KASAN: (?:[a-z\\-]+) in {{FUNC}}"),
                Part::Line(CALL_TRACE),
                Part::Trace,
            ],
            skip: KASAN_SKIP,
            ..R
        }),
        ..F
    },
    Format {
        title: r"BUG: KASAN: (?:double-free or invalid-free|double-free|invalid-free) in {{FUNC}}",
        fmt: "KASAN: invalid-free in {F}",
        alt: &["invalid-free in {F}"],
        stack: Some(Recipe {
            parts: &[
                Part::Line(
                    "BUG: KASAN: (?:double-free or invalid-free|double-free|invalid-free) in {{FUNC}}",
                ),
                Part::Line(CALL_TRACE),
                Part::Trace,
            ],
            skip: &["kmem_", "slab_", "kfree", "vunmap", "vfree"],
            ..R
        }),
        ..F
    },
    Format {
        title: r"BUG: KASAN: ([a-z\-]+) on address(?:.*\n)+?.*(Read|Write) of size ([0-9]+)",
        fmt: "KASAN: {1} {2}",
        ..F
    },
    Format {
        title: r"BUG: KASAN: (.*)",
        fmt: "KASAN: {1}",
        corrupted: true,
        ..F
    },
    Format {
        title: r"BUG: KMSAN: kernel-usb-infoleak",
        report: Some(r"BUG: KMSAN: kernel-usb-infoleak in {{FUNC}}"),
        fmt: "KMSAN: kernel-usb-infoleak in {F}",
        alt: &["KMSAN origin in {G}"],
        stack: Some(Recipe {
            parts: &[Part::Trace],
            skip: &[
                "usb_submit_urb", "usb_start_wait_urb", "usb_bulk_msg", "usb_interrupt_msg",
                "usb_control_msg",
            ],
            ..R
        }),
        origin: Some(Recipe {
            parts: &[
                Part::Line("(?:Uninit was created at:|Local variable .* created at:)"),
                Part::Trace,
            ],
            skip: &["alloc", "kmem", "slab", "krealloc", "kmsan", "kmalloc"],
            ..R
        }),
        no_stack: true,
        ..F
    },
    Format {
        title: r"BUG: KMSAN: ([a-z\-]+) in {{FUNC}}",
        fmt: "KMSAN: {1} in {F}",
        alt: &["bad-access in {F}"],
        stack: Some(Recipe {
            parts: &[Part::Trace],
            skip: &["alloc_skb", "netlink_ack", "netlink_rcv_skb"],
            ..R
        }),
        no_stack: true,
        ..F
    },
    Format {
        title: r"BUG: KCSAN: (.*)",
        fmt: "KCSAN: {1}",
        no_stack: true,
        ..F
    },
    Format {
        title: r"BUG: KFENCE: ((?:[a-z\-]+ )*[a-z\-]+) in {{FUNC}}",
        fmt: "KFENCE: {1} in {F}",
        alt: &["bad-access in {F}"],
        stack: Some(Recipe {
            parts: &[
                Part::Line("BUG: KFENCE: (?:[a-z\\- ]+) in {{FUNC}}"),
                Part::Trace,
            ],
            skip: &["kfence_", "kfree", "kmem_cache_free", "krealloc"],
            ..R
        }),
        ..F
    },
    Format {
        title: r"BUG: (?:unable to handle kernel paging request|unable to handle page fault for address|Unable to handle kernel data access)",
        fmt: "BUG: unable to handle kernel paging request in {F}",
        alt: &["bad-access in {F}"],
        stack: rip(&[]),
        ..F
    },
    Format {
        title: r"BUG: (?:unable to handle kernel )?(?:kernel )?NULL pointer dereference",
        fmt: "BUG: unable to handle kernel NULL pointer dereference in {F}",
        alt: &["bad-access in {F}"],
        stack: rip(&[]),
        ..F
    },
    Format {
        title: r"BUG: unable to handle kernel",
        fmt: "BUG: unable to handle kernel",
        corrupted: true,
        ..F
    },
    Format {
        title: r"BUG: (spinlock|rwlock) (lockup suspected|already unlocked|recursion|bad magic|wrong owner|wrong CPU|trylock failure on UP)",
        fmt: "BUG: {1} {2} in {F}",
        stack: trace(&["spin_", "_lock", "_unlock"]),
        ..F
    },
    Format {
        title: r"BUG: soft lockup",
        fmt: "BUG: soft lockup in {F}",
        alt: &["stall in {F}"],
        stack: stall(TRACE, &[]),
        ..F
    },
    Format {
        title: r"BUG: .*still has locks held!",
        fmt: "BUG: still has locks held in {F}",
        stack: lock_at(),
        ..F
    },
    Format {
        title: r"BUG: lock held when returning to user space",
        fmt: "BUG: lock held when returning to user space in {F}",
        stack: Some(Recipe {
            parts: &[
                Part::Line("lock held by"),
                Part::Line("at: (?:{{PC}} +)?{{FUNC}}"),
            ],
            ..R
        }),
        no_stack: true,
        ..F
    },
    Format {
        title: r"BUG: bad unlock balance detected!",
        fmt: "BUG: bad unlock balance in {F}",
        stack: unlock(),
        ..F
    },
    Format {
        title: r"BUG: held lock freed!",
        fmt: "BUG: held lock freed in {F}",
        stack: lock_at(),
        ..F
    },
    Format {
        title: r"BUG: Invalid wait context",
        fmt: "WARNING: locking bug in {F}",
        stack: trace(&[]),
        ..F
    },
    Format {
        title: r"BUG: sleeping function called from invalid context",
        fmt: "BUG: sleeping function called from invalid context in {F}",
        stack: trace(&[]),
        ..F
    },
    Format {
        title: r"BUG: scheduling while atomic",
        fmt: "BUG: scheduling while atomic in {F}",
        stack: trace(&["schedule"]),
        ..F
    },
    Format {
        title: r"BUG: using ([a-zA-Z0-9_]+)\(\) in preemptible",
        fmt: "BUG: using {1}() in preemptible code in {F}",
        stack: trace(&[
            "dump_stack", "preemption", "preempt", "debug_", "this_cpu", "lockdep_", "lock_is_held",
        ]),
        ..F
    },
    Format {
        title: r"BUG: workqueue lockup",
        fmt: "BUG: workqueue lockup",
        no_stack: true,
        ..F
    },
    Format {
        title: r"BUG: workqueue leaked lock or atomic",
        fmt: "BUG: workqueue leaked lock or atomic in {F}",
        stack: Some(Recipe {
            parts: &[Part::Line("last function: {{FUNC}}")],
            ..R
        }),
        no_stack: true,
        ..F
    },
    Format {
        title: r"BUG: memory leak",
        fmt: "memory leak in {F}",
        stack: Some(Recipe {
            parts: &[
                Part::Line(r"backtrace(?: \(crc [0-9a-f]+\))?:"),
                Part::Trace,
            ],
            skip: &[
                "kmemleak", "mmap", "kmem", "slab", "alloc", "create_object", "idr_get",
                "list_lru_init", "kasprintf", "kvasprintf", "pcpu_create_chunk", "strdup",
                "strndup", "memdup",
            ],
            ..R
        }),
        ..F
    },
    Format {
        title: r"BUG: (?:TASK |IRQ )?stack guard page was hit",
        fmt: "BUG: stack guard page was hit in {F}",
        alt: &["stack-overflow in {F}"],
        stack: stall(TRACE, &[]),
        ..F
    },
    Format {
        title: r"BUG: Bad page state",
        fmt: "BUG: Bad page state in {F}",
        stack: Some(Recipe {
            parts: &[Part::Line("page last allocated"), Part::Trace],
            skip: &[
                "page_owner", "prep_new_page", "get_page_from_freelist", "alloc_pages",
                "folio_alloc", "__alloc_", "post_alloc_hook",
            ],
            ..R
        }),
        ..F
    },
    Format {
        title: r"BUG: Bad page map",
        fmt: "BUG: Bad page map",
        ..F
    },
    Format {
        title: r"BUG: Bad rss-counter state",
        fmt: "BUG: Bad rss-counter state",
        no_stack: true,
        ..F
    },
    Format {
        title: r"BUG: non-zero (nr_ptes|nr_pmds) on freeing mm",
        fmt: "BUG: non-zero {1} on freeing mm",
        no_stack: true,
        ..F
    },
    Format {
        title: r"BUG: Dentry .* still in use \([0-9]+\) \[unmount of ([^\]]+)\]",
        fmt: "BUG: Dentry still in use in unmount",
        alt: &["BUG: Dentry still in use [unmount of {1}]"],
        ..F
    },
    Format {
        title: r"BUG:[ \t]*(?:\n|$)",
        fmt: "BUG: corrupted",
        corrupted: true,
        ..F
    },
];

#[rustfmt::skip]
static WARNING: &[Format] = &[
    Format {
        title: warn_at!(r"lib/refcount\.c"),
        fmt: "WARNING: refcount bug in {F}",
        stack: warn(&["refcount", "^kobject_", "^kref_", "^sk_free"]),
        ..F
    },
    Format {
        title: warn_at!(r"lib/debugobjects\.c"),
        fmt: "WARNING: ODEBUG bug in {F}",
        stack: warn(&["debug_", "timer_", "^init_", "_timer$", "^__init_work", "^cancel_", "^destroy_", "^kfree", "call_rcu", "vunmap", "vfree"]),
        ..F
    },
    Format {
        title: warn_at!(r"mm/usercopy\.c"),
        fmt: "WARNING: bad usercopy in {F}",
        stack: warn(&["usercopy", "__check", "check_"]),
        ..F
    },
    Format {
        title: warn_at!(r"lib/kobject\.c"),
        fmt: "WARNING: kobject bug in {F}",
        stack: warn(&["kobject_"]),
        ..F
    },
    Format {
        title: warn_at!(r"fs/proc/generic\.c"),
        fmt: "WARNING: proc registration bug in {F}",
        stack: warn(&["proc_"]),
        ..F
    },
    Format {
        title: warn_at!(r"kernel/locking/lockdep\.c"),
        fmt: "WARNING: locking bug in {F}",
        stack: warn(&[
            "lockdep_", "^lock_", "^register_lock_class", "^look_up_lock_class", "^__lock_",
        ]),
        ..F
    },
    Format {
        title: warn_at!(
            r"mm/[a-z_]+\.c:[0-9]+ (?:at )?(?:kmalloc|krealloc|kvmalloc|__kmalloc)[a-z_]*\+"
        ),
        fmt: "WARNING: kmalloc bug in {F}",
        stack: warn(&[
            "^kmalloc", "^kvmalloc", "^krealloc", "^__kmalloc", "kmalloc_slab",
        ]),
        ..F
    },
    Format {
        title: warn_at!(r"mm/vmalloc\.c:[0-9]+ (?:at )?__vmalloc_node_range"),
        fmt: "WARNING: zero-size vmalloc in {F}",
        stack: warn(&["vmalloc", "^bpf_prog_alloc"]),
        ..F
    },
    Format {
        title: warn_at!(r"drivers/usb/core/urb\.c:[0-9]+ (?:at )?usb_submit_urb"),
        fmt: "WARNING in {F}/usb_submit_urb",
        stack: warn(&[
            "usb_submit_urb", "usb_start_wait_urb", "usb_bulk_msg", "usb_interrupt_msg",
            "usb_control_msg",
        ]),
        ..F
    },
    Format {
        title: r"WARNING: (?:CPU: [0-9]+ PID: -?[0-9]+ at |\[[^\]]*\] )?[^ \n]*:[0-9]+",
        fmt: "WARNING in {F}",
        stack: warn(&[]),
        ..F
    },
    Format {
        title: r"WARNING: possible circular locking dependency detected",
        report: Some(
            r"WARNING: possible circular locking dependency detected(?:.*\n)+?.*is trying to acquire lock",
        ),
        fmt: "possible deadlock in {F}",
        stack: Some(Recipe {
            parts: LOCKDEP_AT,
            ..R
        }),
        ..F
    },
    Format {
        title: r"WARNING: possible irq lock inversion dependency detected",
        fmt: "possible deadlock in {F}",
        stack: lock_at(),
        ..F
    },
    Format {
        title: r"WARNING: (?:SOFTIRQ|HARDIRQ)-safe -> (?:SOFTIRQ|HARDIRQ)-unsafe lock order detected",
        fmt: "possible deadlock in {F}",
        stack: lock_at(),
        ..F
    },
    Format {
        title: r"WARNING: possible recursive locking detected",
        fmt: "possible deadlock in {F}",
        stack: lock_at(),
        ..F
    },
    Format {
        title: r"WARNING: inconsistent lock state",
        fmt: "inconsistent lock state in {F}",
        stack: Some(Recipe {
            parts: &[Part::Line(r"takes:"), Part::Line(LOCK_AT), Part::Line(CALL_TRACE), Part::Trace],
            ..R
        }),
        ..F
    },
    Format {
        title: r"WARNING: suspicious RCU usage",
        fmt: "WARNING: suspicious RCU usage in {F}",
        stack: trace(&["rcu", "kmem", "slab"]),
        ..F
    },
    Format {
        title: r"WARNING: kernel stack regs at [0-9a-f]+ in [^ ]* has bad '([^']+)' value",
        fmt: "WARNING: kernel stack regs has bad '{1}' value",
        no_stack: true,
        ..F
    },
    Format {
        title: r"WARNING: kernel stack frame pointer at [0-9a-f]+ in [^ ]* has bad value",
        fmt: "WARNING: kernel stack frame pointer has bad value",
        no_stack: true,
        ..F
    },
    Format {
        title: r"WARNING: kernel stack (?:regs|frame pointer) at .*has bad",
        fmt: "WARNING: kernel stack regs has bad value",
        no_stack: true,
        ..F
    },
    Format {
        title: r"WARNING: bad unlock balance detected!",
        fmt: "WARNING: bad unlock balance in {F}",
        stack: unlock(),
        ..F
    },
    Format {
        title: r"WARNING: held lock freed!",
        fmt: "WARNING: held lock freed in {F}",
        stack: lock_at(),
        ..F
    },
    Format {
        title: r"WARNING: .*still has locks held!",
        fmt: "WARNING: still has locks held in {F}",
        stack: lock_at(),
        ..F
    },
    Format {
        title: r"WARNING: lock held when returning to user space",
        fmt: "WARNING: lock held when returning to user space in {F}",
        stack: Some(Recipe {
            parts: &[
                Part::Line("lock held by"),
                Part::Line("at: (?:{{PC}} +)?{{FUNC}}"),
            ],
            ..R
        }),
        no_stack: true,
        ..F
    },
    Format {
        title: r"WARNING: Nested lock was not taken",
        fmt: "WARNING: nested lock was not taken in {F}",
        stack: trace(&[]),
        ..F
    },
    Format {
        title: r"WARNING:[ \t]*(?:\n|$)",
        fmt: "WARNING: corrupted",
        corrupted: true,
        ..F
    },
];

#[rustfmt::skip]
static INFO: &[Format] = &[
    Format {
        title: r"INFO: possible circular locking dependency detected",
        report: Some(
            r"INFO: possible circular locking dependency detected(?:.*\n)+?.*is trying to acquire lock",
        ),
        fmt: "possible deadlock in {F}",
        stack: Some(Recipe {
            parts: LOCKDEP_AT,
            ..R
        }),
        ..F
    },
    Format {
        title: r"INFO: possible irq lock inversion dependency detected",
        fmt: "possible deadlock in {F}",
        stack: lock_at(),
        ..F
    },
    Format {
        title: r"INFO: (?:SOFTIRQ|HARDIRQ)-safe -> (?:SOFTIRQ|HARDIRQ)-unsafe lock order detected",
        fmt: "possible deadlock in {F}",
        stack: lock_at(),
        ..F
    },
    Format {
        title: r"INFO: possible recursive locking detected",
        fmt: "possible deadlock in {F}",
        stack: lock_at(),
        ..F
    },
    Format {
        title: r"INFO: inconsistent lock state",
        fmt: "inconsistent lock state in {F}",
        stack: Some(Recipe {
            parts: &[Part::Line(r"takes:"), Part::Line(LOCK_AT), Part::Line(CALL_TRACE), Part::Trace],
            ..R
        }),
        ..F
    },
    Format {
        title: r"INFO: rcu_(?:preempt|sched|bh|tasks[a-z_]*) (?:self-)?detected(?: expedited)? stall",
        fmt: "INFO: rcu detected stall in {F}",
        alt: &["stall in {F}"],
        stack: stall(
            &[Part::Line("apic_timer_interrupt"), Part::Trace],
            &[Part::Line("(?:Exception stack|el1h_64_irq)"), Part::Trace],
        ),
        ..F
    },
    Format {
        title: r"INFO: task (?s:.{1,160}?) (?:blocked for more than|blocked in I/O wait for more than) [0-9]+ seconds",
        fmt: "INFO: task hung in {F}",
        alt: &["hang in {F}"],
        stack: Some(Recipe {
            parts: TRACE,
            chooser: Chooser::Hang,
            ..R
        }),
        ..F
    },
    Format {
        title: r"INFO: task (?s:.{1,160}?) can't die for more than [0-9]+ seconds",
        fmt: "INFO: task can't die in {F}",
        alt: &["hang in {F}"],
        stack: Some(Recipe {
            parts: TRACE,
            chooser: Chooser::Hang,
            ..R
        }),
        ..F
    },
    Format {
        title: r"INFO: suspicious RCU usage",
        fmt: "INFO: suspicious RCU usage in {F}",
        stack: trace(&["rcu", "kmem", "slab"]),
        ..F
    },
    Format {
        title: r"INFO: trying to register non-static key",
        fmt: "INFO: trying to register non-static key in {F}",
        stack: trace(&["stack", "lock", "IRQ"]),
        ..F
    },
    Format {
        title: r"(INFO: (?:Freed|Allocated) in .*)",
        fmt: "{1}",
        corrupted: true,
        ..F
    },
    Format {
        title: r"INFO:[ \t]*(?:\n|$)",
        fmt: "INFO: corrupted",
        corrupted: true,
        ..F
    },
];

#[rustfmt::skip]
static ARM_FAULT: &[Format] = &[Format {
    title: r"Unable to handle kernel (paging request|NULL pointer dereference|access to user memory)",
    fmt: "BUG: unable to handle kernel {1} in {F}",
    alt: &["bad-access in {F}"],
    stack: rip(&[]),
    ..F
}];

#[rustfmt::skip]
static GPF: &[Format] = &[Format {
    title: r"general protection fault",
    fmt: "general protection fault in {F}",
    alt: &["bad-access in {F}"],
    stack: rip(&[]),
    ..F
}];

#[rustfmt::skip]
static STACK_SEGMENT: &[Format] = &[Format {
    title: r"stack segment: ",
    fmt: "stack segment fault in {F}",
    stack: rip(&[]),
    ..F
}];

#[rustfmt::skip]
static PANIC: &[Format] = &[
    Format {
        title: r"Kernel panic - not syncing: corrupted stack end",
        fmt: "kernel panic: corrupted stack end in {F}",
        stack: stall(TRACE, &[]),
        ..F
    },
    Format {
        title: r"Kernel panic - not syncing: kernel stack overflow",
        fmt: "kernel stack overflow in {F}",
        alt: &["stack-overflow in {F}"],
        stack: stall(TRACE, &[]),
        ..F
    },
    Format {
        title: r"Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: ",
        fmt: "kernel panic: stack is corrupted in {F}",
        stack: Some(Recipe {
            parts: &[
                Part::Line("stack-protector: Kernel stack is corrupted in: (?:{{FUNC}})?"),
                Part::Line(CALL_TRACE),
                Part::Trace,
            ],
            skip: &["__stack_chk_fail"],
            ..R
        }),
        ..F
    },
    Format {
        title: r"Kernel panic - not syncing: (Fatal exception|panic_on_warn set|hung_task: blocked tasks)",
        fmt: "kernel panic: {1}",
        corrupted: true,
        ..F
    },
    Format {
        title: r"Kernel panic - not syncing: (Attempted to kill init!|Couldn't open N_TTY ldisc)",
        fmt: "kernel panic: {1}",
        no_stack: true,
        ..F
    },
    Format {
        title: r"Kernel panic - not syncing: (.*)",
        fmt: "kernel panic: {1}",
        no_stack: true,
        ..F
    },
];

#[rustfmt::skip]
static DOUBLE_FAULT: &[Format] = &[Format {
    title: r"PANIC: double fault",
    fmt: "PANIC: double fault in {F}",
    stack: Some(Recipe {
        parts: RIP_ONLY,
        ..R
    }),
    ..F
}];

#[rustfmt::skip]
static RUST_PANIC: &[Format] = &[Format {
    title: r"rust_kernel: panicked at [^\n]*\n([^\n]+)",
    fmt: "{1} in {F}",
    stack: Some(Recipe {
        parts: &[Part::Line(CALL_TRACE), Part::Trace],
        skip: &[
            "^rust_begin_unwind", "^rust_panic", "^rust_helper_BUG", "panic", "^core::",
            "^kernel::",
        ],
        ..R
    }),
    ..F
}];

#[rustfmt::skip]
static KERNEL_BUG: &[Format] = &[
    Format {
        title: r"kernel BUG at mm/usercopy\.c",
        fmt: "BUG: bad usercopy in {F}",
        stack: Some(Recipe {
            parts: TRACE,
            skip: &["usercopy", "__check", "check_"],
            ..R
        }),
        ..F
    },
    Format {
        title: r"kernel BUG at lib/list_debug\.c",
        fmt: "BUG: corrupted list in {F}",
        alt: &["bad-access in {F}"],
        stack: rip(&["^list_", "^__list_"]),
        ..F
    },
    Format {
        title: r"kernel BUG at (?:.*)",
        fmt: "kernel BUG in {F}",
        stack: rip(&["^skb_"]),
        ..F
    },
];

#[rustfmt::skip]
static KERNEL_BUG2: &[Format] = &[Format {
    title: r"Kernel BUG (.*)",
    fmt: "kernel BUG {1}",
    ..F
}];

#[rustfmt::skip]
static SLUB: &[Format] = &[Format {
    title: r"BUG kmalloc-.*: Object already free",
    fmt: "BUG: Object already free",
    no_stack: true,
    ..F
}];

#[rustfmt::skip]
static DIVIDE: &[Format] = &[Format {
    title: r"divide(?: |_)error: ",
    fmt: "divide error in {F}",
    stack: Some(Recipe {
        parts: RIP_ONLY,
        ..R
    }),
    ..F
}];

#[rustfmt::skip]
static INVALID_OPCODE: &[Format] = &[Format {
    title: r"invalid opcode: ",
    fmt: "invalid opcode in {F}",
    stack: Some(Recipe {
        parts: RIP_ONLY,
        ..R
    }),
    ..F
}];

#[rustfmt::skip]
static INT3: &[Format] = &[Format {
    title: r"int3: ",
    fmt: "int3 in {F}",
    stack: rip(&[]),
    ..F
}];

#[rustfmt::skip]
static UBSAN: &[Format] = &[
    Format {
        title: r"UBSAN: Undefined behaviour in",
        fmt: "UBSAN: undefined-behaviour in {F}",
        stack: trace(&["ubsan", "overflow"]),
        ..F
    },
    Format {
        title: r"UBSAN: array-index-out-of-bounds in",
        fmt: "UBSAN: array-index-out-of-bounds in {F}",
        alt: &["bad-access in {F}"],
        stack: trace(&["ubsan", "overflow"]),
        ..F
    },
    Format {
        title: r"UBSAN: ([a-z\-]+) in",
        fmt: "UBSAN: {1} in {F}",
        stack: trace(&["ubsan", "overflow"]),
        ..F
    },
];

#[rustfmt::skip]
static REBOOT: &[Format] = &[Format {
    title: r"^Booting the kernel",
    fmt: "unexpected kernel reboot",
    no_stack: true,
    ..F
}];

#[rustfmt::skip]
static NETDEV: &[Format] = &[Format {
    title: r"unregister_netdevice: waiting for (?:.*) to become free",
    fmt: "unregister_netdevice: waiting for DEV to become free",
    no_stack: true,
    ..F
}];

#[rustfmt::skip]
static VFS_CLOSE: &[Format] = &[Format {
    title: r"VFS: Close: file count is 0",
    fmt: "VFS: Close: file count is zero (use-after-free)",
    no_stack: true,
    ..F
}];

#[rustfmt::skip]
static VFS_BUSY: &[Format] = &[Format {
    title: r"VFS: Busy inodes after unmount",
    fmt: "VFS: Busy inodes after unmount (use-after-free)",
    no_stack: true,
    ..F
}];

#[rustfmt::skip]
static ARM_INTERNAL: &[Format] = &[Format {
    title: r"Internal error: ",
    fmt: "Internal error in {F}",
    stack: rip(&[]),
    ..F
}];

#[rustfmt::skip]
static ARM_UNHANDLED: &[Format] = &[Format {
    title: r"Unhandled fault: ",
    fmt: "Unhandled fault in {F}",
    alt: &["bad-access in {F}"],
    stack: rip(&[]),
    ..F
}];

#[rustfmt::skip]
static ARM_ALIGN: &[Format] = &[Format {
    title: r"Alignment trap: ",
    fmt: "Alignment trap in {F}",
    alt: &["bad-access in {F}"],
    stack: rip(&[]),
    ..F
}];

#[rustfmt::skip]
static TRUSTY: &[Format] = &[
    Format {
        title: r"trusty: panic (?:.*)ASSERT FAILED at \([^\n]*?\): ([^\n]*)",
        fmt: "trusty: ASSERT FAILED: {1}",
        no_stack: true,
        ..F
    },
    Format {
        title: r"trusty: panic \(caller [^)]*\): ([^\n]*)",
        fmt: "trusty: panic: {1}",
        no_stack: true,
        ..F
    },
    Format {
        title: r"trusty: panic",
        fmt: "trusty: panic",
        no_stack: true,
        corrupted: true,
        ..F
    },
];

#[rustfmt::skip]
static GO_FATAL: &[Format] = &[Format {
    title: r"fatal error: ",
    fmt: "go runtime error",
    no_stack: true,
    ..F
}];

#[rustfmt::skip]
static SYZFAIL: &[Format] = &[Format {
    title: r"SYZFAIL: (.*)",
    fmt: "SYZFAIL: {1}",
    no_stack: true,
    ..F
}];

#[rustfmt::skip]
static SYZFATAL: &[Format] = &[Format {
    title: r"SYZFATAL: (.*)",
    fmt: "SYZFATAL: {1}",
    alt: &["SYZFATAL"],
    no_stack: true,
    ..F
}];

#[rustfmt::skip]
static GO_PANIC: &[Format] = &[Format {
    title: r"panic: (.*)",
    fmt: "panic: {1}",
    no_stack: true,
    ..F
}];

const M: Marker = Marker {
    text: "",
    ignore: &[],
    formats: &[],
};

/// Every crash marker, in the order they are tried on a line.
#[allow(
    clippy::needless_update,
    reason = "uniform entries: `..M` keeps them alike"
)]
#[rustfmt::skip]
pub(crate) static MARKERS: &[Marker] = &[
    Marker {
        text: "BUG:",
        ignore: &[
            r"ODEBUG:", r"DEBUG:", r"no syscalls can create resource",
            r"INFO: lockdep is turned off",
        ],
        formats: BUG,
        ..M
    },
    Marker {
        text: "WARNING:",
        ignore: &[
            r"WARNING: /etc/ssh/moduli does not exist, using fixed modulus", r"sshd", r"glibc",
            r"Unsupported flag value", r"fbcon", r"[Mm]itigation", r"hw-vuln", r"EXT4-fs",
            r"XFS \([^)]*\): WARNING", r"WARNING: [Tt]he mand mount option",
            r"Speculative Return Stack Overflow", r"kernel not compiled with",
            r"uses deprecated v2 capabilities", r"uses wireless extensions",
            r"WARNING: [Ss]ee https?://", r"WARNING: Unprivileged eBPF",
            r"WARNING: .*is deprecated",
        ],
        formats: WARNING,
        ..M
    },
    Marker {
        text: "INFO:",
        ignore: &[
            r"INFO: lockdep is turned off", r"INFO: Stall ended before state dump start",
            r"INFO: NMI handler \(.*\) took", r"INFO: recovery required on readonly",
            r"[a-zA-Z0-9_]INFO:", r"_INFO:", r"INFO: Not checking for CPU",
            r"INFO: .*detected stalls? .*Unable to",
        ],
        formats: INFO,
        ..M
    },
    Marker {
        text: "Unable to handle kernel",
        formats: ARM_FAULT,
        ..M
    },
    Marker {
        text: "general protection fault",
        ignore: &[r"general protection fault .* error:[0-9]+ in "],
        formats: GPF,
        ..M
    },
    Marker {
        text: "stack segment: ",
        ignore: &[r"stack segment: .* error:[0-9]+ in "],
        formats: STACK_SEGMENT,
        ..M
    },
    Marker {
        text: "Kernel panic",
        formats: PANIC,
        ..M
    },
    Marker {
        text: "PANIC: double fault",
        formats: DOUBLE_FAULT,
        ..M
    },
    Marker {
        text: "rust_kernel: panicked",
        formats: RUST_PANIC,
        ..M
    },
    Marker {
        text: "kernel BUG",
        formats: KERNEL_BUG,
        ..M
    },
    Marker {
        text: "Kernel BUG",
        formats: KERNEL_BUG2,
        ..M
    },
    Marker {
        text: "BUG kmalloc-",
        formats: SLUB,
        ..M
    },
    Marker {
        text: "divide error:",
        ignore: &[r"divide error: .* in [^ ]+\["],
        formats: DIVIDE,
        ..M
    },
    Marker {
        text: "divide_error:",
        formats: DIVIDE,
        ..M
    },
    Marker {
        text: "invalid opcode:",
        ignore: &[r"invalid opcode: .* in [^ ]+\["],
        formats: INVALID_OPCODE,
        ..M
    },
    Marker {
        text: "int3:",
        formats: INT3,
        ..M
    },
    Marker {
        text: "UBSAN:",
        formats: UBSAN,
        ..M
    },
    Marker {
        text: "Booting the kernel.",
        ignore: &[
            r"Parsing ELF", r"Decompressing Linux", r"Unknown parameter '",
        ],
        formats: REBOOT,
        ..M
    },
    Marker {
        text: "unregister_netdevice: waiting for",
        formats: NETDEV,
        ..M
    },
    Marker {
        text: "VFS: Close: file count is 0",
        formats: VFS_CLOSE,
        ..M
    },
    Marker {
        text: "VFS: Busy inodes after unmount",
        formats: VFS_BUSY,
        ..M
    },
    Marker {
        text: "Internal error:",
        formats: ARM_INTERNAL,
        ..M
    },
    Marker {
        text: "Unhandled fault:",
        formats: ARM_UNHANDLED,
        ..M
    },
    Marker {
        text: "Alignment trap:",
        formats: ARM_ALIGN,
        ..M
    },
    Marker {
        text: "trusty: panic",
        formats: TRUSTY,
        ..M
    },
    Marker {
        text: "fatal error:",
        ignore: &[r"ALSA", r"fatal error: cannot create timer"],
        formats: GO_FATAL,
        ..M
    },
    Marker {
        text: "SYZFAIL:",
        formats: SYZFAIL,
        ..M
    },
    Marker {
        text: "SYZFATAL:",
        formats: SYZFATAL,
        ..M
    },
    Marker {
        text: "panic:",
        ignore: &[r"_panic:", r"kernel panic:", r"Kernel panic", r"panic:(?:[^ ]|$)"],
        formats: GO_PANIC,
        ..M
    },
];
