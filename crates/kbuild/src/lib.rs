//! Builds a Linux kernel commit for bisection: `make olddefconfig` + `make bzImage` out of tree in
//! a build directory kept across steps, with ccache when installed, a chosen compiler and a
//! reproducible environment; returns `bzImage`, `vmlinux`, the `compiler: ...` line and syzbot's
//! kernel signature, or the root cause of a failed build. Also holds syzbot's per-release tables
//! (compiler by release, config edits by release) as data.
//!
//! This crate does not know git (callers check out the commit and pass the reachable release
//! tags), VMs, crash reports or the bisection.
//!
//! Per candidate commit a driver does: `fixes_for(CONFIG_FIXES, &reachable)`, optionally
//! `compiler_for_commit(COMPILER_TABLE, ..)`, then [`build_kernel`] into the worktree's own build
//! directory, printing `testing commit HASH {compiler.kind().as_str()}`, `compiler:
//! {kernel.compiler_line}` and `kernel signature: {kernel.signature}`; a
//! [`BuildError::Failed`] is a skip with `failed building HASH: {root_cause.line}`. Keep the
//! same relative layout for every worktree and its build directory (e.g. `SLOT/src` and
//! `SLOT/build`): ccache then shares hits between worktrees. Signatures do not depend on the
//! layout or on ccache.

mod build;
mod cache;
mod compiler;
mod config_fixes;
mod release;
mod root_cause;
mod signature;

pub use culprit_exec::Cancel;

pub use build::{
    BuildError, BuildFailure, BuildOptions, Ccache, KBUILD_BUILD_HOST, KBUILD_BUILD_TIMESTAMP,
    KBUILD_BUILD_USER, Kernel, build_kernel,
};
pub use cache::{CachedKernel, KernelCache, toolchain_id};
pub use compiler::{
    COMPILER_TABLE, Compiler, CompilerKind, CompilerPick, CompilerRule, compiler_for_commit,
    compiler_line_from_build, compiler_version_line,
};
pub use config_fixes::{CONFIG_FIXES, ConfigAction, ConfigFix, apply_config_fixes, fixes_for};
pub use release::{Reachable, Release};
pub use root_cause::{MAX_ERROR_LINES, RootCause, extract_root_cause};
pub use signature::{Signature, SignatureError, kernel_signature, signature_of_elf};
