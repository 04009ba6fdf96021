//! `culprit example`: bisect the bundled example end to end.

use std::process::ExitCode;

use anyhow::Context;
use culprit_driver::Options;
use culprit_engine::Policy;

use super::policy::PolicyArg;

/// Bisect the bundled example: a 60-commit C project made in a temporary directory, where one
/// commit introduces a NULL-pointer dereference that the reproducer hits about a third of the
/// time.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// How runs become decisions.
    #[arg(long, value_enum, default_value_t = PolicyArg::Bayes)]
    policy: PolicyArg,
    /// Commits tested at once [1-64].
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=64), allow_negative_numbers = true)]
    jobs: u32,
    /// Keep the example repository in this directory instead of a temporary one.
    #[arg(long)]
    keep: Option<std::path::PathBuf>,
    /// Write the result as JSON to this file.
    #[arg(long)]
    json: Option<std::path::PathBuf>,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let json = args.json.clone().map(super::outputs::absolute);
    let tmp = tempfile::tempdir().context("creating a temporary directory")?;
    let dir = args
        .keep
        .clone()
        .unwrap_or_else(|| tmp.path().join("parser"));
    let (bad, good) = culprit_driver::example::create(&dir)?;
    eprintln!(
        "culprit: example repository with {} commits in {}; commit {} of them introduces the crash",
        culprit_driver::example::COMMITS,
        dir.display(),
        culprit_driver::example::CULPRIT
    );
    let options = Options {
        repo: dir.clone(),
        bad,
        goods: vec![good],
        fix: false,
        build: "make -s parser".into(),
        test: "sh repro.sh".into(),
        runs: None,
        jobs: args.jobs,
        timeout_secs: 60,
        policy: Policy::from(args.policy).name().into(),
        artifact: Some("parser".into()),
        any_crash: false,
        confidence: None,
        kernel: None,
    };
    super::bisect::drive(
        Some(options),
        Some(tmp.path().join("state")),
        false,
        super::bisect::Outputs {
            log: None,
            json: json.as_deref(),
            report_on_terminal: true,
        },
    )
}
