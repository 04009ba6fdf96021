//! syzbot's kernel signature of a `vmlinux` (reference §7.4).
//!
//! Section headers are walked in file order; a section counts when it has `SHF_ALLOC`, is not
//! `SHT_NOBITS` (no `.bss`) and not `SHT_NOTE` (no build-id notes). Each one's bytes are hashed with
//! SHA-256 and the 32-byte digests, in order, go into an outer SHA-256, printed as lowercase hex.
//! Names and addresses are not hashed. Two builds with equal signatures run the same code.

use std::fmt;
use std::path::{Path, PathBuf};

use object::elf;
use object::read::elf::{FileHeader, SectionHeader};
use object::{Endianness, FileKind};
use sha2::{Digest, Sha256};

/// A kernel signature: the outer SHA-256 digest.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Signature(pub [u8; 32]);

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// Why a signature could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum SignatureError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The bytes are not an ELF file `object` can parse.
    #[error("{path}: not a valid ELF file: {message}")]
    NotElf {
        /// The file (empty for in-memory data).
        path: PathBuf,
        /// What the parser said.
        message: String,
    },
}

/// Signature of the ELF file at `path` (normally `BUILD/vmlinux`).
pub fn kernel_signature(path: &Path) -> Result<Signature, SignatureError> {
    let data = std::fs::read(path).map_err(|source| SignatureError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    signature_of_elf(&data).map_err(|e| match e {
        SignatureError::NotElf { message, .. } => SignatureError::NotElf {
            path: path.to_path_buf(),
            message,
        },
        other => other,
    })
}

/// Signature of an in-memory ELF image (32- or 64-bit, either byte order).
pub fn signature_of_elf(data: &[u8]) -> Result<Signature, SignatureError> {
    let not_elf = |message: String| SignatureError::NotElf {
        path: PathBuf::new(),
        message,
    };
    let result = match FileKind::parse(data).map_err(|e| not_elf(e.to_string()))? {
        FileKind::Elf32 => signature_of::<elf::FileHeader32<Endianness>>(data),
        FileKind::Elf64 => signature_of::<elf::FileHeader64<Endianness>>(data),
        other => return Err(not_elf(format!("file kind {other:?}"))),
    };
    result.map_err(|e| not_elf(e.to_string()))
}

fn signature_of<H: FileHeader<Endian = Endianness>>(
    data: &[u8],
) -> Result<Signature, object::read::Error> {
    let header = H::parse(data)?;
    let endian = header.endian()?;
    let sections = header.sections(endian, data)?;
    let mut outer = Sha256::new();
    for section in sections.iter() {
        let flags: u64 = section.sh_flags(endian).into();
        let kind = section.sh_type(endian);
        if flags & u64::from(elf::SHF_ALLOC) == 0
            || kind == elf::SHT_NOBITS
            || kind == elf::SHT_NOTE
        {
            continue;
        }
        let bytes = section.data(endian, data)?;
        outer.update(Sha256::digest(bytes));
    }
    Ok(Signature(outer.finalize().into()))
}
