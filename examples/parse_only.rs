//! The benchmark's baselines: walks the same paths as `iblint check`, reads every manifest and
//! parses it, in parallel the same way (rayon over the walked files), and builds nothing else.
//!
//! - By default, with the project's tree-building parser (`yaml::parse_stream`): what `iblint
//!   check` costs beyond this is the model, the rules and the report.
//! - With `--events`, the bare `saphyr-parser` event loop (events only, no tree, no positions):
//!   the least any YAML linter on that parser can cost, the denominator of the headline ratio.
//!
//! Usage: cargo run --release --example parse_only -- [--threads N] [--events] PATHS...

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test tool: failing loudly is its job

use std::path::PathBuf;

use iblint::source::files::{self, FileKind, WalkOptions};
use iblint::yaml::{parse_stream, Limits};
use rayon::prelude::*;

fn main() -> std::process::ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(i) = args.iter().position(|a| a == "--threads") {
        let n = args.get(i + 1).and_then(|n| n.parse().ok()).unwrap_or(1);
        args.drain(i..(i + 2).min(args.len()));
        if let Err(e) = rayon::ThreadPoolBuilder::new().num_threads(n).build_global() {
            eprintln!("error: --threads: {e}");
            return std::process::ExitCode::from(2);
        }
    }
    let events_only = args.iter().any(|a| a == "--events");
    args.retain(|a| a != "--events");
    let paths: Vec<PathBuf> = args.into_iter().map(PathBuf::from).collect();
    let cwd = match std::env::current_dir().and_then(|c| c.canonicalize()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: working directory: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let excludes = globset::GlobSet::empty();
    let walked = match files::walk(&WalkOptions {
        paths: &paths,
        scope: None,
        excludes: &excludes,
        cwd: &cwd,
        follow_symlinks: false,
    }) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let (docs, bytes, errors) = walked
        .files
        .par_iter()
        .filter(|f| f.kind == FileKind::Manifest)
        .map(|f| {
            let Ok(text) = std::fs::read_to_string(&f.path) else { return (0, 0, 1) };
            let (docs, failed) = if events_only { event_loop(&text) } else { tree_parse(&text) };
            (docs, text.len(), usize::from(failed))
        })
        .reduce(|| (0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2));
    println!("{} files, {} bytes, {} documents, {} parse errors", walked.files.len(), bytes, docs, errors);
    std::process::ExitCode::SUCCESS
}

/// Documents and whether the parse failed, through the project's tree-building parser.
fn tree_parse(text: &str) -> (usize, bool) {
    let mut docs = 0usize;
    let outcome = parse_stream(text, &Limits::default(), |_| docs += 1);
    (docs, outcome.fatal.is_some())
}

/// Documents and whether the parse failed, through saphyr-parser's events alone: every event is
/// produced (scalars included) and dropped at once.
fn event_loop(text: &str) -> (usize, bool) {
    let mut parser = saphyr_parser::Parser::new_from_str(text);
    let mut docs = 0usize;
    while let Some(next) = parser.next_event() {
        match next {
            Ok((saphyr_parser::Event::DocumentEnd, _)) => docs += 1,
            Ok(_) => {}
            Err(_) => return (docs, true),
        }
    }
    (docs, false)
}

/// The same allocator as `iblint`, so the baseline measures the same parser under the same
/// allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
