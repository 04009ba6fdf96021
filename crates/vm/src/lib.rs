//! Boots a kernel under QEMU and runs a C reproducer in it: builds the initramfs in-process
//! (static busybox, the reproducer compiled static, an init that runs it for the run's budget and
//! powers off), runs N VMs in parallel (KVM when usable, TCG otherwise) with each serial console
//! captured to a file, and classifies only what needs no crash parser: `BootFailed`, `Infra`, or
//! `Completed` with the raw console bytes.
//!
//! Per bisection a driver builds the initramfs once ([`compile_reproducer`],
//! [`find_static_busybox`], [`build_initramfs`]); per tested kernel it calls [`run_vms`] with a
//! copy of the bzImage (so the next build can proceed meanwhile) and hands each `Completed`
//! console, and each `BootFailed` one (for a boot crash title), to the crash parser.
//!
//! This crate does not parse crash reports (the caller hands the consoles to `culprit-report`),
//! build kernels, or know about git and bisection.

mod cpio;
mod initramfs;
mod pool;
mod qemu;

pub use culprit_exec::Cancel;
pub use initramfs::{
    BUDGET_PARAM, DONE_MARKER, INIT_STARTED_MARKER, Initramfs, InitramfsError, REPRO_RUN_MARKER,
    build_initramfs, compile_reproducer, find_static_busybox,
};
pub use pool::{max_parallel_vms, run_vms};
pub use qemu::{Accel, RunEnd, RunOutcome, VmConfig, VmError, VmRun, kvm_usable};
