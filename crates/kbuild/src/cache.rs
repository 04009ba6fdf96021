//! Built kernels kept between bisections. A kernel is a function of its source tree, its config
//! (after the per-release fixes), the toolchain and the fixed build environment
//! ([`crate::build_kernel`] removes everything else), so a commit built by an earlier bisection
//! (a release tag every cause bisection tests, the same range bisected for another crash) is not
//! built again. CI operators bisect many crashes over the same trees; this is where most of their
//! build time goes.
//!
//! An entry is a directory `ROOT/KEY/` with `bzImage`, `vmlinux` and `kernel.txt` (signature,
//! `compiler:` line, the commit it was built from). Entries are written to a temporary directory
//! and renamed into place, so a reader never sees half an entry; the least recently used ones are
//! removed once the cache is over its size cap. Files in it are never changed in place, so
//! callers may hard-link them.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use sha2::{Digest, Sha256};

use crate::build::Kernel;
use crate::compiler::Compiler;

/// Bumped when what goes into a kernel changes in culprit (build environment, flags, layout).
const FORMAT: &str = "culprit-kernel-cache 1";
const META: &str = "kernel.txt";

/// The cache directory and its size cap.
#[derive(Clone, Debug)]
pub struct KernelCache {
    root: PathBuf,
    cap_bytes: u64,
}

/// A kernel found in (or just put into) the cache.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CachedKernel {
    /// `ROOT/KEY/bzImage`.
    pub bzimage: PathBuf,
    /// `ROOT/KEY/vmlinux`.
    pub vmlinux: PathBuf,
    /// The kernel signature (hex).
    pub signature: String,
    /// The `compiler: ...` value of the build.
    pub compiler_line: String,
    /// The commit it was built from (another commit with the same tree may ask for it).
    pub commit: String,
}

impl KernelCache {
    /// The cache in `root` (created if needed), keeping at most `cap_bytes` of kernels.
    pub fn open(root: &Path, cap_bytes: u64) -> std::io::Result<KernelCache> {
        std::fs::create_dir_all(root)?;
        Ok(KernelCache {
            root: root.to_path_buf(),
            cap_bytes,
        })
    }

    /// The cache directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The key of a kernel: the tree's object id, the config text make starts from, the
    /// toolchain's identity ([`toolchain_id`]) and the target architecture.
    pub fn key(tree: &str, config: &str, toolchain: &str, arch: &str) -> String {
        let mut h = Sha256::new();
        for part in [FORMAT, tree, config, toolchain, arch] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        h.finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    }

    /// The kernel stored under `key`, marked as just used; `None` when absent or incomplete.
    pub fn get(&self, key: &str) -> Option<CachedKernel> {
        let dir = self.root.join(key);
        let text = std::fs::read_to_string(dir.join(META)).ok()?;
        let field = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name)?.strip_prefix('='))
                .map(str::to_string)
        };
        let kernel = CachedKernel {
            bzimage: dir.join("bzImage"),
            vmlinux: dir.join("vmlinux"),
            signature: field("signature")?,
            compiler_line: field("compiler").unwrap_or_default(),
            commit: field("commit").unwrap_or_default(),
        };
        if !kernel.bzimage.is_file() || !kernel.vmlinux.is_file() {
            return None;
        }
        // The metadata file's mtime is the entry's last use, for pruning.
        if let Ok(f) = std::fs::File::options().append(true).open(dir.join(META)) {
            let _ = f.set_modified(SystemTime::now());
        }
        Some(kernel)
    }

    /// Stores a copy of `kernel` (built from `commit`) under `key`, then removes the least
    /// recently used entries beyond the cap (never this one). An entry another process stored
    /// meanwhile under the same key is kept and returned.
    pub fn put(&self, key: &str, commit: &str, kernel: &Kernel) -> std::io::Result<CachedKernel> {
        let tmp = self.root.join(format!(".tmp-{}-{key}", std::process::id()));
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp)?;
        }
        std::fs::create_dir_all(&tmp)?;
        let written = (|| {
            // Copies, not links: the next build in the build directory rewrites these files.
            std::fs::copy(&kernel.bzimage, tmp.join("bzImage"))?;
            std::fs::copy(&kernel.vmlinux, tmp.join("vmlinux"))?;
            let compiler = kernel.compiler_line.replace('\n', " ");
            std::fs::write(
                tmp.join(META),
                format!(
                    "signature={}\ncompiler={compiler}\ncommit={commit}\n",
                    kernel.signature
                ),
            )
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e);
        }
        let dir = self.root.join(key);
        if std::fs::rename(&tmp, &dir).is_err() {
            // Another culprit stored it first (rename onto a non-empty directory fails).
            let _ = std::fs::remove_dir_all(&tmp);
        }
        let stored = self.get(key).ok_or_else(|| {
            std::io::Error::other(format!(
                "kernel cache entry {} is incomplete",
                dir.display()
            ))
        })?;
        self.prune(key);
        Ok(stored)
    }

    /// Total bytes of the complete entries.
    pub fn size(&self) -> u64 {
        self.entries().iter().map(|e| e.2).sum()
    }

    /// (key, last use, bytes) of every complete entry.
    fn entries(&self) -> Vec<(String, SystemTime, u64)> {
        let Ok(dir) = std::fs::read_dir(&self.root) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for e in dir.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let Ok(used) = std::fs::metadata(e.path().join(META)).and_then(|m| m.modified()) else {
                continue;
            };
            let bytes = std::fs::read_dir(e.path())
                .map(|files| {
                    files
                        .flatten()
                        .filter_map(|f| f.metadata().ok())
                        .map(|m| m.len())
                        .sum()
                })
                .unwrap_or(0);
            out.push((name, used, bytes));
        }
        out
    }

    /// Removes least recently used entries (not `keep`) until the cache fits its cap.
    fn prune(&self, keep: &str) {
        let mut entries = self.entries();
        let mut total: u64 = entries.iter().map(|e| e.2).sum();
        entries.sort_by_key(|e| e.1);
        for (key, _, bytes) in entries {
            if total <= self.cap_bytes {
                break;
            }
            if key == keep {
                continue;
            }
            if std::fs::remove_dir_all(self.root.join(&key)).is_ok() {
                total = total.saturating_sub(bytes);
            }
        }
    }
}

/// The identity of a toolchain for the cache key: the first lines of `CC --version` and
/// `ld --version` (what the kernel records as its compiler), or `None` when the compiler does
/// not run.
pub fn toolchain_id(compiler: &Compiler) -> Option<String> {
    let first_line = |cmd: &std::ffi::OsStr| -> Option<String> {
        let out = std::process::Command::new(cmd)
            .arg("--version")
            .env("LC_ALL", "C")
            .output()
            .ok()?;
        out.status.success().then(|| {
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .next()
                .unwrap_or_default()
                .trim()
                .to_string()
        })
    };
    let cc = first_line(&compiler.command())?;
    let ld = first_line(std::ffi::OsStr::new("ld")).unwrap_or_default();
    Some(format!(
        "{} | {cc} | {ld}",
        compiler.command().to_string_lossy()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature::Signature;
    use std::time::Duration;

    fn kernel(dir: &Path, name: &str, bytes: usize) -> Kernel {
        let bz = dir.join(format!("{name}.bz"));
        let vm = dir.join(format!("{name}.vmlinux"));
        std::fs::write(&bz, vec![1u8; bytes]).expect("write");
        std::fs::write(&vm, vec![2u8; bytes]).expect("write");
        Kernel {
            bzimage: bz,
            vmlinux: vm,
            compiler_line: format!("gcc {name}"),
            signature: Signature([name.len() as u8; 32]),
            log: dir.join("log"),
            duration: Duration::ZERO,
        }
    }

    #[test]
    fn keys_change_with_every_input() {
        let base = KernelCache::key("t", "c", "gcc", "x86_64");
        assert_eq!(base, KernelCache::key("t", "c", "gcc", "x86_64"));
        for other in [
            KernelCache::key("u", "c", "gcc", "x86_64"),
            KernelCache::key("t", "d", "gcc", "x86_64"),
            KernelCache::key("t", "c", "clang", "x86_64"),
            KernelCache::key("t", "c", "gcc", "i386"),
            // Field boundaries count: "tc" + "" is not "t" + "c".
            KernelCache::key("tc", "", "gcc", "x86_64"),
        ] {
            assert_ne!(base, other);
        }
    }

    #[test]
    fn put_then_get_and_least_recently_used_go_first() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = KernelCache::open(&dir.path().join("cache"), 2500).expect("open");
        assert_eq!(cache.get("a"), None);
        let a = cache
            .put("a", "c1", &kernel(dir.path(), "a", 500))
            .expect("put");
        assert_eq!(std::fs::read(&a.bzimage).expect("read"), vec![1u8; 500]);
        assert_eq!(a.compiler_line, "gcc a");
        assert_eq!(a.commit, "c1");
        assert_eq!(cache.get("a").as_ref(), Some(&a));
        // Make "a" older than "b", then use "a": "b" is the least recently used.
        let meta = |k: &str| {
            std::fs::File::options()
                .append(true)
                .open(cache.root().join(k).join(META))
                .expect("meta")
        };
        cache
            .put("b", "c2", &kernel(dir.path(), "bb", 500))
            .expect("put");
        let old = SystemTime::now() - Duration::from_secs(60);
        meta("a").set_modified(old).expect("mtime");
        meta("b")
            .set_modified(old + Duration::from_secs(1))
            .expect("mtime");
        assert!(cache.get("a").is_some());
        // A third kernel goes over 2,500 bytes: "b" is removed, "a" and "c" stay.
        cache
            .put("c", "c3", &kernel(dir.path(), "ccc", 500))
            .expect("put");
        assert!(cache.get("b").is_none());
        assert!(cache.get("a").is_some());
        assert!(cache.get("c").is_some());
        assert!(cache.size() <= 2500, "{}", cache.size());
        // An entry larger than the cap is still kept while it is the one just stored.
        cache
            .put("d", "c4", &kernel(dir.path(), "dddd", 3000))
            .expect("put");
        assert!(cache.get("d").is_some());
        assert!(cache.get("a").is_none() && cache.get("c").is_none());
    }

    #[test]
    fn an_incomplete_entry_is_a_miss() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = KernelCache::open(dir.path(), 1 << 20).expect("open");
        let k = cache
            .put("k", "c", &kernel(dir.path(), "k", 10))
            .expect("put");
        std::fs::remove_file(&k.vmlinux).expect("rm");
        assert_eq!(cache.get("k"), None);
    }
}
