//! A run that reports some files of a larger tree (`iblint check FILE`: the pre-commit hook, a
//! pull request's changed files) keeps exactly the findings of a run over the whole tree that
//! concern those files: located in them, or with a value that comes from them. The rules that
//! judge each object on its own pass over the objects of the other files to get there faster.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

#[path = "support/common.rs"]
mod common;
use common::{copy_tree, tree};

/// A finding as a user compares two runs: rule, place, message, whether it is suppressed.
type Seen = (String, Option<String>, u64, u64, String, bool);

/// The findings of `iblint check ARGS` in `dir`, each with the files its value comes from.
fn findings(dir: &Path, args: &[&str]) -> Vec<(Seen, Vec<String>)> {
    let out = Command::new(env!("CARGO_BIN_EXE_iblint"))
        .current_dir(dir)
        .args(["check", "--format", "json", "--fail-on", "never", "--no-cache"])
        .args(args)
        .output()
        .expect("run iblint");
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON output");
    let text = |v: &serde_json::Value| v.as_str().map(str::to_string);
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let at = &f["location"];
            let seen = (
                text(&f["rule"]).unwrap(),
                text(&at["path"]),
                at["line"].as_u64().unwrap_or(0),
                at["column"].as_u64().unwrap_or(0),
                text(&f["message"]).unwrap(),
                !f["suppressed"].is_null(),
            );
            let from = f["related"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|r| r["provenance"].as_bool() == Some(true))
                .filter_map(|r| text(&r["location"]["path"]))
                .collect();
            (seen, from)
        })
        .collect()
}

/// The manifests under `dir`, as display paths.
fn manifests(dir: &Path, under: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            manifests(&path, under, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "json") {
            out.push(path.strip_prefix(under).unwrap().to_string_lossy().replace('\\', "/"));
        }
    }
}

#[test]
fn each_file_alone_keeps_what_a_run_over_the_whole_tree_says_of_it() {
    // A copy outside the project's git work tree, so that `--scope .` is the whole of it.
    let copy = tempfile::tempdir().unwrap();
    copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata"), copy.path());
    let whole = findings(copy.path(), &["."]);
    let mut files = Vec::new();
    manifests(copy.path(), copy.path(), &mut files);
    files.sort();
    // Every file of the rules that pass over objects, and a sample of the rest.
    let passing_over = ["IB002/", "IB103/", "IB114/", "IB203/", "IB306/", "IB308/"];
    let chosen: Vec<&String> = files
        .iter()
        .enumerate()
        .filter(|(i, f)| passing_over.iter().any(|r| f.starts_with(r)) || i % 6 == 0)
        .map(|(_, f)| f)
        .collect();
    assert!(chosen.len() > 60, "{} files", chosen.len());
    let mut reported = 0;
    for file in chosen {
        let expected: BTreeSet<&Seen> = whole
            .iter()
            .filter(|(seen, from)| seen.1.as_ref().is_none_or(|p| p == file) || from.contains(file))
            .map(|(seen, _)| seen)
            .collect();
        let alone = findings(copy.path(), &[file, "--scope", "."]);
        let got: BTreeSet<&Seen> = alone.iter().map(|(seen, _)| seen).collect();
        assert_eq!(got, expected, "{file}");
        reported += got.len();
    }
    assert!(reported > 100, "the files chosen have findings to compare: {reported}");
}

const UPPER_CASE_ID: &str = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  namespace: shop\n  annotations:\n    azure.workload.identity/client-id: \"3F2C1A9E-8B7D-4C6E-9F0A-1B2C3D4E5F60\"\n";
const CLEAN: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: shop\n";

/// A config suppression that matches no finding is reported, so it must still see the findings
/// of the files a run does not report: the one in `a.yaml` is not stale for a run on `b.yaml`.
#[test]
fn a_config_suppression_sees_the_findings_of_files_not_reported() {
    let suppression = "suppressions:\n  - rules: [IB203]\n    paths: [a.yaml]\n    reason: known\n";
    let t = tree(&[("a.yaml", UPPER_CASE_ID), ("b.yaml", CLEAN), (".iblint.yaml", suppression)]);
    let rules = |args: &[&str]| -> Vec<String> { findings(t.path(), args).into_iter().map(|(s, _)| s.0).collect() };
    assert!(rules(&["b.yaml", "--scope", "."]).is_empty(), "no stale suppression reported");
    // Without the suppression the finding is there, in its own file's run alone.
    std::fs::remove_file(t.path().join(".iblint.yaml")).unwrap();
    assert_eq!(rules(&["a.yaml", "--scope", "."]), ["IB203"]);
    assert!(rules(&["b.yaml", "--scope", "."]).is_empty());
}
