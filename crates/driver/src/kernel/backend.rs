//! The kernel backend: a slot's commit built (`super::build`), booted in VMs with the
//! reproducer's initramfs, each console classified.

use std::path::PathBuf;
use std::sync::Arc;

use culprit_exec::Cancel;
use culprit_git::Checkouts;

use super::build::build_or_take;
use super::setup::KernelSetup;
use crate::SlotFailure;
use crate::backend::{Backend, Built, Halt, Job, Ran, Ready};

/// The kernel backend: a slot's commit built with `culprit-kbuild` (or taken from what this
/// bisection or the cache already built), booted in VMs with the reproducer.
pub(crate) struct Kernel {
    /// What every kernel slot shares.
    pub setup: KernelSetup,
    /// The slots' checkouts (`SLOTS/slot-N/src`).
    pub checkouts: Arc<Checkouts>,
    /// Where the VM consoles go (`logs/HASH.vm-K/`).
    pub logs: PathBuf,
}

impl Kernel {
    fn image(&self, hex: &str) -> PathBuf {
        self.setup.kernels.join(format!("{hex}.bzImage"))
    }

    /// Signature and `compiler:` line of a commit built in this bisection.
    fn known(&self, hex: &str) -> Option<(String, String)> {
        self.setup
            .built
            .lock()
            .ok()
            .and_then(|b| b.get(hex).cloned())
    }
}

impl Backend for Kernel {
    fn prepare(&self, slot: usize, job: &Job, cancel: &Cancel) -> Result<Ready, Halt> {
        let hex = job.commit.to_hex();
        let image = self.image(&hex);
        let built = match (job.build, image.is_file(), self.known(&hex)) {
            // Built earlier in this bisection (in any slot): its kernel is kept, no rebuild.
            (true, true, Some((signature, compiler))) => Some(Built {
                ok: true,
                artifact: Some(signature),
                error_lines: Vec::new(),
                secs: 0.0,
                reused: true,
                notes: vec![format!("compiler: {compiler}")],
            }),
            (false, true, _) => None,
            _ => Some(build_or_take(
                slot,
                job,
                &hex,
                &image,
                &self.checkouts,
                &self.setup,
                cancel,
            )?),
        };
        let artifact = self.known(&hex).map(|(signature, _)| signature);
        Ok(Ready { built, artifact })
    }

    fn artifact_kind(&self) -> &'static str {
        "kernel signature"
    }

    fn batch(&self) -> u32 {
        let k = &self.setup;
        let vms = if k.vms == 0 {
            culprit_vm::max_parallel_vms(&k.vm)
        } else {
            k.vms
        };
        u32::try_from(vms).unwrap_or(u32::MAX).max(1)
    }

    fn run(
        &self,
        _slot: usize,
        job: &Job,
        index: u32,
        n: u32,
        cancel: &Cancel,
    ) -> Result<Vec<Ran>, Halt> {
        let hex = job.commit.to_hex();
        let out = self.logs.join(format!("{hex}.vm-{index}"));
        let k = &self.setup;
        let n = n as usize;
        let runs =
            match culprit_vm::run_vms(&self.image(&hex), &k.initramfs, &k.vm, n, n, &out, cancel) {
                Ok(runs) => runs,
                Err(culprit_vm::VmError::Cancelled) => return Err(Halt::Cancelled),
                Err(e) => return Err(Halt::Failed(SlotFailure::Kernel(Box::new(e)))),
            };
        Ok(runs
            .iter()
            .map(|run| {
                let (outcome, report) = crate::classify_vm(run);
                Ran {
                    outcome,
                    report,
                    secs: run.duration.as_secs_f64(),
                }
            })
            .collect())
    }
}
