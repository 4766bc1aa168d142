//! Terraform, evaluated as `terraform plan` would within the repository: a module is every `.tf`
//! file of a directory (hcl-edit keeps positions); variables take their values from module
//! arguments, `terraform.tfvars` / `*.auto.tfvars` and defaults; locals, outputs of local modules
//! (`source = "./modules/x"`, recursively), `count`/`for_each`, `for` expressions, templates and
//! the common functions are evaluated. Whatever depends on Azure (resources' computed
//! attributes, data sources, remote modules, unset variables) stays unknown.
//!
//! Directories that another module of the scope calls are evaluated through their callers, with
//! the callers' arguments; every other directory is a root.

mod blocks;
mod credentials;
mod eval;
mod functions;
mod json_syntax;
mod kubernetes;
mod module;
mod references;
mod value;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use rayon::prelude::*;

use crate::model::{Objects, SkipNote};
use crate::source::files::{FileEntry, FileKind};
use crate::source::loader::{Loader, MemLoader};
use crate::source::stage::{self, Evaluator};
use crate::source::LoadOptions;
pub use eval::Limits;
use eval::{Bindings, Expansion, Instance, Run, Scope};
use module::{index_module, load_tree, Module, ModuleDir, Role, SourceFile, Target};
use value::Value;

/// Whether a file named `name` is a file Terraform reads (`.tf`, `.tf.json`, `.tfvars`,
/// `.tfvars.json`).
pub fn is_terraform_name(name: &str) -> bool {
    Role::of_name(name).is_some()
}

/// The Terraform evaluator: claims every `.tf`, `.tfvars` and `.tfvars.json` file of a run and
/// evaluates the root modules among their directories.
pub struct Modules {
    pub limits: Limits,
}

/// The evaluator with the default limits.
pub static MODULES: Modules = Modules { limits: Limits::DEFAULT };

impl Evaluator for Modules {
    fn claims(&self, file: &FileEntry, _scope: &stage::Scope) -> bool {
        file.kind == FileKind::Terraform
    }

    fn evaluate(
        &self,
        claimed: &[&FileEntry],
        scope: &stage::Scope,
        loader: &dyn Loader,
        opts: &LoadOptions,
    ) -> Vec<Objects> {
        let mut dirs: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
        for f in claimed {
            let dir = f.path.parent().unwrap_or(Path::new("/")).to_path_buf();
            dirs.entry(dir).or_default().push(f.path.clone());
        }
        // Every claimed file parsed once, in parallel, shared by the roots that reach it.
        let parsed: HashMap<PathBuf, Arc<SourceFile>> = dirs
            .values()
            .flatten()
            .collect::<Vec<_>>()
            .par_iter()
            .filter_map(|p| Some(((*p).clone(), Arc::new(SourceFile::load(p, loader).ok()?))))
            .collect();
        let mut failures = Objects::default();
        failures.parse_failures.extend(parsed.values().filter_map(|f| f.failure.clone()));
        let mut called: HashMap<PathBuf, Vec<PathBuf>> = HashMap::new();
        for file in parsed.values().filter(|f| f.role == Role::Config) {
            let dir = file.path.parent().unwrap_or(Path::new("/"));
            for block in file.body.iter().flat_map(|b| b.get_blocks("module")) {
                if let Some(source) = module::module_source(&block.body).filter(|s| module::is_local_source(s)) {
                    let target = module::normalize(&dir.join(source));
                    if target != dir && dirs.contains_key(&target) {
                        called.entry(dir.to_path_buf()).or_default().push(target);
                    }
                }
            }
        }
        let has_config = |d: &Path| parsed.values().any(|f| f.role == Role::Config && f.path.parent() == Some(d));
        let mut roots: Vec<PathBuf> = roots(&dirs, &called, has_config).into_iter().collect();
        roots.sort();
        let files_of = |d: &Path| dirs.get(d).cloned();
        let parsed_of = |p: &Path| parsed.get(p).cloned();
        let in_scope = |p: &Path| scope.contains(p);
        let mut out: Vec<Objects> = roots
            .par_iter()
            .map(|root| {
                let env = Env { loader, files_of: &files_of, parsed: &parsed_of, in_scope: &in_scope };
                evaluate_root(root, &env, opts, self.limits)
            })
            .collect();
        out.push(failures);
        out
    }
}

/// What a root's evaluation reads: the run's files, by directory, parsed.
pub struct Env<'a> {
    pub loader: &'a dyn Loader,
    /// The Terraform files of a directory in the scope (`None`: not in the scope).
    pub files_of: &'a (dyn Fn(&Path) -> Option<Vec<PathBuf>> + Sync),
    pub parsed: &'a (dyn Fn(&Path) -> Option<Arc<SourceFile>> + Sync),
    /// Whether the run lints a file on its own (a manifest read with `file()`).
    pub in_scope: &'a (dyn Fn(&Path) -> bool + Sync),
}

/// The claimed directories that are roots: those holding `.tf` files that no other claimed
/// directory calls; of a group that only calls itself round (a cycle), the first.
fn roots(
    dirs: &BTreeMap<PathBuf, Vec<PathBuf>>,
    called: &HashMap<PathBuf, Vec<PathBuf>>,
    has_config: impl Fn(&Path) -> bool,
) -> HashSet<PathBuf> {
    let targets: HashSet<&PathBuf> = called.values().flatten().collect();
    let mut roots: HashSet<PathBuf> = dirs.keys().filter(|d| has_config(d) && !targets.contains(d)).cloned().collect();
    let mut reached: HashSet<PathBuf> = HashSet::new();
    let mut stack: Vec<PathBuf> = roots.iter().cloned().collect();
    loop {
        while let Some(d) = stack.pop() {
            if reached.insert(d.clone()) {
                stack.extend(called.get(&d).into_iter().flatten().cloned());
            }
        }
        match dirs.keys().find(|d| has_config(d) && !reached.contains(*d)) {
            Some(d) => {
                roots.insert(d.clone());
                stack.push(d.clone());
            }
            None => return roots,
        }
    }
}

/// Evaluates the root module in `dir` and every local module it calls.
pub fn evaluate_root(dir: &Path, env: &Env, opts: &LoadOptions, limits: Limits) -> Objects {
    let (tree, tree_notes) = load_tree(dir, env.loader, env.files_of, env.parsed, limits.module_depth);
    if tree.is_empty() {
        return Objects::default();
    }
    let index_of = |p: &Path| tree.iter().position(|d| d.dir == p);
    let modules: Vec<Module> = tree
        .iter()
        .map(|d: &ModuleDir| index_module(d, &|target| index_of(target).map_or(Target::Remote, Target::Local)))
        .collect();
    let run = Run::new(&modules, env.loader, env.in_scope, dir.to_path_buf(), limits);
    for n in tree_notes {
        run.note(n);
    }
    let root_index = index_of(dir).unwrap_or(0);
    let tfvars = tfvars(&run, &tree[root_index], root_index);
    let root = Instance::root(root_index, tfvars);
    let mut objects = Objects::default();
    let root_display = tree[root_index].display.clone();
    collect(&run, &root, &root_display, opts, env, &mut objects);
    let display = env.loader.display(dir);
    objects.notes.extend(
        run.notes.borrow().iter().map(|m| SkipNote { path: display.to_string(), message: format!("Terraform: {m}") }),
    );
    objects
}

/// Variable values of the root module: `terraform.tfvars`, then `*.auto.tfvars` in name order
/// (later files win), as Terraform loads them.
fn tfvars(run: &Run, dir: &ModuleDir, root_index: usize) -> HashMap<String, Value> {
    let mut files: Vec<&Arc<SourceFile>> =
        dir.files.iter().filter(|f| matches!(f.role, Role::Vars | Role::VarsJson)).collect();
    files.sort_by_key(|f| {
        let name = f.path.file_name().and_then(|n| n.to_str()).unwrap_or("").to_ascii_lowercase();
        (name.contains(".auto."), name.ends_with(".json"), name)
    });
    let mut out = HashMap::new();
    for file in files {
        if let Some(body) = &file.body {
            let src = module::Src::of(file);
            // tfvars hold literal values only (Terraform rejects references there).
            let empty = Instance::root(root_index, HashMap::new());
            for attr in body.attributes() {
                let v = run.eval(&attr.value, Scope { inst: &empty, src: &src, bindings: &Bindings::default() });
                out.insert(attr.key.as_str().to_string(), v);
            }
        }
        if let Some(json) = &file.json {
            for (k, v) in json.as_map().unwrap_or_default() {
                if let Some(key) = k.as_str() {
                    out.insert(key.to_string(), functions::from_node(v, Some(file.id), v.span.in_file(file.id)));
                }
            }
        }
    }
    out
}

/// Produces the model objects of an instance and of every module it calls.
fn collect<'m>(
    run: &Run<'m>,
    inst: &Rc<Instance<'m>>,
    root: &Arc<str>,
    opts: &LoadOptions,
    env: &Env,
    out: &mut Objects,
) {
    let module = run.module(inst);
    let none = Bindings::default();
    for resource in module.resources.iter().filter(|r| !r.data) {
        let expansion = run.expand(inst, &resource.decl.item.body, resource.decl.file);
        let (keys, repeated): (Vec<(&str, &Bindings)>, bool) = match &*expansion {
            Expansion::Single => (vec![("", &none)], false),
            Expansion::Keys(keys) => (keys.iter().map(|(s, b)| (s.as_str(), b)).collect(), false),
            Expansion::Unknown(b) => (vec![("", b)], true),
        };
        for (suffix, bindings) in keys {
            let at = credentials::At { run, inst, resource, suffix, bindings, repeated, root };
            if let Some(fic) = credentials::credential(&at) {
                out.federated_credentials.push(fic);
            }
            if let Some(binding) = credentials::identity_binding(&at) {
                out.identity_bindings.push(binding);
            }
            kubernetes::object(&at, &opts.default_namespace, env.in_scope, out);
        }
    }
    for call in &module.calls {
        let keys = match &*run.expand(inst, &call.decl.item.body, call.decl.file) {
            Expansion::Single => vec![(String::new(), Bindings::default())],
            Expansion::Keys(keys) => keys.iter().cloned().collect(),
            Expansion::Unknown(b) => vec![("[*]".to_string(), b.clone())],
        };
        for (suffix, bindings) in keys {
            if let Some(child) = run.child(inst, call, &suffix, bindings) {
                collect(run, &child, root, opts, env, out);
            }
        }
    }
}

/// Evaluates one Terraform file as a module of its own.
pub fn evaluate_file(display: &Arc<str>, text: &str, opts: &LoadOptions) -> Objects {
    evaluate_texts(&[(display.as_ref(), text)], opts)
}

/// Evaluates the Terraform modules among `files` (display path, text) held in memory.
pub fn evaluate_texts(files: &[(&str, &str)], opts: &LoadOptions) -> Objects {
    let loader = MemLoader::new(files.iter().copied());
    let entries: Vec<FileEntry> = files
        .iter()
        .map(|(p, _)| FileEntry {
            path: Path::new("/").join(p),
            display: Arc::from(*p),
            kind: FileKind::Terraform,
            reported: true,
        })
        .collect();
    let scope = stage::Scope::new(&entries);
    let claimed: Vec<&FileEntry> = entries.iter().collect();
    let mut out = Objects::default();
    out.merge_all(MODULES.evaluate(&claimed, &scope, &loader, opts));
    out
}

#[cfg(test)]
mod tests;
