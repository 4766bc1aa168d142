//! iblint over `../shared/realworld/`: unmodified public files from 21 repositories that use
//! workload identity. No crash, no parse error on a file it should skip, and the complete list of
//! findings is pinned in a snapshot so every change to what it reports there is reviewed. The
//! findings come from linting each repository on its own, as its users do: a ServiceAccount of
//! one repository is no answer to a Pod of another.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join("shared").join("realworld")
}

fn run() -> Value {
    run_on(".")
}

/// `iblint check <dir> --scope <dir>` in the corpus.
fn run_on(dir: &str) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_iblint"))
        .current_dir(corpus())
        .args(["check", dir, "--scope", dir, "--format", "json", "--fail-on", "never"])
        .output()
        .expect("run iblint");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    serde_json::from_slice(&out.stdout).expect("json")
}

#[test]
fn realworld_corpus_is_linted_without_parse_errors() {
    if !corpus().is_dir() {
        panic!("{} is missing: the shared corpus must sit beside the repository", corpus().display());
    }
    let v = run();
    let findings = v["findings"].as_array().expect("findings");
    let ib001: Vec<&Value> = findings.iter().filter(|f| f["rule"] == "IB001").collect();
    assert!(ib001.is_empty(), "parse errors on files that should be read or skipped: {ib001:#?}");
    assert!(v["summary"]["files"].as_u64().unwrap_or(0) > 100, "the corpus was not walked");
}

#[test]
fn realworld_findings_are_the_reviewed_ones() {
    let mut repositories: Vec<String> = std::fs::read_dir(corpus())
        .expect("corpus")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    repositories.sort();
    let mut lines: Vec<String> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    for repository in &repositories {
        let v = run_on(repository);
        lines.extend(v["findings"].as_array().expect("findings").iter().map(|f| {
            format!(
                "{} {}:{} {}",
                f["rule"].as_str().unwrap_or(""),
                f["location"]["path"].as_str().unwrap_or(""),
                f["location"]["line"],
                f["message"].as_str().unwrap_or("")
            )
        }));
        notes.extend(
            v["notes"].as_array().expect("notes").iter().map(|n| format!("note {}", n["path"].as_str().unwrap_or(""))),
        );
    }
    lines.extend(notes);
    insta::assert_snapshot!(lines.join("\n"));
}
