#![allow(dead_code)] // each test crate uses what it needs
//! The fixture cases of a rule, `testdata/<ID>/{pass,fail}.*`, and what kind of rule it is.

use std::path::{Path, PathBuf};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `pass.*` and `fail.*` cases (files or directories) of `testdata/<id>/`, in order.
pub fn cases(id: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(repo().join("testdata").join(id)) else { return Vec::new() };
    let mut out: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            (name.starts_with("pass.") || name.starts_with("fail.")) && !name.ends_with(".expect")
        })
        .collect();
    out.sort();
    out
}

/// Whether `case` is a `fail.*` case.
pub fn is_fail(case: &Path) -> bool {
    case.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("fail."))
}

/// `path` as the repository-relative, `/`-separated name a user sees.
pub fn shown(path: &Path) -> String {
    shown_from(&repo(), path)
}

/// `path` relative to `cwd`, `/`-separated, as iblint run in `cwd` names it.
pub fn shown_from(cwd: &Path, path: &Path) -> String {
    path.strip_prefix(cwd).unwrap_or(path).to_string_lossy().replace('\\', "/")
}

/// A case directory's own `.iblint.yaml`, else the default config. It is named as iblint run in
/// `cwd` names it, so findings on the config itself (IB003) point where the case's files do.
pub fn config_of(case: &Path, cwd: &Path) -> iblint::config::Config {
    let file = case.join(".iblint.yaml");
    if !file.is_file() {
        return iblint::config::Config::default();
    }
    iblint::config::load(&file, shown_from(cwd, &file).into()).expect("fixture config parses")
}

/// A live rule (tag `live`, IB6xx) runs only in `audit`: its fixtures are fake clusters.
pub fn is_live(id: &str) -> bool {
    iblint::docs::get(id).is_some_and(|d| d.tags.iter().any(|t| t == "live"))
}
