//! ARM templates deployed with parameter files: a template that has parameter files beside it
//! (`azuredeploy.parameters.json`, `main.parameters.prod.json`) is evaluated once per parameter
//! file, not with its defaults. A template without one is loaded on its own like any JSON file
//! (with its defaults).

use std::path::PathBuf;

use super::{evaluate, is_template};
use crate::model::{Objects, Origin};
use crate::source::files::{FileEntry, FileKind};
use crate::source::iac::params;
use crate::source::loader::Loader;
use crate::source::stage::{Evaluator, Scope};
use crate::source::{self, Input, LoadOptions};
use crate::yaml::{parse_stream, Limits};

/// Claims the JSON files that parameter files in the same directory name as their template.
pub struct ParameterFiles;

impl ParameterFiles {
    fn parameter_files(file: &FileEntry, scope: &Scope) -> Vec<PathBuf> {
        scope
            .siblings(&file.path)
            .iter()
            .filter(|s| s.kind == FileKind::Manifest && s.path != file.path)
            .filter(|s| params::template_of(&s.path, |p| scope.contains(p)).is_some_and(|t| t == file.path))
            .map(|s| s.path.clone())
            .collect()
    }
}

impl Evaluator for ParameterFiles {
    fn claims(&self, file: &FileEntry, scope: &Scope) -> bool {
        let is_json = file.path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
        is_json && !file.display.contains(".parameters.") && !Self::parameter_files(file, scope).is_empty()
    }

    fn evaluate(&self, claimed: &[&FileEntry], scope: &Scope, loader: &dyn Loader, opts: &LoadOptions) -> Vec<Objects> {
        claimed.iter().map(|f| template_with_parameters(f, &Self::parameter_files(f, scope), loader, opts)).collect()
    }
}

fn template_with_parameters(
    f: &FileEntry,
    parameter_files: &[PathBuf],
    loader: &dyn Loader,
    opts: &LoadOptions,
) -> Objects {
    let Ok(text) = loader.read(&f.path) else {
        // Unreadable or too large: the ordinary loader says why.
        return source::load(&Input { display: &f.display, kind: f.kind, bytes: &[], is_patch: false }, opts);
    };
    let mut template = false;
    let mut out = Objects::default();
    parse_stream(&text, &Limits::default(), |root| {
        if template || !is_template(&root) {
            return;
        }
        template = true;
        for p in parameter_files {
            let display = loader.display(p);
            let Some(bound) = loader.read(p).ok().and_then(|t| params::read(&t, &display)) else { continue };
            let mut objects = Objects::default();
            evaluate(&root, &Origin::file(f.display.clone()), bound, &mut objects);
            for c in &mut objects.federated_credentials {
                c.deployment = Some(display.clone());
            }
            out.merge(objects);
        }
    });
    if !template {
        // Not a template after all (a manifest that happens to sit beside a parameter file).
        return source::load(
            &Input { display: &f.display, kind: f.kind, bytes: text.as_bytes(), is_patch: false },
            opts,
        );
    }
    out
}
