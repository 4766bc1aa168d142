//! `--write-baseline` / `--baseline`: a tree with findings adopts iblint (exit 0), then only a new
//! problem fails, even after edits that shift every recorded finding's line.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::path::Path;
use std::process::{Command, Output};

const OLD_PROBLEMS: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: team-a
spec:
  template:
    metadata:
      annotations:
        azure.workload.identity/service-account-token-expiration: \"3600\"
    spec:
      serviceAccountName: api
      containers: [{name: api, image: api}]
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
  namespace: team-a
  labels:
    tier: \"batch\"
spec:
  schedule: \"0 * * * *\"
  jobTemplate:
    spec:
      template:
        metadata:
          annotations:
            azure.workload.identity/skip-containers: \"report\"
        spec:
          serviceAccountName: report
          containers: [{name: report, image: report}]
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ServiceAccount
    metadata:
      name: api
      namespace: team-a
      annotations:
        azure.workload.identity/client-id: \"3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60\"
        azure.workload.identity/tenant-id: \"72f988bf-86f1-41af-91ab-2d7cd011db47\"
  - apiVersion: v1
    kind: ServiceAccount
    metadata:
      name: report
      namespace: team-a
      annotations:
        azure.workload.identity/client-id: \"0b7e4a52-5d0c-4f3b-8a6e-2c9d1e0f3a4b\"
        azure.workload.identity/tenant-id: \"72f988bf-86f1-41af-91ab-2d7cd011db47\"
";

const NEW_PROBLEM: &str = "\
---
apiVersion: v1
kind: Pod
metadata:
  name: debug
  namespace: team-a
  annotations:
    azure.workload.identity/inject-proxy-sidecar: \"true\"
spec:
  serviceAccountName: api
  containers: [{name: debug, image: debug}]
";

/// The new Pod's `apiVersion:` line in the edited file: 3 comment lines, the 52 old lines, `---`.
const NEW_POD_FIRST_LINE: u64 = 3 + 52 + 2;

fn iblint(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iblint"))
        .current_dir(dir)
        .args(["check", "--no-color"])
        .args(args)
        .output()
        .expect("run iblint")
}

/// (rule, line, suppressed) of every finding in a JSON report.
fn findings(output: &Output) -> Vec<(String, u64, bool)> {
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON report");
    report["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| {
            let rule = f["rule"].as_str().unwrap_or_default().to_string();
            (rule, f["location"]["line"].as_u64().unwrap_or(0), !f["suppressed"].is_null())
        })
        .collect()
}

#[test]
fn adopting_a_baseline_then_failing_only_on_new_findings() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("app.yaml"), OLD_PROBLEMS).expect("write manifest");

    let before = iblint(dir.path(), &["."]);
    assert_eq!(before.status.code(), Some(1), "the tree has findings before adoption");

    let adopt = iblint(dir.path(), &["--write-baseline", "iblint-baseline.json", "--format", "json", "."]);
    assert_eq!(adopt.status.code(), Some(0), "{}", String::from_utf8_lossy(&adopt.stderr));
    let adopted = findings(&adopt);
    assert_eq!(adopted.len(), 2);
    assert!(adopted.iter().all(|(_, _, suppressed)| *suppressed));
    let recorded = std::fs::read_to_string(dir.path().join("iblint-baseline.json")).expect("baseline written");
    assert_eq!(recorded.matches("\"fingerprint\"").count(), 2);

    let unchanged = iblint(dir.path(), &["--baseline", "iblint-baseline.json", "."]);
    assert_eq!(unchanged.status.code(), Some(0));

    // Unrelated edits shift every old finding down; a new problem is appended.
    let edited = format!("# Owned by team A.\n# Reviewed quarterly.\n\n{OLD_PROBLEMS}{NEW_PROBLEM}");
    std::fs::write(dir.path().join("app.yaml"), edited).expect("edit manifest");
    let after = iblint(dir.path(), &["--baseline", "iblint-baseline.json", "--format", "json", "."]);
    assert_eq!(after.status.code(), Some(1));
    let all = findings(&after);
    let new: Vec<_> = all.iter().filter(|(_, _, suppressed)| !suppressed).collect();
    let new_pod_lines = NEW_POD_FIRST_LINE..;
    assert!(new.iter().all(|(_, line, _)| new_pod_lines.contains(line)), "only the new Pod fails: {all:?}");
    assert!(new.contains(&&("IB101".to_string(), NEW_POD_FIRST_LINE + 2, false)), "{all:?}");
    assert_eq!(all.iter().filter(|(_, _, suppressed)| *suppressed).count(), 2);
}

#[test]
fn sarif_keeps_baselined_findings_as_external_suppressions() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("app.yaml"), OLD_PROBLEMS).expect("write manifest");
    let adopt = iblint(dir.path(), &["--write-baseline", "b.json", "--format", "sarif", "."]);
    assert_eq!(adopt.status.code(), Some(0));
    let sarif: serde_json::Value = serde_json::from_slice(&adopt.stdout).expect("SARIF");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 2);
    for r in results {
        assert_eq!(r["suppressions"][0]["kind"], "external");
        assert_eq!(r["suppressions"][0]["justification"], "baseline");
    }
}

#[test]
fn a_missing_or_broken_baseline_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("app.yaml"), OLD_PROBLEMS).expect("write manifest");
    let missing = iblint(dir.path(), &["--baseline", "nope.json", "."]);
    assert_eq!(missing.status.code(), Some(2));
    std::fs::write(dir.path().join("bad.json.txt"), "[1, 2]").expect("write");
    let broken = iblint(dir.path(), &["--baseline", "bad.json.txt", "."]);
    assert_eq!(broken.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&broken.stderr).contains("not an iblint baseline file"));
}
