//! The real MAINTAINERS of Debian's linux-source-6.1, for a few known files.

#![allow(clippy::expect_used)] // test setup failures should panic with their reason

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use culprit_maintainers::{LKML, Maintainers, Role, split_recipients};

const TARBALL: &str = "/usr/src/linux-source-6.1.tar.xz";

/// The tree of the kernel e2e fixture when it was prepared, else MAINTAINERS from the tarball.
fn source() -> Option<&'static (String, Option<PathBuf>)> {
    static SRC: OnceLock<Option<(String, Option<PathBuf>)>> = OnceLock::new();
    SRC.get_or_init(|| {
        let cache = std::env::var_os("CULPRIT_E2E_CACHE")
            .map_or_else(|| PathBuf::from("/var/tmp/culprit-e2e"), PathBuf::from);
        let tree = cache.join("linux");
        if let Ok(text) = std::fs::read_to_string(tree.join("MAINTAINERS")) {
            return Some((text, Some(tree)));
        }
        if !Path::new(TARBALL).exists() {
            eprintln!("SKIPPED: {TARBALL} missing (apt-get install linux-source-6.1)");
            return None;
        }
        let out = Command::new("tar")
            .args(["-xOf", TARBALL, "linux-source-6.1/MAINTAINERS"])
            .output()
            .expect("tar");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some((String::from_utf8(out.stdout).expect("utf-8"), None))
    })
    .as_ref()
}

fn titles(m: &Maintainers, file: &str) -> Vec<String> {
    m.sections_for(file, None)
        .iter()
        .map(|s| s.title.clone())
        .collect()
}

#[test]
fn known_files() {
    let Some((text, _)) = source() else { return };
    let m = Maintainers::parse(text);
    assert!(m.sections().len() > 2500, "{}", m.sections().len());

    // fs/proc/version.c: PROC FILESYSTEM (F: fs/proc/) only; the VFS section's `F: fs/*` covers
    // files directly in fs/, not below (slash-count rule).
    assert_eq!(titles(&m, "fs/proc/version.c"), ["PROC FILESYSTEM"]);
    let r = m.recipients(&["fs/proc/version.c"], None);
    let emails: Vec<(&str, &str)> = r
        .iter()
        .map(|r| (r.email.as_str(), r.role.as_str()))
        .collect();
    assert_eq!(
        emails,
        [
            (LKML, "open list"),
            ("linux-fsdevel@vger.kernel.org", "open list")
        ]
    );
    let split = split_recipients(&r);
    assert_eq!(split.to, ["linux-fsdevel@vger.kernel.org"]);
    assert_eq!(split.cc, [LKML]);

    // kernel/sched/core.c: SCHEDULER; maintainers To, reviewers Cc, LKML the only list -> To.
    assert_eq!(titles(&m, "kernel/sched/core.c")[0], "SCHEDULER");
    let r = m.recipients(&["kernel/sched/core.c"], None);
    let peterz = r
        .iter()
        .find(|r| r.email == "peterz@infradead.org")
        .expect("peterz");
    assert_eq!(peterz.role, Role::Maintainer);
    assert_eq!(peterz.name.as_deref(), Some("Peter Zijlstra"));
    assert_eq!(
        peterz.to_string(),
        "Peter Zijlstra <peterz@infradead.org> (maintainer:SCHEDULER)"
    );
    let split = split_recipients(&r);
    for to in [
        "mingo@redhat.com",
        "peterz@infradead.org",
        "juri.lelli@redhat.com",
        LKML,
    ] {
        assert!(
            split.to.iter().any(|t| t == to),
            "{to} not in To: {:?}",
            split.to
        );
    }
    for cc in [
        "rostedt@goodmis.org",
        "mgorman@suse.de",
        "vschneid@redhat.com",
    ] {
        assert!(
            split.cc.iter().any(|c| c == cc),
            "{cc} not in Cc: {:?}",
            split.cc
        );
    }
    let mut sorted = split.to.clone();
    sorted.sort();
    assert_eq!(sorted, split.to);

    // drivers/tty/serial/8250/8250_core.c: "F: drivers/tty/serial/8250*" has fewer slashes than
    // the file, so it does not match; the serial and tty directory patterns do.
    let t = titles(&m, "drivers/tty/serial/8250/8250_core.c");
    assert!(!t.iter().any(|s| s.starts_with("8250/16?50")), "{t:?}");
    assert!(t.iter().any(|s| s == "SERIAL DRIVERS"), "{t:?}");
    assert!(t.iter().any(|s| s == "TTY LAYER"), "{t:?}");
    // ...but a file directly in drivers/tty/serial/ does.
    let t = titles(&m, "drivers/tty/serial/8250_xyz.c");
    assert!(t.iter().any(|s| s.starts_with("8250/16?50")), "{t:?}");

    // A top-level file only has THE REST.
    assert_eq!(titles(&m, "CREDITS"), ["THE REST"]);
    let r = m.recipients(&["CREDITS"], None);
    assert_eq!(r[0].role, Role::ChiefPenguin);
    let split = split_recipients(&r);
    assert_eq!(split.to, [LKML]);
    assert_eq!(split.cc, ["torvalds@linux-foundation.org"]);
}

#[test]
fn regex_exclusion_keywords_and_lists() {
    let Some((text, _)) = source() else { return };
    let m = Maintainers::parse(text);

    // N: [^a-z]tegra (regex on the path) matches the DRM tegra driver.
    let t = titles(&m, "drivers/gpu/drm/tegra/dc.c");
    assert!(t.iter().any(|s| s == "TEGRA ARCHITECTURE SUPPORT"), "{t:?}");
    // ... but not "integrator".
    let t = titles(&m, "drivers/clk/versatile/clk-integrator.c");
    assert!(
        !t.iter().any(|s| s == "TEGRA ARCHITECTURE SUPPORT"),
        "{t:?}"
    );

    // X: drivers/media/i2c/ keeps the i.MX section off an imx sensor driver that N: imx matches.
    let t = titles(&m, "drivers/media/i2c/imx219.c");
    assert!(
        !t.iter().any(|s| s.starts_with("ARM/FREESCALE IMX")),
        "{t:?}"
    );
    let t = titles(&m, "drivers/soc/imx/soc-imx8m.c");
    assert!(
        t.iter().any(|s| s.starts_with("ARM/FREESCALE IMX")),
        "{t:?}"
    );
    let r = m.recipients(&["drivers/soc/imx/soc-imx8m.c"], None);
    let arm = r
        .iter()
        .find(|r| r.email == "linux-arm-kernel@lists.infradead.org")
        .expect("arm list");
    assert_eq!(arm.role, Role::ModeratedList);

    // K: keywords match the changed lines of a patch, not the context or the file name.
    let section = m
        .sections()
        .iter()
        .find(|s| {
            s.entries
                .iter()
                .any(|e| e.tag == 'K' && e.value == r"\bdma_(?:buf|fence|resv)\b")
        })
        .expect("the DMA BUFFER SHARING section has a K: line");
    let patch = "--- a/foo/bar.c\n+++ b/foo/bar.c\n@@ -1,2 +1,2 @@\n struct dma_fence *g;\n-\tx = 1;\n+\tstruct dma_fence *f;\n";
    let context_only = "--- a/foo/bar.c\n+++ b/foo/bar.c\n@@ -1,2 +1,2 @@\n struct dma_fence *g;\n-\tx = 1;\n+\tx = 2;\n";
    let with = |p: Option<&str>| -> Vec<String> {
        m.sections_for("foo/bar.c", p)
            .iter()
            .map(|s| s.title.clone())
            .collect()
    };
    assert!(!with(None).contains(&section.title));
    assert!(!with(Some(context_only)).contains(&section.title));
    assert!(
        with(Some(patch)).contains(&section.title),
        "{:?}",
        with(Some(patch))
    );
}

#[test]
fn from_tree_detects_directories() {
    let Some((_, Some(tree))) = source() else {
        eprintln!("SKIPPED from_tree: the e2e fixture tree is not prepared");
        return;
    };
    let m = Maintainers::from_tree(tree).expect("read MAINTAINERS");
    assert_eq!(titles(&m, "fs/proc/version.c"), ["PROC FILESYSTEM"]);
    let err = Maintainers::from_tree(Path::new("/nonexistent")).expect_err("missing");
    assert!(
        err.to_string()
            .starts_with("cannot read /nonexistent/MAINTAINERS"),
        "{err}"
    );
}
