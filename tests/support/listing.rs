//! One line per finding, note or federated credential of a tree: what the real-world corpus tests
//! and the shapes that stand in for them (tests/shapes.rs) pin in snapshots.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

use iblint::model::Objects;
use iblint::source::files::{self, WalkOptions};
use iblint::source::loader::FsLoader;
use iblint::source::{self, stage, Input, LoadOptions};
use serde_json::Value;

/// `iblint check ARGS --format json` in `dir`: must exit 0 (`--fail-on never`) without a panic.
pub fn check_json(dir: &Path, args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_iblint"))
        .current_dir(dir)
        .arg("check")
        .args(args)
        .args(["--format", "json", "--fail-on", "never"])
        .output()
        .expect("run iblint");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    serde_json::from_slice(&out.stdout).expect("json")
}

/// `RULE path:line message` per finding, then `note path` per note.
pub fn findings_and_notes(v: &Value) -> Vec<String> {
    let (mut lines, notes) = findings_then_notes(v);
    lines.extend(notes);
    lines
}

/// `RULE path:line message` per finding, and `note path` per note.
pub fn findings_then_notes(v: &Value) -> (Vec<String>, Vec<String>) {
    let lines: Vec<String> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            format!(
                "{} {}:{} {}",
                f["rule"].as_str().unwrap_or(""),
                f["location"]["path"].as_str().unwrap_or(""),
                f["location"]["line"],
                f["message"].as_str().unwrap_or("")
            )
        })
        .collect();
    let notes = v["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .map(|n| format!("note {}", n["path"].as_str().unwrap_or("")))
        .collect();
    (lines, notes)
}

/// Every federated credential the sources find under `root`, one line each, sorted. The tree is
/// loaded as a run loads it: evaluators take their groups of files (Bicep modules, parameter
/// files), every other file is loaded on its own.
pub fn credentials(root: &Path) -> Vec<String> {
    let root = root.canonicalize().expect("tree");
    let excludes = globset::GlobSet::empty();
    let walked = files::walk(&WalkOptions {
        paths: std::slice::from_ref(&root),
        scope: Some(&root),
        excludes: &excludes,
        cwd: &root,
        follow_symlinks: false,
    })
    .expect("walk");
    let opts = LoadOptions::default();
    let loader = FsLoader::new(&root, u64::MAX);
    let parts = stage::load_all(&walked.files, &loader, &opts, None, |f, is_patch| {
        let bytes = std::fs::read(&f.path).expect("read");
        source::load(&Input { display: &f.display, kind: f.kind, bytes: &bytes, is_patch }, &opts)
    });
    let mut objects = Objects::default();
    objects.merge_all(parts);
    let mut lines = Vec::new();
    for fic in &objects.federated_credentials {
        let display = fic.origin.path().map_or("?", |p| p.as_ref());
        lines.push(format!(
            "{}:{} {} {:?} name={} identity={}",
            display,
            fic.name.as_ref().map_or(fic.anchor.start().line, |n| n.span.start().line),
            fic.display,
            fic.action,
            fic.name.as_ref().map_or("?", |n| n.value.as_str()),
            fic.identity_text().as_deref().unwrap_or("?")
        ));
    }
    lines.sort();
    lines
}
