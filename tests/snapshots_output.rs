//! Golden output of every reporter on the bundled example (fixed width, no colour): human,
//! SARIF, GitHub, compact and JUnit (also validated against the JUnit schema).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::path::PathBuf;
use std::process::Command;

#[path = "support/tools.rs"]
mod tools;

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

#[test]
fn compact_output_of_the_example() {
    let text = example("compact");
    // One line per finding, `path:line:col: level IBxxx message`.
    for line in text.lines() {
        let mut fields = line.splitn(5, ' ');
        let (at, level, rule) = (fields.next().unwrap_or(""), fields.next().unwrap_or(""), fields.next().unwrap_or(""));
        assert_eq!(at.matches(':').count(), 3, "{line}");
        assert!(["error", "warning", "note"].contains(&level), "{line}");
        assert!(rule.starts_with("IB") && rule.len() == 5, "{line}");
    }
    insta::assert_snapshot!(text);
}

#[test]
fn junit_output_of_the_example() {
    let text = example("junit");
    insta::assert_snapshot!(text);
}

/// The JUnit output is valid against the Jenkins/Surefire schema (junit-10.xsd, which
/// scripts/test puts in .venv/share), with Python `xmlschema`, for findings, suppressed findings,
/// hostile characters and an empty run.
#[test]
fn junit_output_is_valid_against_the_junit_schema() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("suppressed.yaml"),
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: \"a<b>&\\u001b[31m\"\n  annotations:\n    \
         iblint.io/ignore: \"IB002 -- kept for the migration\"\n    azure.workload.identity/client-id: 3600\n",
    )
    .expect("write");
    std::fs::create_dir(dir.path().join("empty")).expect("mkdir");
    std::fs::write(dir.path().join("empty/ok.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n")
        .expect("write");
    let mut reports = vec![("example", example("junit"))];
    for case in ["suppressed.yaml", "empty"] {
        let out = Command::new(env!("CARGO_BIN_EXE_iblint"))
            .current_dir(dir.path())
            .args(["check", case, "--format", "junit", "--fail-on", "never"])
            .output()
            .expect("run iblint");
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        reports.push((case, String::from_utf8(out.stdout).expect("utf-8")));
    }
    assert!(reports[1].1.contains("<skipped message=\"suppressed: kept for the migration\"/>"), "{}", reports[1].1);
    assert!(reports[2].1.contains("<testcase name=\"no findings in 1 file\""), "{}", reports[2].1);
    for (name, xml) in reports {
        tools::assert_valid_junit(name, &xml);
    }
}
