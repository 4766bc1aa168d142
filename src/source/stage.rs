//! The load stage of a run: evaluators claim the files they evaluate together (a Bicep
//! deployment with its modules and parameter files, …) and turn them into objects; every file no
//! evaluator claims is loaded on its own. Both happen side by side.
//!
//! Kustomize builds come first: which files a kustomization takes (its resources and patches,
//! at any depth) is known only once the kustomizations are read, so they are built before the
//! other evaluators and the one-by-one loading share out the remaining files. Files no build can
//! take (nothing above them is a kustomization directory) do not wait: they load meanwhile, and
//! so does every evaluator none of whose files a build can take.

use std::path::Path;

use rayon::prelude::*;

use super::files::FileEntry;
use super::loader::Loader;
use super::LoadOptions;
use crate::cache::Cache;
use crate::model::Objects;

/// Every file of a run, for evaluators that look for a file's companions (parameter files).
/// Its sets are foldhash's: a run looks up every file in them, and std's SipHash showed in
/// profiles of warm runs on large repositories.
pub struct Scope<'a> {
    pub files: &'a [FileEntry],
    paths: foldhash::HashSet<&'a Path>,
    by_dir: foldhash::HashMap<&'a Path, Vec<&'a FileEntry>>,
}

impl<'a> Scope<'a> {
    pub fn new(files: &'a [FileEntry]) -> Scope<'a> {
        let mut by_dir: foldhash::HashMap<&Path, Vec<&FileEntry>> = foldhash::HashMap::default();
        for f in files {
            by_dir.entry(f.path.parent().unwrap_or(Path::new(""))).or_default().push(f);
        }
        Scope { files, paths: files.iter().map(|f| f.path.as_path()).collect(), by_dir }
    }

    /// Whether the run reads the file at `path` (absolute).
    pub fn contains(&self, path: &Path) -> bool {
        self.paths.contains(path)
    }

    /// The files of the run in the same directory as `path` (itself included).
    pub fn siblings(&self, path: &Path) -> &[&'a FileEntry] {
        self.by_dir.get(path.parent().unwrap_or(Path::new(""))).map_or(&[], Vec::as_slice)
    }
}

/// Evaluates a group of files together.
pub trait Evaluator: Sync {
    /// Whether this evaluator takes `file` (decided from names, without reading).
    fn claims(&self, file: &FileEntry, scope: &Scope) -> bool;
    /// The objects of the claimed files (reading them, and the files they refer to, through
    /// `loader`).
    fn evaluate(&self, claimed: &[&FileEntry], scope: &Scope, loader: &dyn Loader, opts: &LoadOptions) -> Vec<Objects>;
}

/// The evaluators of a run, in order: the first that claims a file takes it.
static EVALUATORS: &[&dyn Evaluator] =
    &[&super::iac::bicep::Deployments, &super::iac::arm::ParameterFiles, &super::iac::terraform::MODULES];

/// Loads every file of a run: kustomize roots first (see the module's documentation), then
/// claimed files through their evaluator and the others with `load_one`, in parallel. Files no
/// build can take (see [`super::kustomize::Reach`]) are loaded while the builds run: on their
/// own when no evaluator claims them, else through an evaluator none of whose files a build can
/// take. `load_one` is told whether the file holds partial objects (a kustomize patch that
/// applied in no build). With a `cache`, the kustomize builds and each evaluator's results are
/// taken from it while the files they read are unchanged (`load_one` caches single files itself).
pub fn load_all(
    files: &[FileEntry],
    loader: &dyn Loader,
    opts: &LoadOptions,
    cache: Option<&Cache>,
    load_one: impl Fn(&FileEntry, bool) -> Objects + Sync,
) -> Vec<Objects> {
    let scope = Scope::new(files);
    let claimer = |f: &FileEntry| EVALUATORS.iter().position(|e| e.claims(f, &scope));
    let any_kustomization = files.iter().any(|f| super::kustomize::is_kustomization_file(&f.path));
    let mut reach = any_kustomization.then(|| super::kustomize::Reach::new(loader));
    let mut may_take = |f: &FileEntry| reach.as_mut().is_some_and(|r| r.may_take(&f.path));
    // Evaluators that need not wait for the builds run beside them too, early rather than after
    // every other file: their working set (for Terraform, the parsed modules, several times the
    // credentials they yield) is then never in memory beside the whole model.
    let mut claims: Vec<Vec<&FileEntry>> = vec![Vec::new(); EVALUATORS.len()];
    let mut early_evaluator = vec![true; EVALUATORS.len()];
    let mut early = Vec::new();
    let mut waiting = Vec::new();
    for f in files {
        let may = may_take(f);
        match claimer(f) {
            Some(i) => {
                early_evaluator[i] &= !may;
                claims[i].push(f);
            }
            None if may => waiting.push(f),
            None => early.push(f),
        }
    }
    let early_claims: Vec<Vec<&FileEntry>> =
        claims.iter_mut().zip(&early_evaluator).map(|(c, &e)| if e { std::mem::take(c) } else { Vec::new() }).collect();
    // Each evaluator's parts, by evaluator (none for those with nothing claimed).
    let evaluate_all = |claims: &[Vec<&FileEntry>]| {
        EVALUATORS
            .par_iter()
            .zip(claims.par_iter())
            .enumerate()
            .map(|(i, (e, claimed))| {
                if claimed.is_empty() {
                    return Vec::new();
                }
                // One part per evaluator, made while its parts are in memory anyway: Terraform
                // returns a part per root module, none with room for the others, and the final
                // merge made a second copy of all their credentials.
                let evaluate = |loader: &dyn Loader| {
                    let mut one = Objects::default();
                    one.merge_all(e.evaluate(claimed, &scope, loader, opts));
                    one.shrink_to_fit();
                    vec![one]
                };
                match cache {
                    Some(cache) => cache.evaluation(evaluator_key(i, claimed, files), loader, evaluate),
                    None => evaluate(loader),
                }
            })
            .collect::<Vec<Vec<Objects>>>()
    };
    let ((built, evaluated_early), loaded_early) = rayon::join(
        || {
            rayon::join(
                || {
                    let _phase = crate::timings::phase("kustomize builds");
                    let build = |loader: &dyn Loader| super::kustomize::evaluate(files, loader, opts);
                    let built = match cache {
                        // The builds take from the scope only which files are kustomizations; the rest they read.
                        Some(cache) if any_kustomization => cache.evaluation(kustomize_key(files), loader, build),
                        _ => build(loader),
                    };
                    crate::memory::collect_freed();
                    built
                },
                || {
                    let _phase = crate::timings::phase("evaluators");
                    let evaluated = evaluate_all(&early_claims);
                    crate::memory::collect_freed();
                    evaluated
                },
            )
        },
        || {
            let _phase = crate::timings::phase("files alone");
            load_in_chunks(&early, &|f: &FileEntry| load_one(f, false))
        },
    );
    for claimed in &mut claims {
        claimed.retain(|f| !built.claimed.contains(&f.path));
    }
    let unclaimed: Vec<&FileEntry> = waiting.into_iter().filter(|f| !built.claimed.contains(&f.path)).collect();
    let (evaluated_late, loaded) = rayon::join(
        || {
            let _phase = crate::timings::phase("evaluators left");
            evaluate_all(&claims)
        },
        || {
            let _phase = crate::timings::phase("files left");
            load_in_chunks(&unclaimed, &|f: &FileEntry| load_one(f, built.partial.contains(&f.path)))
        },
    );
    // In the evaluators' order, whichever ran early: the model's order does not depend on where
    // the kustomizations are.
    let mut evaluated: Vec<Objects> =
        evaluated_early.into_iter().zip(evaluated_late).flat_map(|(a, b)| a.into_iter().chain(b)).collect();
    evaluated.push(loaded_early);
    evaluated.push(loaded);
    evaluated.push(built.objects);
    evaluated
}

/// The cache key of the kustomize builds: the kustomization files in scope.
fn kustomize_key(files: &[FileEntry]) -> String {
    let roots = files.iter().filter(|f| super::kustomize::is_kustomization_file(&f.path)).map(|f| f.path.as_path());
    format!("kustomize {}", paths_hash(roots))
}

/// The cache key of evaluator `index`'s results: the files it claimed, and every file in scope
/// (evaluators ask whether a file they refer to is in the run).
fn evaluator_key(index: usize, claimed: &[&FileEntry], files: &[FileEntry]) -> String {
    let claimed = paths_hash(claimed.iter().map(|f| f.path.as_path()));
    format!("evaluator {index} {claimed} {}", paths_hash(files.iter().map(|f| f.path.as_path())))
}

fn paths_hash<'a>(paths: impl Iterator<Item = &'a Path>) -> String {
    let mut all = Vec::new();
    for p in paths {
        all.extend_from_slice(p.as_os_str().as_encoded_bytes());
        all.push(0);
    }
    crate::cache::content_hash(&all).iter().map(|b| format!("{b:02x}")).collect()
}

/// Files loaded in parallel per chunk, in order.
const CHUNK: usize = 256;

/// Loads `files` in parallel and appends their objects, in order, into one [`Objects`]. Chunk by
/// chunk: each file's own vectors are freed as soon as its chunk is appended, so the next chunk
/// reuses their memory. Collecting every file's objects before merging them kept the model
/// twice in memory at the peak (the per-file copies, then the merged one), and the per-file
/// vectors' pages, interleaved with what the model keeps, were never returned.
fn load_in_chunks(files: &[&FileEntry], load_one: &(impl Fn(&FileEntry) -> Objects + Sync)) -> Objects {
    let mut all = Objects::default();
    let mut done = 0;
    let mut loaded: Vec<Objects> = Vec::new();
    // Each chunk is appended while the next one loads: appending is serial, and the other
    // threads would wait for it.
    for chunk in files.chunks(CHUNK) {
        let previous = std::mem::take(&mut loaded);
        let append = |all: &mut Objects| {
            for part in previous {
                all.merge(part);
            }
            if done > 0 && done < files.len() {
                all.reserve_in_proportion(done, files.len());
            }
        };
        let (next, ()) = rayon::join(|| chunk.par_iter().map(|f| load_one(f)).collect(), || append(&mut all));
        loaded = next;
        done += chunk.len();
    }
    for part in loaded {
        all.merge(part);
    }
    all
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use super::load_all;
    use crate::model::Objects;
    use crate::source::files::{FileEntry, FileKind};
    use crate::source::loader::{Loader, MemLoader};
    use crate::source::{load, Input, LoadOptions};

    /// Terraform needs no build (nothing above it is a kustomization directory) and runs beside
    /// the builds; the Bicep file, inside a kustomization's directory, waits for them. The model
    /// still lists Bicep's credentials first, as it lists the evaluators, so which runs early
    /// changes no finding (IB402 points at the credential that crosses the line, in model order).
    #[test]
    fn evaluators_keep_their_order_whichever_runs_before_the_builds() {
        let fic = "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31";
        let bicep = format!("resource fic '{fic}' = {{\n  name: 'from-bicep'\n}}\n");
        let files = [
            ("/repo/app/kustomization.yaml", "resources: [sa.yaml]\n"),
            ("/repo/app/sa.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app\n"),
            ("/repo/app/infra/main.bicep", bicep.as_str()),
            (
                "/repo/tf/a/main.tf",
                "resource \"azurerm_federated_identity_credential\" \"f\" {\n  name = \"from-terraform\"\n}\n",
            ),
            (
                "/repo/tf/b/main.tf",
                "resource \"azurerm_federated_identity_credential\" \"f\" {\n  name = \"from-b\"\n}\n",
            ),
        ];
        let loader = MemLoader::new(files);
        let entries: Vec<FileEntry> = files
            .iter()
            .map(|(path, _)| FileEntry {
                path: path.into(),
                display: Arc::from(path.trim_start_matches("/repo/")),
                kind: FileKind::of(Path::new(path)).expect("a kind"),
                reported: true,
            })
            .collect();
        let opts = LoadOptions::default();
        let parts = load_all(&entries, &loader, &opts, None, |f, is_patch| {
            let text = loader.read(&f.path).expect("read");
            load(&Input { display: &f.display, kind: f.kind, bytes: text.as_bytes(), is_patch }, &opts)
        });
        // One part for each evaluator that ran (Terraform's two roots merged into one), then the
        // files loaded while the builds ran, the files left, and the builds.
        assert_eq!(parts.len(), 2 + 3);
        let mut objects = Objects::default();
        objects.merge_all(parts);
        let names: Vec<&str> =
            objects.federated_credentials.iter().filter_map(|f| f.name.as_ref()).map(|n| n.value.as_str()).collect();
        assert_eq!(names, ["from-bicep", "from-terraform", "from-b"]);
        assert_eq!(objects.service_accounts.len(), 1, "the build's account");
    }
}
