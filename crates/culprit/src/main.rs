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
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return refused(&e),
    };
    // Bisections run the user's commands: whatever those leave behind is found (as a subreaper,
    // culprit inherits their orphans) and stopped before culprit exits.
    let runs_commands = matches!(cli.command, Command::Bisect(_) | Command::Example(_));
    if runs_commands {
        culprit_exec::become_subreaper();
    }
    let result = match cli.command {
        Command::Bisect(args) => cmd::bisect::run(*args),
        Command::Example(args) => cmd::example::run(args),
        Command::Sim(args) => cmd::sim::run(args),
        Command::Report(args) => cmd::report::run(args),
    };
    if runs_commands {
        culprit_exec::stop_descendants();
    }
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("culprit: error: {}", one_line(&chain(err.as_ref())));
            ExitCode::from(2)
        }
    }
}

/// A command line clap refuses: one line on stderr (its message without the usage and the
/// hint), exit status 2. `--help` and `--version` print as clap prints them.
fn refused(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            ExitCode::SUCCESS
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand | ErrorKind::MissingSubcommand => {
            eprintln!(
                "culprit: error: give a command: bisect, example, sim or report (see culprit --help)"
            );
            ExitCode::from(2)
        }
        _ => {
            eprintln!("culprit: {}", clap_line(&e.render().to_string()));
            ExitCode::from(2)
        }
    }
}

/// clap's message on one line: the lines before `Usage:`, a list after a colon joined by commas,
/// `[possible values: ...]` by a space, other lines (tips) by semicolons.
fn clap_line(text: &str) -> String {
    let mut out = String::new();
    let mut listing = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with("Usage:") || line.starts_with("For more information") {
            break;
        }
        if line.is_empty() {
            listing = false;
            continue;
        }
        if out.is_empty() {
            out.push_str(line);
        } else if out.ends_with(':') || line.starts_with('[') {
            out.push(' ');
            out.push_str(line);
            listing = true;
        } else if listing {
            out.push_str(", ");
            out.push_str(line);
        } else {
            out.push_str("; ");
            out.push_str(line);
        }
    }
    out
}

/// An error and its causes as one message: a cause already quoted by the error above it (as
/// `thiserror` messages with `{source}` do) is not repeated.
pub(crate) fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut msg = String::new();
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cause {
        let text = e.to_string();
        if !msg.contains(&text) {
            if !msg.is_empty() {
                msg.push_str(": ");
            }
            msg.push_str(&text);
        }
        cause = e.source();
    }
    msg
}

/// `text` on one line: its lines, trimmed, joined by "; ".
pub(crate) fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    enum Outer {
        #[error("cannot write the log: {0}")]
        Log(#[from] std::io::Error),
    }

    #[test]
    fn an_os_error_is_said_once() {
        let e = Outer::from(std::io::Error::from_raw_os_error(28));
        let text = chain(&e);
        assert_eq!(text.matches("os error 28").count(), 1, "{text}");
        assert!(text.starts_with("cannot write the log: "), "{text}");
        let e = anyhow::Error::from(e).context("writing");
        let text = chain(e.as_ref());
        assert_eq!(text.matches("os error 28").count(), 1, "{text}");
        assert!(text.starts_with("writing: cannot write the log"), "{text}");
    }

    #[test]
    fn clap_messages_fit_on_one_line() {
        let missing = "error: the following required arguments were not provided:\n  --build <BUILD>\n  --test <TEST>\n\nUsage: culprit bisect --bad <BAD> --build <BUILD> --test <TEST>\n\nFor more information, try '--help'.\n";
        assert_eq!(
            clap_line(missing),
            "error: the following required arguments were not provided: --build <BUILD>, --test <TEST>"
        );
        let tip = "error: unexpected argument '-0' found\n\n  tip: to pass '-0' as a value, use '-- -0'\n\nUsage: culprit sim [OPTIONS]\n";
        let values = "error: invalid value 'x' for '--policy <POLICY>'\n  [possible values: bayes, syzbot, git]\n\nFor more information, try '--help'.\n";
        assert_eq!(
            clap_line(values),
            "error: invalid value 'x' for '--policy <POLICY>' [possible values: bayes, syzbot, git]"
        );
        assert_eq!(
            clap_line(tip),
            "error: unexpected argument '-0' found; tip: to pass '-0' as a value, use '-- -0'"
        );
    }
}
