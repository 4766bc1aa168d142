//! Golden output of the human and SARIF reporters on the bundled example (fixed width, no colour).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::path::PathBuf;
use std::process::Command;

fn example(format: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_iblint"))
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .env("COLUMNS", "100")
        .args(["check", "testdata/example", "--no-color", "--format", format])
        .output()
        .expect("run iblint");
    assert_eq!(out.status.code(), Some(1), "the example has errors");
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn human_output_of_the_example() {
    insta::assert_snapshot!(example("human"));
}

#[test]
fn sarif_results_of_the_example() {
    let v: serde_json::Value = serde_json::from_str(&example("sarif")).expect("json");
    insta::assert_json_snapshot!(v["runs"][0]["results"]);
}

#[test]
fn github_annotations_of_the_example() {
    insta::assert_snapshot!(example("github"));
}
