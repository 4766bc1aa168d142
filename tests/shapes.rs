//! `testdata/realworld-shapes/`: small files written in the shapes of the real-world corpus, so
//! that what the corpus tests protect (tests/realworld*.rs) is also tested on a clone without the
//! corpus: no parse error on any file iblint reads or skips, the reviewed findings and notes
//! (IB108 on the deprecated field, IB201's levels and reasons, IB102, the single IB203
//! placeholder note, IB204, IB501/IB502, IB002 in a kustomize patch, skipped Helm charts and Go
//! templates, nothing for workflows, docs and JSON that are not manifests), and every federated
//! credential form the sources find (Terraform with modules and count, Bicep loops, ARM, shell
//! with variables and functions, PowerShell splatting, ASO and Crossplane objects).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::path::PathBuf;

use serde_json::Value;

#[path = "support/listing.rs"]
mod listing;

fn shapes() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/realworld-shapes")
}

/// The shapes alone: the repository around them is not their scope.
fn check() -> Value {
    listing::check_json(&shapes(), &[".", "--scope", "."])
}

#[test]
fn shapes_are_linted_without_parse_errors() {
    let v = check();
    let ib001: Vec<&Value> =
        v["findings"].as_array().expect("findings").iter().filter(|f| f["rule"] == "IB001").collect();
    assert!(ib001.is_empty(), "parse errors on files that should be read or skipped: {ib001:#?}");
    assert!(v["summary"]["files"].as_u64().unwrap_or(0) >= 25, "the shapes were not walked: {}", v["summary"]);
}

#[test]
fn shapes_findings_are_the_reviewed_ones() {
    let v = check();
    let levels: Vec<String> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| format!("{} {}", f["rule"].as_str().unwrap_or(""), f["level"].as_str().unwrap_or("")))
        .collect();
    let mut lines = listing::findings_and_notes(&v);
    lines.push(format!("levels: {}", levels.join(", ")));
    insta::assert_snapshot!(lines.join("\n"));
}

#[test]
fn credentials_found_in_the_shapes() {
    insta::assert_snapshot!(listing::credentials(&shapes()).join("\n"));
}
