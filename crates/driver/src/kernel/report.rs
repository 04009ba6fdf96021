//! The final crash report of a kernel culprit, and the kept vmlinux files it needs.

use std::path::Path;

use super::setup::vmlinux_path;

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
pub(super) fn tree_relative(text: &str) -> String {
    static SLOT_PREFIX: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?m)(^|[\s(])(?:[^\s(]*/)?(?:slot-\d+/src/|checkouts/slot-\d+/|(?:build/)?(?:\.\./)+src/)",
        )
        .unwrap_or_else(|e| unreachable!("a fixed pattern: {e}"))
    });
    SLOT_PREFIX.replace_all(text, "$1").into_owned()
}
