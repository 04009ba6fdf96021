//! [`CommitId`]: a git commit hash, as culprit passes it around.

use std::fmt;
use std::str::FromStr;

/// The full hash of a commit. Displays as lowercase hex; parses from a full-length hex string.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CommitId(pub(crate) gix::ObjectId);

impl CommitId {
    /// The hash as lowercase hex (40 characters for SHA-1).
    pub fn to_hex(&self) -> String {
        self.0.to_string()
    }

    /// The first `len` hex characters (e.g. 12 for syzbot's short form).
    pub fn short(&self, len: usize) -> String {
        let mut hex = self.to_hex();
        hex.truncate(len);
        hex
    }

    /// The raw hash bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl From<gix::ObjectId> for CommitId {
    fn from(id: gix::ObjectId) -> Self {
        CommitId(id)
    }
}

impl fmt::Display for CommitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for CommitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CommitId({})", self.0)
    }
}

/// A string that is not a full-length hex hash.
#[derive(Debug, thiserror::Error)]
#[error("not a full commit hash: {0:?}")]
pub struct ParseIdError(pub String);

impl FromStr for CommitId {
    type Err = ParseIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        gix::ObjectId::from_hex(s.as_bytes())
            .map(CommitId)
            .map_err(|_| ParseIdError(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)] // test setup failures should panic with their reason
    use super::*;

    #[test]
    fn hex_round_trip() {
        let hex = "5ab18f4b061ef24a71eea9ffafebd1a82ae2f514";
        let id: CommitId = hex.parse().expect("valid hex");
        assert_eq!(id.to_hex(), hex);
        assert_eq!(id.to_string(), hex);
        assert_eq!(id.short(12), "5ab18f4b061e");
        assert_eq!(id.as_bytes().len(), 20);
    }

    #[test]
    fn rejects_short_and_junk() {
        assert!("5ab18f4b".parse::<CommitId>().is_err());
        assert!("zz".repeat(20).parse::<CommitId>().is_err());
    }
}
