//! `iblint map` and `kubectl iblint map`: the identity access graph of manifests, or of the live
//! cluster of the current context.
//!
//! The command has its own parser: its `--format` (mermaid, dot, json, html) is not the findings'
//! `--format` every other command shares.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};

use super::{graph, html, render};
use crate::check::{self, CheckOptions};
use crate::cli::{EXIT_ERROR, EXIT_OK};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MapFormat {
    Mermaid,
    Dot,
    Json,
    Html,
}

/// Which workloads can obtain a token for which managed identity, and through which grant.
#[derive(Parser, Debug)]
#[command(
    name = "iblint map",
    about = "Identity access map: workloads → ServiceAccounts → grants and federated credentials → managed identities",
    max_term_width = 100
)]
pub struct MapArgs {
    /// Files and directories to map (default: .); ignored by `kubectl iblint map`, which maps the cluster
    #[arg(value_name = "PATHS")]
    pub paths: Vec<PathBuf>,
    /// mermaid, dot (Graphviz), json (docs/map.schema.json) or html (one self-contained page)
    #[arg(long, value_enum, default_value = "mermaid")]
    pub format: MapFormat,
    /// Write the map to FILE instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Only the neighbourhood of this managed identity: what can reach it
    #[arg(long, value_name = "CLIENT_ID", conflicts_with = "workload")]
    pub identity: Option<String>,
    /// Only the neighbourhood of this workload: what it can reach
    #[arg(long, value_name = "KIND/NS/NAME")]
    pub workload: Option<String>,
    /// Tree indexed for cross-file references (default: the git work tree holding the paths)
    #[arg(long, value_name = "DIR")]
    pub scope: Option<PathBuf>,
    /// Skip paths matching GLOB (repeatable)
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Namespace of objects that name none (files); the namespace to map (live)
    #[arg(long, short = 'n', value_name = "NS")]
    pub namespace: Option<String>,
    /// Config file (default: .iblint.yaml found upward from the working directory)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// kubeconfig context (kubectl iblint map)
    #[arg(long)]
    pub context: Option<String>,
    /// kubeconfig file (kubectl iblint map)
    #[arg(long)]
    pub kubeconfig: Option<PathBuf>,
}

/// Runs `map` when it is the command of this command line (`iblint map …`); `None` otherwise.
pub fn dispatch(bin: &'static str) -> Option<ExitCode> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // `map` parses its own options: its `--format` names map formats, not the findings' formats
    // every other command shares, so it cannot be one more subcommand of the common parser.
    if args.get(1).is_none_or(|a| a != "map") {
        return None;
    }
    let shown = if bin == "kubectl-iblint" { "kubectl iblint map" } else { "iblint map" };
    let parsed = match MapArgs::try_parse_from(std::iter::once(shown.into()).chain(args.iter().skip(2).cloned())) {
        Ok(p) => p,
        Err(e) => e.exit(),
    };
    Some(run(bin, &parsed))
}

fn fail(message: &str) -> ExitCode {
    eprintln!("error: {}", crate::report::escape::human_text(message));
    ExitCode::from(EXIT_ERROR)
}

pub fn run(bin: &str, args: &MapArgs) -> ExitCode {
    let cwd = match std::env::current_dir() {
        Ok(c) => c,
        Err(e) => return fail(&format!("cannot determine the working directory: {e}")),
    };
    let config = match crate::cli::load_config_file(args.config.as_deref(), &cwd) {
        Ok(c) => c,
        Err(e) => return fail(&e.to_string()),
    };
    let is_live = bin == "kubectl-iblint";
    let paths = if args.paths.is_empty() { vec![PathBuf::from(".")] } else { args.paths.clone() };
    let outcome = if is_live {
        match live(args, &config, &cwd) {
            Ok(o) => o,
            Err(e) => return fail(&e),
        }
    } else {
        let opts = CheckOptions {
            paths: paths.clone(),
            scope: args.scope.clone(),
            excludes: args.exclude.clone(),
            namespace: args.namespace.clone(),
            max_file_size: check::DEFAULT_MAX_FILE_SIZE,
            ..CheckOptions::default()
        };
        match check::run(&opts, &config, &cwd) {
            Ok(o) => o,
            Err(e) => return fail(&e.to_string()),
        }
    };
    let given = match cwd.canonicalize() {
        Ok(canonical) if !is_live => check::given_display_paths(&paths, &canonical),
        _ => Vec::new(),
    };
    let in_view = |path: &str| is_live || given.iter().any(|g| check::is_under(path, g));
    let building = crate::timings::phase("map graph");
    let mut g = graph::build(&outcome.inventory, &outcome.findings, &in_view);
    drop(building);
    if let Some(id) = &args.identity {
        match graph::identity_node(&g, id) {
            Some(node) => g = graph::focus(&g, &node),
            None => return fail(&format!("no managed identity with client id `{id}` in the map")),
        }
    }
    if let Some(w) = &args.workload {
        match graph::workload_node(&g, w) {
            Some(node) => g = graph::focus(&g, &node),
            None => {
                return fail(&format!("no workload `{w}` in the map (KIND/NAMESPACE/NAME, e.g. Deployment/team-a/api)"))
            }
        }
    }
    let rendering = crate::timings::phase("render");
    let text = match args.format {
        MapFormat::Mermaid => render::mermaid(&g),
        MapFormat::Dot => render::dot(&g),
        MapFormat::Json => render::json(&g),
        MapFormat::Html => html::html(&g, "iblint identity access map"),
    };
    drop(rendering);
    // The process exits next: freeing the model object by object costs time for nothing.
    std::mem::forget(outcome);
    match &args.output {
        Some(path) => match crate::write_file::write_file(path, text.as_bytes()) {
            Ok(()) => ExitCode::from(EXIT_OK),
            Err(e) => fail(&format!("{}: {e}", path.display())),
        },
        None => {
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => fail(&format!("writing standard output: {e}")),
                _ => ExitCode::from(EXIT_OK),
            }
        }
    }
}

#[cfg(feature = "live")]
fn live(args: &MapArgs, config: &crate::config::Config, cwd: &std::path::Path) -> Result<check::Outcome, String> {
    use crate::audit::{self, AuditOptions};
    use crate::source::cluster::{AuditRequest, Contexts};
    let opts = AuditOptions {
        request: AuditRequest {
            contexts: match &args.context {
                Some(c) => Contexts::Named(vec![c.clone()]),
                None => Contexts::Current,
            },
            kubeconfig: args.kubeconfig.clone(),
            namespace: args.namespace.clone(),
            timeout: Some(std::time::Duration::from_secs(30)),
            deadline: None,
            access_reviews: false,
            progress: false,
            concurrency: 1,
        },
        fleet: false,
        manifests: None,
        enable: Vec::new(),
        disable: Vec::new(),
    };
    audit::run(&opts, config, cwd).map_err(|e| e.to_string())
}

#[cfg(not(feature = "live"))]
fn live(_: &MapArgs, _: &crate::config::Config, _: &std::path::Path) -> Result<check::Outcome, String> {
    Err("this iblint was built without live-cluster support: reinstall with `--features live`".into())
}
