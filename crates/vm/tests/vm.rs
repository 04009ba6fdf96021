//! The initramfs and the QEMU runner, with real processes: the real `cpio` lists the archive,
//! the real `cc` compiles (or fails to compile) reproducers, the real QEMU fails on a bad
//! image, and small shell scripts standing in for QEMU exercise timeouts and process-group kills
//! (booting a real kernel is the `test-kernel` end-to-end test of culprit-kbuild).

#![allow(clippy::expect_used)] // test setup failures should panic with their reason

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use culprit_vm::{
    Accel, Cancel, Initramfs, InitramfsError, RunEnd, RunOutcome, VmConfig, VmError,
    build_initramfs, compile_reproducer, find_static_busybox, run_vms,
};

const REPRO: &str = "#include <stdio.h>\nint main(void) { puts(\"hi\"); return 0; }\n";

fn initramfs(dir: &Path) -> Initramfs {
    let src = dir.join("repro.c");
    std::fs::write(&src, REPRO).expect("write repro");
    let bin = dir.join("repro");
    compile_reproducer(&src, &bin).expect("compile repro");
    let busybox = find_static_busybox().expect("busybox-static is installed");
    build_initramfs(&busybox, &bin, &dir.join("initramfs.cpio")).expect("initramfs")
}

#[test]
fn initramfs_lists_with_real_cpio() {
    let dir = tempfile::tempdir().expect("tempdir");
    let img = initramfs(dir.path());
    let out = Command::new("cpio")
        .args(["-t", "-v", "--quiet", "-F"])
        .arg(&img.path)
        .output()
        .expect("cpio is installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listing = String::from_utf8_lossy(&out.stdout);
    let entries: Vec<(String, String)> = listing
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let name = if f[0].starts_with('l') {
                f[f.len() - 3].to_string()
            } else {
                f[f.len() - 1].to_string()
            };
            (f[0].to_string(), name)
        })
        .collect();
    let names: Vec<&str> = entries.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "dev",
            "dev/console",
            "dev/null",
            "bin",
            "bin/busybox",
            "bin/sh",
            "proc",
            "sys",
            "tmp",
            "init",
            "repro"
        ]
    );
    let mode = |name: &str| {
        entries
            .iter()
            .find(|(_, n)| n == name)
            .map(|(m, _)| m.clone())
    };
    assert_eq!(mode("dev/console").as_deref(), Some("crw-------"));
    assert_eq!(mode("init").as_deref(), Some("-rwxr-xr-x"));
    assert_eq!(mode("bin/sh").as_deref(), Some("lrwxrwxrwx"));
    assert!(listing.contains("bin/sh -> busybox"), "{listing}");

    // Extract /init and check it is the script that powers off.
    let x = dir.path().join("x");
    std::fs::create_dir(&x).expect("mkdir");
    let st = Command::new("cpio")
        .args(["-i", "--quiet", "-d", "-F"])
        .arg(&img.path)
        .arg("init")
        .current_dir(&x)
        .status()
        .expect("cpio");
    assert!(st.success());
    let init = std::fs::read_to_string(x.join("init")).expect("init extracted");
    assert!(init.starts_with("#!/bin/busybox sh\n"));
    assert!(init.contains("reboot -f") && init.contains(culprit_vm::INIT_STARTED_MARKER));
}

#[test]
fn reproducer_that_does_not_compile_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path().join("bad.c");
    std::fs::write(&src, "int main(void) { return undefined_variable; }\n").expect("write");
    let err = compile_reproducer(&src, &dir.path().join("bad")).expect_err("must not compile");
    assert!(matches!(err, InitramfsError::ReproCompile { .. }));
    let msg = err.to_string();
    assert!(msg.contains("does not compile with `cc -static"), "{msg}");
    assert!(msg.contains("undefined_variable"), "{msg}");

    // A dynamic binary is refused as reproducer.
    let busybox = find_static_busybox().expect("busybox-static");
    let err = build_initramfs(&busybox, Path::new("/bin/ls"), &dir.path().join("i.cpio"))
        .expect_err("dynamic repro");
    assert!(err.to_string().contains("not a static"), "{err}");
}

fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).expect("write script");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    p
}

fn cfg(qemu: PathBuf) -> VmConfig {
    VmConfig {
        qemu,
        accel: Accel::Tcg,
        boot_timeout: Duration::from_secs(3),
        run_budget: Duration::from_secs(1),
        shutdown_slack: Duration::from_secs(2),
        ..VmConfig::default()
    }
}

#[test]
fn qemu_not_installed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let img = initramfs(dir.path());
    let err = run_vms(
        &img.path,
        &img,
        &cfg(PathBuf::from("/nonexistent/qemu-system-x86_64")),
        1,
        1,
        dir.path(),
        &Cancel::new(),
    )
    .expect_err("no qemu");
    assert!(matches!(err, VmError::QemuMissing(_)));
    assert_eq!(
        err.to_string(),
        "/nonexistent/qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)"
    );
}

#[test]
fn real_qemu_rejecting_the_image_is_infra() {
    if Command::new("qemu-system-x86_64")
        .arg("--version")
        .output()
        .is_err()
    {
        panic!("qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)");
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let img = initramfs(dir.path());
    let not_a_kernel = dir.path().join("bzImage");
    std::fs::write(&not_a_kernel, b"this is not a kernel").expect("write");
    let runs = run_vms(
        &not_a_kernel,
        &img,
        &cfg(PathBuf::from("qemu-system-x86_64")),
        1,
        1,
        &dir.path().join("out"),
        &Cancel::new(),
    )
    .expect("batch runs");
    assert_eq!(runs.len(), 1);
    match &runs[0].outcome {
        RunOutcome::Infra { reason } => assert!(reason.starts_with("qemu failed"), "{reason}"),
        other => panic!("expected infra, got {other:?}"),
    }
}

#[test]
fn classification_and_timeouts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let img = initramfs(dir.path());
    let kernel = &img.path; // the fake QEMUs below do not read it
    let run = |qemu: PathBuf| -> RunOutcome {
        let out = dir.path().join("out");
        let mut runs =
            run_vms(kernel, &img, &cfg(qemu), 1, 1, &out, &Cancel::new()).expect("batch");
        runs.remove(0).outcome
    };
    let silent = script(dir.path(), "silent", "sleep 100");
    assert_eq!(
        run(silent),
        RunOutcome::BootFailed {
            reason: "no kernel output in 3s".to_string()
        }
    );
    let stuck = script(
        dir.path(),
        "stuck",
        "echo '[    0.000000] Linux version 6.1'; sleep 100",
    );
    assert_eq!(
        run(stuck),
        RunOutcome::BootFailed {
            reason: "kernel did not reach init in 3s".to_string()
        }
    );
    let early = script(
        dir.path(),
        "early",
        "echo '[    0.000000] Linux version 6.1'; exit 0",
    );
    assert_eq!(
        run(early),
        RunOutcome::BootFailed {
            reason: "kernel stopped before reaching init".to_string()
        }
    );
    let ok = script(
        dir.path(),
        "ok",
        "echo '[    0.1] Linux version 6.1'; echo 'culprit: init started'; \
         echo 'culprit: reproducer done runs=3'; exit 0",
    );
    assert_eq!(
        run(ok),
        RunOutcome::Completed {
            end: RunEnd::PoweredOff
        }
    );
    let crash = script(
        dir.path(),
        "crash",
        "echo 'Linux version 6.1'; echo 'culprit: init started'; echo 'BUG: oops'; exit 0",
    );
    assert_eq!(
        run(crash),
        RunOutcome::Completed {
            end: RunEnd::Exited
        }
    );
    let hang = script(
        dir.path(),
        "hang",
        "echo 'Linux version 6.1'; echo 'culprit: init started'; sleep 100",
    );
    assert_eq!(
        run(hang),
        RunOutcome::Completed {
            end: RunEnd::TimedOut
        }
    );
    let died = script(
        dir.path(),
        "died",
        "echo 'Linux version 6.1'; echo 'culprit: init started'; kill -9 $$",
    );
    match run(died) {
        RunOutcome::Infra { reason } => assert!(reason.starts_with("lost console"), "{reason}"),
        other => panic!("expected infra, got {other:?}"),
    }
    let broken = script(
        dir.path(),
        "broken",
        "echo 'qemu: could not load kernel' >&2; exit 1",
    );
    match run(broken) {
        RunOutcome::Infra { reason } => {
            assert!(reason.contains("could not load kernel"), "{reason}")
        }
        other => panic!("expected infra, got {other:?}"),
    }
}

/// Whether `pid` is still running 5 s from now (SIGKILLed processes take a moment to go).
fn alive(pid: &str) -> bool {
    let running = || {
        std::fs::read_to_string(format!("/proc/{}/stat", pid.trim()))
            .is_ok_and(|s| !s.contains(") Z ") && !s.contains(") X "))
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while running() {
        if std::time::Instant::now() > deadline {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

#[test]
fn parallel_runs_and_no_stray_processes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let img = initramfs(dir.path());
    let pids = dir.path().join("pids");
    std::fs::create_dir(&pids).expect("mkdir");
    // Each fake VM leaves a grandchild behind and then hangs: the kill must take the group.
    let hang = script(
        dir.path(),
        "hang",
        &format!(
            "sleep 1000 & echo $! > {}/$$; echo 'Linux version 6.1'; echo 'culprit: init started'; sleep 1000",
            pids.display()
        ),
    );
    let runs = run_vms(
        &img.path,
        &img,
        &cfg(hang),
        3,
        2,
        &dir.path().join("out"),
        &Cancel::new(),
    )
    .expect("batch");
    assert_eq!(runs.len(), 3);
    let mut indices: Vec<usize> = runs.iter().map(|r| r.index).collect();
    indices.sort();
    assert_eq!(indices, [0, 1, 2]);
    for r in &runs {
        assert_eq!(
            r.outcome,
            RunOutcome::Completed {
                end: RunEnd::TimedOut
            }
        );
        assert!(String::from_utf8_lossy(&r.console).contains("culprit: init started"));
        assert!(r.console_path.is_file());
    }
    let all: Vec<String> = std::fs::read_dir(&pids)
        .expect("read pids")
        .map(|e| std::fs::read_to_string(e.expect("entry").path()).expect("pid"))
        .collect();
    assert_eq!(all.len(), 3, "each fake VM left a grandchild");
    let left: Vec<&String> = all.iter().filter(|p| alive(p)).collect();
    assert!(left.is_empty(), "stray processes survived: {left:?}");

    // Cancellation kills every running VM and reports it.
    let cancel = Cancel::new();
    let slow = script(
        dir.path(),
        "slow",
        "echo 'Linux version 6.1'; echo 'culprit: init started'; sleep 1000",
    );
    let mut long = cfg(slow);
    long.run_budget = Duration::from_secs(600);
    std::thread::scope(|s| {
        let h = s.spawn(|| run_vms(&img.path, &img, &long, 4, 2, &dir.path().join("c"), &cancel));
        // Both running VMs get registered with the token (what Ctrl-C kills); never more.
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while cancel.live_groups() < 2 {
            assert!(
                std::time::Instant::now() < deadline,
                "the VMs never started"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(cancel.live_groups(), 2);
        cancel.cancel();
        let r = h.join().expect("join");
        assert!(matches!(r, Err(VmError::Cancelled)), "{r:?}");
    });
}
