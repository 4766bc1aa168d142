//! Where the real-world corpus is, and how its tests run when it is not there.
//!
//! The corpus (unmodified public files from 21 repositories) is not part of this repository: its
//! location is `IBLINT_REALWORLD`, else `../shared/realworld` beside the repository. A fresh clone
//! has neither, and its tests are then skipped with one line saying so; `.ci/run` sets the
//! variable, and a variable that names no directory fails every test (CI must not skip them).
//! What the corpus protects is also covered by `testdata/realworld-shapes/` (tests/shapes.rs).
#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;

use libtest_mimic::{Arguments, Failed, Trial};

/// The variable naming the corpus.
pub const VARIABLE: &str = "IBLINT_REALWORLD";

/// Where the corpus is, and whether the location was asked for explicitly.
fn location() -> (PathBuf, bool) {
    match std::env::var_os(VARIABLE).filter(|v| !v.is_empty()) {
        Some(v) => (PathBuf::from(v), true),
        None => (PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/realworld"), false),
    }
}

/// A test over the corpus: its name and its body, given the corpus directory.
pub type CorpusTest = (&'static str, fn(&std::path::Path));

/// Runs `tests` (name, body) over the corpus; skips them all, with one printed line, when the
/// corpus is absent and was not asked for.
pub fn run(tests: Vec<CorpusTest>) -> std::process::ExitCode {
    let args = Arguments::from_args();
    let (corpus, explicit) = location();
    let present = corpus.is_dir();
    if !present && !explicit {
        // Written past the test harness's capture, so it shows in a plain `cargo test`.
        let _ = writeln!(
            std::io::stderr(),
            "skipped {} real-world corpus test{}: no corpus at {} (set {VARIABLE} to its directory to run them)",
            tests.len(),
            if tests.len() == 1 { "" } else { "s" },
            corpus.display()
        );
    }
    let trials = tests
        .into_iter()
        .map(|(name, body)| {
            let corpus = corpus.clone();
            Trial::test(name, move || {
                if !corpus.is_dir() {
                    return Err(Failed::from(format!(
                        "{VARIABLE}={} is not a directory: the real-world corpus must be there",
                        corpus.display()
                    )));
                }
                body(&corpus);
                Ok(())
            })
            .with_ignored_flag(!present && !explicit)
        })
        .collect();
    libtest_mimic::run(&args, trials).exit_code()
}
