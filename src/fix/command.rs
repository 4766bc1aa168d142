//! The `iblint fix` command line: options, output and exit code.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;

use super::run::{self, FixOptions, FixReport};
use crate::check::{self, CheckOptions};
use crate::cli::{Common, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};
use crate::report::Format;

#[derive(Args, Debug)]
pub struct FixArgs {
    /// Files and directories to fix (default: .)
    #[arg(value_name = "PATHS")]
    pub paths: Vec<PathBuf>,
    /// Print the changes as a unified diff and change nothing
    #[arg(long, conflicts_with = "dry_run")]
    pub diff: bool,
    /// List the fixes that would be applied and what would remain, and change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Also apply unsafe fixes: grants for IB301, an inferred tenant id for IB202
    #[arg(long = "unsafe")]
    pub unsafe_fixes: bool,
    /// Apply only these rules' fixes (comma-separated ids)
    #[arg(long, value_name = "RULE-ID,...")]
    pub rule: Vec<String>,
    /// Write the grants unsafe IB301 fixes add to FILE (created or appended to) rather than to each
    /// ServiceAccount's file
    #[arg(long, value_name = "FILE")]
    pub grants_file: Option<PathBuf>,
    /// Tree indexed for cross-file references (default: the git work tree holding the paths)
    #[arg(long, value_name = "DIR")]
    pub scope: Option<PathBuf>,
    /// Skip paths matching GLOB (repeatable; adds to the config's `exclude:`)
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Namespace of objects that name none
    #[arg(long, short = 'n', value_name = "NS")]
    pub namespace: Option<String>,
}

/// Runs `iblint fix`.
pub fn run(common: &Common, args: &FixArgs, outputs: &[(Format, Option<String>)]) -> ExitCode {
    let cwd = match std::env::current_dir().and_then(|c| c.canonicalize()) {
        Ok(c) => c,
        Err(e) => return fail(&format!("cannot determine the working directory: {e}")),
    };
    let config = match crate::cli::load_config(common, &cwd) {
        Ok(c) => c,
        Err(e) => return fail(&e.to_string()),
    };
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        return fail("`iblint fix` changes files: standard input cannot be fixed (use `iblint check -`)");
    }
    let paths = if args.paths.is_empty() { vec![PathBuf::from(".")] } else { args.paths.clone() };
    let opts = FixOptions {
        check: CheckOptions {
            paths,
            scope: args.scope.clone(),
            excludes: args.exclude.clone(),
            namespace: args.namespace.clone(),
            enable: common.enable.clone(),
            disable: common.disable.clone(),
            max_file_size: check::DEFAULT_MAX_FILE_SIZE,
            append_fixes_to: args.grants_file.as_deref().map(|p| display_of(p, &cwd)),
            ..CheckOptions::default()
        },
        unsafe_fixes: args.unsafe_fixes,
        rules: args.rule.clone(),
    };
    let report = match run::run(&opts, &config, &cwd) {
        Ok(r) => r,
        Err(e) => return fail(&e.to_string()),
    };
    let remaining = report.outcome.findings.iter().filter(|f| f.suppression.is_none()).count();
    let failing = crate::cli::exit_code(&report.outcome, common.fail_on) == EXIT_FINDINGS;
    if args.diff {
        let diff = run::unified_diff(&report.changed);
        let code = if diff.is_empty() && !failing { EXIT_OK } else { EXIT_FINDINGS };
        return emit(&diff, code);
    }
    if args.dry_run {
        let mut text = applied_lines(&report, "would fix");
        text.push_str(&format!("would {}\n", summary(&report, remaining).replacen("fixed", "fix", 1)));
        let code = if report.changed.is_empty() && !failing { EXIT_OK } else { EXIT_FINDINGS };
        return emit(&text, code);
    }
    if let Err(e) = run::write(&report.changed, &cwd) {
        return fail(&e);
    }
    let code = crate::cli::finish(common, outputs, &report.outcome, "iblint/fix/");
    if !common.quiet {
        eprint!("{}", applied_lines(&report, "fixed"));
    }
    eprintln!("{}", summary(&report, remaining));
    code
}

/// `fixed 12 findings in 7 files; 3 remain`.
fn summary(report: &FixReport, remaining: usize) -> String {
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    format!(
        "fixed {} in {}; {} {}",
        plural(report.applied.len(), "finding", "findings"),
        plural(report.changed.len(), "file", "files"),
        remaining,
        if remaining == 1 { "remains" } else { "remain" }
    )
}

/// One line per applied fix: `path:line:col: IB102 <what it did>`.
fn applied_lines(report: &FixReport, verb: &str) -> String {
    let mut out = String::new();
    for a in &report.applied {
        let at = match &a.location {
            crate::finding::Location::File { path, span } => {
                format!("{path}:{}:{}", span.start().line, span.start().col)
            }
            crate::finding::Location::Logical { name } => name.clone(),
        };
        let unsafe_note = if a.applicability == crate::finding::Applicability::Unsafe { " (unsafe)" } else { "" };
        out.push_str(&crate::report::escape::human_text(&format!(
            "{verb} {at}: {} {}{unsafe_note}\n",
            a.rule, a.description
        )));
    }
    out
}

/// A path as findings name it: relative to the working directory, `/`-separated (it need not
/// exist yet).
fn display_of(path: &Path, cwd: &Path) -> Arc<str> {
    let abs = cwd.join(path);
    let parent = abs.parent().and_then(|p| p.canonicalize().ok());
    match (parent, abs.file_name()) {
        (Some(dir), Some(name)) => crate::source::files::display_path(&dir.join(name), cwd),
        _ => Arc::from(path.to_string_lossy().replace('\\', "/")),
    }
}

fn emit(text: &str, code: u8) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => fail(&format!("writing standard output: {e}")),
        _ => ExitCode::from(code),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("error: {}", crate::report::escape::human_text(message));
    ExitCode::from(EXIT_ERROR)
}
