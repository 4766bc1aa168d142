//! The human format at narrow widths: prose wraps, nothing a user copies does. Every path with its
//! position, every line of a suggested fix and every backticked identifier comes out whole, and
//! the fix blocks taken back out of the output are valid YAML. Each finding names its level in
//! words, and `check` ends with a table of findings per rule.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::path::PathBuf;
use std::process::Command;

use iblint::yaml::{parse_stream, Limits};
use serde_json::Value;

fn iblint(columns: &str, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_iblint"))
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .env("COLUMNS", columns)
        .args(["check", "--no-color", "--fail-on", "never"])
        .args(args)
        .output()
        .expect("run iblint");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

/// The cases: the bundled example and a missing grant, whose fix is two whole objects.
const CASES: &[&str] = &["testdata/example", "testdata/IB301/fail.no-grant.yaml", "testdata/IB201/fail.cross-file"];

/// The indented blocks of the help texts as printed: each run of lines indented past the help
/// margin (8 columns) by 4 more, with the margin and those 4 columns removed.
fn printed_blocks(human: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in human.lines() {
        match line.strip_prefix("            ") {
            Some(code) if !code.is_empty() => current.push(code),
            _ if line.trim().is_empty() && !current.is_empty() => current.push(""),
            _ => {
                if !current.is_empty() {
                    blocks.push(current.join("\n").trim_end().to_string());
                    current.clear();
                }
            }
        }
    }
    blocks
}

#[test]
fn paths_identifiers_and_fixes_never_wrap_at_40_columns() {
    for case in CASES {
        let human = iblint("40", &[case, "--scope", case]);
        let json: Value =
            serde_json::from_str(&iblint("40", &[case, "--scope", case, "--format", "json"])).expect("json");
        let findings = json["findings"].as_array().expect("findings");
        assert!(!findings.is_empty(), "{case}: no findings");
        for f in findings {
            // Every location is printed whole, with its position.
            let path = f["location"]["path"].as_str().expect("path");
            let at = format!("{path}:{}:{}", f["location"]["line"], f["location"]["column"]);
            assert!(human.contains(&format!("[{at}]")), "{case}: `{at}` broken in\n{human}");
            for r in f["related"].as_array().expect("related") {
                let l = &r["location"];
                let related = format!("{}:{}:{}", l["path"].as_str().expect("path"), l["line"], l["column"]);
                assert!(human.contains(&related), "{case}: `{related}` broken in\n{human}");
            }
            // Every backticked span and every code line of the help comes out whole.
            let help = f["help"].as_str().unwrap_or("");
            for span in help.split('`').skip(1).step_by(2) {
                assert!(human.contains(&format!("`{span}`")), "{case}: `{span}` broken in\n{human}");
            }
            for code in help.lines().filter(|l| l.starts_with("    ")) {
                assert!(human.contains(&format!("        {code}")), "{case}: fix line `{code}` broken in\n{human}");
            }
        }
        // Taken back out of the output, every fix block is valid YAML.
        let blocks = printed_blocks(&human);
        assert!(!blocks.is_empty(), "{case}: no fix block in\n{human}");
        for block in &blocks {
            let mut documents = 0;
            let outcome = parse_stream(block, &Limits::default(), |_| documents += 1);
            assert!(outcome.fatal.is_none() && outcome.problems.is_empty(), "{case}: not YAML:\n{block}");
            assert!(documents > 0, "{case}: empty block");
        }
        // Prose still wraps: no prose line runs past the width.
        for line in human.lines().filter(|l| l.starts_with("  × ") || l.starts_with("  │ ")) {
            let long_word = line.split(' ').any(|w| w.chars().count() > 30);
            assert!(line.chars().count() <= 40 || long_word, "{case}: prose not wrapped: {line}");
        }
    }
}

#[test]
fn the_missing_grant_fix_is_two_objects_at_any_width() {
    for columns in ["40", "60", "200"] {
        let case = "testdata/IB301/fail.no-grant.yaml";
        let human = iblint(columns, &[case, "--scope", case]);
        let blocks = printed_blocks(&human);
        let grant = blocks.iter().find(|b| b.contains("kind: ClusterRoleBinding")).expect("the grant block");
        let mut kinds = Vec::new();
        parse_stream(grant, &Limits::default(), |doc| {
            kinds.push(doc.get("kind").and_then(|k| k.as_str()).unwrap_or("").to_string())
        });
        assert_eq!(kinds, ["ClusterRole", "ClusterRoleBinding"], "{columns} columns:\n{grant}");
    }
}

#[test]
fn findings_name_their_level_in_words_and_check_ends_with_a_table_per_rule() {
    let human = iblint("100", &["testdata/example"]);
    for header in
        ["error IB202 sa-missing-tenant-id", "warning IB203 malformed-identity-id", "error IB401 managed-fic-touched"]
    {
        assert!(human.lines().any(|l| l == header), "no `{header}` line in\n{human}");
    }
    let table = human.split("\nrule    name").nth(1).expect("a table per rule");
    assert!(table.contains("IB203   malformed-identity-id           warning         1"), "{table}");
    assert!(table.contains("IB401   managed-fic-touched             error           1"), "{table}");
    assert!(human.ends_with("5 errors, 1 warning, 0 notes in 5 files\n"), "{human}");
    let case = "testdata/IB308/fail.leftover-grant.yaml";
    let notes = iblint("100", &[case, "--scope", case]);
    assert!(notes.lines().any(|l| l.starts_with("note IB308 ")), "{notes}");
}
