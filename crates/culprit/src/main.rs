//! `culprit`: the command-line shell. It parses arguments (clap), wires the library crates together
//! and turns results into exit codes: 0 = found what was asked, 1 = finished without it, 2 = bad
//! input or an error. It holds no bisection, git or crash-parsing logic of its own.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;

/// Find the commit that introduced (or fixed) a crash.
#[derive(Debug, Parser)]
#[command(name = "culprit", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Find the commit that introduced (or fixed) a crash in a git project.
    Bisect(Box<cmd::bisect::Args>),
    /// Bisect the bundled example: a small C project with a flaky NULL dereference.
    Example(cmd::example::Args),
    /// Compare bisection strategies on synthetic worlds (the same engine as `bisect`).
    Sim(cmd::sim::Args),
    /// Find and title the crash in a kernel console or test log (exit 0 crash, 1 none, 2 error).
    Report(cmd::report::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Bisect(args) => cmd::bisect::run(*args),
        Command::Example(args) => cmd::example::run(args),
        Command::Sim(args) => cmd::sim::run(args),
        Command::Report(args) => cmd::report::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("culprit: error: {err:#}");
            ExitCode::from(2)
        }
    }
}
