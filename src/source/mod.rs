//! Sources turn bytes into model objects. They never decide what is wrong: a file that cannot be
//! read or parsed becomes a `ParseFailure` (IB001) and the run goes on.

pub mod files;
pub mod manifest;

use std::sync::Arc;

use crate::model::{Inventory, Origin, ParseFailure, SkipNote};
use crate::span::Pos;
use crate::yaml::{parse_stream, Limits};
use files::FileKind;
use manifest::{load_document, DocContext};

/// Options that apply to every file of a run.
#[derive(Clone, Debug)]
pub struct LoadOptions {
    pub default_namespace: String,
    pub limits: Limits,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions { default_namespace: "default".into(), limits: Limits::default() }
    }
}

/// One input: its display path, its kind and its bytes.
pub struct Input<'a> {
    pub display: &'a Arc<str>,
    pub kind: FileKind,
    pub bytes: &'a [u8],
    pub is_patch: bool,
}

/// Loads one file into an inventory of its own.
pub fn load(input: &Input, opts: &LoadOptions) -> Inventory {
    let mut inv = Inventory::default();
    let text = match decode(input.bytes) {
        Ok(t) => t,
        Err(failure) => {
            inv.parse_failures.push(ParseFailure { path: input.display.clone(), ..failure });
            return inv;
        }
    };
    match input.kind {
        FileKind::Manifest => load_manifest(input, text, opts, &mut inv),
        FileKind::Terraform | FileKind::Bicep | FileKind::Script => {}
    }
    inv
}

/// Text files only: NUL bytes or invalid UTF-8 mean a binary file, reported where it starts.
fn decode(bytes: &[u8]) -> Result<&str, ParseFailure> {
    let failure = |offset: usize, message: &str| {
        let line = bytes[..offset].iter().filter(|&&b| b == b'\n').count() as u32 + 1;
        let col = (offset - bytes[..offset].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)) as u32 + 1;
        ParseFailure { path: Arc::from(""), pos: Pos { line, col }, message: message.to_string() }
    };
    let text = std::str::from_utf8(bytes).map_err(|e| failure(e.valid_up_to(), "not UTF-8 text (a binary file?)"))?;
    if let Some(nul) = text.find('\0') {
        return Err(failure(nul, "contains a NUL byte (a binary file?)"));
    }
    Ok(text)
}

fn load_manifest(input: &Input, text: &str, opts: &LoadOptions, inv: &mut Inventory) {
    let cx = DocContext {
        origin: Origin::File(input.display.clone()),
        default_namespace: &opts.default_namespace,
        is_patch: input.is_patch,
    };
    // Helm chart sources are Go templates: their values are not what will be applied.
    if is_helm_template(input.display, text) {
        inv.notes.push(files::helm_chart_note(chart_root(input.display)));
        return;
    }
    let mut loaded = Inventory::default();
    let outcome = parse_stream(text, &opts.limits, |root| {
        crate::redact::collect(&root, &mut loaded.secret_values);
        load_document(&root, &cx, &mut loaded);
    });
    if let Some(err) = outcome.fatal {
        if text.contains("{{") {
            // An unrendered template (Helm, gomplate, envsubst-style Go templates) is not broken YAML.
            inv.notes.push(SkipNote {
                path: input.display.to_string(),
                message: "contains Go template actions (`{{ }}`) and is not valid YAML: skipped; lint the \
                          rendered output instead"
                    .into(),
            });
            return;
        }
        inv.parse_failures.push(ParseFailure { path: input.display.clone(), pos: err.pos, message: err.message });
    }
    inv.merge(loaded);
    for problem in outcome.problems {
        inv.parse_failures.push(ParseFailure {
            path: input.display.clone(),
            pos: problem.pos,
            message: problem.message,
        });
    }
}

/// A file inside a chart's `templates/` directory that uses template actions.
fn is_helm_template(display: &str, text: &str) -> bool {
    display.split('/').rev().skip(1).any(|seg| seg == "templates") && text.contains("{{")
}

/// The chart directory of a template: the parent of its `templates/` directory.
fn chart_root(display: &str) -> &str {
    match display.rfind("/templates/") {
        Some(i) => &display[..i],
        None => display.strip_suffix("templates").unwrap_or(display),
    }
}
