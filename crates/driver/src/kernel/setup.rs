//! Made once per kernel bisection: the inputs checked, the initramfs built (reproducer compiled
//! static, busybox), the kernel cache and the kept checkouts opened.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use culprit_kbuild::{BuildOptions, Ccache, KernelCache};
use culprit_vm::{Initramfs, VmConfig};

use super::KernelOptions;
use super::workspace::{Workspace, take_workspace};
use crate::{Bad, Error};

/// A kernel slot's checkout, `SLOTS/slot-N/src`.
pub(crate) const SOURCE_DIR: &str = "src";
/// A kernel slot's build directory, `SLOTS/slot-N/build`.
pub(crate) const BUILD_DIR: &str = "build";

/// What every kernel slot shares: made once per bisection by [`prepare`].
#[derive(Debug, Clone)]
pub struct KernelSetup {
    pub config: PathBuf,
    pub build: BuildOptions,
    pub vm: VmConfig,
    pub vms: usize,
    pub initramfs: Initramfs,
    /// Where the slots are: slot N checks out in `slot-N/src` and builds in `slot-N/build`
    /// (`STATE/slots`, or the kept workspace).
    pub slots: PathBuf,
    /// `STATE/kernels`: one bzImage per built commit.
    pub kernels: PathBuf,
    /// Signature and `compiler:` line of each commit built in this bisection (hex).
    pub built: Arc<Mutex<HashMap<String, (String, String)>>>,
    /// Compilers for syzbot's compiler-by-release table (`--compiler-bin`).
    pub compiler_bin: Option<PathBuf>,
    /// The user's repository (`git --git-dir`), read for tree ids and release tags.
    pub git_dir: PathBuf,
    /// Built kernels kept between bisections (`--cache`).
    pub cache: Option<KernelCache>,
    /// The kept checkouts and build directories of this repository (`CACHE/worktrees/KEY`),
    /// held under a lock while this bisection runs; `None`: they are in the state directory.
    pub workspace: Option<Arc<Workspace>>,
    /// Toolchain identities by compiler command (`CC --version`, `ld --version`), for cache keys.
    pub(super) toolchains: Arc<Mutex<HashMap<String, Option<String>>>>,
}

/// A full build takes minutes; a cold one on a slow machine up to half an hour.
const BUILD_TIMEOUT: Duration = Duration::from_secs(45 * 60);

/// Checks the inputs and builds the initramfs (reproducer compiled static + busybox-static).
/// Every problem here is the user's to fix: [`Error::Input`] with one line.
pub fn prepare(k: &KernelOptions, state_dir: &Path, git_dir: &Path) -> Result<KernelSetup, Error> {
    if !k.config.is_file() {
        return Err(Bad::NoConfig(k.config.clone()).into());
    }
    if !k.repro.is_file() {
        return Err(Bad::NoRepro(k.repro.clone()).into());
    }
    let mut vm = VmConfig {
        run_budget: Duration::from_secs(k.run_secs.max(1)),
        ..VmConfig::default()
    };
    if let Some(c) = &k.cmdline {
        vm.cmdline = c.clone();
    }
    check_space(state_dir, MIN_FREE_BYTES)?;
    let dir = state_dir.join("kernel");
    std::fs::create_dir_all(&dir).map_err(|source| Error::File {
        action: "create",
        path: dir.clone(),
        source,
    })?;
    let repro_bin = dir.join("repro");
    culprit_vm::compile_reproducer(&k.repro, &repro_bin).map_err(Bad::Reproducer)?;
    let busybox = culprit_vm::find_static_busybox().map_err(Bad::Busybox)?;
    if !in_path(&vm.qemu) {
        return Err(Bad::NoQemu(vm.qemu.clone()).into());
    }
    let initramfs = culprit_vm::build_initramfs(&busybox, &repro_bin, &dir.join("initramfs.cpio"))?;
    let build = BuildOptions {
        compiler: k.compiler(),
        ccache: k.ccache.clone().map_or(Ccache::Auto, Ccache::Dir),
        timeout: BUILD_TIMEOUT,
        ..BuildOptions::default()
    };
    let kernels = state_dir.join("kernels");
    std::fs::create_dir_all(&kernels).map_err(|source| Error::File {
        action: "create",
        path: kernels.clone(),
        source,
    })?;
    let (cache, workspace) = match &k.cache {
        Some(dir) => {
            let cache =
                KernelCache::open(&dir.join("kernels"), k.cache_bytes).map_err(|source| {
                    Bad::Cache {
                        dir: dir.clone(),
                        source,
                    }
                })?;
            (Some(cache), take_workspace(dir, git_dir)?)
        }
        None => (None, None),
    };
    if let Some(ws) = &workspace {
        check_space(&ws.dir, MIN_FREE_BYTES)?;
    }
    let slots = match &workspace {
        Some(ws) => ws.dir.clone(),
        None => state_dir.join("slots"),
    };
    Ok(KernelSetup {
        config: k.config.clone(),
        build,
        vm,
        vms: k.vms as usize,
        initramfs,
        slots,
        kernels,
        built: Arc::default(),
        compiler_bin: k.compiler_bin.clone(),
        git_dir: git_dir.to_path_buf(),
        cache,
        workspace: workspace.map(Arc::new),
        toolchains: Arc::default(),
    })
}

/// Free space a kernel bisection needs before it starts: build directories (about 100 MB for a
/// tiny config, several GB for a distribution config), kept kernels and VM consoles.
const MIN_FREE_BYTES: u64 = 1 << 30;

/// Refuses to start when the file system of the state directory (which holds the build
/// directories) has less than `needed` bytes free: one clear line instead of a build that fails
/// half-way with `No space left on device`.
fn check_space(state_dir: &Path, needed: u64) -> Result<(), Error> {
    let st = nix::sys::statvfs::statvfs(state_dir).map_err(|e| Error::File {
        action: "stat",
        path: state_dir.to_path_buf(),
        source: e.into(),
    })?;
    let free = st.blocks_available().saturating_mul(st.fragment_size());
    if free < needed {
        return Err(Bad::NoSpace {
            dir: state_dir.to_path_buf(),
            free_mib: free >> 20,
            needed_mib: needed >> 20,
        }
        .into());
    }
    Ok(())
}

fn in_path(bin: &Path) -> bool {
    if bin.components().count() > 1 {
        return bin.is_file();
    }
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(bin).is_file()))
}

/// `STATE/kernels/HASH.vmlinux`: the kept vmlinux of a built commit.
pub(crate) fn vmlinux_path(kernels: &Path, hex: &str) -> PathBuf {
    kernels.join(format!("{hex}.vmlinux"))
}
