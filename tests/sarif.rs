//! SARIF output: valid SARIF 2.1.0 (checked by a real JSON-schema validator against the schema
//! shipped in the serde-sarif crate) and meeting GitHub code scanning's extra requirements.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

#[path = "support/sarif_schema.rs"]
mod sarif_schema;
use sarif_schema::{schema_path, validate_with_jsonschema};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// SARIF of the whole `testdata/` tree (every rule's fixtures).
fn testdata_sarif() -> (String, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_iblint"))
        .current_dir(repo())
        .args(["check", "testdata", "--format", "sarif", "--fail-on", "never", "--exclude", "hostile"])
        .output()
        .expect("run iblint");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let v = serde_json::from_str(&text).expect("SARIF is JSON");
    (text, v)
}

#[test]
fn testdata_sarif_validates_against_the_sarif_2_1_0_schema() {
    let (text, v) = testdata_sarif();
    assert!(!v["runs"][0]["results"].as_array().expect("results").is_empty());
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("testdata.sarif");
    std::fs::write(&file, text).expect("write");
    validate_with_jsonschema(&schema_path(), &file);
}

#[test]
fn rules_carry_what_github_code_scanning_needs() {
    let (_, v) = testdata_sarif();
    let run = &v["runs"][0];
    assert!(run["automationDetails"]["id"].as_str().is_some_and(|s| !s.is_empty()));
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), iblint::rules::RULES.len());
    for r in rules {
        let id = r["id"].as_str().expect("id");
        for field in [
            "/shortDescription/text",
            "/fullDescription/text",
            "/help/text",
            "/help/markdown",
            "/defaultConfiguration/level",
            "/properties/precision",
        ] {
            assert!(r.pointer(field).and_then(Value::as_str).is_some_and(|s| !s.is_empty()), "{id}: {field}");
        }
        let tags = r["properties"]["tags"].as_array().expect("tags");
        assert!(!tags.is_empty(), "{id}: tags");
        if tags.iter().any(|t| t == "security") {
            let sev: f64 =
                r["properties"]["security-severity"].as_str().and_then(|s| s.parse().ok()).expect("security-severity");
            assert!((0.0..=10.0).contains(&sev), "{id}");
        }
    }
}

#[test]
fn results_have_one_full_location_and_stable_fingerprints() {
    let (_, v) = testdata_sarif();
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    for r in run["results"].as_array().expect("results") {
        let id = r["ruleId"].as_str().expect("ruleId");
        let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], id, "ruleIndex points at the rule");
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().expect("level")));
        assert!(r["message"]["text"].as_str().is_some_and(|m| !m.is_empty()));
        let locations = r["locations"].as_array().expect("locations");
        assert_eq!(locations.len(), 1, "{id}: exactly one location");
        let phys = &locations[0]["physicalLocation"];
        assert!(phys["artifactLocation"]["uri"].as_str().is_some_and(|u| u.starts_with("testdata/")), "{r}");
        for k in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(phys["region"][k].as_u64().is_some_and(|n| n >= 1), "{id}: region.{k}: {r}");
        }
        assert!(r["partialFingerprints"].as_object().is_some_and(|f| !f.is_empty()), "{id}");
    }
}

#[test]
fn fingerprints_survive_unrelated_edits_and_line_shifts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    azure.workload.identity/use-identity-binding: \"true\"\nspec:\n  serviceAccountName: p\n  containers:\n    - name: c\n      image: x\n";
    let run = |text: &str| -> Vec<(String, String, u64)> {
        std::fs::write(dir.path().join("pod.yaml"), text).expect("write");
        let out = Command::new(env!("CARGO_BIN_EXE_iblint"))
            .current_dir(dir.path())
            .args(["check", "pod.yaml", "--format", "sarif"])
            .output()
            .expect("run");
        let v: Value = serde_json::from_slice(&out.stdout).expect("json");
        v["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|r| {
                (
                    r["ruleId"].as_str().unwrap_or("").to_string(),
                    r["partialFingerprints"]["iblintFingerprint/v1"].as_str().unwrap_or("").to_string(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64().unwrap_or(0),
                )
            })
            .collect()
    };
    let before = run(pod);
    let after = run(&format!("# a comment\n# another one\n{pod}"));
    assert!(!before.is_empty());
    assert_eq!(before.len(), after.len());
    for (b, a) in before.iter().zip(&after) {
        assert_eq!((&b.0, &b.1), (&a.0, &a.1), "fingerprint changed with a line shift");
        assert_eq!(b.2 + 2, a.2);
    }
}

#[test]
fn sarif_round_trips_through_the_typed_serde_sarif_model() {
    let (text, _) = testdata_sarif();
    let typed: serde_sarif::sarif::Sarif = serde_json::from_str(&text).expect("serde-sarif reads iblint's SARIF");
    assert_eq!(typed.runs.len(), 1);
    let run = &typed.runs[0];
    let rules = run.tool.driver.rules.as_ref().expect("rules");
    assert_eq!(rules.len(), iblint::rules::RULES.len());
    let results = run.results.as_ref().expect("results");
    assert!(results.iter().all(|r| r.rule_id.is_some() && r.rule_index.is_some() && r.partial_fingerprints.is_some()));
    // Writing the typed model back keeps every result.
    let again: serde_json::Value = serde_json::to_value(&typed).expect("serialize");
    assert_eq!(again["runs"][0]["results"].as_array().map(Vec::len), Some(results.len()));
}
