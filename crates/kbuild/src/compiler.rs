//! Which compiler builds a commit (flag or syzbot's table by reachable release, reference §7.1),
//! and the `compiler: ...` line syzbot prints.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::release::{Reachable, Release};

/// The C compiler given to `make CC=...`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Compiler {
    /// `gcc` from `PATH`.
    Gcc,
    /// `clang` from `PATH` (the linker stays GNU ld, as on syzbot).
    Clang,
    /// A compiler binary given by path (or a bare name looked up in `PATH`).
    Path(PathBuf),
}

impl Compiler {
    /// Parses the `--compiler` flag: `gcc`, `clang`, or anything else as a path.
    pub fn from_flag(flag: &str) -> Compiler {
        match flag {
            "gcc" => Compiler::Gcc,
            "clang" => Compiler::Clang,
            other => Compiler::Path(PathBuf::from(other)),
        }
    }

    /// The command run as `CC`.
    pub fn command(&self) -> OsString {
        match self {
            Compiler::Gcc => "gcc".into(),
            Compiler::Clang => "clang".into(),
            Compiler::Path(p) => p.as_os_str().to_owned(),
        }
    }

    /// The compiler *type* syzbot prints after `testing commit HASH`: `gcc` or `clang`.
    pub fn kind(&self) -> CompilerKind {
        match self {
            Compiler::Gcc => CompilerKind::Gcc,
            Compiler::Clang => CompilerKind::Clang,
            Compiler::Path(p) => {
                let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
                if name.is_some_and(|n| n.contains("clang")) {
                    CompilerKind::Clang
                } else {
                    CompilerKind::Gcc
                }
            }
        }
    }
}

/// Compiler family.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CompilerKind {
    /// GCC.
    Gcc,
    /// Clang/LLVM.
    Clang,
}

impl CompilerKind {
    /// `gcc` / `clang`.
    pub fn as_str(self) -> &'static str {
        match self {
            CompilerKind::Gcc => "gcc",
            CompilerKind::Clang => "clang",
        }
    }
}

/// What a compiler-table rule picks.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CompilerPick {
    /// The default compiler of the run (the `--compiler` flag).
    Default,
    /// A path under the compilers' bin directory (`BIN/gcc-8.1.0/bin/gcc` style names are the
    /// caller's layout: the entry is joined to the bin directory as is).
    BinDir(&'static str),
    /// A bare command name looked up in `PATH`.
    Bare(&'static str),
}

/// One row of the compiler table: for `kind`, if `since` is reachable (or `since` is `None`,
/// the catch-all), use `pick`. Rows are tried in order; the first match wins.
#[derive(Clone, Copy, Debug)]
pub struct CompilerRule {
    /// Compiler family the row is for.
    pub kind: CompilerKind,
    /// Release that must be reachable; `None` matches everything (the "older" row).
    pub since: Option<Release>,
    /// The compiler.
    pub pick: CompilerPick,
}

/// syzbot's compiler-by-release table (reference §7.1), as data.
pub const COMPILER_TABLE: &[CompilerRule] = &[
    rule(
        CompilerKind::Gcc,
        Some(Release::new(5, 16)),
        CompilerPick::Default,
    ),
    rule(
        CompilerKind::Gcc,
        Some(Release::new(5, 9)),
        CompilerPick::BinDir("gcc-10.1.0/bin/gcc"),
    ),
    rule(
        CompilerKind::Gcc,
        Some(Release::new(4, 12)),
        CompilerPick::BinDir("gcc-8.1.0/bin/gcc"),
    ),
    rule(
        CompilerKind::Gcc,
        Some(Release::new(4, 11)),
        CompilerPick::BinDir("gcc-7.3.0/bin/gcc"),
    ),
    rule(
        CompilerKind::Gcc,
        None,
        CompilerPick::BinDir("gcc-5.5.0/bin/gcc"),
    ),
    rule(
        CompilerKind::Clang,
        Some(Release::new(6, 15)),
        CompilerPick::Default,
    ),
    rule(
        CompilerKind::Clang,
        Some(Release::new(5, 9)),
        CompilerPick::Bare("clang-15"),
    ),
    rule(
        CompilerKind::Clang,
        None,
        CompilerPick::BinDir("llvm-9.0.1/bin/clang"),
    ),
];

const fn rule(kind: CompilerKind, since: Option<Release>, pick: CompilerPick) -> CompilerRule {
    CompilerRule { kind, since, pick }
}

/// The compiler for a commit by `table` (normally [`COMPILER_TABLE`]): the first row of the
/// default compiler's kind whose release is reachable. With no reachable release at all (a tree
/// without release tags) the default is kept: there is nothing to date the commit by.
pub fn compiler_for_commit(
    table: &[CompilerRule],
    default: &Compiler,
    reachable: &Reachable,
    bin_dir: &Path,
) -> Compiler {
    if reachable.is_empty() {
        return default.clone();
    }
    let kind = default.kind();
    let row = table
        .iter()
        .filter(|r| r.kind == kind)
        .find(|r| r.since.is_none_or(|since| reachable.has_reached(since)));
    match row.map(|r| r.pick) {
        None | Some(CompilerPick::Default) => default.clone(),
        Some(CompilerPick::BinDir(rel)) => Compiler::Path(bin_dir.join(rel)),
        Some(CompilerPick::Bare(name)) => Compiler::Path(PathBuf::from(name)),
    }
}

/// The `compiler: ...` value as syzbot prints it: the kernel's `LINUX_COMPILER` string from
/// `BUILD/include/generated/compile.h` (compiler and linker version lines, e.g.
/// `gcc (Debian 12.2.0-14+deb12u1) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40`), or `None`
/// when the build did not get that far.
pub fn compiler_line_from_build(build_dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(build_dir.join("include/generated/compile.h")).ok()?;
    text.lines().find_map(|line| {
        let rest = line.strip_prefix("#define")?.trim_start();
        let rest = rest.strip_prefix("LINUX_COMPILER")?;
        if !rest.starts_with([' ', '\t']) {
            return None;
        }
        let rest = rest.trim();
        let inner = rest.strip_prefix('"')?.strip_suffix('"')?;
        Some(inner.replace("\\\"", "\""))
    })
}

/// The fallback syzbot uses when `compile.h` is missing: the first line of `CC --version`.
pub fn compiler_version_line(compiler: &Compiler) -> Option<String> {
    let out = std::process::Command::new(compiler.command())
        .arg("--version")
        .env("LC_ALL", "C")
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
}
