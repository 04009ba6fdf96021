//! The root cause of a failed kernel build: the first compiler or linker error, with its
//! file:line, instead of the last lines of make's output (syzbot's extraction, reference §5.1).

use std::path::Path;

/// Markers of an error line, as syzbot extracts them.
const ERROR_MARKERS: &[&str] = &[
    ": error: ",
    ": fatal error: ",
    "undefined reference to",
    "No rule to make target",
    "Killed",
    "No space left on device",
    "multiple definition of",
];

/// At most this many error lines are kept (syzbot keeps up to 20).
pub const MAX_ERROR_LINES: usize = 20;

/// What went wrong in a failed build.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct RootCause {
    /// The first error line (paths relative to the source tree), or a fallback line when no known
    /// error marker is present.
    pub line: String,
    /// Up to [`MAX_ERROR_LINES`] error lines, in order (the first is `line`).
    pub errors: Vec<String>,
}

/// Extracts the root cause from make's combined output. `source_dir` and `build_dir` prefixes are
/// stripped from paths so the line is the same for every worktree.
pub fn extract_root_cause(output: &str, source_dir: &Path, build_dir: &Path) -> RootCause {
    // Absolute paths, and the source dir relative to the build dir (what the compiler prints
    // when ccache's base_dir rewrote its arguments), longest first.
    let prefixes = [
        dir_prefix(source_dir),
        dir_prefix(build_dir),
        relative_prefix(build_dir, source_dir),
    ];
    let clean = |line: &str| -> String {
        let mut s = line.trim_end().to_string();
        for p in prefixes.iter().flatten() {
            s = s.replace(p.as_str(), "");
        }
        let s = s.trim_start();
        s.strip_prefix("../").unwrap_or(s).to_string()
    };
    let errors: Vec<String> = output
        .lines()
        .filter(|l| ERROR_MARKERS.iter().any(|m| l.contains(m)))
        .map(clean)
        .take(MAX_ERROR_LINES)
        .collect();
    if let Some(first) = errors.first() {
        return RootCause {
            line: first.clone(),
            errors,
        };
    }
    // No known marker: the first specific make error ("*** ..." that is not the generic
    // "[target] Error N" chain), else the last non-empty line.
    let fallback = output
        .lines()
        .find(|l| l.contains("***") && !is_generic_make_error(l))
        .or_else(|| output.lines().rev().find(|l| !l.trim().is_empty()))
        .map(clean)
        .unwrap_or_else(|| "build failed without output".to_string());
    RootCause {
        line: fallback.clone(),
        errors: vec![fallback],
    }
}

fn is_generic_make_error(line: &str) -> bool {
    let l = line.trim();
    (l.contains("*** [") && l.contains("] Error "))
        || l.ends_with("Waiting for unfinished jobs....")
}

fn dir_prefix(dir: &Path) -> Option<String> {
    let s = dir.to_str()?;
    if s.is_empty() || s == "/" {
        return None;
    }
    Some(format!("{}/", s.trim_end_matches('/')))
}

/// `to` relative to `from` as a `../`-prefix ending in `/`, e.g. `/w/b` → `/w/src` gives `../src/`.
pub(crate) fn relative_prefix(from: &Path, to: &Path) -> Option<String> {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    if common == 0 || common == to.len() {
        return None;
    }
    let mut s = "../".repeat(from.len() - common);
    for c in &to[common..] {
        s.push_str(&c.as_os_str().to_string_lossy());
        s.push('/');
    }
    Some(s)
}
