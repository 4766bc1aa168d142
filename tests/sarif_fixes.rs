//! IB301's SARIF `fixes`: applied to a copy of the fixture, the re-run is clean.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn sarif(dir: &Path, file: &str) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_iblint"))
        .current_dir(dir)
        .args(["check", file, "--format", "sarif", "--fail-on", "never"])
        .output()
        .expect("run iblint");
    serde_json::from_slice(&out.stdout).expect("SARIF")
}

/// Applies SARIF insertions (zero-width `deletedRegion` + `insertedContent`) to the file text.
fn apply(text: &str, replacements: &[(usize, usize, String)]) -> String {
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
    let mut sorted = replacements.to_vec();
    sorted.sort_by(|a, b| b.cmp(a));
    for (line, col, insert) in sorted {
        if line > lines.len() {
            lines.push(insert);
            continue;
        }
        let l = &mut lines[line - 1];
        let at = l.char_indices().nth(col - 1).map_or(l.len(), |(i, _)| i);
        l.insert_str(at, &insert);
    }
    lines.concat()
}

#[test]
fn applying_the_ib301_fix_makes_the_rerun_clean() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/IB301/fail.no-grant.yaml");
    let text = std::fs::read_to_string(&fixture).expect("fixture");
    std::fs::write(dir.path().join("app.yaml"), &text).expect("copy");

    let before = sarif(dir.path(), "app.yaml");
    let results = before["runs"][0]["results"].as_array().expect("results");
    let ib301: Vec<&Value> = results.iter().filter(|r| r["ruleId"] == "IB301").collect();
    assert_eq!(ib301.len(), 1, "{results:#?}");
    let fixes = ib301[0]["fixes"].as_array().expect("IB301 carries fixes");
    let mut edits = Vec::new();
    for change in fixes[0]["artifactChanges"].as_array().expect("artifactChanges") {
        assert_eq!(change["artifactLocation"]["uri"], "app.yaml");
        for r in change["replacements"].as_array().expect("replacements") {
            let region = &r["deletedRegion"];
            assert_eq!(region["startLine"], region["endLine"]);
            assert_eq!(region["startColumn"], region["endColumn"], "an insertion");
            edits.push((
                region["startLine"].as_u64().expect("line") as usize,
                region["startColumn"].as_u64().expect("column") as usize,
                r["insertedContent"]["text"].as_str().expect("text").to_string(),
            ));
        }
    }
    std::fs::write(dir.path().join("app.yaml"), apply(&text, &edits)).expect("write fixed");

    let after = sarif(dir.path(), "app.yaml");
    let remaining: Vec<String> = after["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| format!("{} {}", r["ruleId"], r["message"]["text"]))
        .collect();
    assert!(remaining.is_empty(), "after the fix: {remaining:#?}");
}
