//! The README shows generated content that must stay true: the rule table (from the rule docs),
//! the kinds whose pod templates are read and the tools that supply client ids (from the model's
//! tables), the real output of the bundled example and its identity access map. Regenerate with
//! `IBLINT_BLESS=1 cargo test --test readme`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::path::Path;
use std::process::Command;

use iblint::docs;
use iblint::rules::RULES;

fn rule_table() -> String {
    let mut s = String::from("| ID | name | level | what it flags |\n|---|---|---|---|\n");
    for r in RULES {
        let d = docs::get(r.id()).expect("doc");
        s.push_str(&format!("| {} | `{}` | {} | {} |\n", d.id, d.name, d.level, d.summary.replace('|', "\\|")));
    }
    s
}

fn example_output() -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_iblint"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("COLUMNS", "100")
        .args(["check", "testdata/example", "--no-color"])
        .output()
        .expect("run iblint");
    format!("```text\n$ iblint check testdata/example\n{}```\n", String::from_utf8_lossy(&out.stdout))
}

fn map_example() -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_iblint"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["map", "testdata/example", "--scope", "testdata/example", "--format", "mermaid"])
        .output()
        .expect("run iblint");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    format!("```mermaid\n{}```\n", String::from_utf8_lossy(&out.stdout))
}

/// The real output for the kustomize example, linted as a repository of its own (a copy outside
/// this repository, so that its fixtures are not in scope).
fn kustomize_output() -> String {
    let copy = tempfile::tempdir().expect("temp dir");
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/kustomize-example");
    copy_tree(&from, copy.path());
    let out = Command::new(env!("CARGO_BIN_EXE_iblint"))
        .current_dir(copy.path())
        .env("COLUMNS", "100")
        .args(["check", ".", "--no-color"])
        .output()
        .expect("run iblint");
    format!("```text\n$ iblint check .\n{}```\n", String::from_utf8_lossy(&out.stdout))
}

fn copy_tree(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).expect("read dir").flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}

/// Replaces the text between `<!-- NAME:start -->` and `<!-- NAME:end -->`.
fn with_block(readme: &str, name: &str, body: &str) -> String {
    let (start, end) = (format!("<!-- {name}:start -->"), format!("<!-- {name}:end -->"));
    let (head, rest) = readme.split_once(&start).unwrap_or_else(|| panic!("{start} marker"));
    let (_, tail) = rest.split_once(&end).unwrap_or_else(|| panic!("{end} marker"));
    format!("{head}{start}\n{body}{end}{tail}")
}

#[test]
fn readme_generated_blocks_are_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let expected = with_block(&with_block(&readme, "rules", &rule_table()), "example", &example_output());
    let expected = with_block(&expected, "pod-kinds", &iblint::model::pod_kinds_table());
    let expected = with_block(&expected, "map-example", &map_example());
    let expected = with_block(&expected, "tools", &iblint::model::tools_table());
    let expected = with_block(&expected, "kustomize", &kustomize_output());
    if std::env::var_os("IBLINT_BLESS").is_some() {
        std::fs::write(&path, &expected).expect("write README.md");
        return;
    }
    assert!(readme == expected, "README is stale: run IBLINT_BLESS=1 cargo test --test readme");
}
