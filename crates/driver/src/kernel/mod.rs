//! The kernel variant of a slot's work: build the checked-out commit with `culprit-kbuild` into
//! the slot's own build directory (kept across steps, so builds are incremental), keep a copy of
//! its bzImage, then boot it in VMs with the reproducer's initramfs (`culprit-vm`) and classify
//! each console with the crash parser.
//!
//! Layout: slot N checks out in `SLOTS/slot-N/src` and builds in `SLOTS/slot-N/build` (the same
//! relative layout in every slot, so ccache hits are shared between slots), `SLOTS` being the
//! kept workspace of `--cache` or `STATE/slots`; under the state directory `kernels/HASH.bzImage`
//! (and the culprit's vmlinux), `kernel/initramfs.cpio` (built once per bisection),
//! `logs/HASH.vm-K/` (consoles).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use culprit_exec::Cancel;
use culprit_git::Checkouts;
use culprit_kbuild::{BuildOptions, Ccache, Compiler, KernelCache};
use culprit_vm::{Initramfs, VmConfig};
use serde::{Deserialize, Serialize};

use crate::backend::{Backend, Built, Halt, Ran, Ready};
use crate::slot::Job;
use crate::{Bad, Error, SlotFailure};

mod build;

/// A kernel slot's checkout, `SLOTS/slot-N/src`.
pub(crate) const SOURCE_DIR: &str = "src";
/// A kernel slot's build directory, `SLOTS/slot-N/build`.
pub(crate) const BUILD_DIR: &str = "build";
mod recipients;
mod workspace;

use build::build_or_take;
pub(crate) use recipients::recipients;
use workspace::take_workspace;
pub use workspace::{DEFAULT_CACHE_BYTES, Workspace, default_cache_dir};

/// What makes a bisection a kernel bisection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KernelOptions {
    /// The full kernel config (`make olddefconfig` runs on it for every commit).
    pub config: PathBuf,
    /// The C reproducer, compiled static into the initramfs.
    pub repro: PathBuf,
    /// Kernel command line (default: culprit-vm's: serial console, panic on oops).
    #[serde(default)]
    pub cmdline: Option<String>,
    /// VMs booted at once for one commit's runs (0 = as many as cores and memory allow).
    #[serde(default)]
    pub vms: u32,
    /// `gcc`, `clang` or a compiler path.
    pub compiler: String,
    /// ccache directory (default: ccache's own, when ccache is installed).
    #[serde(default)]
    pub ccache: Option<PathBuf>,
    /// Seconds the reproducer runs in each VM.
    #[serde(default = "default_run_secs")]
    pub run_secs: u64,
    /// Pick the compiler per commit with syzbot's table by the newest release reachable from
    /// the commit, using the compilers under this directory (`None`: always `compiler`).
    #[serde(default)]
    pub compiler_bin: Option<PathBuf>,
    /// Kept between bisections (`None`: nothing is, everything lives in the state directory):
    /// built kernels by tree, config and toolchain (`kernels/`), and per repository the
    /// checkouts with their build directories (`worktrees/REPO/`), so the next bisection of the
    /// same tree starts from incremental builds. Not part of the state's parameters: resuming
    /// with another cache gives the same result.
    /// (`--resume` without the other flags takes the default cache.)
    #[serde(skip, default = "default_cache_dir")]
    pub cache: Option<PathBuf>,
    /// Size cap of the kernel cache.
    #[serde(skip, default = "default_cache_bytes")]
    pub cache_bytes: u64,
}

fn default_cache_bytes() -> u64 {
    DEFAULT_CACHE_BYTES
}

fn default_run_secs() -> u64 {
    10
}

impl KernelOptions {
    /// Options with culprit's defaults for everything but the inputs.
    pub fn new(config: PathBuf, repro: PathBuf) -> KernelOptions {
        KernelOptions {
            config,
            repro,
            cmdline: None,
            vms: 0,
            compiler: "gcc".into(),
            ccache: None,
            run_secs: default_run_secs(),
            compiler_bin: None,
            cache: None,
            cache_bytes: DEFAULT_CACHE_BYTES,
        }
    }

    /// The compiler.
    pub fn compiler(&self) -> Compiler {
        Compiler::from_flag(&self.compiler)
    }
}

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
    toolchains: Arc<Mutex<HashMap<String, Option<String>>>>,
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

/// The compiler's error, first line and the diagnostics folded into one line each.
pub(crate) fn one_line(s: &str) -> String {
    let mut lines = s.lines().filter(|l| !l.trim().is_empty());
    let head = lines.next().unwrap_or_default().to_string();
    match lines.find(|l| l.contains("error")) {
        Some(e) => format!("{head} {}", e.trim()),
        None => head,
    }
}

fn in_path(bin: &Path) -> bool {
    if bin.components().count() > 1 {
        return bin.is_file();
    }
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(bin).is_file()))
}

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

/// `STATE/kernels/HASH.vmlinux`: the kept vmlinux of a built commit.
pub(crate) fn vmlinux_path(kernels: &Path, hex: &str) -> PathBuf {
    kernels.join(format!("{hex}.vmlinux"))
}

/// Removes the kept vmlinux files of a finished bisection but the culprit's.
pub(crate) fn prune_vmlinux(state_dir: &Path, keep: Option<&str>) {
    let dir = state_dir.join("kernels");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let keep = keep.map(|c| format!("{c}.vmlinux"));
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.ends_with(".vmlinux") && keep.as_deref() != Some(name.as_str()) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// The final crash report of a kernel culprit as syzbot prints it: frames symbolized with the
/// culprit's own vmlinux (`file:line`, inlined frames on lines of their own; only when the
/// kernel was built with debug info), paths relative to the source tree, then the decoded
/// `Code:` bytes. Without a kept vmlinux or debug info the frames stay as the console had them.
pub(crate) fn final_report(state_dir: &Path, commit: &str, report: &str) -> String {
    let vmlinux = vmlinux_path(&state_dir.join("kernels"), commit);
    let mut text = match std::fs::read(&vmlinux) {
        Ok(elf) => match culprit_report::symbolize::Symbolizer::new(&elf) {
            Ok(sym) => tree_relative(&String::from_utf8_lossy(&sym.symbolize(report.as_bytes()))),
            Err(_) => report.to_string(),
        },
        Err(_) => report.to_string(),
    };
    if let Some(listing) =
        culprit_report::first(report.as_bytes()).and_then(|r| culprit_report::code_listing(&r))
    {
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&listing);
    }
    text
}

/// Drops the slot checkout part of source paths: `/STATE/slots/slot-0/src/fs/x.c`, or
/// `../src/fs/x.c` and `build/../src/fs/x.c` when ccache made them relative to the build
/// directory (and `checkouts/slot-N/` of older state directories) become `fs/x.c`, as syzbot
/// prints.
fn tree_relative(text: &str) -> String {
    static SLOT_PREFIX: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?m)(^|[\s(])(?:[^\s(]*/)?(?:slot-\d+/src/|checkouts/slot-\d+/|(?:build/)?(?:\.\./)+src/)",
        )
        .unwrap_or_else(|e| unreachable!("a fixed pattern: {e}"))
    });
    SLOT_PREFIX.replace_all(text, "$1").into_owned()
}

#[cfg(test)]
mod tests {
    use super::build::reachable_releases;
    use super::*;
    use culprit_kbuild::{COMPILER_TABLE, CONFIG_FIXES, compiler_for_commit, fixes_for};

    /// A real git repository with a MAINTAINERS file; returns its git dir and the commits.
    fn maintained_repo(dir: &Path) -> (PathBuf, Vec<String>) {
        let git = |args: &[&str]| -> String {
            let out = std::process::Command::new("git")
                .arg("-C")
                .arg(dir)
                .args(args)
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .output()
                .expect("git runs");
            assert!(out.status.success(), "git {args:?}");
            String::from_utf8_lossy(&out.stdout).trim().to_string()
        };
        let write = |path: &str, text: &str| {
            let p = dir.join(path);
            std::fs::create_dir_all(p.parent().expect("has a parent")).expect("mkdir");
            std::fs::write(p, text).expect("write");
        };
        let commit = |author: &str, message: &str| -> String {
            git(&["add", "-A"]);
            git(&[
                "-c",
                "user.name=Committer",
                "-c",
                "user.email=committer@example.org",
                "commit",
                "-q",
                "--author",
                author,
                "-m",
                message,
            ]);
            git(&["rev-parse", "HEAD"])
        };
        git(&["init", "-q", "-b", "main"]);
        write(
            "MAINTAINERS",
            "List of maintainers\n===================\n\n\
             FOO DRIVER\nM:\tFoo Maintainer <Foo@Example.org>\nR:\tFoo Reviewer <rev@example.org>\n\
             L:\tfoo-list@example.org\nS:\tSupported\nF:\tdrivers/foo\n\n\
             BAR LIBRARY\nM:\tBar Odd <bar@example.org>\nS:\tOdd Fixes\nF:\tlib/bar.c\n\n\
             THE REST\nM:\tChief <chief@example.org>\nL:\tlinux-kernel@vger.kernel.org\n\
             S:\tBuried alive in reporters\nF:\t*\nF:\t*/\n",
        );
        write("drivers/foo/core.c", "int foo;\n");
        write("lib/bar.c", "int bar;\n");
        let base = commit("Base <base@example.org>", "base");
        write("drivers/foo/core.c", "int foo = 1;\n");
        let foo = commit(
            "Ann Author <ann@example.org>",
            "foo: set foo\n\nSigned-off-by: Ann Author <ann@example.org>\nCc: not-me@example.org\n",
        );
        write("lib/bar.c", "int bar = 1;\n");
        let bar = commit(
            "Ann Author <ann@example.org>",
            "bar: set bar\n\nSigned-off-by: Ann Author <ann@example.org>\n",
        );
        write("lib/bar.c", "int bar = 2;\n");
        let reviewed = commit(
            "Ann Author <ann@example.org>",
            "bar: set bar again\n\nReviewed-by: R One <r1@example.org>\n\
             Acked-by: R Two <r2@example.org>\nSigned-off-by: Ann Author <ann@example.org>\n",
        );
        (dir.join(".git"), vec![base, foo, bar, reviewed])
    }

    #[test]
    fn kernel_recipients_add_the_maintainers_of_the_touched_files() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let (git_dir, commits) = maintained_repo(tmp.path());
        let of = |c: &str, message: &str| {
            recipients(
                &git_dir,
                c,
                culprit_git::recipients(message, "ann@example.org"),
            )
        };
        // drivers/foo is a directory pattern without the slash; a supporter and a list go to
        // To, the reviewer to Cc, and LKML to Cc because a subsystem list was found.
        let r = of(
            &commits[1],
            "foo: set foo\n\nSigned-off-by: Ann Author <ann@example.org>\n",
        );
        assert_eq!(
            r.to,
            ["ann@example.org", "foo-list@example.org", "foo@example.org"]
        );
        assert_eq!(r.cc, ["linux-kernel@vger.kernel.org", "rev@example.org"]);
        // An odd fixer is Cc; no list, so LKML is To.
        let r = of(&commits[2], "bar: set bar\n");
        assert_eq!(r.to, ["ann@example.org", "linux-kernel@vger.kernel.org"]);
        assert_eq!(r.cc, ["bar@example.org"]);
        // Three trailer addresses: syzbot asks no maintainers.
        let message =
            "x\n\nReviewed-by: R One <r1@example.org>\nAcked-by: R Two <r2@example.org>\n";
        let r = of(&commits[3], message);
        assert_eq!(
            r.to,
            ["ann@example.org", "r1@example.org", "r2@example.org"]
        );
        assert!(r.cc.is_empty());
    }

    #[test]
    fn the_releases_reachable_from_a_checkout_pick_the_config_fixes_and_compiler() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let (git_dir, commits) = maintained_repo(tmp.path());
        let tag = |name: &str, c: &str| {
            let st = std::process::Command::new("git")
                .arg("--git-dir")
                .arg(&git_dir)
                .args(["tag", name, c])
                .status()
                .expect("git runs");
            assert!(st.success());
        };
        tag("v5.3", &commits[0]);
        tag("v5.10-rc1", &commits[1]); // release candidates do not count
        tag("v5.10", &commits[2]);
        tag("e2e-tag", &commits[3]);
        let git_dir = tmp.path().join(".git");
        let r = reachable_releases(&git_dir, &commits[1]).expect("tags");
        assert_eq!(r.newest(), Some(culprit_kbuild::Release::new(5, 3)));
        // Before v5.4: KCOV is disabled and ORC becomes frame pointers; gcc from the table.
        let fixes: Vec<&str> = fixes_for(CONFIG_FIXES, &r)
            .iter()
            .map(|f| f.option)
            .collect();
        assert!(
            fixes.contains(&"KCOV") && fixes.contains(&"UNWINDER_ORC"),
            "{fixes:?}"
        );
        let bin = Path::new("/opt/compilers");
        assert_eq!(
            compiler_for_commit(COMPILER_TABLE, &Compiler::Gcc, &r, bin),
            Compiler::Path(bin.join("gcc-8.1.0/bin/gcc"))
        );
        let r = reachable_releases(&git_dir, &commits[3]).expect("tags");
        assert_eq!(r.newest(), Some(culprit_kbuild::Release::new(5, 10)));
        let fixes: Vec<&str> = fixes_for(CONFIG_FIXES, &r)
            .iter()
            .map(|f| f.option)
            .collect();
        assert!(
            !fixes.contains(&"KCOV") && fixes.contains(&"DEBUG_KOBJECT"),
            "{fixes:?}"
        );
        assert_eq!(
            compiler_for_commit(COMPILER_TABLE, &Compiler::Gcc, &r, bin),
            Compiler::Path(bin.join("gcc-10.1.0/bin/gcc"))
        );
    }

    #[test]
    fn recipients_outside_a_kernel_tree_are_the_trailers() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let (git_dir, commits) = maintained_repo(tmp.path());
        // The base commit's MAINTAINERS exists, but a missing commit or file gives the input back.
        let base = culprit_git::recipients("", "ann@example.org");
        let r = recipients(
            &git_dir,
            "0000000000000000000000000000000000000000",
            base.clone(),
        );
        assert_eq!(r, base);
        assert!(!commits.is_empty());
    }

    #[test]
    fn the_cache_is_not_part_of_the_recorded_options() {
        let mut k = KernelOptions::new("/c/.config".into(), "/c/repro.c".into());
        k.cache = Some("/somewhere/else".into());
        k.cache_bytes = 1;
        let recorded = serde_json::to_value(&k).expect("serialize");
        assert!(recorded.get("cache").is_none(), "{recorded}");
        // `--resume` alone reads the options back: the default cache, not none.
        let back: KernelOptions = serde_json::from_value(recorded).expect("deserialize");
        assert_eq!(back.cache, default_cache_dir());
        assert_eq!(back.cache_bytes, DEFAULT_CACHE_BYTES);
        assert_eq!(back.config, k.config);
    }

    #[test]
    fn source_paths_lose_the_slot_checkout() {
        let text = "RIP: 0010:f+0xb/0x5d /s/checkouts/slot-0/fs/proc/version.c:15\n \
                    g ../../checkouts/slot-12/fs/seq_file.c:230 [inline]\nno checkouts/slot-x/ here\n\
                    h (/c/worktrees/k/slot-1/src/fs/read_write.c:389)\n \
                    i ../src/mm/slob.c:7 j build/../src/lib/x.c:1 k /a/src/b.c\n";
        assert_eq!(
            tree_relative(text),
            "RIP: 0010:f+0xb/0x5d fs/proc/version.c:15\n g fs/seq_file.c:230 [inline]\nno checkouts/slot-x/ here\n\
             h (fs/read_write.c:389)\n i mm/slob.c:7 j lib/x.c:1 k /a/src/b.c\n"
        );
    }
}
