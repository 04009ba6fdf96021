//! Title formats of the specific kernel markers (faults, panics, traps, arm errors, trusty)
//! and of the shared syzkaller/Go ones, as data. See `formats.rs` for the notation.

use crate::formats::*;
use crate::skip;

#[rustfmt::skip]
pub(crate) static ARM_FAULT: &[Format] = &[Format {
    title: r"Unable to handle kernel (paging request|NULL pointer dereference|access to user memory)",
    fmt: "BUG: unable to handle kernel {1} in {F}",
    alt: &["bad-access in {F}"],
    stack: rip(&[]),
    ..F
}];

#[rustfmt::skip]
pub(crate) static GPF: &[Format] = &[Format {
    title: r"general protection fault",
    fmt: "general protection fault in {F}",
    alt: &["bad-access in {F}"],
    stack: rip(&[]),
    ..F
}];

#[rustfmt::skip]
pub(crate) static STACK_SEGMENT: &[Format] = &[Format {
    title: r"stack segment: ",
    fmt: "stack segment fault in {F}",
    stack: rip(&[]),
    ..F
}];

#[rustfmt::skip]
pub(crate) static PANIC: &[Format] = &[
    Format {
        title: r"Kernel panic - not syncing: corrupted stack end",
        fmt: "kernel panic: corrupted stack end in {F}",
        alt: &["stack-overflow in {F}"],
        stack: Some(Recipe {
            skip: skip::CORRUPTED_STACK_END,
            ..STALL_TRACE
        }),
        ..F
    },
    Format {
        title: r"Kernel panic - not syncing: kernel stack overflow",
        fmt: "kernel stack overflow in {F}",
        alt: &["stack-overflow in {F}"],
        stack: Some(Recipe {
            skip: skip::KERNEL_STACK_OVERFLOW,
            ..STALL_TRACE
        }),
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
            skip: skip::STACK_PROTECTOR,
            ..R
        }),
        no_stack: true,
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
        
        ..F
    },
    Format {
        title: r"Kernel panic - not syncing: (.*)",
        fmt: "kernel panic: {1}",
        
        ..F
    },
];

#[rustfmt::skip]
pub(crate) static DOUBLE_FAULT: &[Format] = &[Format {
    title: r"PANIC: double fault",
    fmt: "PANIC: double fault in {F}",
    stack: Some(Recipe {
        parts: RIP_ONLY,
        ..R
    }),
    ..F
}];

#[rustfmt::skip]
pub(crate) static RUST_PANIC: &[Format] = &[Format {
    title: r"rust_kernel: panicked at [^\n]*\n([^\n]+)",
    fmt: "{1} in {F}",
    stack: Some(Recipe {
        parts: &[Part::Line(CALL_TRACE), Part::Trace],
        skip: skip::RUST_PANIC,
        ..R
    }),
    ..F
}];

#[rustfmt::skip]
pub(crate) static KERNEL_BUG: &[Format] = &[
    Format {
        title: r"kernel BUG at mm/usercopy\.c",
        fmt: "BUG: bad usercopy in {F}",
        stack: Some(Recipe {
            parts: TRACE,
            skip: skip::KERNEL_BUG_USERCOPY,
            ..R
        }),
        ..F
    },
    Format {
        title: r"kernel BUG at lib/list_debug\.c",
        fmt: "BUG: corrupted list in {F}",
        alt: &["bad-access in {F}"],
        stack: rip(&[]),
        ..F
    },
    Format {
        title: r"kernel BUG at (?:.*)",
        fmt: "kernel BUG in {F}",
        stack: rip(skip::KERNEL_BUG),
        ..F
    },
];

#[rustfmt::skip]
pub(crate) static KERNEL_BUG2: &[Format] = &[Format {
    title: r"Kernel BUG (.*)",
    fmt: "kernel BUG {1}",
    ..F
}];

#[rustfmt::skip]
pub(crate) static SLUB: &[Format] = &[Format {
    title: r"BUG kmalloc-.*: Object already free",
    fmt: "BUG: Object already free",
    no_stack: true,
    ..F
}];

#[rustfmt::skip]
pub(crate) static DIVIDE: &[Format] = &[Format {
    title: r"divide(?: |_)error: ",
    fmt: "divide error in {F}",
    stack: Some(Recipe {
        parts: RIP_ONLY,
        ..R
    }),
    ..F
}];

#[rustfmt::skip]
pub(crate) static INVALID_OPCODE: &[Format] = &[Format {
    title: r"invalid opcode: ",
    fmt: "invalid opcode in {F}",
    stack: Some(Recipe {
        parts: RIP_ONLY,
        ..R
    }),
    ..F
}];

#[rustfmt::skip]
pub(crate) static INT3: &[Format] = &[Format {
    title: r"int3: ",
    fmt: "int3 in {F}",
    stack: rip(&[]),
    ..F
}];

#[rustfmt::skip]
pub(crate) static UBSAN: &[Format] = &[
    Format {
        title: r"UBSAN: Undefined behaviour in",
        fmt: "UBSAN: undefined-behaviour in {F}",
        stack: trace(skip::UBSAN),
        ..F
    },
    Format {
        title: r"UBSAN: array-index-out-of-bounds in",
        fmt: "UBSAN: array-index-out-of-bounds in {F}",
        alt: &["bad-access in {F}"],
        stack: trace(skip::UBSAN_ARRAY_INDEX),
        ..F
    },
    Format {
        title: r"UBSAN: ([a-z\-]+) in",
        fmt: "UBSAN: {1} in {F}",
        stack: trace(skip::UBSAN_OTHER),
        ..F
    },
];

#[rustfmt::skip]
pub(crate) static REBOOT: &[Format] = &[Format {
    title: r"^Booting the kernel",
    fmt: "unexpected kernel reboot",
    no_stack: true,
    ..F
}];

#[rustfmt::skip]
pub(crate) static NETDEV: &[Format] = &[Format {
    title: r"unregister_netdevice: waiting for (?:.*) to become free",
    fmt: "unregister_netdevice: waiting for DEV to become free",
    no_stack: true,
    ..F
}];

#[rustfmt::skip]
pub(crate) static VFS_CLOSE: &[Format] = &[Format {
    title: r"VFS: Close: file count is 0",
    fmt: "VFS: Close: file count is zero (use-after-free)",
    no_stack: true,
    ..F
}];

#[rustfmt::skip]
pub(crate) static VFS_BUSY: &[Format] = &[Format {
    title: r"VFS: Busy inodes after unmount",
    fmt: "VFS: Busy inodes after unmount (use-after-free)",
    no_stack: true,
    ..F
}];

#[rustfmt::skip]
pub(crate) static ARM_INTERNAL: &[Format] = &[Format {
    title: r"Internal error: ",
    fmt: "Internal error in {F}",
    alt: &["bad-access in {F}"],
    stack: rip(&[]),
    ..F
}];

#[rustfmt::skip]
pub(crate) static ARM_UNHANDLED: &[Format] = &[Format {
    title: r"Unhandled fault: ",
    fmt: "Unhandled fault in {F}",
    alt: &["bad-access in {F}"],
    stack: rip(&[]),
    ..F
}];

#[rustfmt::skip]
pub(crate) static ARM_ALIGN: &[Format] = &[Format {
    title: r"Alignment trap: ",
    fmt: "Alignment trap in {F}",
    stack: rip(&[]),
    ..F
}];

#[rustfmt::skip]
pub(crate) static TRUSTY: &[Format] = &[
    Format {
        title: r"trusty: panic (?:.*)ASSERT FAILED at \([^\n]*?\): *(?:\n|$)",
        fmt: "trusty: ASSERT FAILED:",
        no_stack: true,
        corrupted: true,
        ..F
    },
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
pub(crate) static GO_FATAL: &[Format] = &[Format {
    title: r"fatal error: ",
    fmt: "go runtime error",
    no_stack: true,
    ..F
}];

#[rustfmt::skip]
pub(crate) static SYZFAIL: &[Format] = &[Format {
    title: r"SYZFAIL: (.*)",
    fmt: "SYZFAIL: {1}",
    no_stack: true,
    ..F
}];

#[rustfmt::skip]
pub(crate) static SYZFATAL: &[Format] = &[Format {
    title: r"SYZFATAL: (.*)",
    fmt: "SYZFATAL: {1}",
    alt: &["SYZFATAL"],
    no_stack: true,
    ..F
}];

#[rustfmt::skip]
pub(crate) static GO_PANIC: &[Format] = &[Format {
    title: r"panic: (.*)",
    fmt: "panic: {1}",
    no_stack: true,
    ..F
}];
