//! Every federated credential iblint finds in the realworld corpus — Terraform, Bicep, ARM,
//! scripts and Kubernetes objects — pinned in a snapshot: the sources must keep finding them
//! (none of them touches `aks-identity-binding`, so IB401 stays silent there).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::path::PathBuf;
use std::sync::Arc;

use iblint::source::files::FileKind;
use iblint::source::{self, Input, LoadOptions};

#[test]
fn credentials_found_in_the_realworld_corpus() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/realworld");
    let mut files: Vec<PathBuf> = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("corpus dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if FileKind::of(&p).is_some() {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut lines = Vec::new();
    for f in files {
        let display: Arc<str> = Arc::from(f.strip_prefix(&root).expect("under root").to_string_lossy().as_ref());
        let Some(kind) = FileKind::of(&f) else { continue };
        let bytes = std::fs::read(&f).expect("read");
        let inv =
            source::load(&Input { display: &display, kind, bytes: &bytes, is_patch: false }, &LoadOptions::default());
        for fic in &inv.federated_credentials {
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
    }
    assert!(lines.len() > 20, "{lines:#?}");
    insta::assert_snapshot!(lines.join("\n"));
}
