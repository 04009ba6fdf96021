//! Bad input to `culprit bisect --kernel`, through the binary: each is one clear line on stderr,
//! exit status 2, and nothing recorded — a missing config, a reproducer that does not compile,
//! QEMU not installed (a `PATH` without it), no space for the build directory (a 16 MiB tmpfs
//! in a private mount namespace). No kernel is built, so this runs in the default `cargo test`.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Setup {
    dir: tempfile::TempDir,
    config: PathBuf,
    repro: PathBuf,
    broken: PathBuf,
}

impl Setup {
    fn repo(&self) -> PathBuf {
        self.dir.path().join("repo")
    }

    fn scratch(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// A two-commit git repository and the inputs, outside it.
fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    let git = |args: &[&str]| {
        let st = Command::new("git")
            .arg("-C")
            .arg(&repo)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
            .args(args)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .status()
            .unwrap();
        assert!(st.success(), "git {args:?}");
    };
    git(&["init", "-q", "-b", "main"]);
    for n in ["1", "2"] {
        std::fs::write(repo.join("a.txt"), n).unwrap();
        git(&["add", "a.txt"]);
        git(&["commit", "-q", "-m", n]);
    }
    let config = dir.path().join("kernel.config");
    std::fs::write(&config, "CONFIG_64BIT=y\n").unwrap();
    let repro = dir.path().join("repro.c");
    std::fs::write(&repro, "int main(void) { return 0; }\n").unwrap();
    let broken = dir.path().join("broken.c");
    std::fs::write(&broken, "int main(void) { return missing; }\n").unwrap();
    Setup {
        dir,
        config,
        repro,
        broken,
    }
}

fn args(s: &Setup, config: &Path, repro: &Path, state: &Path) -> Vec<std::ffi::OsString> {
    let mut v: Vec<std::ffi::OsString> = ["bisect", "--kernel", "--repo"]
        .iter()
        .map(Into::into)
        .collect();
    v.push(s.repo().into());
    for a in ["--bad", "HEAD", "--good", "HEAD~1", "--config"] {
        v.push(a.into());
    }
    v.push(config.into());
    v.push("--repro".into());
    v.push(repro.into());
    v.push("--state".into());
    v.push(state.into());
    v
}

/// Exit 2 and exactly one `culprit: ...` line on stderr; returns that line.
fn one_line_error(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(lines[0].starts_with("culprit: "), "{stderr}");
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    lines[0].to_string()
}

/// The refused bisection left nothing to resume.
fn nothing_recorded(s: &Setup, state: &Path) {
    let out = culprit()
        .args(["bisect", "--resume", "--state"])
        .arg(state)
        .arg("--repo")
        .arg(s.repo())
        .output()
        .unwrap();
    let line = one_line_error(&out);
    assert!(line.contains("nothing to resume"), "{line}");
}

fn culprit() -> Command {
    Command::new(env!("CARGO_BIN_EXE_culprit"))
}

#[test]
fn a_missing_config_is_one_line() {
    let s = setup();
    let state = tempfile::tempdir().unwrap();
    let missing = s.scratch("no-such.config");
    let out = culprit()
        .args(args(&s, &missing, &s.repro, state.path()))
        .output()
        .unwrap();
    let line = one_line_error(&out);
    assert!(
        line.contains("--config ") && line.contains("no-such.config: no such file"),
        "{line}"
    );
    nothing_recorded(&s, state.path());

    // Without --config at all, the argument parser refuses (exit 2).
    let out = culprit()
        .args(["bisect", "--kernel", "--bad", "HEAD", "--repro"])
        .arg(&s.repro)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--config"));
}

#[test]
fn a_reproducer_that_does_not_compile_is_one_line_with_the_compiler_error() {
    let s = setup();
    let state = tempfile::tempdir().unwrap();
    let out = culprit()
        .args(args(&s, &s.config, &s.broken, state.path()))
        .output()
        .unwrap();
    let line = one_line_error(&out);
    assert!(line.contains("does not compile"), "{line}");
    assert!(line.contains("'missing' undeclared"), "{line}");
    nothing_recorded(&s, state.path());
}

#[test]
fn qemu_not_installed_is_one_line() {
    let s = setup();
    let state = tempfile::tempdir().unwrap();
    // A PATH with every program of the system's bin directories except QEMU's system emulators.
    let bin = tempfile::tempdir().unwrap();
    for dir in ["/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"] {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name();
            let link = bin.path().join(&name);
            if name.to_string_lossy().starts_with("qemu-system") || link.exists() {
                continue;
            }
            std::os::unix::fs::symlink(e.path(), link).unwrap();
        }
    }
    let out = culprit()
        .args(args(&s, &s.config, &s.repro, state.path()))
        .env("PATH", bin.path())
        .output()
        .unwrap();
    let line = one_line_error(&out);
    assert_eq!(
        line,
        "culprit: qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)"
    );
    nothing_recorded(&s, state.path());
}

#[test]
fn no_space_for_the_build_directory_is_one_line() {
    let s = setup();
    let state = tempfile::tempdir().unwrap();
    // A 16 MiB tmpfs over the state directory, in a mount namespace of the culprit process only
    // (nothing to clean up). Needs root (CAP_SYS_ADMIN), as CI has; otherwise say so and stop.
    let probe = Command::new("unshare")
        .args(["-m", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs \"$0\""])
        .arg(state.path())
        .output();
    if !probe.as_ref().is_ok_and(|o| o.status.success()) {
        eprintln!(
            "SKIPPED the no-space test: cannot mount a small tmpfs here (needs root and \
             unshare): {probe:?}"
        );
        return;
    }
    let out = Command::new("unshare")
        .args([
            "-m",
            "sh",
            "-c",
            "mount -t tmpfs -o size=16m tmpfs \"$0\" && exec \"$@\"",
        ])
        .arg(state.path())
        .arg(env!("CARGO_BIN_EXE_culprit"))
        .args(args(&s, &s.config, &s.repro, state.path()))
        .output()
        .unwrap();
    let line = one_line_error(&out);
    assert!(
        line.starts_with(&format!(
            "culprit: no space for the build directory in {}: ",
            state.path().display()
        )) && line.contains(" MiB free, at least 1024 MiB needed"),
        "{line}"
    );
    // The tmpfs (and what culprit wrote there) went away with the namespace.
    assert!(std::fs::read_dir(state.path()).unwrap().next().is_none());
}
