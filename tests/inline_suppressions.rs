//! Inline `iblint:ignore` comments in every syntax that has them — Terraform (`#` and `//`),
//! Bicep (`//`), shell (`#`, above a continued command and at the end of a line), PowerShell
//! (`#`, above a backtick-continued command and on the line) and workflow `run:` steps: the
//! finding is still in the report, marked suppressed in source with the comment's reason, and no
//! longer fails the run. The fixtures (testdata/IB401/pass.inline-suppressed.*) hold the same
//! writes of the managed credential that testdata/IB401/fail.* report.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn lint(case: &str, format: &str) -> (i32, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_iblint"))
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/IB401"))
        .args(["check", case, "--scope", case, "--format", format])
        .output()
        .expect("run iblint");
    let code = out.status.code().expect("exit code");
    (code, serde_json::from_slice(&out.stdout).expect("json"))
}

/// (case, the reasons of its suppressed IB401 findings, in order)
const CASES: &[(&str, &[&str])] = &[
    (
        "pass.inline-suppressed.tf",
        &["migrating cluster aks-old off the managed credential (OPS-311)", "same migration"],
    ),
    (
        "pass.inline-suppressed.bicep",
        &["test subscription that recreates the credential by hand (OPS-312)", "same test subscription"],
    ),
    (
        "pass.inline-suppressed.sh",
        &["decommissioning script for cluster aks-old, run once by the platform team", "same decommissioning"],
    ),
    ("pass.inline-suppressed.ps1", &["decommissioning runbook for cluster aks-old (OPS-313)", "same runbook"]),
    ("pass.inline-suppressed-workflow", &["decommissioning workflow for cluster aks-old (OPS-314)"]),
];

#[test]
fn inline_comments_suppress_with_their_reason_in_every_syntax() {
    for (case, reasons) in CASES {
        let (code, v) = lint(case, "json");
        assert_eq!(code, 0, "{case}: suppressed findings do not fail the run\n{v}");
        let findings = v["findings"].as_array().expect("findings");
        let got: Vec<(&str, &str, &str)> = findings
            .iter()
            .map(|f| {
                (
                    f["rule"].as_str().unwrap_or(""),
                    f["suppressed"]["kind"].as_str().unwrap_or("not suppressed"),
                    f["suppressed"]["justification"].as_str().unwrap_or(""),
                )
            })
            .collect();
        let want: Vec<(&str, &str, &str)> = reasons.iter().map(|r| ("IB401", "inSource", *r)).collect();
        assert_eq!(got, want, "{case}");
        assert_eq!(v["summary"]["suppressed"], reasons.len(), "{case}");
    }
}

#[test]
fn sarif_keeps_inline_suppressed_results_with_their_justification() {
    let (code, sarif) = lint("pass.inline-suppressed.tf", "sarif");
    assert_eq!(code, 0);
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 2);
    for r in results {
        assert_eq!(r["suppressions"][0]["kind"], "inSource", "{r}");
        assert!(r["suppressions"][0]["justification"].as_str().is_some_and(|j| !j.is_empty()), "{r}");
    }
}

#[test]
fn a_comment_that_is_not_applied_leaves_the_finding_counting() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/IB003");
    for (case, message) in [
        ("fail.inline-no-reason.tf", "The `iblint:ignore` comment gives no reason: it is not applied"),
        ("fail.inline-expired.sh", "The `iblint:ignore` comment expired on 2024-01-31"),
        (
            "fail.inline-misspelt.tf",
            "The `iblint:ignore` comment names `managed-fic-touch`, which is not a rule; did you mean `managed-fic-touched`?",
        ),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_iblint"))
            .current_dir(&dir)
            .args(["check", case, "--format", "compact"])
            .output()
            .expect("run iblint");
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{case}: the IB401 error still counts\n{text}");
        assert!(text.contains(message), "{case}: {text}");
        assert!(text.lines().any(|l| l.contains(": error IB401 ")), "{case}: {text}");
    }
}
