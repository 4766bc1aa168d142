//! The command line (clap), exit codes and output files. Both binaries (`iblint` and the
//! kubectl plugin `kubectl-iblint`) run this.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::docs;
use crate::report::Format;
use crate::rules::RULES;
use crate::source::render::{HelmRequest, RenderRequest};

mod audit_command;
mod check_command;
mod error;
mod outputs;

pub(crate) use check_command::{load_config, load_config_file};
pub use error::CliError;
pub use outputs::{exit_code, finish, output_plan, write_atomically, FailOn};

/// Exit code: nothing at or above `--fail-on`.
pub const EXIT_OK: u8 = 0;
/// Exit code: findings at or above `--fail-on`.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: usage, config or I/O error.
pub const EXIT_ERROR: u8 = 2;
/// Exit code: the audit could not read everything its rules need (`--allow-incomplete` turns
/// it back into 0 or 1).
pub const EXIT_INCOMPLETE: u8 = 3;

/// The version line of `--version` and `iblint version`: the version and the cargo features the
/// binary was built with (without `live` there is no `audit`).
#[cfg(feature = "live")]
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (features: live)");
#[cfg(not(feature = "live"))]
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (features: none; `audit` needs the feature live)");

#[derive(Parser, Debug)]
#[command(
    name = "iblint",
    version = VERSION,
    about = "Lint Azure Workload Identity and AKS identity bindings in manifests, IaC and live clusters",
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Lint files and directories (default: .); "-" reads standard input
    Check(CheckArgs),
    /// Audit the live cluster of the current kubeconfig context
    Audit(AuditArgs),
    /// List every rule: id, name, default level, summary
    Rules,
    /// Print a rule's documentation
    Explain {
        /// A rule id or name, e.g. IB301 or missing-identity-grant
        #[arg(value_name = "RULE-ID|NAME")]
        rule: String,
    },
    /// Print the version and the cargo features this binary was built with
    Version,
    /// Print shell completions (e.g. `iblint completions bash > /etc/bash_completion.d/iblint`)
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), as release archives ship it
    #[command(hide = true)]
    Man,
    /// Apply fixes in place (safe ones by default), then lint again
    Fix(crate::fix::command::FixArgs),
    /// Identity access map: who can use which managed identity (mermaid, dot, json, html; `iblint map --help`)
    Map {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
        args: Vec<String>,
    },
}

/// Options every command accepts.
#[derive(Args, Debug, Clone)]
pub struct Common {
    /// Output format; repeat with --output FILE to write several formats in one run
    #[arg(long, global = true, value_name = "FORMAT", value_enum)]
    pub format: Vec<Format>,
    /// Write the preceding --format to FILE (atomically) instead of standard output
    #[arg(long, short = 'o', global = true, value_name = "FILE")]
    pub output: Vec<String>,
    /// Lowest level that makes the exit code 1
    #[arg(long, global = true, value_name = "LEVEL", value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// Config file (default: .iblint.yaml found upward from the working directory)
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Turn on rules the config turned off (comma-separated ids or names)
    #[arg(long, global = true, value_name = "RULE,...")]
    pub enable: Vec<String>,
    /// Turn off rules (comma-separated ids or names, e.g. IB106,missing-use-label)
    #[arg(long, global = true, value_name = "RULE,...")]
    pub disable: Vec<String>,
    /// Never use colour (also: NO_COLOR, or when standard output is not a terminal)
    #[arg(long, global = true)]
    pub no_color: bool,
    /// Print findings only: no notes, no summary
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
    /// Worker threads (default: one per core)
    #[arg(long, global = true, value_name = "N")]
    pub threads: Option<usize>,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Files and directories to lint; "-" reads standard input
    #[arg(value_name = "PATHS")]
    pub paths: Vec<PathBuf>,
    /// Tree indexed for cross-file references (default: the git work tree holding the paths)
    #[arg(long, value_name = "DIR")]
    pub scope: Option<PathBuf>,
    /// Follow symbolic links, also those leading out of the scope (default: a given path whose
    /// links leave it is skipped with a note, and links inside directories are not followed)
    #[arg(long)]
    pub follow_symlinks: bool,
    /// Read every file afresh and keep nothing for the next run (default: what each file turned
    /// into is kept in `.git/iblint/`, or the user's cache directory outside git, and used again
    /// while the file is unchanged)
    #[arg(long)]
    pub no_cache: bool,
    /// Skip paths matching GLOB (repeatable; adds to the config's `exclude:`)
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Namespace of objects that name none
    #[arg(long, short = 'n', value_name = "NS")]
    pub namespace: Option<String>,
    /// Skip files larger than this many bytes, with a note
    #[arg(long, value_name = "BYTES", default_value_t = crate::check::DEFAULT_MAX_FILE_SIZE)]
    pub max_file_size: u64,
    /// Succeed when the paths hold no file iblint reads (otherwise that is exit 2)
    #[arg(long)]
    pub allow_empty: bool,
    /// Findings recorded in this baseline file do not count (they are reported as suppressed)
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline", help_heading = "Baseline")]
    pub baseline: Option<PathBuf>,
    /// Record every current finding in FILE and count none of them, to adopt iblint on an existing tree
    #[arg(long, value_name = "FILE", help_heading = "Baseline")]
    pub write_baseline: Option<PathBuf>,
    #[command(flatten)]
    pub render: RenderArgs,
}

/// Rendering before linting (`check` only).
#[derive(Args, Debug, Default)]
#[command(next_help_heading = "Rendering (lint what kustomize or Helm produce)")]
pub struct RenderArgs {
    /// Lint the output of `kubectl kustomize DIR` (or `kustomize build DIR`); repeatable
    #[arg(long, value_name = "DIR")]
    pub kustomize: Vec<PathBuf>,
    /// Lint the output of `helm template CHART`; findings name the template file
    #[arg(long, value_name = "CHART")]
    pub helm: Option<String>,
    /// Values file for --helm (repeatable)
    #[arg(long = "values", short = 'f', value_name = "FILE", requires = "helm")]
    pub values: Vec<PathBuf>,
    /// A value for --helm, as `helm template --set` takes it (repeatable)
    #[arg(long, value_name = "KEY=VALUE", requires = "helm")]
    pub set: Vec<String>,
    /// Release name for --helm (default: helm's own)
    #[arg(long, value_name = "NAME", requires = "helm")]
    pub release: Option<String>,
    /// Let --kustomize and --helm fetch remote bases, charts and values files (refused by default)
    #[arg(long)]
    pub allow_remote: bool,
}

impl RenderArgs {
    fn requests(&self, namespace: &Option<String>) -> Vec<RenderRequest> {
        let mut out: Vec<RenderRequest> =
            self.kustomize.iter().map(|dir| RenderRequest::Kustomize { dir: dir.clone() }).collect();
        if let Some(chart) = &self.helm {
            out.push(RenderRequest::Helm(HelmRequest {
                chart: chart.clone(),
                values: self.values.clone(),
                set: self.set.clone(),
                release: self.release.clone(),
                namespace: namespace.clone(),
            }));
        }
        out
    }
}

#[derive(Args, Debug)]
pub struct AuditArgs {
    /// kubeconfig context (default: the current one)
    #[arg(long, conflicts_with_all = ["contexts", "all_contexts"])]
    pub context: Option<String>,
    /// Audit these contexts as a fleet: one report, cross-cluster findings (comma-separated)
    #[arg(long, value_name = "A,B,...", value_delimiter = ',', conflicts_with = "all_contexts")]
    pub contexts: Vec<String>,
    /// Audit every context of the kubeconfig as a fleet
    #[arg(long)]
    pub all_contexts: bool,
    /// Clusters of a fleet audited at once
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub concurrent_clusters: usize,
    /// kubeconfig file (default: every file of $KUBECONFIG, merged, or ~/.kube/config)
    #[arg(long)]
    pub kubeconfig: Option<PathBuf>,
    /// Audit one namespace
    #[arg(long, short = 'n', value_name = "NS", conflicts_with = "all_namespaces")]
    pub namespace: Option<String>,
    /// Audit every namespace (the default)
    #[arg(long, short = 'A')]
    pub all_namespaces: bool,
    /// Map live objects back to the files in DIR that declare them
    #[arg(long, value_name = "DIR")]
    pub manifests: Option<PathBuf>,
    /// Skip SubjectAccessReview cross-checks
    #[arg(long)]
    pub no_sar: bool,
    /// The most one request may take, like kubectl's --request-timeout (30, 30s, 2m; 0: no limit)
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub timeout: TimeLimit,
    /// The most the audit of a cluster may take (default: no limit)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub deadline: Option<TimeLimit>,
    /// Exit 0/1 by the findings even when some lists could not be read (default: exit 3)
    #[arg(long)]
    pub allow_incomplete: bool,
}

/// A time limit; `None` means none.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeLimit(pub Option<std::time::Duration>);

/// A duration as kubectl's `--request-timeout` takes it: seconds (`30`), or numbers with units
/// (`500ms`, `30s`, `2m`, `1h30m`); `0` means no limit.
pub fn parse_duration(text: &str) -> Result<TimeLimit, String> {
    let text = text.trim();
    let bad = || format!("`{text}` is not a duration (30, 30s, 2m, 1h30m; 0 for no limit)");
    if let Ok(seconds) = text.parse::<u64>() {
        return Ok(TimeLimit((seconds > 0).then(|| std::time::Duration::from_secs(seconds))));
    }
    let mut total = 0.0_f64;
    let mut rest = text;
    while !rest.is_empty() {
        let number_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).ok_or_else(bad)?;
        let number: f64 = rest[..number_end].parse().map_err(|_| bad())?;
        rest = &rest[number_end..];
        let unit_end = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let scale = match &rest[..unit_end] {
            "ms" => 0.001,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(bad()),
        };
        total += number * scale;
        rest = &rest[unit_end..];
    }
    if !total.is_finite() || total > 1e9 {
        return Err(bad());
    }
    Ok(TimeLimit((total > 0.0).then(|| std::time::Duration::from_secs_f64(total))))
}

/// The command line of binary `bin`.
fn command_for(bin: &'static str) -> clap::Command {
    let mut command = Cli::command().name(bin);
    if bin == "kubectl-iblint" {
        command = command.bin_name("kubectl iblint").about(
            "kubectl plugin: audit Azure Workload Identity and AKS identity bindings in the current cluster \
             (kubectl iblint audit), or lint manifests (kubectl iblint check)",
        );
    }
    command
}

/// The options every command accepts (`global`) mean nothing to the commands that lint nothing:
/// given to them, they are an error rather than silently ignored.
fn reject_ignored_options(matches: &ArgMatches) -> Result<(), clap::Error> {
    let Some((name, sub)) = matches.subcommand() else { return Ok(()) };
    // `fix` lints before and after it edits, so the linting options mean the same to it.
    if matches!(name, "check" | "audit" | "fix") {
        return Ok(());
    }
    let command = Cli::command();
    for arg in command.get_arguments().filter(|a| a.is_global_set()) {
        if sub.value_source(arg.get_id().as_str()) == Some(clap::parser::ValueSource::CommandLine) {
            let flag = arg.get_long().map_or_else(|| arg.get_id().to_string(), |l| format!("--{l}"));
            return Err(Cli::command().error(
                clap::error::ErrorKind::ArgumentConflict,
                format!("`{name}` takes no {flag}: it applies to `check`, `audit` and `fix`"),
            ));
        }
    }
    Ok(())
}

/// Runs the command line of binary `bin` and returns its exit code.
pub fn main(bin: &'static str) -> ExitCode {
    if let Some(code) = crate::map::command::dispatch(bin) {
        return code;
    }
    let matches = command_for(bin).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    if let Err(e) = reject_ignored_options(&matches) {
        e.exit();
    }
    run(bin, &cli, &matches).unwrap_or_else(|e| e.report())
}

fn run(bin: &'static str, cli: &Cli, matches: &ArgMatches) -> Result<ExitCode, CliError> {
    let outputs = output_plan(matches)?;
    if let Some(n) = cli.common.threads {
        rayon::ThreadPoolBuilder::new().num_threads(n.max(1)).build_global()?;
    }
    match &cli.command {
        Command::Rules => emit_stdout(&rules_table()),
        Command::Explain { rule } => {
            let id = crate::rules::resolve(rule)?;
            let doc = docs::get(id).ok_or_else(|| CliError::Undocumented(rule.clone()))?;
            emit_stdout(&explain(doc))
        }
        Command::Version => emit_stdout(&format!("{bin} {VERSION}\n")),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(*shell, &mut command_for(bin), bin, &mut out);
            emit_stdout(&String::from_utf8_lossy(&out))
        }
        Command::Man => {
            let mut out = Vec::new();
            clap_mangen::Man::new(command_for(bin)).render(&mut out).map_err(CliError::ManPage)?;
            emit_stdout(&String::from_utf8_lossy(&out))
        }
        Command::Check(args) => check_command::run_check(&cli.common, args, &outputs),
        Command::Audit(args) => audit_command::run_audit(&cli.common, args, &outputs),
        Command::Fix(args) => Ok(crate::fix::command::run(&cli.common, args, &outputs)),
        // `map` has its own parser and runs before this one (see `crate::map::command::dispatch`).
        Command::Map { .. } => Err(CliError::Usage("put `map` first on the command line: `iblint map --help`".into())),
    }
}

/// Writes to standard output; a closed pipe ends the program quietly.
fn emit_stdout(text: &str) -> Result<ExitCode, CliError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(ExitCode::from(EXIT_OK)),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::from(EXIT_OK)),
        Err(e) => Err(CliError::WriteStdout(e)),
    }
}

fn rules_table() -> String {
    let mut out = String::new();
    for rule in RULES {
        if let Some(d) = docs::get(rule.id()) {
            out.push_str(&format!("{:<6} {:<32} {:<8} {}\n", d.id, d.name, d.level, d.summary));
        }
    }
    out
}

fn explain(doc: &docs::RuleDoc) -> String {
    let mut s = format!("{} {} (default level: {}; tags: {})\n\n", doc.id, doc.name, doc.level, doc.tags.join(", "));
    if let Some(sev) = &doc.security_severity {
        s.push_str(&format!("security severity: {sev}\n\n"));
    }
    s.push_str(doc.text());
    s.push('\n');
    s
}
