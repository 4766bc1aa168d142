//! Where results go: `--format`/`--output` pairs, rendering, output files and the exit code.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use clap::ArgMatches;

use super::{CliError, Common, EXIT_FINDINGS, EXIT_OK};
use crate::check::Outcome;
use crate::finding::Level;
use crate::report::{self, Format, RenderOptions};

/// Pairs each `--output FILE` with the `--format` before it (or the one its extension implies);
/// formats without a file go to standard output, at most one of them.
pub fn output_plan(matches: &ArgMatches) -> Result<Vec<(Format, Option<String>)>, CliError> {
    let sub = matches.subcommand().map_or(matches, |(_, m)| m);
    fn indexed<T: Clone + Send + Sync + 'static>(sub: &ArgMatches, name: &str) -> Vec<(usize, T)> {
        match (sub.indices_of(name), sub.get_many::<T>(name)) {
            (Some(i), Some(v)) => i.zip(v.cloned()).collect(),
            _ => Vec::new(),
        }
    }
    let formats: Vec<(usize, Format)> = indexed(sub, "format");
    let outputs: Vec<(usize, String)> = indexed(sub, "output");
    let mut plan: Vec<(Format, Option<String>)> = Vec::new();
    let mut used = vec![false; formats.len()];
    for (oi, path) in &outputs {
        let claim = formats.iter().enumerate().rev().find(|(i, (fi, _))| fi < oi && !used[*i]);
        let format = match claim {
            Some((i, (_, f))) => {
                used[i] = true;
                *f
            }
            None => Format::from_extension(path).unwrap_or(Format::Human),
        };
        plan.push((format, Some(path.clone())));
    }
    for (i, (_, f)) in formats.iter().enumerate() {
        if !used[i] {
            plan.push((*f, None));
        }
    }
    if plan.iter().filter(|(_, o)| o.is_none()).count() > 1 {
        return Err(CliError::SeveralToStdout);
    }
    if plan.is_empty() {
        plan.push((Format::Human, None));
    }
    Ok(plan)
}

/// Renders every requested output and computes the exit code.
pub fn finish(
    common: &Common,
    outputs: &[(Format, Option<String>)],
    outcome: &Outcome,
    automation_id: &str,
) -> ExitCode {
    match write_outputs(common, outputs, outcome, automation_id) {
        Ok(()) => ExitCode::from(exit_code(outcome, common.fail_on)),
        Err(e) => e.report(),
    }
}

/// Renders every requested output to standard output or its file.
pub(super) fn write_outputs(
    common: &Common,
    outputs: &[(Format, Option<String>)],
    outcome: &Outcome,
    automation_id: &str,
) -> Result<(), CliError> {
    let color = !common.no_color && std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal();
    let width = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).unwrap_or(100);
    let opts = RenderOptions { color, width, automation_id: automation_id.to_string(), quiet: common.quiet };
    for (format, output) in outputs {
        let text =
            report::render(*format, outcome, &RenderOptions { color: color && output.is_none(), ..opts.clone() });
        match output {
            None => {
                let mut out = std::io::stdout().lock();
                if let Err(e) = out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
                    if e.kind() != std::io::ErrorKind::BrokenPipe {
                        return Err(CliError::WriteStdout(e));
                    }
                }
            }
            Some(path) => write_atomically(Path::new(path), text.as_bytes())
                .map_err(|source| CliError::WriteFile { path: path.into(), source })?,
        }
    }
    Ok(())
}

/// The lowest level that makes the exit code 1 (`--fail-on`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Note,
    /// Exit 0 whatever is found (errors of the run itself still exit 2)
    Never,
}

impl FailOn {
    fn threshold(self) -> Option<Level> {
        match self {
            FailOn::Error => Some(Level::Error),
            FailOn::Warning => Some(Level::Warning),
            FailOn::Note => Some(Level::Note),
            FailOn::Never => None,
        }
    }
}

/// 1 when an unsuppressed finding is at or above `fail_on`, else 0.
pub fn exit_code(outcome: &Outcome, fail_on: FailOn) -> u8 {
    let Some(threshold) = fail_on.threshold() else {
        return EXIT_OK;
    };
    let failing = |o: &Outcome| o.findings.iter().any(|f| f.suppression.is_none() && f.level >= threshold);
    let fleet_failing = outcome.fleet.iter().flat_map(|f| &f.members).any(|m| m.outcome.as_ref().is_ok_and(failing));
    if failing(outcome) || fleet_failing {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// Writes an output, a baseline or a fixed file ([`crate::write_file::write_file`]: through links,
/// into pipes and devices, regular files replaced atomically with their permissions kept).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    crate::write_file::write_file(path, bytes)
}
