//! The benchmark's parse-only baseline: walks the same paths as `iblint check`, reads every
//! manifest and parses it with the same YAML parser (`yaml::parse_stream`), in parallel the same
//! way (rayon over the walked files), and builds nothing else. What `iblint check` costs beyond
//! this is the model, the rules and the report.
//!
//! Usage: cargo run --release --example parse_only -- [--threads N] PATHS...

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
    let paths: Vec<PathBuf> = args.into_iter().map(PathBuf::from).collect();
    let cwd = match std::env::current_dir().and_then(|c| c.canonicalize()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: working directory: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let excludes = globset::GlobSet::empty();
    let walked = match files::walk(&WalkOptions { paths: &paths, scope: None, excludes: &excludes, cwd: &cwd }) {
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
            let mut docs = 0usize;
            let outcome = parse_stream(&text, &Limits::default(), |_| docs += 1);
            (docs, text.len(), usize::from(outcome.fatal.is_some()))
        })
        .reduce(|| (0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2));
    println!("{} files, {} bytes, {} documents, {} parse errors", walked.files.len(), bytes, docs, errors);
    std::process::ExitCode::SUCCESS
}

/// The same allocator as `iblint`, so the baseline measures the same parser under the same
/// allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
