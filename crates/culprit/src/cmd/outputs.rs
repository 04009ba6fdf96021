//! The files `culprit bisect` writes for the user (`--log`, `--json`): opened only once the state
//! directory is locked (a culprit refused because another one holds it must not truncate that
//! one's log), checked before the first build, and the JSON written whole or not at all (a
//! temporary file renamed over the target).

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use culprit_driver::{Bad, OutputProblem, Summary};

/// The log file, opened late (see [`LateLog::open`]). Clones share the file.
#[derive(Clone, Default)]
pub struct LateLog {
    file: Arc<Mutex<Option<File>>>,
}

impl LateLog {
    fn file(&self) -> MutexGuard<'_, Option<File>> {
        self.file.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Opens `path`: appended to when a bisection is resumed (its log goes on), created or
    /// truncated otherwise.
    pub fn open(&self, path: &Path, append: bool) -> std::io::Result<()> {
        let file = if append {
            File::options().create(true).append(true).open(path)?
        } else {
            File::create(path)?
        };
        *self.file() = Some(file);
        Ok(())
    }
}

impl Write for LateLog {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.file().as_mut() {
            Some(f) => f.write(buf),
            None => Err(std::io::Error::other("the log file is not open yet")),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self.file().as_mut() {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

/// Whether `path` is a regular file or does not exist yet: such a target is written through a
/// temporary file renamed over it. Anything else (`/dev/stdout`, a pipe) is written in place.
fn replaceable(path: &Path) -> bool {
    match std::fs::metadata(path) {
        Ok(m) => m.is_file(),
        Err(_) => true,
    }
}

/// The directory a file `path` is created in.
fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Checks that `path` (given as `flag`) can be written, without changing it: a temporary file
/// can be created beside it (and is removed again), or, for a device or a pipe, it opens for
/// writing (a pipe is not opened).
pub fn check_writable(flag: &'static str, path: &Path) -> Result<(), Bad> {
    let bad = |problem| Bad::Output {
        flag,
        path: path.to_path_buf(),
        problem,
    };
    let why = |e: std::io::Error| bad(OutputProblem::Io(e));
    if path.is_dir() {
        return Err(bad(OutputProblem::IsDirectory));
    }
    if replaceable(path) {
        let dir = parent_of(path);
        if !dir.is_dir() {
            return Err(bad(OutputProblem::NoDirectory(dir.to_path_buf())));
        }
        // The error of the probe without the probe's own (random) name.
        let plain = |e: std::io::Error| match e.raw_os_error() {
            Some(code) => std::io::Error::from_raw_os_error(code),
            None => std::io::Error::from(e.kind()),
        };
        tempfile::Builder::new()
            .prefix(".culprit-check-")
            .tempfile_in(dir)
            .map(drop)
            .map_err(|e| why(plain(e)))
    } else {
        use std::os::unix::fs::FileTypeExt;
        // Opening a pipe waits for its reader: it is taken as it is.
        if std::fs::metadata(path).is_ok_and(|m| m.file_type().is_fifo()) {
            return Ok(());
        }
        File::options()
            .write(true)
            .open(path)
            .map(drop)
            .map_err(why)
    }
}

/// Writes `summary` as JSON to `path`: into a temporary file beside it, renamed over it once
/// complete, so a crash or a full disk never leaves half a file.
pub fn write_json(path: &Path, summary: &Summary) -> Result<(), Bad> {
    let why = |e: std::io::Error| Bad::Output {
        flag: "--json",
        path: path.to_path_buf(),
        problem: OutputProblem::Io(e),
    };
    let mut text = serde_json::to_string_pretty(summary).map_err(|e| why(e.into()))?;
    text.push('\n');
    if !replaceable(path) {
        return File::options()
            .write(true)
            .open(path)
            .and_then(|mut f| f.write_all(text.as_bytes()))
            .map_err(why);
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".culprit-json-")
        .tempfile_in(parent_of(path))
        .map_err(why)?;
    tmp.write_all(text.as_bytes()).map_err(why)?;
    tmp.as_file().sync_all().map_err(why)?;
    tmp.persist(path).map_err(|e| why(e.error))?;
    Ok(())
}

/// The standard output as the log on a terminal: a crash report is not dumped into the progress
/// display, only its title and where the report is.
pub struct Terminal<W> {
    pub inner: W,
    /// Where the full report is, for the line that replaces it.
    pub where_: Arc<Mutex<String>>,
}

impl<W: Write> Write for Terminal<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // The log writes each line (here, the title and the report after it) in one call.
        if let Some(rest) = buf.strip_prefix(b"crash: ")
            && let Some(end) = rest.iter().position(|&b| b == b'\n')
            && rest[end + 1..].iter().any(|b| !b.is_ascii_whitespace())
        {
            let title = &buf[.."crash: ".len() + end + 1];
            let where_ = self
                .where_
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone();
            let mut out = title.to_vec();
            out.extend_from_slice(format!("crash report: {where_}\n").as_bytes());
            self.inner.write_all(&out)?;
            return Ok(buf.len());
        }
        self.inner.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Where the report of a bisection run on a terminal can be read.
pub fn report_place(json: Option<&Path>, state_dir: &Path) -> String {
    let logs = state_dir.join("logs");
    match json {
        Some(j) => format!(
            "in {} (\"crash\"), and in the runs' logs in {}",
            j.display(),
            logs.display()
        ),
        None => format!(
            "in the runs' logs in {} (or give --log FILE or --json FILE)",
            logs.display()
        ),
    }
}

/// A path made absolute against the current directory (the state and the outputs are given
/// relative to where culprit was started).
pub fn absolute(p: PathBuf) -> PathBuf {
    std::path::absolute(&p).unwrap_or(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leftovers(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.starts_with(".culprit-"))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn the_json_replaces_a_file_whole_and_leaves_no_temporary_file() -> Result<(), String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let path = dir.path().join("result.json");
        std::fs::write(
            &path,
            "old content that is longer than the new one ".repeat(100),
        )
        .map_err(|e| e.to_string())?;
        check_writable("--json", &path).map_err(|e| e.to_string())?;
        let summary = Summary {
            result: culprit_driver::Ending::Culprit,
            ..Summary::default()
        };
        write_json(&path, &summary).map_err(|e| e.to_string())?;
        let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
        let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        assert_eq!(value["result"], "culprit");
        assert_eq!(leftovers(dir.path()), Vec::<String>::new());
        Ok(())
    }

    #[test]
    fn a_device_is_written_in_place_never_replaced() -> Result<(), String> {
        // /dev/null must stay the device (as root, a rename would replace it).
        check_writable("--json", Path::new("/dev/null")).map_err(|e| e.to_string())?;
        write_json(Path::new("/dev/null"), &Summary::default()).map_err(|e| e.to_string())?;
        let meta = std::fs::metadata("/dev/null").map_err(|e| e.to_string())?;
        assert!(!meta.is_file());
        Ok(())
    }

    #[test]
    fn unwritable_places_are_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let missing = dir.path().join("no-such-dir/result.json");
        let e = check_writable("--json", &missing)
            .expect_err("no directory")
            .to_string();
        assert!(
            e.starts_with("cannot write --json ") && e.contains("no-such-dir"),
            "{e}"
        );
        let e = check_writable("--json", dir.path())
            .expect_err("a directory")
            .to_string();
        assert!(e.ends_with("it is a directory"), "{e}");
        assert_eq!(leftovers(dir.path()), Vec::<String>::new());
    }

    #[test]
    fn the_terminal_gets_the_title_and_where_the_report_is() -> std::io::Result<()> {
        let mut t = Terminal {
            inner: Vec::new(),
            where_: Arc::new(Mutex::new("in the JSON".into())),
        };
        t.write_all(b"first bad commit: abc subject\n")?;
        t.write_all(
            b"crash: KASAN: use-after-free in f\nBUG: KASAN: ...\nCall Trace:\n f+0x1\n\n",
        )?;
        t.write_all(b"crash: a title without a report\n\n")?;
        let text = String::from_utf8_lossy(&t.inner).into_owned();
        assert_eq!(
            text,
            "first bad commit: abc subject\ncrash: KASAN: use-after-free in f\ncrash report: in the JSON\ncrash: a title without a report\n\n"
        );
        Ok(())
    }
}
