//! A kernel slot's build step: the commit's kernel from the kernel cache when an earlier
//! bisection built the same tree with the same config and toolchain, otherwise checked out and
//! built in the slot's build directory with syzbot's per-release config fixes (and compiler, with
//! `--compiler-bin`), then kept in the state directory and stored in the cache.

use std::path::Path;

use culprit_exec::Cancel;
use culprit_git::{Checkouts, CommitId, Repo};
use culprit_kbuild::{
    BuildError, BuildOptions, COMPILER_TABLE, CONFIG_FIXES, CachedKernel, KernelCache, Reachable,
    build_kernel, compiler_for_commit, fixes_for,
};

use super::setup::{BUILD_DIR, KernelSetup, vmlinux_path};
use crate::SlotFailure;
use crate::backend::Job;
use crate::backend::{Built, Halt};

/// Release tags reachable from `commit` (`git tag --merged COMMIT --list 'v*'`), for syzbot's
/// per-release tables. A tree without release tags gives an empty set (then only the
/// unconditional config fixes apply and the default compiler is kept).
pub(super) fn reachable_releases(
    git_dir: &Path,
    commit: CommitId,
) -> Result<Reachable, culprit_git::Error> {
    let tags = Repo::open(git_dir)?.tags_merged_into(commit, "v*")?;
    Ok(Reachable::from_tags(tags.iter().map(String::as_str)))
}

/// The kernel cache key of the tree `tree` built with `opts` and `fixes`, or `None` (no cache, or the
/// compiler does not run: the build then reports it).
fn cache_key(
    k: &KernelSetup,
    tree: &str,
    fixes: &[&culprit_kbuild::ConfigFix],
    opts: &BuildOptions,
) -> Option<String> {
    k.cache.as_ref()?;
    let config = std::fs::read_to_string(&k.config).ok()?;
    let config = culprit_kbuild::apply_config_fixes(&config, fixes);
    let cc = opts.compiler.command().to_string_lossy().into_owned();
    let toolchain = {
        let mut memo = k.toolchains.lock().ok()?;
        memo.entry(cc)
            .or_insert_with(|| culprit_kbuild::toolchain_id(&opts.compiler))
            .clone()?
    };
    Some(KernelCache::key(tree, &config, &toolchain, &opts.arch))
}

/// Puts a cached kernel's files at `image` and `vmlinux` in the state directory: hard links
/// (cache files never change in place), copies across file systems.
fn link_kernel(hit: &CachedKernel, image: &Path, vmlinux: &Path) -> std::io::Result<()> {
    for (from, to) in [(&hit.bzimage, image), (&hit.vmlinux, vmlinux)] {
        let _ = std::fs::remove_file(to);
        if std::fs::hard_link(from, to).is_err() {
            std::fs::copy(from, to)?;
        }
    }
    Ok(())
}

/// Whether a failed build ran out of disk space (make's log says so).
/// How the C library words `ENOSPC`, in build logs and I/O errors alike.
const ENOSPC: &str = "No space left on device";

fn out_of_space(f: &culprit_kbuild::BuildFailure) -> bool {
    f.root_cause.line.contains(ENOSPC)
        || std::fs::read(&f.log)
            .map(|b| String::from_utf8_lossy(&b).contains(ENOSPC))
            .unwrap_or(false)
}

/// An infrastructure error described in words.
fn failed(message: String) -> Halt {
    Halt::Failed(SlotFailure::Kernel(message.into()))
}

/// Puts `commit`'s kernel at `image` (and its vmlinux beside it): from the kernel cache when an
/// earlier bisection built the same tree with the same config and toolchain, otherwise checked
/// out and built in the slot's build directory (then stored in the cache). A build that fails
/// is a `Built` that is not `ok` (the commit is skipped); a machine that fails is a [`Halt`].
pub(super) fn build_or_take(
    slot: usize,
    job: &Job,
    hex: &str,
    image: &Path,
    checkouts: &Checkouts,
    k: &KernelSetup,
    cancel: &Cancel,
) -> Result<Built, Halt> {
    let started = std::time::Instant::now();
    // syzbot's per-release tables: config fixes always, the compiler when --compiler-bin.
    let reachable = reachable_releases(&k.git_dir, job.commit)
        .map_err(|e| Halt::Failed(SlotFailure::Git(e)))?;
    let fixes = fixes_for(CONFIG_FIXES, &reachable);
    let mut opts = k.build.clone();
    if let Some(bin) = &k.compiler_bin {
        opts.compiler = compiler_for_commit(COMPILER_TABLE, &opts.compiler, &reachable, bin);
    }
    let vmlinux = vmlinux_path(&k.kernels, hex);
    let key = cache_key(k, &job.tree, &fixes, &opts);
    // `cached`: the note saying where the kernel was taken from, when it was not built.
    let built = |signature: String, compiler: String, secs: f64, cached: Option<String>| {
        if let Ok(mut built) = k.built.lock() {
            built.insert(hex.to_string(), (signature.clone(), compiler.clone()));
        }
        let reused = cached.is_some();
        let mut notes: Vec<String> = cached.into_iter().collect();
        notes.push(format!("compiler: {compiler}"));
        Built {
            ok: true,
            artifact: Some(signature),
            error_lines: Vec::new(),
            secs,
            reused,
            notes,
        }
    };
    if let (Some(cache), Some(key)) = (&k.cache, &key)
        && let Some(hit) = cache.get(key)
        && link_kernel(&hit, image, &vmlinux).is_ok()
    {
        let from = if hit.commit == hex {
            String::new()
        } else {
            format!(" for {}", hit.commit.get(..12).unwrap_or(&hit.commit))
        };
        let note = format!("kernel taken from the cache (built{from} by an earlier bisection)");
        return Ok(built(hit.signature, hit.compiler_line, 0.0, Some(note)));
    }
    // The build directory is outside the checkout, so a full clean of the source is cheap
    // and keeps the out-of-tree build valid.
    let dir = checkouts.checkout(slot, job.commit)?;
    let build_dir = k.slots.join(format!("slot-{slot}")).join(BUILD_DIR);
    match build_kernel(&dir, &build_dir, &k.config, &fixes, &opts, cancel) {
        Ok(kernel) => {
            let stored = match (&k.cache, &key) {
                (Some(cache), Some(key)) => cache.put(key, hex, &kernel).ok(),
                _ => None,
            };
            let placed = match &stored {
                Some(entry) => link_kernel(entry, image, &vmlinux),
                // The vmlinux is kept too: the culprit's symbolizes the final report.
                None => std::fs::copy(&kernel.bzimage, image)
                    .and_then(|_| std::fs::copy(&kernel.vmlinux, &vmlinux))
                    .map(|_| ()),
            };
            if let Err(e) = placed {
                return Err(failed(format!(
                    "cannot keep the kernel in {}: {e}",
                    k.kernels.display()
                )));
            }
            Ok(built(
                kernel.signature.to_string(),
                kernel.compiler_line.clone(),
                kernel.duration.as_secs_f64(),
                None,
            ))
        }
        Err(BuildError::Cancelled) => Err(Halt::Cancelled),
        Err(BuildError::Failed(f)) if out_of_space(&f) => {
            // Not the commit's fault: an infrastructure error, never a skip.
            Err(failed(format!(
                "no space left on device while building in {} ({})",
                build_dir.display(),
                f.root_cause.line
            )))
        }
        Err(BuildError::Failed(f)) => {
            let mut built =
                Built::failed(vec![f.root_cause.line.clone()], f.duration.as_secs_f64());
            built.notes = f
                .compiler_line
                .iter()
                .map(|c| format!("compiler: {c}"))
                .collect();
            Ok(built)
        }
        Err(e @ BuildError::TimedOut { .. }) => Ok(Built::failed(
            vec![e.to_string()],
            started.elapsed().as_secs_f64(),
        )),
        // make could not even start or log (its log file on a full disk, say).
        Err(e) if e.to_string().contains(ENOSPC) => Err(failed(format!(
            "no space left on device while building in {} ({e})",
            build_dir.display()
        ))),
        Err(e) => Err(Halt::Failed(SlotFailure::Kernel(Box::new(e)))),
    }
}
