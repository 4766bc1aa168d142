//! What ends a command with exit code 2: every way the command line, its files and its tools can
//! fail, each with the message the user reads.

use std::path::PathBuf;
use std::process::ExitCode;

use super::EXIT_ERROR;
use crate::baseline::BaselineError;
use crate::check::CheckError;
use crate::config::ConfigError;
use crate::report;
use crate::rules::UnknownRule;
use crate::source::render::RenderError;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("cannot determine the working directory: {0}")]
    WorkingDirectory(#[source] std::io::Error),
    #[error("{}: config file not found", .0.display())]
    ConfigNotFound(PathBuf),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Check(#[from] CheckError),
    #[cfg(feature = "live")]
    #[error(transparent)]
    Audit(#[from] crate::audit::AuditError),
    #[error(transparent)]
    Baseline(#[from] BaselineError),
    #[error(transparent)]
    UnknownRule(#[from] UnknownRule),
    #[error("rule `{0}` has no documentation")]
    Undocumented(String),
    #[error("reading standard input: {0}")]
    ReadStdin(#[source] std::io::Error),
    #[error("standard input is larger than {0} bytes (--max-file-size): not linted")]
    StdinTooLarge(u64),
    #[error("writing standard output: {0}")]
    WriteStdout(#[source] std::io::Error),
    #[error("{}: {source}", path.display())]
    WriteFile { path: PathBuf, source: std::io::Error },
    #[error("several formats would go to standard output: give each but one an --output FILE")]
    SeveralToStdout,
    #[error("--threads: {0}")]
    Threads(#[from] rayon::ThreadPoolBuildError),
    #[error("rendering the manual page: {0}")]
    ManPage(#[source] std::io::Error),
    /// Paths that hold nothing to lint: the message names them and what was skipped there.
    #[error("{0}")]
    NothingToLint(String),
    /// A command used in a way it cannot serve; the message says what to do instead.
    #[error("{0}")]
    Usage(String),
}

impl CliError {
    /// Prints the error on standard error and gives exit code 2.
    pub fn report(&self) -> ExitCode {
        // Errors quote paths, config values, tool output and server messages: escaped like any
        // output.
        eprintln!("error: {}", report::escape::human_text(&self.to_string()));
        ExitCode::from(EXIT_ERROR)
    }
}
