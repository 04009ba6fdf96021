//! Kernel bisection: the options (here), the set-up made once per bisection (`setup`), the
//! kernel backend (`backend`, building with `build`), the final report (`report`), who hears of a
//! culprit (`recipients`) and the checkouts kept between bisections (`workspace`).
//!
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

use std::path::PathBuf;

use culprit_kbuild::Compiler;
use serde::{Deserialize, Serialize};

mod backend;
mod build;
mod recipients;
mod report;
mod setup;
mod workspace;

pub(crate) use backend::Kernel;
pub(crate) use recipients::recipients;
pub(crate) use report::{final_report, prune_vmlinux};
pub(crate) use setup::SOURCE_DIR;
pub use setup::{KernelSetup, prepare};
pub use workspace::{DEFAULT_CACHE_BYTES, default_cache_dir};

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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::build::reachable_releases;
    use super::report::tree_relative;
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
        let r = reachable_releases(&git_dir, commits[1].parse().expect("a hash")).expect("tags");
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
        let r = reachable_releases(&git_dir, commits[3].parse().expect("a hash")).expect("tags");
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
