//! A repository mixing Kubernetes, Terraform, Bicep and scripts: the whole-tree SARIF results
//! are pinned, so every source keeps reporting on the exact lines.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::process::Command;

#[test]
fn mixed_repository_sarif() {
    let out = Command::new(env!("CARGO_BIN_EXE_iblint"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", "testdata/mixed-repo", "--scope", "testdata/mixed-repo", "--format", "sarif"])
        .output()
        .expect("run iblint");
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("SARIF");
    let results: Vec<serde_json::Value> = v["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            serde_json::json!({
                "ruleId": r["ruleId"],
                "level": r["level"],
                "uri": r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                "region": r["locations"][0]["physicalLocation"]["region"],
                "message": r["message"]["text"].as_str().and_then(|m| m.split("\n\n").next()),
            })
        })
        .collect();
    insta::assert_json_snapshot!(results);
}
