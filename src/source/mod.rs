//! Sources turn bytes into model objects. They never decide what is wrong: a file that cannot be
//! read or parsed becomes a `ParseFailure` (IB001) and the run goes on.

mod base64;
#[cfg(feature = "live")]
pub mod cluster;
pub mod fic_yaml;
pub mod files;
pub mod iac;
pub mod kustomize;
pub mod listing;
pub mod loader;
pub mod manifest;
pub mod never_read;
pub mod pod_template;
pub mod rbac;
pub mod remote;
pub mod render;
pub mod stage;
pub mod tools;
pub mod workflow;

#[cfg(test)]
mod unread_tests;

use std::sync::Arc;

use crate::model::{Objects, Origin, ParseFailure, SkipNote};
use crate::span::Pos;
use crate::yaml::{parse_stream_pruned, Limits, Node};
use files::FileKind;
use manifest::{load_document, DocContext};

/// Options that apply to every file of a run.
#[derive(Clone, Debug)]
pub struct LoadOptions {
    pub default_namespace: String,
    pub limits: Limits,
    /// Keep the objects no rule reads ([`Objects::forget_unread`]): `audit --manifests` moves a
    /// live finding onto whichever file declares its object.
    pub keep_unread: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions { default_namespace: "default".into(), limits: Limits::default(), keep_unread: false }
    }
}

/// One input: its display path, its kind and its bytes.
pub struct Input<'a> {
    pub display: &'a Arc<str>,
    pub kind: FileKind,
    pub bytes: &'a [u8],
    pub is_patch: bool,
}

/// Loads the objects of one file.
pub fn load(input: &Input, opts: &LoadOptions) -> Objects {
    let mut inv = Objects::default();
    let text = match decode(input.bytes) {
        Ok(t) => t,
        Err(failure) => {
            inv.parse_failures.push(ParseFailure { path: input.display.clone(), ..failure });
            return inv;
        }
    };
    match input.kind {
        FileKind::Manifest => load_manifest(input, text, opts, &mut inv),
        // A Terraform file given alone (standard input, tests) is a module of one file.
        FileKind::Terraform => inv.merge(iac::terraform::evaluate_file(input.display, text, opts)),
        // A run evaluates Bicep files together (`stage`); one file alone is a root with its
        // defaults, and a parameter file alone deploys nothing.
        FileKind::Bicep => inv.merge(iac::bicep::evaluate_text(text, input.display)),
        FileKind::BicepParams => {}
        FileKind::Script => {
            let dialect = iac::script::Dialect::of_file(input.display);
            let script = iac::script::Script { text, path: input.display, dialect, lines: 0, cols: 0, env: &[] };
            iac::script::scan(&script, &mut inv);
        }
    }
    inv
}

/// Text files only: NUL bytes or invalid UTF-8 mean a binary file, reported where it starts.
pub(crate) fn decode(bytes: &[u8]) -> Result<&str, ParseFailure> {
    let failure = |offset: usize, message: &str| {
        let line = bytes[..offset].iter().filter(|&&b| b == b'\n').count() as u32 + 1;
        let col = (offset - bytes[..offset].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)) as u32 + 1;
        ParseFailure {
            path: Arc::from(""),
            pos: Pos { line, col },
            message: message.to_string(),
            cause: Default::default(),
        }
    };
    if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        // What Windows PowerShell's `>` writes; the YAML toolchain expects UTF-8.
        return Err(failure(0, "UTF-16 text (save it as UTF-8)"));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| failure(e.valid_up_to(), "not UTF-8 text (a binary file?)"))?;
    if let Some(nul) = text.find('\0') {
        return Err(failure(nul, "contains a NUL byte (a binary file?)"));
    }
    Ok(text)
}

fn load_manifest(input: &Input, text: &str, opts: &LoadOptions, inv: &mut Objects) {
    let cx = DocContext {
        origin: Origin::file(input.display.clone()),
        default_namespace: &opts.default_namespace,
        is_patch: input.is_patch,
        build: None,
    };
    let name = input.display.rsplit('/').next().unwrap_or_default();
    let workflow = input.display.contains(".github/workflows/") || name == "action.yml" || name == "action.yaml";
    let mut loaded = Objects::default();
    let unread = Some(&manifest::UnreadSettings as &dyn crate::yaml::Unread);
    let kept = read_manifest(input.display, text, opts, unread, inv, |root| {
        if workflow {
            workflow::scan(&root, text, input.display, &mut loaded);
        }
        load_document(&root, &cx, &mut loaded);
    });
    if kept {
        if !opts.keep_unread {
            loaded.forget_unread();
        }
        inv.merge(loaded);
    }
}

/// Reads the documents of a manifest text, handing each to `on_doc` without the entries `unread`
/// says it never looks at. Parse failures, notes and secret-looking values go to `out`. Returns
/// false when the text turned out to be a template rather than a manifest (a note says so): then
/// nothing handed to `on_doc` counts.
pub(crate) fn read_manifest(
    display: &Arc<str>,
    text: &str,
    opts: &LoadOptions,
    unread: Option<&dyn crate::yaml::Unread>,
    out: &mut Objects,
    mut on_doc: impl FnMut(Node),
) -> bool {
    // Helm chart sources are Go templates: their values are not what will be applied.
    if is_helm_template(display, text) {
        out.notes.push(files::helm_chart_note(chart_root(display)));
        return false;
    }
    let template = text.contains("{{");
    let mut template_keys = false;
    let mut secrets = Vec::new();
    let outcome = parse_stream_pruned(text, &opts.limits, unread, |root| {
        template_keys |= template && root.has_complex_key();
        crate::redact::collect(&root, &mut secrets);
        on_doc(root);
    });
    if template && (outcome.fatal.is_some() || template_keys) {
        if !text.contains("kind:") {
            return false; // not a manifest template either (e.g. a values file): skipped silently
        }
        // An unrendered Go template (Helm, gomplate, a test harness's text/template): its
        // unquoted `{{ .X }}` actions are not YAML, or parse as nonsense mappings.
        out.notes.push(SkipNote {
            path: display.to_string(),
            message: "contains Go template actions (`{{ }}`) and is not a manifest as written: skipped; lint \
                      the rendered output instead"
                .into(),
        });
        return false;
    }
    out.secret_values.extend(secrets);
    if let Some(err) = outcome.fatal {
        out.parse_failures.push(ParseFailure {
            path: display.clone(),
            pos: err.pos,
            message: err.message,
            cause: Default::default(),
        });
    }
    for problem in outcome.problems {
        out.parse_failures.push(ParseFailure {
            path: display.clone(),
            pos: problem.pos,
            message: problem.message,
            cause: Default::default(),
        });
    }
    true
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
