//! Entry points shared by the `cargo fuzz` targets (`fuzz/`) and the stable-toolchain mutation
//! fuzzer (`tests/fuzz.rs`). Each takes arbitrary bytes and must return without panicking.

use std::sync::Arc;

use crate::check::{self, CheckOptions};
use crate::config::{self, Config};
use crate::report::{self, Format, RenderOptions};
use crate::source::files::FileKind;
use crate::source::{self, Input, LoadOptions};

/// Every source that turns file bytes into model objects, by the file name it is read from.
/// A new source is one line here: both fuzzers then cover it.
pub const SOURCES: &[(&str, FileKind)] = &[
    ("fuzz.yaml", FileKind::Manifest),
    ("fuzz.tf", FileKind::Terraform),
    ("fuzz.tf.json", FileKind::Terraform),
    ("fuzz.bicep", FileKind::Bicep),
    ("fuzz.sh", FileKind::Script),
    ("fuzz.ps1", FileKind::Script),
    (".github/workflows/fuzz.yml", FileKind::Manifest),
];

/// One source on its own: bytes → model objects.
pub fn source(kind: FileKind, name: &str, bytes: &[u8]) {
    let display: Arc<str> = Arc::from(name);
    let input = Input { display: &display, kind, bytes, is_patch: false };
    let _ = source::load(&input, &LoadOptions::default());
    let patch = Input { is_patch: true, ..input };
    let _ = source::load(&patch, &LoadOptions::default());
}

/// The whole `check` pipeline on a manifest read from standard input: YAML source, model,
/// every rule, suppressions, and all four output formats.
pub fn pipeline(bytes: &[u8]) {
    let Ok(cwd) = std::env::current_dir() else { return };
    let opts = CheckOptions {
        paths: vec!["-".into()],
        stdin: Some(String::from_utf8_lossy(bytes).into_owned()),
        ..CheckOptions::default()
    };
    let Ok(outcome) = check::run(&opts, &Config::default(), &cwd) else { return };
    for format in [Format::Human, Format::Sarif, Format::Json, Format::Github] {
        let _ = report::render(format, &outcome, &RenderOptions::default());
    }
}

/// The config file parser.
pub fn config(bytes: &[u8]) {
    let _ = config::parse(&String::from_utf8_lossy(bytes), Arc::from(".iblint.yaml"));
}
