//! Addresses, get_maintainer.pl's roles, and syzbot's To/Cc split (reference §9.1).

use std::fmt;

/// The Linux kernel mailing list, which syzbot handles separately.
pub const LKML: &str = "linux-kernel@vger.kernel.org";

/// A role as get_maintainer.pl names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
    /// `M:` in a section with status Maintained (or unknown).
    Maintainer,
    /// `M:` with status Supported.
    Supporter,
    /// `M:` with status Odd Fixes.
    OddFixer,
    /// `M:` with status Orphan.
    OrphanMinder,
    /// `M:` with status Obsolete.
    ObsoleteMinder,
    /// `M:` with status Buried alive in reporters (THE REST).
    ChiefPenguin,
    /// `R:`.
    Reviewer,
    /// `L:` open to everyone.
    OpenList,
    /// `L:` moderated for non-subscribers.
    ModeratedList,
    /// `L:` for subscribers only.
    SubscriberList,
}

impl Role {
    pub(crate) fn from_status(status: &str) -> Role {
        // Statuses like "Orphan / Obsolete" take their first word.
        let table = [
            ("supported", Role::Supporter),
            ("odd fixes", Role::OddFixer),
            ("orphan", Role::OrphanMinder),
            ("obsolete", Role::ObsoleteMinder),
            ("buried alive in reporters", Role::ChiefPenguin),
        ];
        table
            .into_iter()
            .find(|(s, _)| status.starts_with(s))
            .map_or(Role::Maintainer, |(_, r)| r)
    }

    pub(crate) fn list(value: &str) -> Role {
        let v = value.to_lowercase();
        if v.contains("subscribers-only") {
            Role::SubscriberList
        } else if v.contains("moderated") {
            Role::ModeratedList
        } else {
            Role::OpenList
        }
    }

    /// get_maintainer.pl's role text.
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Maintainer => "maintainer",
            Role::Supporter => "supporter",
            Role::OddFixer => "odd fixer",
            Role::OrphanMinder => "orphan minder",
            Role::ObsoleteMinder => "obsolete minder",
            Role::ChiefPenguin => "chief penguin",
            Role::Reviewer => "reviewer",
            Role::OpenList => "open list",
            Role::ModeratedList => "moderated list",
            Role::SubscriberList => "subscriber list",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One address found for a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recipient {
    /// Display name, when given.
    pub name: Option<String>,
    /// Address, lower-cased.
    pub email: String,
    /// Role.
    pub role: Role,
    /// Title of the section it came from.
    pub section: String,
}

impl fmt::Display for Recipient {
    /// `Name <email> (role:SECTION)` like get_maintainer.pl's `--roles` output.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(n) => write!(f, "{n} <{}>", self.email)?,
            None => write!(f, "{}", self.email)?,
        }
        write!(f, " ({}:{})", self.role, self.section)
    }
}

/// Parses `Full Name <addr@host>`, `"Quoted, Name" <addr>` or a bare `addr@host (comment)`.
pub(crate) fn parse_address(value: &str) -> Option<(Option<String>, String)> {
    if let (Some(open), Some(close)) = (value.find('<'), value.rfind('>'))
        && open < close
    {
        let email = value[open + 1..close].trim().to_lowercase();
        let name = value[..open].trim().trim_matches('"').trim();
        if !email.contains('@') {
            return None;
        }
        return Some(((!name.is_empty()).then(|| name.to_string()), email));
    }
    let email = value.split_whitespace().find(|t| t.contains('@'))?;
    Some((
        None,
        email.trim_matches(|c| c == ',' || c == ';').to_lowercase(),
    ))
}

/// syzbot's `recipients (to)` / `recipients (cc)` sets.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recipients {
    /// Sorted addresses for To.
    pub to: Vec<String>,
    /// Sorted addresses for Cc.
    pub cc: Vec<String>,
}

/// Splits get_maintainer results as syzbot does: lists, maintainers and supporters go to To,
/// everything else (reviewers, odd fixers, ...) to Cc; LKML is added last, to To unless a
/// subsystem list was found (then to Cc). Both sets sorted, without duplicates; an address that
/// is both To and Cc stays only in To.
pub fn split_recipients(found: &[Recipient]) -> Recipients {
    let mut to = Vec::new();
    let mut cc = Vec::new();
    let mut subsystem_list = false;
    for r in found {
        if r.email == LKML {
            continue;
        }
        let role = r.role.as_str();
        if role.contains("list") {
            subsystem_list = true;
            to.push(r.email.clone());
        } else if matches!(r.role, Role::Maintainer | Role::Supporter) {
            to.push(r.email.clone());
        } else {
            cc.push(r.email.clone());
        }
    }
    if subsystem_list {
        cc.push(LKML.to_string());
    } else {
        to.push(LKML.to_string());
    }
    to.sort();
    to.dedup();
    cc.sort();
    cc.dedup();
    cc.retain(|c| to.binary_search(c).is_err());
    Recipients { to, cc }
}
