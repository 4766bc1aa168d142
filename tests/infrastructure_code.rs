//! Infrastructure code and scripts as a user relies on them beyond the fixture markers: the level
//! of each finding, where the name came from (related locations) and the identity-binding note.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::path::Path;

use iblint::check::{self, CheckOptions};
use iblint::config::Config;
use iblint::finding::{Finding, Level, Location};

/// A throw-away directory with the given files.
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    dir
}

/// The findings of `rule` when checking `paths` (relative to `dir`, the scope).
fn findings(dir: &Path, paths: &[&str], rule: &str) -> Vec<Finding> {
    let opts = CheckOptions {
        paths: paths.iter().map(|p| p.into()).collect(),
        scope: Some(dir.to_path_buf()),
        ..CheckOptions::default()
    };
    let outcome = check::run(&opts, &Config::default(), dir).expect("check runs");
    outcome.findings.into_iter().filter(|f| f.rule == rule).collect()
}

/// `path:line:col` of a location.
fn at(location: &Location) -> String {
    match location {
        Location::File { path, span } => format!("{path}:{}:{}", span.start.line, span.start.col),
        Location::Logical { name } => name.clone(),
    }
}

#[test]
fn unresolved_name_on_a_bound_identity_is_a_note_pointing_at_the_binding() {
    let dir = tree(&[
        (
            "bind.sh",
            "az aks identity-binding create -g rg --cluster-name aks -n b \\\n  --managed-identity-resource-id \
             /subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ID-A\n",
        ),
        ("cleanup.sh", "az identity federated-credential delete --identity-name id-a -g rg --name \"$1\"\n"),
    ]);
    let found = findings(dir.path(), &["."], "IB401");
    assert_eq!(found.len(), 1, "{found:#?}");
    let note = &found[0];
    assert_eq!(note.level, Level::Note);
    assert_eq!(at(&note.location), "cleanup.sh:1:75");
    assert!(note.message.contains("could not be evaluated"), "{}", note.message);
    assert_eq!(note.related.len(), 1);
    assert_eq!(at(&note.related[0].location), "bind.sh:1:1");
}
