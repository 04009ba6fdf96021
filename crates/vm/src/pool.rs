//! N runs of the same kernel, in parallel VMs bounded by host cores and memory.

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use culprit_exec::Cancel;

use crate::initramfs::Initramfs;
use crate::qemu::{Accel, RunSpec, VmConfig, VmError, VmRun, find_qemu, kvm_usable, run_one};

/// Per-VM memory on top of the guest's, for QEMU itself (MiB).
const QEMU_OVERHEAD_MIB: u64 = 128;

/// How many VMs of `cfg` may run at once on this host: at most one per core and no more than
/// 80 % of the available memory allows; at least one.
pub fn max_parallel_vms(cfg: &VmConfig) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per_vm = cfg.memory_mib + QEMU_OVERHEAD_MIB;
    let by_memory = mem_available_mib().map_or(cores, |m| {
        usize::try_from(m * 8 / 10 / per_vm).unwrap_or(cores)
    });
    cores.min(by_memory).max(1)
}

fn mem_available_mib() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

/// Boots `kernel` (a bzImage) `runs` times with `initramfs`, at most `parallel` VMs at once (0 =
/// [`max_parallel_vms`]), consoles under `out_dir`. Results are in completion order, as syzbot
/// lists them. Cancelling `cancel` (or Ctrl-C on the process-wide token) kills every VM and
/// returns [`VmError::Cancelled`].
pub fn run_vms(
    kernel: &Path,
    initramfs: &Initramfs,
    cfg: &VmConfig,
    runs: usize,
    parallel: usize,
    out_dir: &Path,
    cancel: &Cancel,
) -> Result<Vec<VmRun>, VmError> {
    let qemu = find_qemu(&cfg.qemu).ok_or_else(|| VmError::QemuMissing(cfg.qemu.clone()))?;
    if !kernel.is_file() {
        return Err(VmError::NoKernel(kernel.to_path_buf()));
    }
    if !initramfs.path.is_file() {
        return Err(VmError::NoInitramfs(initramfs.path.clone()));
    }
    std::fs::create_dir_all(out_dir).map_err(|source| VmError::Io {
        path: out_dir.to_path_buf(),
        source,
    })?;
    let accel = match cfg.accel {
        Accel::Auto if kvm_usable() => Accel::Kvm,
        Accel::Auto => Accel::Tcg,
        other => other,
    };
    let limit = if parallel == 0 {
        max_parallel_vms(cfg)
    } else {
        parallel
    };
    let workers = limit.min(runs).max(1);

    // A failing worker raises this so the others start no new run.
    let stop = AtomicBool::new(false);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<VmRun>> = Mutex::new(Vec::with_capacity(runs));
    let first_error: Mutex<Option<VmError>> = Mutex::new(None);
    let spec = RunSpec {
        qemu: &qemu,
        kernel,
        initramfs,
        cfg,
        accel,
        out_dir,
    };
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    if index >= runs || stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let r = run_one(&spec, index, cancel);
                    match r {
                        Ok(run) => lock(&results).push(run),
                        Err(e) => {
                            stop.store(true, Ordering::Relaxed);
                            lock(&first_error).get_or_insert(e);
                            return;
                        }
                    }
                }
            });
        }
    });
    if let Some(e) = first_error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e);
    }
    Ok(results.into_inner().unwrap_or_else(|p| p.into_inner()))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
