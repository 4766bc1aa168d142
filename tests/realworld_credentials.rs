//! Every federated credential iblint finds in the realworld corpus — Terraform, Bicep, ARM,
//! scripts and Kubernetes objects — pinned in a snapshot: the sources must keep finding them
//! (none of them touches `aks-identity-binding`, so IB401 stays silent there). The corpus is
//! loaded as a run loads it: evaluators take their groups of files (Bicep modules, parameter
//! files), every other file is loaded on its own.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::path::PathBuf;

use iblint::model::Objects;
use iblint::source::files::{self, WalkOptions};
use iblint::source::loader::FsLoader;
use iblint::source::{self, stage, Input, LoadOptions};

#[test]
fn credentials_found_in_the_realworld_corpus() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/realworld").canonicalize().expect("corpus");
    let excludes = globset::GlobSet::empty();
    let walked = files::walk(&WalkOptions {
        paths: std::slice::from_ref(&root),
        scope: Some(&root),
        excludes: &excludes,
        cwd: &root,
    })
    .expect("walk");
    let opts = LoadOptions::default();
    let loader = FsLoader::new(&root, u64::MAX);
    let parts = stage::load_all(&walked.files, &loader, &opts, |f| {
        let bytes = std::fs::read(&f.path).expect("read");
        source::load(&Input { display: &f.display, kind: f.kind, bytes: &bytes, is_patch: false }, &opts)
    });
    let mut objects = Objects::default();
    objects.merge_all(parts);
    let mut lines = Vec::new();
    for fic in &objects.federated_credentials {
        let display = fic.origin.path().map_or("?", |p| p.as_ref());
        lines.push(format!(
            "{}:{} {} {:?} name={} identity={}",
            display,
            fic.name.as_ref().map_or(fic.anchor.start.line, |n| n.span.start.line),
            fic.display,
            fic.action,
            fic.name.as_ref().map_or("?", |n| n.value.as_str()),
            fic.identity.as_deref().unwrap_or("?")
        ));
    }
    lines.sort();
    assert!(lines.len() > 20, "{lines:#?}");
    insta::assert_snapshot!(lines.join("\n"));
}
