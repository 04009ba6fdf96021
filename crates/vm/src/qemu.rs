//! One QEMU run: boot the kernel with the initramfs, capture the serial console to a file, watch
//! for init's markers, enforce the boot and run timeouts, and classify what needs no crash
//! parser. QEMU runs through `culprit-exec` in its own process group registered with the
//! cancellation token, and is killed on timeout, cancellation (Ctrl-C) and drop.

use std::ffi::OsString;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use culprit_exec::{Cancel, Command, Outcome, Status};
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

use crate::initramfs::{BUDGET_PARAM, DONE_MARKER, INIT_STARTED_MARKER, Initramfs};

/// Accelerator choice.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Accel {
    /// KVM when it works (see [`kvm_usable`]), TCG otherwise.
    Auto,
    /// Always KVM.
    Kvm,
    /// Always TCG (software emulation).
    Tcg,
}

/// How to run the VMs.
#[derive(Clone, Debug)]
pub struct VmConfig {
    /// The QEMU binary.
    pub qemu: PathBuf,
    /// Accelerator.
    pub accel: Accel,
    /// Guest memory in MiB.
    pub memory_mib: u64,
    /// Guest CPUs.
    pub cpus: u32,
    /// Kernel command line (the budget parameter is appended).
    pub cmdline: String,
    /// Time from QEMU start until init prints its first line.
    pub boot_timeout: Duration,
    /// How long init keeps running the reproducer.
    pub run_budget: Duration,
    /// Extra time after the budget before the VM counts as hung and is killed.
    pub shutdown_slack: Duration,
}

impl Default for VmConfig {
    fn default() -> Self {
        VmConfig {
            qemu: PathBuf::from("qemu-system-x86_64"),
            accel: Accel::Auto,
            memory_mib: 512,
            cpus: 1,
            cmdline: "console=ttyS0 panic=-1 oops=panic printk.time=1".to_string(),
            boot_timeout: Duration::from_secs(120),
            run_budget: Duration::from_secs(10),
            shutdown_slack: Duration::from_secs(60),
        }
    }
}

/// How a run ended, as far as can be told without parsing crashes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunOutcome {
    /// The kernel reached init and ran the reproducer: the console goes to the crash parser.
    Completed {
        /// How the VM stopped.
        end: RunEnd,
    },
    /// No kernel output, or the kernel never reached init. The console may hold a boot crash
    /// for the parser (syzbot's `boot failed: TITLE`).
    BootFailed {
        /// What was seen.
        reason: String,
    },
    /// Not the kernel's fault: QEMU did not start, died, or the console was lost.
    Infra {
        /// What happened.
        reason: String,
    },
}

/// How a VM that reached init stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunEnd {
    /// Init finished the budget and powered off cleanly.
    PoweredOff,
    /// QEMU exited before init finished (a panic reboots and `-no-reboot` exits: a crash).
    Exited,
    /// Killed after budget + slack without exiting (a hang, or a reproducer stuck in the kernel).
    TimedOut,
}

/// One finished run.
#[derive(Clone, Debug)]
pub struct VmRun {
    /// Index of the run in the batch (0-based), for `run #N`.
    pub index: usize,
    /// Classification.
    pub outcome: RunOutcome,
    /// The raw serial console bytes.
    pub console: Vec<u8>,
    /// Where they were saved.
    pub console_path: PathBuf,
    /// Wall time of the run.
    pub duration: Duration,
}

/// Errors that stop a batch before any VM runs.
#[derive(Debug, thiserror::Error)]
pub enum VmError {
    /// QEMU is not installed.
    #[error("{0} is not installed (apt-get install qemu-system-x86)")]
    QemuMissing(PathBuf),
    /// The kernel image is missing.
    #[error("kernel image {0} does not exist")]
    NoKernel(PathBuf),
    /// The initramfs is missing.
    #[error("initramfs {0} does not exist")]
    NoInitramfs(PathBuf),
    /// Output directory problems.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The batch was cancelled (every QEMU was killed).
    #[error("cancelled")]
    Cancelled,
}

/// Whether KVM can be used: `/dev/kvm` opens read-write *and* the host CPU advertises
/// virtualisation (`vmx`/`svm`). A node that opens is not enough: on machines without nested
/// virtualisation QEMU hangs after the BIOS (kernel-e2e.md §1), so that case falls back to TCG.
pub fn kvm_usable() -> bool {
    let opens = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/kvm")
        .is_ok();
    let flags = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let virt = flags
        .lines()
        .filter(|l| l.starts_with("flags"))
        .any(|l| l.split_whitespace().any(|f| f == "vmx" || f == "svm"));
    opens && virt
}

pub(crate) fn find_qemu(qemu: &Path) -> Option<PathBuf> {
    if qemu.components().count() > 1 {
        return qemu.is_file().then(|| qemu.to_path_buf());
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(qemu))
        .find(|p| p.is_file())
}

/// What every run of a batch shares.
pub(crate) struct RunSpec<'a> {
    pub(crate) qemu: &'a Path,
    pub(crate) kernel: &'a Path,
    pub(crate) initramfs: &'a Initramfs,
    pub(crate) cfg: &'a VmConfig,
    /// Resolved: `Kvm` or `Tcg`.
    pub(crate) accel: Accel,
    pub(crate) out_dir: &'a Path,
}

/// Runs one VM; `out_dir/run-INDEX.console` gets the console, `run-INDEX.qemu.log` QEMU's stderr.
pub(crate) fn run_one(spec: &RunSpec<'_>, index: usize, cancel: &Cancel) -> Result<VmRun, VmError> {
    let RunSpec {
        qemu,
        kernel,
        initramfs,
        cfg,
        accel,
        out_dir,
    } = *spec;
    let started = Instant::now();
    let console_path = out_dir.join(format!("run-{index}.console"));
    let stderr_path = out_dir.join(format!("run-{index}.qemu.log"));
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| VmError::Io { path, source }
    };
    File::create(&stderr_path).map_err(io(&stderr_path))?;

    let append = format!(
        "{} {BUDGET_PARAM}={}",
        cfg.cmdline,
        cfg.run_budget.as_secs().max(1)
    );
    let mut words: Vec<OsString> = vec!["-accel".into()];
    words.push(if accel == Accel::Kvm { "kvm" } else { "tcg" }.into());
    for w in [
        "-m",
        &cfg.memory_mib.to_string(),
        "-smp",
        &cfg.cpus.max(1).to_string(),
    ] {
        words.push(w.into());
    }
    words.extend([
        "-kernel".into(),
        kernel.into(),
        "-initrd".into(),
        initramfs.path.clone().into(),
    ]);
    words.extend(["-append".into(), append.into()]);
    for w in [
        "-display", "none", "-vga", "none", "-monitor", "none", "-serial", "stdio",
    ] {
        words.push(w.into());
    }
    for w in ["-no-reboot", "-nic", "none"] {
        words.push(w.into());
    }

    let finish = |outcome: RunOutcome| -> Result<VmRun, VmError> {
        let console = std::fs::read(&console_path).map_err(io(&console_path))?;
        Ok(VmRun {
            index,
            outcome,
            console,
            console_path: console_path.clone(),
            duration: started.elapsed(),
        })
    };

    // A last-resort deadline in culprit-exec; the boot and run deadlines below come first.
    let hard_limit = cfg.boot_timeout + cfg.run_budget + cfg.shutdown_slack * 2;
    // QEMU's own messages (stderr) go apart from the console (stdout); stdin is /dev/null.
    let running = match Command::argv(qemu, words, out_dir, &console_path)
        .stderr_to(&stderr_path)
        .timeout(hard_limit)
        .grace(Duration::from_secs(1))
        .keep(0, 0)
        .spawn(cancel)
    {
        Ok(r) => r,
        Err(culprit_exec::Error::Cancelled { .. }) => return Err(VmError::Cancelled),
        Err(e) => {
            return finish(RunOutcome::Infra {
                reason: format!("qemu failed to start: {e}"),
            });
        }
    };
    // The group id stays ours until the waiting thread has reaped QEMU (culprit-exec keeps the
    // leader a zombie until then), so killing it below cannot hit another process.
    let pgid = Pid::from_raw(i32::try_from(running.pid()).unwrap_or(i32::MAX));
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(running.wait());
    });

    let mut watcher = ConsoleWatcher::new(&console_path);
    let run_deadline = cfg.run_budget + cfg.shutdown_slack;
    let mut init_at: Option<Instant> = None;
    // Set when this loop killed QEMU: the outcome to report once it is reaped.
    let mut forced: Option<RunOutcome> = None;
    loop {
        let waited = rx.recv_timeout(Duration::from_millis(50));
        watcher.poll();
        if init_at.is_none() && watcher.init_started {
            init_at = Some(Instant::now());
        }
        let ended: Outcome = match waited {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(e)) => {
                return finish(RunOutcome::Infra {
                    reason: format!("lost console: {e}"),
                });
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return finish(RunOutcome::Infra {
                    reason: "lost console: qemu waiter vanished".to_string(),
                });
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if forced.is_none() {
                    forced = deadline_passed(&watcher, init_at, started, cfg, run_deadline);
                    if forced.is_some() {
                        let _ = killpg(pgid, Signal::SIGKILL);
                    }
                }
                continue;
            }
        };
        if let Some(outcome) = forced {
            return finish(outcome);
        }
        let qemu_err = tail(&std::fs::read(&stderr_path).unwrap_or_default(), 5);
        let outcome = match ended.status {
            Status::Cancelled => return Err(VmError::Cancelled),
            Status::TimedOut if watcher.init_started => RunOutcome::Completed {
                end: RunEnd::TimedOut,
            },
            Status::TimedOut => RunOutcome::BootFailed {
                reason: format!("no init in {hard_limit:?}"),
            },
            status if watcher.init_started => {
                if status.success() {
                    RunOutcome::Completed {
                        end: if watcher.done {
                            RunEnd::PoweredOff
                        } else {
                            RunEnd::Exited
                        },
                    }
                } else {
                    RunOutcome::Infra {
                        reason: format!("lost console: qemu ended with {status:?}: {qemu_err}"),
                    }
                }
            }
            status if !watcher.any_kernel_output => {
                if status.success() {
                    RunOutcome::BootFailed {
                        reason: "no kernel output".to_string(),
                    }
                } else {
                    RunOutcome::Infra {
                        reason: format!("qemu failed: {status:?}: {qemu_err}"),
                    }
                }
            }
            _ => RunOutcome::BootFailed {
                reason: "kernel stopped before reaching init".to_string(),
            },
        };
        return finish(outcome);
    }
}

/// The outcome to force when the boot or the run deadline has passed, else `None`.
fn deadline_passed(
    watcher: &ConsoleWatcher,
    init_at: Option<Instant>,
    started: Instant,
    cfg: &VmConfig,
    run_deadline: Duration,
) -> Option<RunOutcome> {
    match init_at {
        None if started.elapsed() >= cfg.boot_timeout => {
            let reason = if watcher.any_kernel_output {
                format!("kernel did not reach init in {:?}", cfg.boot_timeout)
            } else {
                format!("no kernel output in {:?}", cfg.boot_timeout)
            };
            Some(RunOutcome::BootFailed { reason })
        }
        Some(at) if at.elapsed() >= run_deadline => Some(RunOutcome::Completed {
            end: RunEnd::TimedOut,
        }),
        _ => None,
    }
}

fn tail(bytes: &[u8], lines: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let all: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    all[all.len().saturating_sub(lines)..].join(" | ")
}

/// Reads the console file as it grows and notes the markers.
struct ConsoleWatcher {
    file: Option<File>,
    path: PathBuf,
    buf: Vec<u8>,
    scanned: usize,
    any_kernel_output: bool,
    init_started: bool,
    done: bool,
}

impl ConsoleWatcher {
    fn new(path: &Path) -> Self {
        ConsoleWatcher {
            file: None,
            path: path.to_path_buf(),
            buf: Vec::new(),
            scanned: 0,
            any_kernel_output: false,
            init_started: false,
            done: false,
        }
    }

    fn poll(&mut self) {
        if self.file.is_none() {
            self.file = File::open(&self.path).ok();
        }
        if let Some(f) = self.file.as_mut() {
            let _ = f.read_to_end(&mut self.buf);
        }
        // Rescan from a little before the old end so markers split across reads are found.
        let from = self.scanned.saturating_sub(64);
        let new = &self.buf[from..];
        let has = |needle: &[u8]| new.windows(needle.len()).any(|w| w == needle);
        // Kernel output: the banner or any printk line; SeaBIOS's own text does not count.
        self.any_kernel_output |= has(b"Linux version") || has(b"[    0.");
        self.init_started |= has(INIT_STARTED_MARKER.as_bytes());
        self.done |= has(DONE_MARKER.as_bytes());
        self.scanned = self.buf.len();
    }
}
