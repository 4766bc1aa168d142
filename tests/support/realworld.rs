//! Where the real-world corpus is, and how its tests run when it is not there.
//!
//! The corpus (unmodified public files from 21 repositories) is not part of this repository: its
//! location is `IBLINT_REALWORLD`, else `../shared/realworld` beside the repository. A fresh clone
//! has neither, and its tests are then skipped with one line saying so; `.ci/run` sets the
//! variable, and a variable that names no directory fails every test (CI must not skip them).
//! What the corpus protects is also covered by `testdata/realworld-shapes/` (tests/shapes.rs).
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};

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
pub type CorpusTest = (&'static str, fn(&Path));

/// Runs `tests` (name, body) over the corpus; skips them all, with one printed line, when the
/// corpus is absent and was not asked for.
pub fn run(tests: Vec<CorpusTest>) -> std::process::ExitCode {
    let args = Arguments::from_args();
    let count = tests.len();
    let trials = tests
        .into_iter()
        .map(|(name, body)| {
            trial(name.to_string(), move |corpus| {
                body(corpus);
                Ok(())
            })
        })
        .collect();
    say_if_skipped(count);
    libtest_mimic::run(&args, trials).exit_code()
}

/// One test over the corpus, to run among others: ignored when the corpus is absent and was not
/// asked for, failed when it was asked for and is absent. A failure is a panic of `body`, or the
/// message it returns.
pub fn trial(name: String, body: impl FnOnce(&Path) -> Result<(), String> + Send + 'static) -> Trial {
    let (corpus, explicit) = location();
    let present = corpus.is_dir();
    Trial::test(name, move || {
        if !corpus.is_dir() {
            return Err(Failed::from(format!(
                "{VARIABLE}={} is not a directory: the real-world corpus must be there",
                corpus.display()
            )));
        }
        body(&corpus).map_err(Failed::from)
    })
    .with_ignored_flag(!present && !explicit)
}

/// Says, past the test harness's capture, that `count` corpus tests are skipped when they are.
pub fn say_if_skipped(count: usize) {
    let (corpus, explicit) = location();
    if !corpus.is_dir() && !explicit {
        let _ = writeln!(
            std::io::stderr(),
            "skipped {count} real-world corpus test{}: no corpus at {} (set {VARIABLE} to its directory to run them)",
            if count == 1 { "" } else { "s" },
            corpus.display()
        );
    }
}
