//! Building one kernel commit: `make olddefconfig` then `make bzImage` out of tree, in a build
//! directory kept across bisection steps (incremental), with a reproducible environment.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use culprit_exec::{Cancel, Command, Status};

use crate::compiler::{Compiler, compiler_line_from_build, compiler_version_line};
use crate::config_fixes::{ConfigFix, apply_config_fixes};
use crate::root_cause::{RootCause, extract_root_cause, relative_prefix};
use crate::signature::{Signature, SignatureError, kernel_signature};

/// Build-time identity baked into the kernel (`Linux version ... (USER@HOST) ... #VERSION TIMESTAMP`).
pub const KBUILD_BUILD_TIMESTAMP: &str = "Thu Jan  1 00:00:00 UTC 2025";
/// `KBUILD_BUILD_USER`.
pub const KBUILD_BUILD_USER: &str = "culprit";
/// `KBUILD_BUILD_HOST`.
pub const KBUILD_BUILD_HOST: &str = "culprit";

/// Whether to compile through ccache.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Ccache {
    /// Use `ccache` when it is in `PATH`, with its default or inherited `CCACHE_DIR`.
    Auto,
    /// Never.
    Off,
    /// Use ccache (an error if it is not installed) with this cache directory.
    Dir(PathBuf),
}

/// How to build.
#[derive(Clone, Debug)]
pub struct BuildOptions {
    /// `CC`.
    pub compiler: Compiler,
    /// ccache use.
    pub ccache: Ccache,
    /// `make -j`.
    pub jobs: usize,
    /// Whole build (olddefconfig + bzImage) deadline.
    pub timeout: Duration,
    /// Refuse to start with less free space than this in the build directory's file system.
    pub min_free_bytes: u64,
    /// Kernel `ARCH` (only `x86_64` is booted by culprit-vm).
    pub arch: String,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            compiler: Compiler::Gcc,
            ccache: Ccache::Auto,
            jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
            timeout: Duration::from_secs(60 * 60),
            min_free_bytes: 1 << 30,
            arch: "x86_64".to_string(),
        }
    }
}

/// A built kernel.
#[derive(Clone, Debug)]
pub struct Kernel {
    /// `BUILD/arch/x86/boot/bzImage`.
    pub bzimage: PathBuf,
    /// `BUILD/vmlinux`.
    pub vmlinux: PathBuf,
    /// The `compiler: ...` value.
    pub compiler_line: String,
    /// The kernel signature (reference §7.4).
    pub signature: Signature,
    /// make's combined output of this build.
    pub log: PathBuf,
    /// Wall time of the build.
    pub duration: Duration,
}

/// A build that failed in make (a `skip` for the bisection).
#[derive(Clone, Debug)]
pub struct BuildFailure {
    /// The first error line and the others.
    pub root_cause: RootCause,
    /// `compiler: ...` when known (syzbot prints it even for failed builds).
    pub compiler_line: Option<String>,
    /// make's combined output.
    pub log: PathBuf,
    /// make's exit status.
    pub status: String,
    /// Wall time until the failure.
    pub duration: Duration,
}

/// Why no kernel came out.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The config file does not exist or cannot be read.
    #[error("cannot read kernel config {path}: {source}")]
    Config {
        /// The config file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The source directory is not a kernel tree.
    #[error("{0} is not a kernel source tree (no Makefile and Kconfig)")]
    NotKernelTree(PathBuf),
    /// The build directory cannot be created or written.
    #[error("build directory {path}: {source}")]
    BuildDir {
        /// The directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Too little free space to build.
    #[error("no space for the build directory {path}: {available} bytes free, {needed} needed")]
    NoSpace {
        /// The directory.
        path: PathBuf,
        /// Free bytes.
        available: u64,
        /// The configured minimum.
        needed: u64,
    },
    /// A required tool is not installed.
    #[error("{tool} is not installed (not found in PATH)")]
    MissingTool {
        /// `make`, `ccache`, the compiler...
        tool: String,
    },
    /// make could not be started, or its log not written.
    #[error("cannot run make in {dir}: {message}")]
    Spawn {
        /// The source dir.
        dir: PathBuf,
        /// What culprit-exec said.
        message: String,
    },
    /// make failed: compile or link error.
    #[error("failed building: {}", .0.root_cause.line)]
    Failed(Box<BuildFailure>),
    /// The deadline passed; make was killed.
    #[error("build timed out after {timeout:?} (log {log})")]
    TimedOut {
        /// The deadline.
        timeout: Duration,
        /// make's output so far.
        log: PathBuf,
    },
    /// Cancelled by the caller; make was killed.
    #[error("build cancelled")]
    Cancelled,
    /// make succeeded but an output is missing.
    #[error("build succeeded but {0} is missing")]
    MissingOutput(PathBuf),
    /// vmlinux could not be hashed.
    #[error(transparent)]
    Signature(#[from] SignatureError),
}

/// Builds the kernel checked out in `source_dir` into `build_dir` (created if needed, kept across
/// calls: only what changed is rebuilt) from the full config `config` with `fixes` applied
/// (see [`crate::fixes_for`]). make runs through `culprit-exec` in its own process group,
/// registered with `cancel`: cancelling (or Ctrl-C on the process-wide token) kills it and gives
/// [`BuildError::Cancelled`].
pub fn build_kernel(
    source_dir: &Path,
    build_dir: &Path,
    config: &Path,
    fixes: &[&ConfigFix],
    opts: &BuildOptions,
    cancel: &Cancel,
) -> Result<Kernel, BuildError> {
    let started = Instant::now();
    let config_text = std::fs::read_to_string(config).map_err(|source| BuildError::Config {
        path: config.to_path_buf(),
        source,
    })?;
    if !source_dir.join("Makefile").is_file() || !source_dir.join("Kconfig").is_file() {
        return Err(BuildError::NotKernelTree(source_dir.to_path_buf()));
    }
    let build_dir_err = |source| BuildError::BuildDir {
        path: build_dir.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(build_dir).map_err(build_dir_err)?;
    let build_dir = std::fs::canonicalize(build_dir).map_err(build_dir_err)?;
    let source_dir = std::fs::canonicalize(source_dir).map_err(|e| BuildError::Spawn {
        dir: source_dir.to_path_buf(),
        message: e.to_string(),
    })?;
    check_free_space(&build_dir, opts.min_free_bytes)?;

    let ccache = resolve_ccache(&opts.ccache)?;
    if find_in_path(&OsString::from("make")).is_none() {
        return Err(BuildError::MissingTool {
            tool: "make".to_string(),
        });
    }
    let cc = opts.compiler.command();
    if find_in_path(&cc).is_none() {
        return Err(BuildError::MissingTool {
            tool: cc.to_string_lossy().into_owned(),
        });
    }

    // Write .config only when the input changed, so an unchanged config does not make kbuild
    // reconsider every object.
    let wanted = apply_config_fixes(&config_text, fixes);
    let input_copy = build_dir.join(".culprit-input.config");
    let previous = std::fs::read_to_string(&input_copy).ok();
    if previous.as_deref() != Some(wanted.as_str()) || !build_dir.join(".config").exists() {
        std::fs::write(build_dir.join(".config"), &wanted).map_err(build_dir_err)?;
        std::fs::write(&input_copy, &wanted).map_err(build_dir_err)?;
    }

    // A build killed half-way (kill -9, power loss) can leave truncated objects newer than their
    // sources that make would take as up to date; what it wrote is discarded first.
    let marker = build_dir.join(BUILDING_MARKER);
    if marker.exists() {
        discard_interrupted_build(&build_dir).map_err(build_dir_err)?;
    }
    std::fs::write(&marker, b"").map_err(build_dir_err)?;

    let base_dir = common_ancestor(&source_dir, &build_dir);
    let mut args: Vec<OsString> = vec![
        format!("O={}", build_dir.display()).into(),
        format!("ARCH={}", opts.arch).into(),
    ];
    let mut cc_var = OsString::from("CC=");
    if ccache.is_some() {
        cc_var.push("ccache ");
    }
    cc_var.push(&cc);
    args.push(cc_var);
    args.push("LOCALVERSION=".into());
    if ccache.is_some()
        && let Some(rel) = relative_prefix(&build_dir, &source_dir)
    {
        // ccache's base_dir makes the compiler see `../src/fs/x.c`, which kbuild's own
        // `-fmacro-prefix-map=$(srctree)/=` does not shorten: __FILE__ strings (BUG/WARN
        // sites) would carry the worktree's relative location and change the signature.
        let mut kcflags = format!("KCFLAGS=-fmacro-prefix-map={rel}=");
        if let Some(base) = &base_dir {
            // With debug info ccache hashes the working directory (the build directory) unless
            // base_dir covers it and a -fdebug-prefix-map is given: without this, every new
            // state directory would miss the cache entirely. It also keeps DWARF paths relative
            // (`kbuild/slot-0`), the same in every state directory.
            kcflags.push_str(&format!(" -fdebug-prefix-map={}/=", base.display()));
        }
        args.push(kcflags.into());
    }
    let jobs = format!("-j{}", opts.jobs.max(1));
    let steps: [(&str, Vec<&str>); 2] = [
        ("culprit-olddefconfig.log", vec!["olddefconfig"]),
        ("culprit-build.log", vec![jobs.as_str(), "bzImage"]),
    ];
    let mut log = build_dir.join(steps[1].0);
    for (log_name, targets) in &steps {
        log = build_dir.join(log_name);
        let mut words = args.clone();
        words.extend(targets.iter().map(OsString::from));
        let left = opts.timeout.saturating_sub(started.elapsed());
        let cmd = reproducible_env(
            Command::argv("make", words, &source_dir, &log).timeout(left),
            ccache.as_ref(),
            base_dir.as_deref(),
        );
        let outcome = cmd.run(cancel).map_err(|e| BuildError::Spawn {
            dir: source_dir.clone(),
            message: e.to_string(),
        })?;
        if !matches!(outcome.status, Status::TimedOut | Status::Cancelled) {
            // make ended by itself (kbuild deletes a failed target: .DELETE_ON_ERROR), so what
            // it left is consistent; a killed make keeps the marker.
            let _ = std::fs::remove_file(&marker);
        }
        match outcome.status {
            s if s.success() => {}
            Status::TimedOut => {
                return Err(BuildError::TimedOut {
                    timeout: opts.timeout,
                    log,
                });
            }
            Status::Cancelled => return Err(BuildError::Cancelled),
            status => {
                let output =
                    String::from_utf8_lossy(&std::fs::read(&log).unwrap_or_default()).into_owned();
                return Err(BuildError::Failed(Box::new(BuildFailure {
                    root_cause: extract_root_cause(&output, &source_dir, &build_dir),
                    compiler_line: compiler_line_from_build(&build_dir)
                        .or_else(|| compiler_version_line(&opts.compiler)),
                    log,
                    status: format!("{status:?}"),
                    duration: started.elapsed(),
                })));
            }
        }
    }

    let bzimage = build_dir.join(format!("arch/{}/boot/bzImage", boot_arch(&opts.arch)));
    let vmlinux = build_dir.join("vmlinux");
    for p in [&bzimage, &vmlinux] {
        if !p.is_file() {
            return Err(BuildError::MissingOutput(p.clone()));
        }
    }
    let signature = kernel_signature(&vmlinux)?;
    let compiler_line = compiler_line_from_build(&build_dir)
        .or_else(|| compiler_version_line(&opts.compiler))
        .unwrap_or_default();
    Ok(Kernel {
        bzimage,
        vmlinux,
        compiler_line,
        signature,
        log,
        duration: started.elapsed(),
    })
}

/// Present in a build directory while make runs in it (its mtime is when the build started).
const BUILDING_MARKER: &str = ".culprit-building";

/// Removes every regular file of `build_dir` written since the interrupted build started (mtime
/// not older than the marker), except the config inputs: kbuild remakes all of them, and none of
/// them can be a truncated object taken as up to date. Then removes the marker.
fn discard_interrupted_build(build_dir: &Path) -> std::io::Result<()> {
    let marker = build_dir.join(BUILDING_MARKER);
    let since = std::fs::metadata(&marker)?.modified()?;
    let keep = [".config", ".culprit-input.config", BUILDING_MARKER];
    let mut dirs = vec![build_dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            if kind.is_dir() {
                dirs.push(entry.path());
            } else if kind.is_file()
                && !(dir == build_dir && keep.iter().any(|k| entry.file_name() == *k))
                && entry.metadata()?.modified()? >= since
            {
                std::fs::remove_file(entry.path())?;
            }
        }
    }
    std::fs::remove_file(&marker)
}

/// Environment of every make: nothing inherited but `PATH`, `HOME` and `TMPDIR` (no stray
/// `CFLAGS`, `ARCH`, `CROSS_COMPILE`, locale...), plus the fixed build identity.
fn reproducible_env(
    mut cmd: Command,
    ccache: Option<&CcacheUse>,
    base_dir: Option<&Path>,
) -> Command {
    for (key, _) in std::env::vars_os() {
        if !["PATH", "HOME", "TMPDIR"].iter().any(|k| key == *k) {
            cmd = cmd.env_remove(key);
        }
    }
    cmd = cmd
        .env("LC_ALL", "C")
        .env("KBUILD_BUILD_TIMESTAMP", KBUILD_BUILD_TIMESTAMP)
        .env("KBUILD_BUILD_USER", KBUILD_BUILD_USER)
        .env("KBUILD_BUILD_HOST", KBUILD_BUILD_HOST)
        .env("KBUILD_BUILD_VERSION", "0");
    if let Some(c) = ccache {
        // Not ccache's depend mode, although a cold full build of the e2e kernel takes 109 s
        // with it against 137 s in direct mode: it never sees the `.incbin` of
        // arch/x86/boot/compressed/piggy.S, so a bzImage whose compressed vmlinux had the same
        // length came back from the cache with the previous commit's kernel in it (measured).
        if let Some(dir) = &c.dir {
            cmd = cmd.env("CCACHE_DIR", dir);
        }
        if let Some(base) = base_dir {
            // Absolute source paths differ per worktree; relative ones let worktrees share hits.
            cmd = cmd.env("CCACHE_BASEDIR", base);
        }
    }
    cmd
}

struct CcacheUse {
    dir: Option<PathBuf>,
}

fn resolve_ccache(mode: &Ccache) -> Result<Option<CcacheUse>, BuildError> {
    let installed = find_in_path(&OsString::from("ccache")).is_some();
    match mode {
        Ccache::Off => Ok(None),
        Ccache::Auto if !installed => Ok(None),
        Ccache::Auto => Ok(Some(CcacheUse {
            dir: std::env::var_os("CCACHE_DIR").map(PathBuf::from),
        })),
        Ccache::Dir(_) if !installed => Err(BuildError::MissingTool {
            tool: "ccache".to_string(),
        }),
        Ccache::Dir(d) => {
            std::fs::create_dir_all(d).map_err(|source| BuildError::BuildDir {
                path: d.clone(),
                source,
            })?;
            Ok(Some(CcacheUse {
                dir: Some(d.clone()),
            }))
        }
    }
}

fn check_free_space(dir: &Path, needed: u64) -> Result<(), BuildError> {
    let st = nix::sys::statvfs::statvfs(dir).map_err(|e| BuildError::BuildDir {
        path: dir.to_path_buf(),
        source: std::io::Error::from(e),
    })?;
    let available = st.blocks_available().saturating_mul(st.fragment_size());
    if available < needed {
        return Err(BuildError::NoSpace {
            path: dir.to_path_buf(),
            available,
            needed,
        });
    }
    Ok(())
}

/// `PATH` lookup (or the path itself when it contains a slash).
pub(crate) fn find_in_path(cmd: &OsString) -> Option<PathBuf> {
    let p = Path::new(cmd);
    if p.components().count() > 1 {
        return p.is_file().then(|| p.to_path_buf());
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(p))
        .find(|c| c.is_file())
}

fn boot_arch(arch: &str) -> &str {
    match arch {
        "x86_64" | "i386" => "x86",
        other => other,
    }
}

fn common_ancestor(a: &Path, b: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for (x, y) in a.components().zip(b.components()) {
        if x != y {
            break;
        }
        out.push(x);
    }
    (out.components().count() > 1).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};

    #[test]
    fn an_interrupted_build_loses_what_it_wrote() {
        let dir = tempfile::tempdir().expect("tempdir");
        let b = dir.path();
        std::fs::create_dir_all(b.join("fs/proc")).expect("mkdir");
        let old = SystemTime::now() - Duration::from_secs(3600);
        for f in ["fs/proc/base.o", ".config", "vmlinux"] {
            let file = std::fs::File::create(b.join(f)).expect("create");
            file.set_modified(old).expect("mtime");
        }
        std::fs::write(b.join(BUILDING_MARKER), b"").expect("marker");
        // Written by the killed build: a truncated object, a new .cmd, and .config rewritten.
        std::fs::write(b.join("fs/proc/version.o"), b"trunc").expect("write");
        std::fs::write(b.join("fs/proc/.version.o.cmd"), b"cmd").expect("write");
        std::fs::write(b.join(".config"), b"CONFIG_X=y").expect("write");
        discard_interrupted_build(b).expect("discard");
        assert!(!b.join("fs/proc/version.o").exists());
        assert!(!b.join("fs/proc/.version.o.cmd").exists());
        assert!(!b.join(BUILDING_MARKER).exists());
        assert!(b.join("fs/proc/base.o").exists());
        assert!(b.join("vmlinux").exists());
        assert!(b.join(".config").exists(), "the config input is kept");
    }
}
