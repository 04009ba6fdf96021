//! `--policy` and `--strategies`: the engine's policies as command-line values. What a policy
//! means is the engine's ([`culprit_engine::policy`]); this only names them for clap.

use std::ffi::OsStr;

use clap::ValueEnum;
use clap::builder::{EnumValueParser, PossibleValue, TypedValueParser};
use culprit_engine::Policy;

/// A policy on the command line. The engine knows no clap: this maps to [`Policy`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PolicyArg {
    /// A posterior over the culprit with a learned crash rate; culprit's own.
    Bayes,
    /// syzbot's rules: 10 runs per commit, fixed thresholds, one commit at a time.
    Syzbot,
    /// `git bisect run`: one run per commit, any crash is bad, no confidence.
    Git,
}

impl From<PolicyArg> for Policy {
    fn from(p: PolicyArg) -> Policy {
        match p {
            PolicyArg::Bayes => Policy::Bayes,
            PolicyArg::Syzbot => Policy::Syzbot,
            PolicyArg::Git => Policy::Git,
        }
    }
}

/// Parses a policy name with the blanks around it ignored (`--strategies 'git, bayes'`); a
/// wrong name gets clap's message with the possible values.
#[derive(Debug, Clone, Copy, Default)]
pub struct Trimmed;

impl TypedValueParser for Trimmed {
    type Value = PolicyArg;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<PolicyArg, clap::Error> {
        let value = value.to_str().map_or(value, |s| OsStr::new(s.trim()));
        EnumValueParser::<PolicyArg>::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            PolicyArg::value_variants()
                .iter()
                .filter_map(ValueEnum::to_possible_value),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_policy_has_its_engine_name() {
        for p in PolicyArg::value_variants() {
            let name = p.to_possible_value().map(|v| v.get_name().to_string());
            assert_eq!(name.as_deref(), Some(Policy::from(*p).name()));
        }
        assert_eq!(PolicyArg::value_variants().len(), Policy::all().len());
    }
}
