//! Every federated credential iblint finds in the real-world corpus — Terraform, Bicep, ARM,
//! scripts and Kubernetes objects — pinned in a snapshot: the sources must keep finding them
//! (none of them touches `aks-identity-binding`, so IB401 stays silent there). The corpus is
//! loaded as a run loads it (tests/support/listing.rs).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::path::Path;

#[path = "support/listing.rs"]
mod listing;
#[path = "support/realworld.rs"]
mod realworld;

fn main() -> std::process::ExitCode {
    realworld::run(vec![("credentials_found_in_the_realworld_corpus", credentials_found_in_the_realworld_corpus)])
}

fn credentials_found_in_the_realworld_corpus(root: &Path) {
    let lines = listing::credentials(root);
    assert!(lines.len() > 20, "{lines:#?}");
    insta::assert_snapshot!("credentials_found_in_the_realworld_corpus", lines.join("\n"));
}
