//! Title formats of the generic markers `BUG:`, `WARNING:` and `INFO:` (sanitizers, faults,
//! lockdep, stalls, hangs, WARNING families), as data. See `formats.rs` for the notation.

use crate::formats::*;
use crate::skip;

/// The header of a WARNING line up to the source file, old and new style.
macro_rules! warn_at {
    ($file:literal) => {
        concat!(
            r"WARNING: (?:CPU: [0-9]+ PID: -?[0-9]+ at |\[[^\]]*\] )?[^ ]*?",
            $file
        )
    };
}

/// Safe -> unsafe lock order: the stack where the lock became irq-safe.
const IRQ_SAFE: Recipe = Recipe {
    parts: &[
        Part::Line("which became (?:SOFT|HARD)IRQ-irq-safe at:"),
        Part::Trace,
    ],
    parts2: &[Part::Line(LOCK_AT), Part::Line(CALL_TRACE), Part::Trace],
    ..R
};

/// Where KMSAN says the uninitialised value came from (the `{G}` of origin titles), with the
/// format's own skip row.
const fn kmsan_origin(skip: &'static [&'static str]) -> Recipe {
    Recipe {
        parts: &[
            Part::Line("(?:Uninit was created at:|Local variable .* created at:)"),
            Part::Trace,
        ],
        skip,
        ..R
    }
}

const KFENCE_STACK: Recipe = Recipe {
    parts: &[
        Part::Line("BUG: KFENCE: (?:[a-z\\- ]+) in {{FUNC}}"),
        Part::Trace,
    ],
    skip: &[],
    ..R
};

#[rustfmt::skip]
pub(crate) static BUG: &[Format] = &[
    Format {
        title: r"BUG: KASAN: ([a-z\-]+) in {{FUNC}}(?:.*\n)+?.*(Read|Write) (?:of size [0-9]+|at addr )",
        fmt: "KASAN: {1} {3} in {F}",
        alt: &["bad-access in {F}"],
        stack: Some(Recipe {
            parts: &[
                Part::Line("BUG: KASAN: (?:[a-z\\-]+) in {{FUNC}}"),
                Part::Line(CALL_TRACE),
                Part::Trace,
            ],
            skip: skip::KASAN_ACCESS,
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
            skip: skip::KASAN_FREE,
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
            skip: skip::KMSAN_USB_INFOLEAK,
            ..R
        }),
        origin: Some(kmsan_origin(skip::KMSAN_USB_INFOLEAK)),
        no_stack: true,
        ..F
    },
    Format {
        title: r"BUG: KMSAN: ([a-z\- ]+?) in {{FUNC}}",
        fmt: "KMSAN: {1} in {F}",
        alt: &["bad-access in {F}"],
        stack: Some(Recipe {
            parts: &[Part::Trace],
            skip: skip::KMSAN,
            ..R
        }),
        // Not used in the title, but a report whose origin stack was lost is corrupted.
        origin: Some(kmsan_origin(skip::KMSAN)),
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
        title: r"BUG: KFENCE: ((?:use-after-free|out-of-bounds|invalid) (?:read|write)) in {{FUNC}}",
        fmt: "KFENCE: {1} in {F}",
        alt: &["bad-access in {F}"],
        stack: Some(KFENCE_STACK),
        no_stack: true,
        ..F
    },
    Format {
        title: r"BUG: KFENCE: invalid free in {{FUNC}}",
        fmt: "KFENCE: invalid free in {F}",
        alt: &["invalid-free in {F}"],
        stack: Some(KFENCE_STACK),
        no_stack: true,
        ..F
    },
    Format {
        title: r"BUG: KFENCE: ((?:[a-z\-]+ )*[a-z\-]+) in {{FUNC}}",
        fmt: "KFENCE: {1} in {F}",
        stack: Some(KFENCE_STACK),
        no_stack: true,
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
        stack: trace(skip::SPINLOCK),
        ..F
    },
    Format {
        title: r"BUG: soft lockup",
        fmt: "BUG: soft lockup in {F}",
        alt: &["stall in {F}"],
        stack: stall(&[Part::Line("{{RIP}}"), Part::Line(CALL_TRACE), Part::Trace], TRACE),
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
        stack: trace(skip::INVALID_WAIT_CONTEXT),
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
        stack: trace(skip::SCHEDULING_WHILE_ATOMIC),
        ..F
    },
    Format {
        title: r"BUG: using ([a-z_]+)\(\) in preemptible",
        fmt: "BUG: using {1}() in preemptible code in {F}",
        stack: trace(skip::USING_IN_PREEMPTIBLE),
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
            parts: &[Part::Line("last function: ([a-zA-Z0-9_]+)")],
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
            skip: skip::MEMORY_LEAK,
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
        title: r"BUG: Bad page (state|cache)",
        fmt: "BUG: Bad page {1} in {F}",
        stack: Some(Recipe {
            parts: &[Part::Line("page last allocated"), Part::Trace],
            skip: skip::BAD_PAGE,
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
pub(crate) static WARNING: &[Format] = &[
    Format {
        title: r"WARNING: .*lib/refcount\.c.* (?:refcount_|at)",
        fmt: "WARNING: refcount bug in {F}",
        stack: warn(skip::WARNING_REFCOUNT),
        ..F
    },
    Format {
        title: r"WARNING: .*lib/debugobjects\.c.* (?:debug_print|debug_check|at)",
        fmt: "WARNING: ODEBUG bug in {F}",
        stack: warn(skip::WARNING_DEBUGOBJECTS),
        ..F
    },
    Format {
        title: r"WARNING: .*mm/usercopy\.c.* (?:usercopy_warn|at)",
        fmt: "WARNING: bad usercopy in {F}",
        stack: warn(skip::WARNING_USERCOPY),
        ..F
    },
    Format {
        title: r"WARNING: .*lib/kobject\.c.* (?:kobject_|at)",
        fmt: "WARNING: kobject bug in {F}",
        stack: warn(skip::WARNING_KOBJECT),
        ..F
    },
    Format {
        title: r"WARNING: .*fs/proc/generic\.c.* (?:proc_register|at)",
        fmt: "WARNING: proc registration bug in {F}",
        stack: warn(skip::WARNING_PROC),
        ..F
    },
    Format {
        title: r"WARNING: .*kernel/locking/lockdep\.c.*lock_",
        fmt: "WARNING: locking bug in {F}",
        stack: warn(skip::WARNING_LOCKDEP),
        ..F
    },
    Format {
        title: r"WARNING: .*mm/.*\.c.* k?.?malloc",
        fmt: "WARNING: kmalloc bug in {F}",
        stack: warn(skip::WARNING_KMALLOC),
        ..F
    },
    Format {
        title: warn_at!(r"mm/vmalloc\.c:[0-9]+ (?:at )?__vmalloc_node_range"),
        fmt: "WARNING: zero-size vmalloc in {F}",
        stack: warn(&[]),
        ..F
    },
    Format {
        title: r"WARNING: .* usb_submit_urb",
        fmt: "WARNING in {F}/usb_submit_urb",
        stack: warn(skip::WARNING_USB_SUBMIT_URB),
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
            skip: skip::CIRCULAR_LOCKING,
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
        stack: Some(IRQ_SAFE),
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
            parts: TRACE,
            parts2: &[Part::Line(r"takes:"), Part::Line(LOCK_AT)],
            ..R
        }),
        ..F
    },
    Format {
        title: r"WARNING: suspicious RCU usage",
        report: Some(r"WARNING: suspicious RCU usage(?:.*\n)+?.*{{SRC}}"),
        fmt: "WARNING: suspicious RCU usage in {F}",
        stack: trace(skip::WARNING_SUSPICIOUS_RCU),
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
pub(crate) static INFO: &[Format] = &[
    Format {
        title: r"INFO: possible circular locking dependency detected",
        report: Some(
            r"INFO: possible circular locking dependency detected(?:.*\n)+?.*is trying to acquire lock",
        ),
        fmt: "possible deadlock in {F}",
        stack: Some(Recipe {
            parts: LOCKDEP_AT,
            skip: &[],
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
        stack: Some(IRQ_SAFE),
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
            parts: TRACE,
            parts2: &[Part::Line(r"takes:"), Part::Line(LOCK_AT)],
            ..R
        }),
        ..F
    },
    Format {
        title: r"INFO: rcu_(?:preempt|sched|bh|tasks) (?:self-)?detected(?: expedited)? stall",
        fmt: "INFO: rcu detected stall in {F}",
        alt: &["stall in {F}"],
        stack: Some(Recipe {
            // The stack is read from the timer interrupt on: its own entry frames (such as
            // `smp_trace_apic_timer_interrupt_entry_after_kaiser_bti`) are plumbing, skipped
            // before the stall chooser looks for an anchor.
            parts: &[Part::Line("apic_timer_interrupt"), Part::Line("{{RIP}}"), Part::Trace],
            parts2: &[Part::Line("(?:apic_timer_interrupt|Exception stack|el1h_64_irq)"), Part::Trace],
            skip: skip::RCU_STALL,
            chooser: Chooser::Stall,
        }),
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
            skip: skip::TASK_CANT_DIE,
            chooser: Chooser::Hang,
            ..R
        }),
        ..F
    },
    Format {
        title: r"INFO: suspicious RCU usage",
        report: Some(r"INFO: suspicious RCU usage(?:.*\n)+?.*{{SRC}}"),
        fmt: "INFO: suspicious RCU usage in {F}",
        stack: trace(skip::INFO_SUSPICIOUS_RCU),
        ..F
    },
    Format {
        title: r"INFO: trying to register non-static key",
        fmt: "INFO: trying to register non-static key in {F}",
        stack: trace(skip::NON_STATIC_KEY),
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
