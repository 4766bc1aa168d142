//! The build of one kustomization, in kustomize's order: resources (files, and directories built
//! on their own first), components (applied to what the resources gave), then patches,
//! namespace, prefix and suffix, labels, annotations and legacy JSON patches. A root's build ends
//! with the name references fixed.
//!
//! What kustomize would refuse (a missing file, a patch that matches nothing) is a note and the
//! rest is built; a cycle between kustomizations is a finding on the entry that closes it.
//! Budgets on depth, kustomizations and objects end a root's build with a note.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use super::kustomization::{self, Entry, Kustomization};
use super::resource::Resource;
use super::{patch, replacement, transform};
use crate::model::{FailureCause, Objects, ParseFailure, SkipNote};
use crate::source::loader::{LoadError, Loader};
use crate::source::LoadOptions;
use crate::yaml::{Node, NodeKind};

/// Deepest nesting of kustomizations in one build.
pub const MAX_DEPTH: usize = 40;
/// Kustomizations one root may include, counting each inclusion.
pub const MAX_INCLUSIONS: usize = 5_000;
/// Objects one root's build may handle, counting each time a base's objects are taken in.
pub const MAX_OBJECTS: usize = 200_000;

/// A file read for builds, once per run.
pub(super) struct FileRead {
    pub display: Arc<str>,
    /// The documents, or why there are none.
    pub docs: Result<Vec<Node>, LoadError>,
    /// Its parse failures, notes and secret-looking values (reported once, whatever uses it).
    pub objects: Objects,
    /// A build took the documents away (see [`Context::take_docs`]): `docs` is empty.
    taken: bool,
}

/// A kustomization file, read and parsed once per run.
pub(super) struct KustomizationRead {
    pub path: PathBuf,
    pub dir: PathBuf,
    /// `None` when the file does not parse (its failure is in the file's read).
    pub kustomization: Option<Kustomization>,
}

/// What a build produced besides objects.
#[derive(Clone, Debug, Default)]
pub(super) struct Report {
    pub notes: Vec<SkipNote>,
    pub failures: Vec<ParseFailure>,
    /// Resource files whose objects are in the build.
    pub files: BTreeSet<PathBuf>,
    /// Patch files that applied to an object of the build.
    pub patches_applied: BTreeSet<PathBuf>,
    pub kustomizations: BTreeSet<PathBuf>,
    /// A cycle was cut: the result depends on the way in and is not reused.
    pub cyclic: bool,
    /// Objects kustomize would make are missing (generators are not evaluated, remote bases not
    /// fetched).
    pub incomplete: bool,
}

impl Report {
    pub(super) fn note(&mut self, k: &Kustomization, message: impl Into<String>) {
        self.notes.push(SkipNote { path: k.display.to_string(), message: message.into() });
    }

    fn absorb(&mut self, other: &Report) {
        self.notes.extend(other.notes.iter().cloned());
        self.failures.extend(other.failures.iter().cloned());
        self.files.extend(other.files.iter().cloned());
        self.patches_applied.extend(other.patches_applied.iter().cloned());
        self.kustomizations.extend(other.kustomizations.iter().cloned());
        self.cyclic |= other.cyclic;
        self.incomplete |= other.incomplete;
    }
}

/// Objects built so far, and the report.
#[derive(Clone, Debug, Default)]
pub(super) struct Acc {
    pub resources: Vec<Resource>,
    pub report: Report,
    /// The identities of `resources` while objects are being taken in (transformations change
    /// identities: they drop it).
    ids: Option<HashSet<String>>,
}

/// A budget ran out: the root's build stops.
#[derive(Debug)]
pub(super) struct Exhausted(pub String);

#[derive(Default)]
struct Budget {
    inclusions: usize,
    objects: usize,
}

impl Budget {
    fn include(&mut self) -> Result<(), Exhausted> {
        self.inclusions += 1;
        if self.inclusions > MAX_INCLUSIONS {
            return Err(Exhausted(format!("includes more than {MAX_INCLUSIONS} kustomizations")));
        }
        Ok(())
    }

    fn take(&mut self, objects: usize) -> Result<(), Exhausted> {
        self.objects += objects;
        if self.objects > MAX_OBJECTS {
            return Err(Exhausted(format!("handles more than {MAX_OBJECTS} objects")));
        }
        Ok(())
    }
}

/// Shared by every build of a run: the loader, and what was read and built once.
pub(super) struct Context<'a> {
    pub loader: &'a dyn Loader,
    pub opts: &'a LoadOptions,
    files: Mutex<HashMap<PathBuf, Arc<FileRead>>>,
    kustomizations: Mutex<HashMap<PathBuf, Option<Arc<KustomizationRead>>>>,
    builds: Mutex<HashMap<PathBuf, Arc<Acc>>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl<'a> Context<'a> {
    pub(super) fn new(loader: &'a dyn Loader, opts: &'a LoadOptions) -> Context<'a> {
        Context { loader, opts, files: Mutex::default(), kustomizations: Mutex::default(), builds: Mutex::default() }
    }

    /// Every file read so far.
    pub(super) fn files_read(&self) -> Vec<(PathBuf, Arc<FileRead>)> {
        let mut out: Vec<_> = lock(&self.files).iter().map(|(p, f)| (p.clone(), f.clone())).collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// The documents of a file (read and parsed once; again if a build took them).
    pub(super) fn read(&self, path: &Path) -> Arc<FileRead> {
        match lock(&self.files).get(path) {
            Some(hit) if !hit.taken => return hit.clone(),
            // Not cached again: the first read holds the file's failures and notes.
            Some(_) => return Arc::new(self.parse(path)),
            None => {}
        }
        let read = Arc::new(self.parse(path));
        lock(&self.files).entry(path.to_path_buf()).or_insert(read).clone()
    }

    /// The documents of a resource file, for a build to keep as its objects. The first build
    /// that takes them gets the parsed trees themselves rather than a copy: a resource file is
    /// listed by one kustomization in the usual layout, and a copy per file kept every tree of
    /// the run twice until the end of the builds. A later reader parses the file again.
    fn take_docs(&self, path: &Path) -> (Arc<str>, Result<Vec<Node>, LoadError>) {
        if !lock(&self.files).contains_key(path) {
            // Read through the cache first: the file's failures and notes are kept there.
            drop(self.read(path));
        }
        let mut files = lock(&self.files);
        let cached = match files.remove(path) {
            Some(cached) if !cached.taken => cached,
            other => {
                files.extend(other.map(|c| (path.to_path_buf(), c)));
                drop(files);
                let FileRead { display, docs, .. } = self.parse(path);
                return (display, docs);
            }
        };
        match Arc::try_unwrap(cached) {
            Ok(FileRead { display, docs, objects, .. }) => {
                let emptied = docs.as_ref().map(|_| Vec::new()).map_err(Clone::clone);
                let rest = FileRead { display: display.clone(), docs: emptied, objects, taken: true };
                files.insert(path.to_path_buf(), Arc::new(rest));
                (display, docs)
            }
            // Another thread holds it right now (a patch read of the same file): this build
            // copies the documents.
            Err(shared) => {
                files.insert(path.to_path_buf(), shared.clone());
                drop(files);
                (shared.display.clone(), shared.docs.clone())
            }
        }
    }

    fn parse(&self, path: &Path) -> FileRead {
        let display = self.loader.display(path);
        let mut objects = Objects::default();
        let docs = match self.loader.read(path) {
            Ok(text) => match crate::source::decode(text.as_bytes()) {
                Err(failure) => {
                    objects.parse_failures.push(ParseFailure { path: display.clone(), ..failure });
                    Ok(Vec::new())
                }
                Ok(_) => {
                    let mut docs = Vec::new();
                    let kept =
                        crate::source::read_manifest(&display, &text, self.opts, None, &mut objects, |d| docs.push(d));
                    Ok(if kept { docs } else { Vec::new() })
                }
            },
            Err(LoadError::TooLarge { max }) => {
                objects.notes.push(SkipNote {
                    path: display.to_string(),
                    message: format!("larger than {max} bytes (--max-file-size): skipped"),
                });
                Err(LoadError::TooLarge { max })
            }
            Err(e) => Err(e),
        };
        FileRead { display, docs, objects, taken: false }
    }

    /// The kustomization of directory `dir`, if it has exactly one kustomization file.
    pub(super) fn kustomization(&self, dir: &Path) -> Option<Arc<KustomizationRead>> {
        if let Some(hit) = lock(&self.kustomizations).get(dir) {
            return hit.clone();
        }
        let found: Vec<PathBuf> =
            kustomization::present_in(self.loader, dir).filter(|p| !self.loader.is_dir(p)).collect();
        let read = match found.as_slice() {
            [path] => {
                let file = self.read(path);
                let text = self.loader.read(path).unwrap_or_else(|_| Arc::from(""));
                // A kustomization that does not parse builds nothing (its IB001 is the file's).
                let kustomization = match &file.docs {
                    Ok(docs) => match docs.first() {
                        Some(root) => Some(kustomization::parse(root, &text, &file.display)),
                        None if file.objects.parse_failures.is_empty() => {
                            Some(Kustomization { display: file.display.clone(), ..Kustomization::default() })
                        }
                        None => None,
                    },
                    Err(_) => None,
                };
                Some(Arc::new(KustomizationRead { path: path.clone(), dir: dir.to_path_buf(), kustomization }))
            }
            _ => None,
        };
        lock(&self.kustomizations).entry(dir.to_path_buf()).or_insert(read).clone()
    }

    /// Every patch file the kustomizations read so far list.
    pub(super) fn patch_files(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for read in lock(&self.kustomizations).values().flatten() {
            let Some(k) = &read.kustomization else { continue };
            for patch in k.patches.iter().chain(&k.patches_strategic_merge).chain(&k.patches_json6902) {
                if let kustomization::PatchText::File(entry) = &patch.text {
                    out.push(normalize(&read.dir.join(&entry.text)));
                }
            }
        }
        out
    }

    /// Whether `dir` holds more than one kustomization file (kustomize refuses it).
    pub(super) fn ambiguous(&self, dir: &Path) -> bool {
        kustomization::present_in(self.loader, dir).count() > 1
    }

    /// Builds the kustomization of `dir` as a root: its objects with name references fixed.
    pub(super) fn build_root(&self, dir: &Path) -> Result<Acc, Exhausted> {
        let mut budget = Budget::default();
        let mut chain = Vec::new();
        let Some(read) = self.kustomization(&normalize(dir)) else {
            return Ok(Acc::default());
        };
        // Built here, not through `build_dir`: a root is included by no other kustomization, so
        // caching its build would only keep a copy of every object alive for the whole run.
        budget.include()?;
        chain.push(read.dir.clone());
        let mut acc = self.accumulate(&read, Acc::default(), &mut chain, &mut budget)?;
        if let Some(k) = &read.kustomization {
            for problem in super::nameref::fix(&mut acc.resources) {
                acc.report.note(k, problem);
            }
        }
        super::transform::annotations_as_strings(&mut acc.resources);
        // Objects marked local configuration never leave kustomize.
        acc.resources
            .retain(|r| r.meta_value("annotations", "config.kubernetes.io/local-config").is_none_or(|v| v == "false"));
        Ok(acc)
    }

    /// A kustomization built on its own (reused by every build that includes it).
    fn build_dir(
        &self,
        read: &KustomizationRead,
        chain: &mut Vec<PathBuf>,
        budget: &mut Budget,
    ) -> Result<Arc<Acc>, Exhausted> {
        budget.include()?;
        if let Some(hit) = lock(&self.builds).get(&read.dir) {
            budget.take(hit.resources.len())?;
            return Ok(hit.clone());
        }
        if chain.len() >= MAX_DEPTH {
            return Err(Exhausted(format!("nests kustomizations more than {MAX_DEPTH} deep")));
        }
        chain.push(read.dir.clone());
        let built = self.accumulate(read, Acc::default(), chain, budget);
        chain.pop();
        let built = Arc::new(built?);
        if !built.report.cyclic {
            lock(&self.builds).insert(read.dir.clone(), built.clone());
        }
        Ok(built)
    }

    /// Adds what kustomization `read` makes to `acc` (empty for a kustomization, the including
    /// build's objects for a component) and transforms the whole.
    fn accumulate(
        &self,
        read: &KustomizationRead,
        mut acc: Acc,
        chain: &mut Vec<PathBuf>,
        budget: &mut Budget,
    ) -> Result<Acc, Exhausted> {
        acc.report.kustomizations.insert(read.path.clone());
        let Some(k) = &read.kustomization else { return Ok(acc) };
        if !k.unsupported.is_empty() {
            let fields = k.unsupported.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ");
            let message = if k.unsupported.len() == 1 {
                format!("{fields} is not evaluated: what it generates or changes is missing from the build")
            } else {
                format!("{fields} are not evaluated: what they generate or change is missing from the build")
            };
            acc.report.note(k, message);
            acc.report.incomplete = true;
        }
        for problem in &k.problems {
            acc.report.note(k, problem.clone());
        }
        // The files are read and parsed side by side first (once per run); the objects are then
        // taken in the kustomization's order.
        let files: Vec<PathBuf> = k
            .resources
            .iter()
            .map(|e| normalize(&read.dir.join(&e.text)))
            .filter(|p| p.starts_with(&read.dir) && !self.loader.is_dir(p))
            .collect();
        files.par_iter().for_each(|p| drop(self.read(p)));
        for entry in &k.resources {
            self.resource(read, k, entry, &mut acc, chain, budget)?;
        }
        for entry in &k.components {
            acc = self.component(read, k, entry, acc, chain, budget)?;
        }
        acc.ids = None;
        patch::strategic_merge_legacy(self, read, k, &mut acc);
        patch::patches(self, read, k, &mut acc);
        if let Some(ns) = &k.namespace {
            for id in transform::namespace(&mut acc.resources, ns) {
                acc.report.note(k, format!("`namespace` makes two objects {id}: kustomize refuses the build"));
            }
        }
        if let Some(prefix) = &k.name_prefix {
            transform::rename(&mut acc.resources, prefix, true);
        }
        if let Some(suffix) = &k.name_suffix {
            transform::rename(&mut acc.resources, suffix, false);
        }
        for set in &k.labels {
            transform::labels(&mut acc.resources, set);
        }
        if !k.common_annotations.is_empty() {
            transform::annotations(&mut acc.resources, &k.common_annotations, k.annotations_span);
        }
        patch::json6902_legacy(self, read, k, &mut acc);
        replacement::apply(self, read, k, &mut acc);
        Ok(acc)
    }

    /// One `resources:` entry: a file of objects or a directory with a kustomization.
    fn resource(
        &self,
        read: &KustomizationRead,
        k: &Kustomization,
        entry: &Entry,
        acc: &mut Acc,
        chain: &mut Vec<PathBuf>,
        budget: &mut Budget,
    ) -> Result<(), Exhausted> {
        let Some(path) = self.locate(k, &read.dir, entry, &mut acc.report) else { return Ok(()) };
        if !self.loader.is_dir(&path) {
            if !path.starts_with(&read.dir) {
                acc.report.note(
                    k,
                    format!(
                        "`{}` is outside the kustomization's directory: kustomize refuses to load it \
                         (without --load-restrictor LoadRestrictionsNone)",
                        entry.text
                    ),
                );
                return Ok(());
            }
            let (display, docs) = self.take_docs(&path);
            let Ok(docs) = docs else { return Ok(()) };
            let mut added = Vec::new();
            for doc in docs {
                objects_of(doc, &display, &mut added, &mut acc.report, k);
            }
            budget.take(added.len())?;
            append(acc, added, k);
            acc.report.files.insert(path);
            return Ok(());
        }
        let Some(sub) = self.nested(k, &path, entry, &mut acc.report, chain, false) else { return Ok(()) };
        let built = self.build_dir(&sub, chain, budget)?;
        budget.take(built.resources.len())?;
        acc.report.absorb(&built.report);
        append(acc, built.resources.clone(), k);
        Ok(())
    }

    /// One `components:` entry: a directory whose `Component` transforms `acc`.
    fn component(
        &self,
        read: &KustomizationRead,
        k: &Kustomization,
        entry: &Entry,
        mut acc: Acc,
        chain: &mut Vec<PathBuf>,
        budget: &mut Budget,
    ) -> Result<Acc, Exhausted> {
        let Some(path) = self.locate(k, &read.dir, entry, &mut acc.report) else { return Ok(acc) };
        let Some(sub) = self.nested(k, &path, entry, &mut acc.report, chain, true) else { return Ok(acc) };
        budget.include()?;
        if chain.len() >= MAX_DEPTH {
            return Err(Exhausted(format!("nests kustomizations more than {MAX_DEPTH} deep")));
        }
        chain.push(sub.dir.clone());
        let result = self.accumulate(&sub, acc, chain, budget);
        chain.pop();
        result
    }

    /// The kustomization of directory `path` named by `entry`, checked as kustomize checks it:
    /// not a directory already being built (or one above it), of the right kind.
    fn nested(
        &self,
        k: &Kustomization,
        path: &Path,
        entry: &Entry,
        report: &mut Report,
        chain: &[PathBuf],
        component: bool,
    ) -> Option<Arc<KustomizationRead>> {
        if chain.iter().any(|visited| visited.starts_with(path)) {
            report.cyclic = true;
            report.failures.push(ParseFailure {
                path: k.display.clone(),
                pos: entry.span.start(),
                message: format!(
                    "`{}` includes {}, which is already being built: a cycle between kustomizations \
                     (kustomize refuses it)",
                    entry.text,
                    self.loader.display(path)
                ),
                cause: FailureCause::Refused,
            });
            return None;
        }
        if self.ambiguous(path) {
            report.note(k, format!("`{}` holds more than one kustomization file: kustomize refuses it", entry.text));
            return None;
        }
        let Some(sub) = self.kustomization(path) else {
            report.note(k, format!("`{}` is a directory without a kustomization: kustomize refuses it", entry.text));
            return None;
        };
        let is_component = sub.kustomization.as_ref().is_some_and(|s| s.is_component);
        if is_component != component {
            let message = if component {
                format!("`{}` is listed as a component but is not a `Component`: kustomize refuses it", entry.text)
            } else {
                format!("`{}` is a `Component`: kustomize accepts it only under `components`", entry.text)
            };
            report.note(k, message);
            return None;
        }
        Some(sub)
    }

    /// The path an entry names, or a note on why there is nothing there to build.
    fn locate(&self, k: &Kustomization, dir: &Path, entry: &Entry, report: &mut Report) -> Option<PathBuf> {
        let text = entry.text.as_str();
        if Path::new(text).is_absolute() {
            report.note(k, format!("`{text}` is an absolute path: kustomize refuses it"));
            return None;
        }
        let path = normalize(&dir.join(text));
        if self.loader.is_dir(&path) || !matches!(self.loader.read(&path), Err(LoadError::NotFound)) {
            return Some(path);
        }
        let message = if is_remote(text) {
            report.incomplete = true;
            format!("remote `{text}` is not fetched (no network access): the rest is built without it")
        } else {
            format!("`{text}` does not exist: kustomize refuses this kustomization; the rest is built")
        };
        report.note(k, message);
        None
    }
}

/// Appends objects, leaving out those whose identity is already there (kustomize refuses that).
fn append(acc: &mut Acc, added: Vec<Resource>, k: &Kustomization) {
    let resources = &acc.resources;
    let ids = acc.ids.get_or_insert_with(|| resources.iter().map(|r| r.cur_id_ref().key()).collect());
    for r in added {
        if !ids.insert(r.cur_id_ref().key()) {
            let id = r.cur_id().describe();
            acc.report.note(k, format!("{id} is included twice: kustomize refuses the build"));
            continue;
        }
        acc.resources.push(r);
    }
}

/// The objects of one document: itself, or the items of a `…List`.
fn objects_of(doc: Node, file: &Arc<str>, out: &mut Vec<Resource>, report: &mut Report, k: &Kustomization) {
    if doc.is_null() || doc.as_map().is_some_and(|m| m.is_empty()) {
        return;
    }
    let kind = doc.get("kind").and_then(Node::as_str).unwrap_or("");
    if kind.ends_with("List") {
        if let Some(items) = doc.get("items") {
            for item in items.as_seq().unwrap_or_default() {
                objects_of(item.clone(), file, out, report, k);
            }
            return;
        }
    }
    let name = doc.path(&["metadata", "name"]).and_then(Node::as_str).unwrap_or("");
    if kind.is_empty() || name.is_empty() {
        report.note(k, format!("{file}: a document without `kind` and `metadata.name`: kustomize refuses it"));
        return;
    }
    let mut node = doc;
    as_yaml_1_2(&mut node);
    out.push(Resource::new(node, file.clone()));
}

/// kustomize reads objects as YAML 1.2: the YAML 1.1 booleans `yes`, `no`, `on`, `off`, `y`,
/// `n` (any case) are strings there, and stay strings in what it deploys.
pub(super) fn as_yaml_1_2(node: &mut Node) {
    match &mut node.kind {
        NodeKind::Scalar(s) => {
            let yaml_1_1_only = !s.quoted
                && s.tag.is_none()
                && s.resolved_type() == crate::yaml::ScalarType::Bool
                && !s.value.eq_ignore_ascii_case("true")
                && !s.value.eq_ignore_ascii_case("false");
            if yaml_1_1_only {
                s.quoted = true;
            }
        }
        NodeKind::Seq(items) => items.iter_mut().for_each(as_yaml_1_2),
        NodeKind::Map(entries) => entries.iter_mut().for_each(|(_, v)| as_yaml_1_2(v)),
    }
}

/// `path` with `.` and `..` resolved as text (as kustomize joins paths).
pub(super) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// A base or file kustomize would fetch: a URL, or a repository spec such as
/// `github.com/org/repo//path?ref=v1`.
fn is_remote(entry: &str) -> bool {
    let first = entry.split('/').next().unwrap_or("");
    entry.contains("://")
        || entry.starts_with("git@")
        || entry.starts_with("git::")
        || entry.contains("?ref=")
        || entry.contains("?version=")
        || (first.contains('.') && first != "." && first != ".." && entry.contains('/'))
}
