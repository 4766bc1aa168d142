//! Bicep, evaluated as `az deployment` would deploy it, within the repository and without
//! running anything: parameter defaults, `.bicepparam` and JSON parameter files, variables,
//! interpolation, loops, conditions, nested resources and `parent:`, and calls of local modules
//! with their parameters bound (recursively, cycle- and depth-bounded). `existing` resources only
//! read. Unknown values stay unknown.
//!
//! Every `.bicep` file no other file calls as a module is a deployment root: it is evaluated once
//! per parameter file that targets it (or once with its defaults when none does), and the module
//! files it calls are evaluated through it, with the values it passes.

mod ast;
mod emit;
mod eval;
mod lexer;
mod parse;
mod unit;
mod units;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::params;
use super::value::Value;
use crate::model::{FederatedCredential, IdentityBindingResource, Objects, SkipNote};
use crate::source::files::{FileEntry, FileKind};
use crate::source::loader::{Loader, MemLoader};
use crate::source::stage::{Evaluator, Scope};
use crate::source::LoadOptions;
use eval::Eval;
use units::Units;

/// The Bicep evaluator: claims every `.bicep` and `.bicepparam` file.
pub struct Deployments;

impl Evaluator for Deployments {
    fn claims(&self, file: &FileEntry, _scope: &Scope) -> bool {
        matches!(file.kind, FileKind::Bicep | FileKind::BicepParams)
    }

    fn evaluate(&self, claimed: &[&FileEntry], scope: &Scope, loader: &dyn Loader, _: &LoadOptions) -> Vec<Objects> {
        let bicep: Vec<PathBuf> =
            claimed.iter().filter(|f| f.kind == FileKind::Bicep).map(|f| f.path.clone()).collect();
        let param_files: Vec<PathBuf> =
            claimed.iter().filter(|f| f.kind == FileKind::BicepParams).map(|f| f.path.clone()).collect();
        let json_params: Vec<PathBuf> = scope
            .files
            .iter()
            .filter(|f| f.kind == FileKind::Manifest && f.path.to_string_lossy().contains(".parameters."))
            .map(|f| f.path.clone())
            .collect();
        vec![evaluate_files(&bicep, &param_files, &json_params, loader, |p| scope.contains(p))]
    }
}

/// One Bicep text on its own (standard input, a fuzz target): a root with its defaults, its
/// modules not followed.
pub fn evaluate_text(text: &str, display: &Arc<str>) -> Objects {
    let loader = MemLoader::new([(display.as_ref(), text)]);
    let path = Path::new("/").join(display.as_ref());
    evaluate_files(&[path], &[], &[], &loader, |_| false)
}

fn evaluate_files(
    bicep: &[PathBuf],
    bicepparams: &[PathBuf],
    json_params: &[PathBuf],
    loader: &dyn Loader,
    in_scope: impl Fn(&Path) -> bool,
) -> Objects {
    let units = Units::new(loader);
    let mut configs: HashMap<PathBuf, Vec<PathBuf>> = HashMap::new();
    for p in bicepparams {
        if let Some(target) = units.bicep(p).and_then(|u| u.using.as_ref().and_then(|(path, _)| u.resolve(path))) {
            configs.entry(target).or_default().push(p.clone());
        }
    }
    for p in json_params {
        if let Some(template) =
            params::template_of(p, &in_scope).filter(|t| t.extension().is_some_and(|e| e == "bicep"))
        {
            configs.entry(template).or_default().push(p.clone());
        }
    }
    let mut out = Objects::default();
    let mut notes = Vec::new();
    for root in roots(bicep, &units) {
        let Some(unit) = units.bicep(&root) else { continue };
        let files = configs.get(&root).cloned().unwrap_or_default();
        let deployments: Vec<(Option<Arc<str>>, params::Bound)> = if files.is_empty() {
            vec![(None, HashMap::new())]
        } else {
            files.iter().filter_map(|f| Some((Some(units.display(f)), parameter_values(f, &units)?))).collect()
        };
        for (deployment, bound) in deployments {
            let mut ev = Eval::new(&units);
            let inst = ev.root(unit.clone(), bound);
            let mut objects = Objects::default();
            eval_root(&mut ev, inst, &mut objects);
            for c in &mut objects.federated_credentials {
                c.deployment = deployment.clone();
            }
            out.merge(objects);
            notes.append(&mut ev.notes);
            if ev.budget.exhausted() {
                notes.push((unit.display.clone(), "evaluation budget spent: later values are unknown".into()));
            }
        }
    }
    dedup(&mut out.federated_credentials, credential_key);
    dedup(&mut out.identity_bindings, binding_key);
    out.parse_failures.extend(units.failures.take());
    out.notes.extend(units.notes.take());
    out.notes.extend(notes.into_iter().map(|(path, message)| SkipNote { path: path.to_string(), message }));
    out
}

fn eval_root(ev: &mut Eval, inst: usize, out: &mut Objects) {
    let mut done = HashSet::new();
    emit::emit(ev, inst, out, &mut done);
}

/// The deployment roots among `files`: those no file calls as a module, then (for call cycles
/// no root reaches) the first file of each remaining group.
fn roots(files: &[PathBuf], units: &Units) -> Vec<PathBuf> {
    let mut calls: HashMap<PathBuf, Vec<PathBuf>> = HashMap::new();
    let mut called: HashSet<PathBuf> = HashSet::new();
    for f in files {
        let Some(unit) = units.bicep(f) else { continue };
        let targets: Vec<PathBuf> = unit.local_module_paths().map(|(_, p)| p).filter(|p| p != f).collect();
        called.extend(targets.iter().cloned());
        calls.insert(f.clone(), targets);
    }
    let mut roots: Vec<PathBuf> = files.iter().filter(|f| !called.contains(*f)).cloned().collect();
    let mut reached: BTreeSet<PathBuf> = BTreeSet::new();
    let mut stack = roots.clone();
    loop {
        while let Some(f) = stack.pop() {
            if reached.insert(f.clone()) {
                stack.extend(calls.get(&f).into_iter().flatten().cloned());
            }
        }
        match files.iter().find(|f| !reached.contains(*f) && calls.contains_key(*f)) {
            Some(f) => {
                roots.push(f.clone());
                stack.push(f.clone());
            }
            None => return roots,
        }
    }
}

/// The values of a `.bicepparam` (evaluated: it may use its own variables) or JSON parameter file.
fn parameter_values(path: &Path, units: &Units) -> Option<HashMap<String, Value>> {
    if path.extension().is_some_and(|e| e == "bicepparam") {
        let unit = units.bicep(path)?;
        let mut ev = Eval::new(units);
        let inst = ev.root(unit.clone(), HashMap::new());
        let mut bound = HashMap::new();
        for (name, value) in &unit.params {
            if let Some(expr) = value {
                bound.insert(name.to_ascii_lowercase(), ev.eval(inst, expr, &Vec::new()));
            }
        }
        return Some(bound);
    }
    let text = units.loader.read(path).ok()?;
    params::read(&text, &units.display(path))
}

/// Removes repeated objects (one credential reached by several parameter files or module
/// calls), keeping the first.
fn dedup<T, K: std::hash::Hash + Eq>(items: &mut Vec<T>, key: impl Fn(&T) -> K) {
    let mut seen = HashSet::new();
    items.retain(|item| seen.insert(key(item)));
}

type CredentialKey =
    (Option<Arc<str>>, crate::span::Span, Option<String>, Option<crate::span::Span>, Option<String>, Option<Arc<str>>);

fn credential_key(f: &FederatedCredential) -> CredentialKey {
    (
        f.origin.path().cloned(),
        f.anchor,
        f.name.as_ref().map(|n| n.value.to_string()),
        f.name_source,
        f.identity_text(),
        f.deployment.clone(),
    )
}

fn binding_key(b: &IdentityBindingResource) -> (Option<Arc<str>>, crate::span::Span, Option<String>) {
    (b.origin.path().cloned(), b.anchor, b.identity.clone())
}

#[cfg(test)]
mod tests;
