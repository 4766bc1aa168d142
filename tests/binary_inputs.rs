//! Inputs a committed fixture would carry awkwardly: invalid UTF-8 and NUL bytes. Each is written
//! to a temporary tree next to a valid file, and must be one IB001 finding at the first bad byte
//! while the valid file is still linted.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use iblint::check::{self, CheckOptions};
use iblint::config::Config;
use iblint::finding::Finding;

/// Lints a directory holding `bad.yaml` (with `bytes`) and a `good.yaml` that yields one IB002.
fn lint_with(bytes: &[u8]) -> Vec<Finding> {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("bad.yaml"), bytes).expect("write");
    std::fs::write(
        dir.path().join("good.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels:\n    tier: 1\n",
    )
    .expect("write");
    let opts = CheckOptions {
        paths: vec![dir.path().to_path_buf()],
        scope: Some(dir.path().to_path_buf()),
        ..CheckOptions::default()
    };
    check::run(&opts, &Config::default(), dir.path()).expect("check runs").findings
}

/// (rule, file name, line, column) of every finding.
fn summary(findings: &[Finding]) -> Vec<(&'static str, String, u32, u32)> {
    findings
        .iter()
        .filter_map(|f| {
            let span = f.location.span()?;
            let name = f.location.path()?.rsplit('/').next()?.to_string();
            Some((f.rule, name, span.start().line, span.start().col))
        })
        .collect()
}

#[test]
fn invalid_utf8_is_reported_at_the_first_bad_byte() {
    let findings = lint_with(b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf\xe9\n");
    assert_eq!(summary(&findings), [("IB001", "bad.yaml".into(), 4, 12), ("IB002", "good.yaml".into(), 6, 11)]);
    assert!(findings[0].message.contains("not UTF-8"), "{}", findings[0].message);
}

#[test]
fn a_nul_byte_is_reported_where_it_is() {
    let findings = lint_with(b"apiVersion: v1\r\nkind: ConfigMap\r\ndata:\r\n  blob: ab\0cd\r\n");
    assert_eq!(summary(&findings), [("IB001", "bad.yaml".into(), 4, 11), ("IB002", "good.yaml".into(), 6, 11)]);
    assert!(findings[0].message.contains("NUL"), "{}", findings[0].message);
}

#[test]
fn a_utf16_file_is_one_finding_on_line_one() {
    let text: Vec<u8> = "\u{feff}apiVersion: v1\n".encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    let findings = lint_with(&text);
    assert_eq!(summary(&findings)[0], ("IB001", "bad.yaml".into(), 1, 1));
    assert_eq!(findings.len(), 2);
    assert!(findings[0].message.contains("UTF-16"), "{}", findings[0].message);
}
