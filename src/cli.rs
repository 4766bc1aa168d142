//! The command line (clap), exit codes and output files. Both binaries (`iblint` and the
//! kubectl plugin `kubectl-iblint`) run this.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::baseline::Baseline;
use crate::check::{self, CheckOptions, Outcome};
use crate::config::{self, Config};
use crate::docs;
use crate::finding::Level;
use crate::report::{self, Format, RenderOptions};
use crate::rules::RULES;
use crate::source::render::{self, HelmRequest, RenderRequest, Rendered};

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
    /// Skip paths matching GLOB (repeatable; adds to the config's `exclude:`)
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Namespace of objects that name none
    #[arg(long, short = 'n', value_name = "NS")]
    pub namespace: Option<String>,
    /// Skip files larger than this many bytes, with a note
    #[arg(long, value_name = "BYTES", default_value_t = check::DEFAULT_MAX_FILE_SIZE)]
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
    let outputs = match output_plan(&matches) {
        Ok(o) => o,
        Err(e) => return fail(&e),
    };
    if let Some(n) = cli.common.threads {
        if let Err(e) = rayon::ThreadPoolBuilder::new().num_threads(n.max(1)).build_global() {
            return fail(&format!("--threads: {e}"));
        }
    }
    if let Err(e) = reject_ignored_options(&matches) {
        e.exit();
    }
    match &cli.command {
        Command::Rules => emit_stdout(&rules_table()),
        Command::Explain { rule } => match crate::rules::resolve(rule).map(docs::get) {
            Ok(Some(doc)) => emit_stdout(&explain(doc)),
            Ok(None) => fail(&format!("rule `{rule}` has no documentation")),
            Err(e) => fail(&e.to_string()),
        },
        Command::Version => emit_stdout(&format!("{bin} {VERSION}\n")),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(*shell, &mut command_for(bin), bin, &mut out);
            emit_stdout(&String::from_utf8_lossy(&out))
        }
        Command::Man => {
            let mut out = Vec::new();
            match clap_mangen::Man::new(command_for(bin)).render(&mut out) {
                Ok(()) => emit_stdout(&String::from_utf8_lossy(&out)),
                Err(e) => fail(&format!("rendering the manual page: {e}")),
            }
        }
        Command::Check(args) => run_check(&cli.common, args, &outputs),
        Command::Audit(args) => run_audit(&cli.common, args, &outputs),
        Command::Fix(args) => crate::fix::command::run(&cli.common, args, &outputs),
        // `map` has its own parser and runs before this one (see `crate::map::command::dispatch`).
        Command::Map { .. } => fail("put `map` first on the command line: `iblint map --help`"),
    }
}

fn fail(message: &str) -> ExitCode {
    // Errors quote paths, config values, tool output and server messages: escaped like any output.
    eprintln!("error: {}", report::escape::human_text(message));
    ExitCode::from(EXIT_ERROR)
}

/// Writes to standard output; a closed pipe ends the program quietly.
fn emit_stdout(text: &str) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(EXIT_OK),
        Err(e) => fail(&format!("writing standard output: {e}")),
    }
}

/// Pairs each `--output FILE` with the `--format` before it (or the one its extension implies);
/// formats without a file go to standard output, at most one of them.
pub fn output_plan(matches: &ArgMatches) -> Result<Vec<(Format, Option<String>)>, String> {
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
        return Err("several formats would go to standard output: give each but one an --output FILE".into());
    }
    if plan.is_empty() {
        plan.push((Format::Human, None));
    }
    Ok(plan)
}

pub(crate) fn load_config(common: &Common, cwd: &Path) -> Result<Config, String> {
    load_config_file(common.config.as_deref(), cwd)
}

/// The config of `--config FILE`, or the `.iblint.yaml` found upward from `cwd`, or the default.
pub(crate) fn load_config_file(given: Option<&Path>, cwd: &Path) -> Result<Config, String> {
    let path = match given {
        Some(p) => {
            if !p.is_file() {
                return Err(format!("{}: config file not found", p.display()));
            }
            Some(p.to_path_buf())
        }
        None => config::find(cwd),
    };
    match path {
        Some(p) => {
            let abs = cwd.join(&p);
            let canon_cwd = cwd.canonicalize().unwrap_or_else(|_| cwd.to_path_buf());
            let display = crate::source::files::display_path(&abs.canonicalize().unwrap_or(abs.clone()), &canon_cwd);
            config::load(&abs, display).map_err(|e| e.to_string())
        }
        None => Ok(Config::default()),
    }
}

fn run_check(common: &Common, args: &CheckArgs, outputs: &[(Format, Option<String>)]) -> ExitCode {
    let cwd = match std::env::current_dir() {
        Ok(c) => c,
        Err(e) => return fail(&format!("cannot determine the working directory: {e}")),
    };
    let config = match load_config(common, &cwd) {
        Ok(c) => c,
        Err(e) => return fail(&e),
    };
    let requests = args.render.requests(&args.namespace);
    let max_size = if args.max_file_size == 0 { check::DEFAULT_MAX_FILE_SIZE } else { args.max_file_size };
    let limits = render::RenderLimits { max_output: max_size, allow_remote: args.render.allow_remote };
    let mut rendered: Vec<Rendered> = Vec::new();
    for request in &requests {
        match render::render(request, &cwd, limits) {
            Ok(pieces) => rendered.extend(pieces),
            Err(e) => return fail(&e.to_string()),
        }
    }
    let mut paths = args.paths.clone();
    if paths.is_empty() && requests.is_empty() {
        paths.push(PathBuf::from("."));
    }
    let stdin = if paths.iter().any(|p| p.as_os_str() == "-") {
        let mut buf = Vec::new();
        // Read no more than the limit (and one byte to tell): an endless stream must not fill memory.
        if let Err(e) = std::io::stdin().lock().take(max_size.saturating_add(1)).read_to_end(&mut buf) {
            return fail(&format!("reading standard input: {e}"));
        }
        if buf.len() as u64 > max_size {
            return fail(&format!("standard input is larger than {max_size} bytes (--max-file-size): not linted"));
        }
        Some(String::from_utf8_lossy(&buf).into_owned())
    } else {
        None
    };
    let opts = CheckOptions {
        paths,
        stdin,
        scope: args.scope.clone(),
        excludes: args.exclude.clone(),
        namespace: args.namespace.clone(),
        enable: common.enable.clone(),
        disable: common.disable.clone(),
        max_file_size: args.max_file_size,
        rendered,
        ..CheckOptions::default()
    };
    let mut outcome = match check::run(&opts, &config, &cwd) {
        Ok(outcome) => outcome,
        Err(e) => return fail(&e.to_string()),
    };
    if outcome.files_read == 0 && !args.allow_empty {
        return fail(&nothing_to_lint(&opts.paths, &outcome));
    }
    if let Err(e) = apply_baseline(args, &mut outcome) {
        return fail(&e);
    }
    let render = crate::timings::phase("render");
    let code = finish(common, outputs, &outcome, "iblint/check/");
    drop(render);
    // The process exits next: freeing the model object by object would cost a large repository
    // ~5% of its run time for nothing.
    std::mem::forget(outcome);
    code
}

/// Paths that hold nothing to lint are a mistake to report, not a clean run: a CI job pointed at
/// the wrong folder must not pass. The notes say what was skipped there.
fn nothing_to_lint(paths: &[PathBuf], outcome: &Outcome) -> String {
    let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let mut message = format!(
        "no files to lint under {} (iblint reads .yaml, .yml, .json, .tf, .tfvars, .bicep, .bicepparam, .sh, \
         .bash, .ps1 and .psm1 files; --allow-empty accepts an empty run)",
        shown.join(", ")
    );
    for n in &outcome.notes {
        message.push_str(&format!("\n  note: {}: {}", n.path, n.message));
    }
    message
}

/// `--write-baseline` records today's findings (which then no longer count); `--baseline` marks
/// the findings it records as suppressed.
fn apply_baseline(args: &CheckArgs, outcome: &mut Outcome) -> Result<(), String> {
    let baseline = match (&args.write_baseline, &args.baseline) {
        (Some(path), _) => {
            let baseline = Baseline::of(&outcome.findings);
            write_atomically(path, baseline.to_json().as_bytes()).map_err(|e| format!("{}: {e}", path.display()))?;
            baseline
        }
        (None, Some(path)) => Baseline::load(path).map_err(|e| e.to_string())?,
        (None, None) => return Ok(()),
    };
    baseline.apply(&mut outcome.findings);
    Ok(())
}

#[cfg(not(feature = "live"))]
fn run_audit(_common: &Common, _args: &AuditArgs, _outputs: &[(Format, Option<String>)]) -> ExitCode {
    fail(
        "this iblint was built without live-cluster support: use a release binary or the container image (both \
         include it), or build with the cargo feature `live` (`cargo install --path . --features live` in a clone); \
         `iblint check` lints manifests",
    )
}

#[cfg(feature = "live")]
fn run_audit(common: &Common, args: &AuditArgs, outputs: &[(Format, Option<String>)]) -> ExitCode {
    use crate::audit::{self, AuditOptions};
    use crate::source::cluster::{AuditRequest, Contexts};
    audit::release_memory_promptly();
    let cwd = match std::env::current_dir() {
        Ok(c) => c,
        Err(e) => return fail(&format!("cannot determine the working directory: {e}")),
    };
    let config = match load_config(common, &cwd) {
        Ok(c) => c,
        Err(e) => return fail(&e),
    };
    let contexts = match (&args.context, args.contexts.as_slice(), args.all_contexts) {
        (_, _, true) => Contexts::All,
        (_, [_, ..], false) => Contexts::Named(args.contexts.clone()),
        (Some(name), [], false) => Contexts::Named(vec![name.clone()]),
        (None, [], false) => Contexts::Current,
    };
    let opts = AuditOptions {
        request: AuditRequest {
            contexts,
            kubeconfig: args.kubeconfig.clone(),
            namespace: args.namespace.clone(),
            timeout: args.timeout.0,
            deadline: args.deadline.and_then(|d| d.0),
            access_reviews: !args.no_sar,
            progress: !common.quiet,
            concurrency: args.concurrent_clusters.max(1),
        },
        fleet: args.all_contexts || !args.contexts.is_empty(),
        manifests: args.manifests.clone(),
        enable: common.enable.clone(),
        disable: common.disable.clone(),
    };
    match audit::run(&opts, &config, &cwd) {
        Ok(outcome) => {
            let code = match write_outputs(common, outputs, &outcome, "iblint/audit/") {
                Err(e) => fail(&e),
                Ok(()) if outcome.is_incomplete() && !args.allow_incomplete => ExitCode::from(EXIT_INCOMPLETE),
                Ok(()) => ExitCode::from(exit_code(&outcome, common.fail_on)),
            };
            std::mem::forget(outcome);
            code
        }
        Err(e) => fail(&e.to_string()),
    }
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
        Err(e) => fail(&e),
    }
}

/// Renders every requested output to standard output or its file.
fn write_outputs(
    common: &Common,
    outputs: &[(Format, Option<String>)],
    outcome: &Outcome,
    automation_id: &str,
) -> Result<(), String> {
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
                        return Err(format!("writing standard output: {e}"));
                    }
                }
            }
            Some(path) => write_atomically(Path::new(path), text.as_bytes()).map_err(|e| format!("{path}: {e}"))?,
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

/// Writes through a temporary file in the same directory and renames it into place, so a
/// failure never leaves a truncated file behind. A path that exists and is no regular file
/// (`/dev/null`, `/dev/stderr`, a named pipe) is written to directly: renaming over it would
/// replace the device or pipe with a plain file for every other program on the machine.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        return std::fs::OpenOptions::new().write(true).open(path)?.write_all(bytes);
    }
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
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
