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

pub(crate) const F: Format = Format {
    title: "",
    report: None,
    fmt: "",
    alt: &[],
    stack: None,
    origin: None,
    no_stack: false,
    corrupted: false,
};

pub(crate) const R: Recipe = Recipe {
    parts: &[],
    parts2: &[],
    skip: &[],
    chooser: Chooser::First,
};

pub(crate) const CALL_TRACE: &str = r"(?:Call (?:T|t)race:|Backtrace:)";
pub(crate) const TRACE: &[Part] = &[Part::Line(CALL_TRACE), Part::Trace];
pub(crate) const RIP_ONLY: &[Part] = &[Part::Line("{{RIP}}")];

/// Faults: the function of the RIP line (or `pc :`, `PC is at`, ..), then the frames of the
/// `Call Trace` that follows it. Nothing is read between the two: in an interleaved console
/// the lines there can be another CPU's.
pub(crate) const fn rip(skip: &'static [&'static str]) -> Option<Recipe> {
    Some(Recipe {
        parts: &[Part::Line("{{RIP}}"), Part::Line(CALL_TRACE), Part::Trace],
        skip,
        ..R
    })
}

pub(crate) const fn trace(skip: &'static [&'static str]) -> Option<Recipe> {
    Some(Recipe {
        parts: TRACE,
        skip,
        ..R
    })
}

pub(crate) const fn warn(skip: &'static [&'static str]) -> Option<Recipe> {
    Some(Recipe {
        parts: &[
            Part::Line("(?:{{RIP}}|--- interrupt: [0-9a-f]+ at {{FUNC}})"),
            Part::Trace,
        ],
        parts2: TRACE,
        skip,
        chooser: Chooser::First,
    })
}

pub(crate) const fn stall(parts: &'static [Part], parts2: &'static [Part]) -> Option<Recipe> {
    Some(Recipe {
        parts,
        parts2,
        skip: &[],
        chooser: Chooser::Stall,
    })
}

pub(crate) const LOCK_AT: &str = "at: (?:{{PC}} +)?{{FUNC}}";

/// Lockdep reports that name the lock's place on an `at:` line, then the stack.
pub(crate) const fn lock_at() -> Option<Recipe> {
    Some(Recipe {
        parts: &[Part::Line(LOCK_AT), Part::Line(CALL_TRACE), Part::Trace],
        parts2: TRACE,
        ..R
    })
}

/// Unlock imbalance: the frame on the line after "is trying to release lock".
pub(crate) const fn unlock() -> Option<Recipe> {
    Some(Recipe {
        parts: &[Part::Line("is trying to release lock"), Part::Trace],
        parts2: TRACE,
        ..R
    })
}

/// Circular dependency: the two `at:` locations, then the dependency chain that follows them.
pub(crate) const LOCKDEP_AT: &[Part] = &[
    Part::Line("at: (?:{{PC}} +)?{{FUNC}}"),
    Part::Line("at: (?:{{PC}} +)?{{FUNC}}"),
    Part::Trace,
];

/// The stall chooser over the `Call Trace` (stack overflows, corrupted stack end).
pub(crate) const STALL_TRACE: Recipe = Recipe {
    parts: TRACE,
    chooser: Chooser::Stall,
    ..R
};

use crate::formats_generic::{BUG, INFO, WARNING};
use crate::formats_other::{
    ARM_ALIGN, ARM_FAULT, ARM_INTERNAL, ARM_UNHANDLED, DIVIDE, DOUBLE_FAULT, GO_FATAL, GO_PANIC,
    GPF, INT3, INVALID_OPCODE, KERNEL_BUG, KERNEL_BUG2, NETDEV, PANIC, REBOOT, RUST_PANIC, SLUB,
    STACK_SEGMENT, SYZFAIL, SYZFATAL, TRUSTY, UBSAN, VFS_BUSY, VFS_CLOSE,
};

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
            r"(?i)uses deprecated v2 capabilities", r"(?i)uses wireless extensions",
            r"WARNING: [Ss]ee https?://", r"WARNING: Unprivileged eBPF",
            r"WARNING: workqueue cpumask: online intersect > possible intersect",
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
            r"[^ \]]INFO:", r"_INFO:", r"INFO: Not checking for CPU",
            r"INFO: sys_.* is not present in /proc/kallsyms",
            r"INFO: no syscalls can create resource",
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
