//! A minimal writer of the cpio "newc" format the kernel unpacks as an initramfs.
//!
//! Written by hand: the format is a 110-byte ASCII header, the name and the data, each padded to
//! 4 bytes (see the kernel's Documentation/driver-api/early-userspace/buffer-format.rst); we need
//! only directories, regular files, symlinks and device nodes with fixed owners and times, which
//! is less code than adapting a general archive crate (none is in the workspace).

use std::io::{self, Write};

/// File type and permission bits of a cpio entry (`st_mode`).
pub(crate) mod mode {
    pub(crate) const DIR: u32 = 0o040_000;
    pub(crate) const FILE: u32 = 0o100_000;
    pub(crate) const SYMLINK: u32 = 0o120_000;
    pub(crate) const CHAR_DEV: u32 = 0o020_000;
}

/// Writes newc entries; every entry is owned by root with mtime 0, so archives are reproducible.
pub(crate) struct CpioWriter<W: Write> {
    out: W,
    written: u64,
    next_ino: u32,
}

impl<W: Write> CpioWriter<W> {
    pub(crate) fn new(out: W) -> Self {
        CpioWriter {
            out,
            written: 0,
            next_ino: 1,
        }
    }

    pub(crate) fn dir(&mut self, name: &str, perm: u32) -> io::Result<()> {
        self.entry(name, mode::DIR | perm, 2, (0, 0), &[])
    }

    pub(crate) fn file(&mut self, name: &str, perm: u32, data: &[u8]) -> io::Result<()> {
        self.entry(name, mode::FILE | perm, 1, (0, 0), data)
    }

    pub(crate) fn symlink(&mut self, name: &str, target: &str) -> io::Result<()> {
        self.entry(name, mode::SYMLINK | 0o777, 1, (0, 0), target.as_bytes())
    }

    pub(crate) fn char_dev(
        &mut self,
        name: &str,
        perm: u32,
        major: u32,
        minor: u32,
    ) -> io::Result<()> {
        self.entry(name, mode::CHAR_DEV | perm, 1, (major, minor), &[])
    }

    /// Writes the `TRAILER!!!` entry and returns the writer.
    pub(crate) fn finish(mut self) -> io::Result<W> {
        self.next_ino = 0;
        self.entry("TRAILER!!!", 0, 1, (0, 0), &[])?;
        self.out.flush()?;
        Ok(self.out)
    }

    fn entry(
        &mut self,
        name: &str,
        mode: u32,
        nlink: u32,
        rdev: (u32, u32),
        data: &[u8],
    ) -> io::Result<()> {
        let size = u32::try_from(data.len())
            .map_err(|_| io::Error::other(format!("{name}: too large for cpio newc")))?;
        let namesize =
            u32::try_from(name.len() + 1).map_err(|_| io::Error::other("cpio name too long"))?;
        let ino = self.next_ino;
        self.next_ino = self.next_ino.wrapping_add(1);
        let fields = [
            ino, mode, 0, 0, nlink, 0, size, 0, 0, rdev.0, rdev.1, namesize, 0,
        ];
        let mut header = String::with_capacity(110);
        header.push_str("070701");
        for f in fields {
            header.push_str(&format!("{f:08X}"));
        }
        self.put(header.as_bytes())?;
        self.put(name.as_bytes())?;
        self.put(&[0])?;
        self.pad()?;
        self.put(data)?;
        self.pad()
    }

    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)?;
        self.written += bytes.len() as u64;
        Ok(())
    }

    fn pad(&mut self) -> io::Result<()> {
        let n = (4 - (self.written % 4)) % 4;
        self.put(&[0u8; 3][..n as usize])
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)] // test setup failures should panic with their reason
    use super::*;

    #[test]
    fn layout_is_newc() {
        let mut w = CpioWriter::new(Vec::new());
        w.file("init", 0o755, b"hello").expect("write");
        let out = w.finish().expect("finish");
        // header (110) + "init\0" (5) -> 115, padded to 116; data 5 -> 121, padded to 124.
        assert_eq!(&out[..6], b"070701");
        assert_eq!(&out[6..14], b"00000001"); // ino
        assert_eq!(&out[14..22], b"000081ED"); // regular file 0755
        assert_eq!(&out[54..62], b"00000005"); // size
        assert_eq!(&out[94..102], b"00000005"); // namesize
        assert_eq!(&out[110..115], b"init\0");
        assert_eq!(&out[116..121], b"hello");
        assert_eq!(&out[124..130], b"070701");
        assert_eq!(out.len() % 4, 0);
        assert!(out.windows(10).any(|w| w == b"TRAILER!!!"));
    }
}
