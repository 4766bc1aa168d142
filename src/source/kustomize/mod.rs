//! Kustomize trees, built natively: every kustomization root in scope (a kustomization no other
//! kustomization in scope includes) is built as `kustomize build` would build it, without the
//! binary and without the network, and its objects become model objects tagged with the root.
//! Values keep the span of the text that produced them (the base's line, the patch's line, the
//! kustomization's line), so findings land where the value was written.
//!
//! What is evaluated: `resources` (files, directories, nested kustomizations), `components`,
//! `namespace`, `namePrefix`/`nameSuffix` with the name references of ServiceAccounts, Roles and
//! ClusterRoles, `labels`/`commonLabels`, `commonAnnotations`, `patches`,
//! `patchesStrategicMerge`, `patchesJson6902` and `replacements`. Generators, Helm charts and
//! plugins are not (one note per kustomization names them); `images` and `replicas` are ignored
//! (they do not touch identity). Remote bases are not fetched (one note each).

mod build;
mod fieldspec;
mod json_patch;
mod kustomization;
mod merge;
mod nameref;
mod patch;
mod reach;
mod replacement;
mod resource;
mod select;
mod transform;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use build::{normalize, Context};
pub use build::{MAX_DEPTH, MAX_INCLUSIONS, MAX_OBJECTS};
use kustomization::FILE_NAMES;
pub use reach::Reach;
use resource::Resource;

use super::files::FileEntry;
use super::loader::Loader;
use super::manifest::{load_document, DocContext};
use super::LoadOptions;
use crate::model::{Objects, Origin, ParseFailure, SkipNote};
use crate::yaml::Node;

/// What building the kustomizations in scope produced.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Evaluated {
    /// The built objects (each tagged with its root), and the builds' failures and notes.
    pub objects: Objects,
    /// Files whose objects are in `objects`, and the kustomization files: not loaded again.
    pub claimed: HashSet<PathBuf>,
    /// Patch files that applied in no build: loaded one by one, as partial objects.
    pub partial: HashSet<PathBuf>,
}

/// One kustomization built as a root, for comparison with `kubectl kustomize`.
#[derive(Debug, Default)]
pub struct Built {
    pub objects: Vec<Node>,
    pub notes: Vec<SkipNote>,
    pub failures: Vec<ParseFailure>,
}

/// Builds the kustomization in `dir` as a root.
pub fn build(dir: &Path, loader: &dyn Loader, opts: &LoadOptions) -> Built {
    let cx = Context::new(loader, opts);
    let mut out = Built::default();
    match cx.build_root(dir) {
        Ok(acc) => {
            out.objects = acc.resources.into_iter().map(|r| r.node).collect();
            out.notes = acc.report.notes;
            out.failures = acc.report.failures;
        }
        Err(exhausted) => out.notes.push(SkipNote { path: loader.display(dir).to_string(), message: exhausted.0 }),
    }
    for (_, file) in cx.files_read() {
        out.notes.extend(file.objects.notes.iter().cloned());
        out.failures.extend(file.objects.parse_failures.iter().cloned());
    }
    out
}

pub(crate) fn is_kustomization_file(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| FILE_NAMES.contains(&n))
}

/// Builds every kustomization root among `files` (the scope). Claims the files the builds
/// read, and the kustomization files; patch files that applied nowhere are left as partial.
pub fn evaluate(files: &[FileEntry], loader: &dyn Loader, opts: &LoadOptions) -> Evaluated {
    let dirs: BTreeSet<PathBuf> = files
        .iter()
        .filter(|f| is_kustomization_file(&f.path))
        .filter_map(|f| f.path.parent())
        .map(Path::to_path_buf)
        .collect();
    let mut out = Evaluated::default();
    if dirs.is_empty() {
        return out;
    }
    let cx = Context::new(loader, opts);
    out.claimed.extend(files.iter().filter(|f| is_kustomization_file(&f.path)).map(|f| f.path.clone()));
    for dir in dirs.iter().filter(|d| cx.ambiguous(d)) {
        out.objects.notes.push(SkipNote {
            path: cx.loader.display(dir).to_string(),
            message: "holds more than one kustomization file: kustomize refuses the directory".into(),
        });
    }
    // Each root's objects become model objects as soon as it is built: a build's trees are
    // several times the size of what the model keeps, so only one per thread is alive at once.
    let builds: Vec<Result<(Objects, build::Report), SkipNote>> = roots(&cx, &dirs)
        .par_iter()
        .map(|dir| match cx.build_root(dir) {
            Ok(acc) => Ok((model_objects(&cx, dir, &acc.resources), acc.report)),
            Err(exhausted) => Err(budget_note(&cx, dir, &exhausted)),
        })
        .collect();
    let mut parts = Vec::with_capacity(builds.len());
    for result in builds {
        match result {
            Ok((objects, r)) => {
                out.claimed.extend(r.files.iter().chain(&r.patches_applied).chain(&r.kustomizations).cloned());
                out.objects.notes.extend(r.notes);
                out.objects.parse_failures.extend(r.failures);
                parts.push(objects);
            }
            Err(note) => out.objects.notes.push(note),
        }
    }
    out.objects.merge_all(parts);
    for (_, file) in cx.files_read() {
        out.objects.parse_failures.extend(file.objects.parse_failures.iter().cloned());
        out.objects.notes.extend(file.objects.notes.iter().cloned());
        out.objects.secret_values.extend(file.objects.secret_values.iter().cloned());
    }
    out.partial = cx.patch_files().into_iter().filter(|p| !out.claimed.contains(p)).collect();
    out
}

/// The directories of `dirs` to build as roots: those no other kustomization of `dirs` lists as
/// a resource or component; then, for kustomizations only a cycle reaches, the first of each
/// cycle (its build reports the cycle).
fn roots(cx: &Context, dirs: &BTreeSet<PathBuf>) -> Vec<PathBuf> {
    let mut edges: HashMap<&PathBuf, Vec<PathBuf>> = HashMap::new();
    for dir in dirs {
        let Some(k) = cx.kustomization(dir).and_then(|read| read.kustomization.clone()) else { continue };
        let targets = k
            .resources
            .iter()
            .chain(&k.components)
            .map(|entry| normalize(&dir.join(&entry.text)))
            .filter(|path| path != dir && dirs.contains(path))
            .collect();
        edges.insert(dir, targets);
    }
    let included: HashSet<&PathBuf> = edges.values().flatten().collect();
    let mut roots: Vec<PathBuf> = dirs.iter().filter(|d| !included.contains(d)).cloned().collect();
    let mut reached: HashSet<PathBuf> = HashSet::new();
    let reach = |from: &PathBuf, reached: &mut HashSet<PathBuf>| {
        let mut stack = vec![from.clone()];
        while let Some(dir) = stack.pop() {
            if reached.insert(dir.clone()) {
                stack.extend(edges.get(&dir).into_iter().flatten().cloned());
            }
        }
    };
    for root in &roots {
        reach(root, &mut reached);
    }
    while let Some(orphan) = dirs.iter().find(|d| !reached.contains(*d)) {
        reach(orphan, &mut reached);
        roots.push(orphan.clone());
    }
    roots
}

fn budget_note(cx: &Context, dir: &Path, exhausted: &build::Exhausted) -> SkipNote {
    let path = cx.kustomization(dir).map_or_else(|| dir.to_path_buf(), |r| r.path.clone());
    SkipNote {
        path: cx.loader.display(&path).to_string(),
        message: format!(
            "kustomize build stopped: it {} (a limit against runaway trees); its files are linted as they stand",
            exhausted.0
        ),
    }
}

/// The model objects of one root's build, tagged with the root.
fn model_objects(cx: &Context, dir: &Path, resources: &[Resource]) -> Objects {
    let root: Arc<str> = cx.kustomization(dir).map_or_else(|| cx.loader.display(dir), |r| cx.loader.display(&r.path));
    let mut objects = Objects::default();
    for r in resources {
        let doc = DocContext {
            origin: Origin::file(r.file.clone()),
            default_namespace: &cx.opts.default_namespace,
            is_patch: false,
            build: Some(root.clone()),
        };
        load_document(&r.node, &doc, &mut objects);
        crate::redact::collect(&r.node, &mut objects.secret_values);
    }
    if !cx.opts.keep_unread {
        objects.forget_unread();
    }
    objects.shrink_to_fit();
    objects
}

#[cfg(test)]
mod tests;
