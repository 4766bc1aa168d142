#![allow(dead_code)] // each test crate uses what it needs
//! The fixture cases of a rule, `testdata/<ID>/{pass,fail}.*`, and what kind of rule it is.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use iblint::check::{self, CheckOptions};
use iblint::finding::Location;

/// What a fixture file's markers expect: (rule, line, column when pinned).
pub type Expect = BTreeSet<(String, u32, Option<u32>)>;

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

/// `testdata/`.
pub fn testdata() -> PathBuf {
    repo().join("testdata")
}

/// The fixture directories `testdata/IB*/` of the rules `check` runs (live rules' fixtures are fake
/// clusters, audited by `tests/live_fixtures.rs`), in order.
pub fn rule_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(testdata())
        .expect("testdata/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_dir() && p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("IB") && !is_live(n))
        })
        .collect();
    dirs.sort();
    dirs
}

fn parse_marker_list(text: &str, line: u32, out: &mut Expect) {
    for item in text.split(',') {
        let item = item.trim().trim_end_matches(|c: char| !c.is_ascii_alphanumeric());
        if item.is_empty() {
            continue;
        }
        let (id, col) = match item.split_once('@') {
            Some((id, col)) => (id, col.parse().ok()),
            None => (item, None),
        };
        out.insert((id.to_string(), line, col));
    }
}

/// The `expect:` markers of a fixture file (and of its `.expect` sidecar).
pub fn markers(file: &Path) -> Expect {
    let mut out = Expect::new();
    let sidecar = PathBuf::from(format!("{}.expect", file.display()));
    if let Ok(text) = std::fs::read_to_string(&sidecar) {
        for l in text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
            let mut parts = l.split_whitespace();
            let (Some(id), Some(pos)) = (parts.next(), parts.next()) else { continue };
            let (line, col) = match pos.split_once('@') {
                Some((l, c)) => (l.parse().unwrap_or(0), c.parse().ok()),
                None => (pos.parse().unwrap_or(0), None),
            };
            out.insert((id.to_string(), line, col));
        }
    }
    let Ok(text) = std::fs::read_to_string(file) else { return out };
    for (i, l) in text.lines().enumerate() {
        if let Some(at) = l.find("expect:") {
            let before = &l[..at];
            if before.contains('#') || before.contains("//") {
                parse_marker_list(&l[at + 7..], i as u32 + 1, &mut out);
            }
        }
    }
    out
}

/// Lints one case (a file, or a directory of files) on its own: (path as shown, rule, line, column)
/// of every finding not suppressed.
pub fn case_findings(case: &Path) -> Vec<(String, String, u32, u32)> {
    let opts =
        CheckOptions { paths: vec![case.to_path_buf()], scope: Some(case.to_path_buf()), ..CheckOptions::default() };
    let outcome = check::run(&opts, &config_of(case, &testdata()), &testdata()).expect("check runs");
    outcome
        .findings
        .iter()
        .filter(|f| f.suppression.is_none())
        .filter_map(|f| match &f.location {
            Location::File { path, span } => {
                Some((path.to_string(), f.rule.to_string(), span.start().line, span.start().col))
            }
            Location::Logical { .. } => None,
        })
        .collect()
}

/// The files of a case (itself, or those of its directory but `.expect` sidecars), in order.
pub fn files_of(case: &Path) -> Vec<PathBuf> {
    if case.is_file() {
        return vec![case.to_path_buf()];
    }
    let mut out = Vec::new();
    let mut stack = vec![case.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("case dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if !p.to_string_lossy().ends_with(".expect") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
