//! The guest's initramfs: static busybox, the reproducer compiled static, and an init that runs
//! the reproducer again and again for the run's time budget, then powers the VM off.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cpio::CpioWriter;

/// Printed by init once it runs: the kernel booted.
pub const INIT_STARTED_MARKER: &str = "culprit: init started";
/// Printed by init before each reproducer run (followed by the run number).
pub const REPRO_RUN_MARKER: &str = "culprit: running reproducer";
/// Printed by init when the budget is used up, just before it powers off.
pub const DONE_MARKER: &str = "culprit: reproducer done";

/// Kernel command-line parameter read by init: the run budget in seconds.
pub const BUDGET_PARAM: &str = "culprit.budget";

/// The init script. Tinyconfig kernels have no ACPI: `poweroff -f` would only halt, so init ends
/// with `reboot -f` and QEMU runs with `-no-reboot` (kernel-e2e.md pitfall P4). Each reproducer
/// run is bounded by the time left, so a reproducer that never exits cannot outlive the budget.
const INIT: &str = r#"#!/bin/busybox sh
B=/bin/busybox
$B mkdir -p /proc /sys /dev /tmp
$B mount -t proc proc /proc
$B mount -t sysfs sysfs /sys
$B mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "culprit: init started"
budget=$($B sed -n 's/.*culprit\.budget=\([0-9][0-9]*\).*/\1/p' /proc/cmdline)
[ -n "$budget" ] || budget=10
end=$(( $($B date +%s) + budget ))
i=0
while :; do
	i=$((i + 1))
	left=$(( end - $($B date +%s) ))
	[ "$left" -ge 1 ] || left=1
	echo "culprit: running reproducer $i"
	$B timeout -s KILL "$left" /repro
	echo "culprit: reproducer exited rc=$?"
	[ "$($B date +%s)" -lt "$end" ] || break
done
echo "culprit: reproducer done runs=$i"
$B sync
$B reboot -f
"#;

/// Why the initramfs could not be made.
#[derive(Debug, thiserror::Error)]
pub enum InitramfsError {
    /// No C compiler.
    #[error("cannot compile the reproducer: {compiler} is not installed")]
    NoCompiler {
        /// The compiler command.
        compiler: String,
    },
    /// The reproducer does not compile.
    #[error("reproducer {path} does not compile with `{command}`:\n{stderr}")]
    ReproCompile {
        /// The source.
        path: PathBuf,
        /// The command line.
        command: String,
        /// The compiler's diagnostics (tail).
        stderr: String,
    },
    /// busybox missing or not static.
    #[error("{0}")]
    Busybox(String),
    /// File system errors.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> InitramfsError + '_ {
    move |source| InitramfsError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Compiles a C reproducer statically (`cc -static -O1 -pthread`) into `out`.
pub fn compile_reproducer(source: &Path, out: &Path) -> Result<(), InitramfsError> {
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let args = ["-static", "-O1", "-pthread", "-w", "-o"];
    let command = format!(
        "{cc} {} {} {}",
        args.join(" "),
        out.display(),
        source.display()
    );
    let output = Command::new(&cc)
        .args(args)
        .arg(out)
        .arg(source)
        .env("LC_ALL", "C")
        .output();
    let output = match output {
        Ok(o) => o,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(InitramfsError::NoCompiler { compiler: cc });
        }
        Err(e) => return Err(io_err(source)(e)),
    };
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let lines: Vec<&str> = stderr.lines().collect();
        let tail = lines[lines.len().saturating_sub(20)..].join("\n");
        return Err(InitramfsError::ReproCompile {
            path: source.to_path_buf(),
            command,
            stderr: tail,
        });
    }
    Ok(())
}

/// Finds Debian's busybox-static binary (`/bin/busybox`) and checks it is statically linked.
pub fn find_static_busybox() -> Result<PathBuf, InitramfsError> {
    let candidates = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("busybox"))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let found = candidates
        .into_iter()
        .chain([
            PathBuf::from("/bin/busybox"),
            PathBuf::from("/usr/bin/busybox"),
        ])
        .find(|p| p.is_file())
        .ok_or_else(|| {
            InitramfsError::Busybox(
                "busybox is not installed (apt-get install busybox-static)".to_string(),
            )
        })?;
    let data = std::fs::read(&found).map_err(io_err(&found))?;
    if !is_static_elf(&data) {
        return Err(InitramfsError::Busybox(format!(
            "{} is dynamically linked; the initramfs needs busybox-static",
            found.display()
        )));
    }
    Ok(found)
}

/// An ELF executable without a `PT_INTERP` program header.
pub(crate) fn is_static_elf(data: &[u8]) -> bool {
    use object::read::elf::{FileHeader, ProgramHeader};
    let Ok(header) = object::elf::FileHeader64::<object::Endianness>::parse(data) else {
        return false;
    };
    let Ok(endian) = header.endian() else {
        return false;
    };
    let Ok(phdrs) = header.program_headers(endian, data) else {
        return false;
    };
    !phdrs
        .iter()
        .any(|p| p.p_type(endian) == object::elf::PT_INTERP)
}

/// A built initramfs (uncompressed newc cpio: the kernel always accepts it, whatever the
/// `RD_*` compression options; a few MB, so compressing would only cost time).
#[derive(Clone, Debug)]
pub struct Initramfs {
    /// The archive.
    pub path: PathBuf,
}

/// Writes an initramfs to `out` with `busybox` (static) as `/bin/busybox` and `/bin/sh`, the
/// static reproducer binary `repro` as `/repro`, and the init of this module as `/init`.
pub fn build_initramfs(
    busybox: &Path,
    repro: &Path,
    out: &Path,
) -> Result<Initramfs, InitramfsError> {
    let busybox_bytes = std::fs::read(busybox).map_err(io_err(busybox))?;
    let repro_bytes = std::fs::read(repro).map_err(io_err(repro))?;
    if !is_static_elf(&repro_bytes) {
        return Err(InitramfsError::Busybox(format!(
            "{} is not a static x86-64 ELF executable",
            repro.display()
        )));
    }
    let file = std::fs::File::create(out).map_err(io_err(out))?;
    let write = || -> std::io::Result<()> {
        let mut w = CpioWriter::new(std::io::BufWriter::new(file));
        w.dir("dev", 0o755)?;
        // The kernel opens /dev/console for init before init can mount devtmpfs.
        w.char_dev("dev/console", 0o600, 5, 1)?;
        w.char_dev("dev/null", 0o666, 1, 3)?;
        w.dir("bin", 0o755)?;
        w.file("bin/busybox", 0o755, &busybox_bytes)?;
        w.symlink("bin/sh", "busybox")?;
        for d in ["proc", "sys", "tmp"] {
            w.dir(d, 0o755)?;
        }
        w.file("init", 0o755, INIT.as_bytes())?;
        w.file("repro", 0o755, &repro_bytes)?;
        w.finish()?;
        Ok(())
    };
    write().map_err(io_err(out))?;
    Ok(Initramfs {
        path: out.to_path_buf(),
    })
}
