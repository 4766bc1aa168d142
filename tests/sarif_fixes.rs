//! SARIF `fixes` carry the same edits as `iblint fix`: for every fixture pair of `testdata/fix/`,
//! the fixes of the rule's SARIF results, applied to a copy by a plain SARIF reader (regions of
//! 1-based lines and character columns), give the `after` files byte for byte; and after applying
//! IB301's fix to its rule fixture the re-run is clean.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn sarif(dir: &Path, target: &str) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_iblint"))
        .current_dir(dir)
        .args(["check", target, "--format", "sarif", "--fail-on", "never"])
        .output()
        .expect("run iblint");
    serde_json::from_slice(&out.stdout).expect("SARIF")
}

/// One SARIF replacement: start and end (line, column), inserted text.
type Replacement = ((usize, usize), (usize, usize), String);

/// The byte offset of a 1-based line and character column (past the last line: the end).
fn offset(text: &str, (line, col): (usize, usize)) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let rest = &text[start..];
    let content = rest.split('\n').next().unwrap_or("").trim_end_matches('\r');
    start + content.chars().take(col - 1).map(char::len_utf8).sum::<usize>()
}

/// Applies replacements (non-overlapping, identical ones once) as a SARIF consumer would; the
/// byte order mark is not a column.
fn apply(text: &str, replacements: &[Replacement]) -> String {
    let (bom, body) = match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", text),
    };
    let mut ranges: Vec<(usize, usize, String)> =
        replacements.iter().map(|(s, e, t)| (offset(body, *s), offset(body, *e), t.clone())).collect();
    ranges.sort();
    ranges.dedup();
    let mut out = String::from(bom);
    let mut at = 0;
    for (s, e, t) in ranges {
        assert!(s >= at, "overlapping replacements");
        out.push_str(&body[at..s]);
        out.push_str(&t);
        at = e;
    }
    out.push_str(&body[at..]);
    out
}

/// The replacements per file of the fixes of `rule`'s results.
fn fixes_of(sarif: &Value, rule: &str) -> BTreeMap<String, Vec<Replacement>> {
    let mut out: BTreeMap<String, Vec<Replacement>> = BTreeMap::new();
    for r in sarif["runs"][0]["results"].as_array().expect("results").iter().filter(|r| r["ruleId"] == rule) {
        for fix in r["fixes"].as_array().into_iter().flatten() {
            for change in fix["artifactChanges"].as_array().expect("artifactChanges") {
                let uri = change["artifactLocation"]["uri"].as_str().expect("uri").to_string();
                for rep in change["replacements"].as_array().expect("replacements") {
                    let d = &rep["deletedRegion"];
                    let n = |k: &str| d[k].as_u64().expect("region") as usize;
                    let text = rep["insertedContent"]["text"].as_str().unwrap_or("").to_string();
                    out.entry(uri.clone()).or_default().push((
                        (n("startLine"), n("startColumn")),
                        (n("endLine"), n("endColumn")),
                        text,
                    ));
                }
            }
        }
    }
    out
}

fn copy(from: &Path, to: &Path) {
    if from.is_file() {
        std::fs::copy(from, to).expect("copy");
        return;
    }
    for e in std::fs::read_dir(from).expect("dir").filter_map(Result::ok) {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).expect("copy");
        }
    }
}

#[test]
fn sarif_fixes_are_the_edits_of_iblint_fix() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/fix");
    let mut checked = 0;
    for id_dir in std::fs::read_dir(&root).expect("testdata/fix").filter_map(Result::ok) {
        let id = id_dir.file_name().to_string_lossy().to_string();
        for e in std::fs::read_dir(id_dir.path()).expect("rule dir").filter_map(Result::ok) {
            let name = e.file_name().to_string_lossy().to_string();
            let Some((case, ext)) = name.split_once(".before") else { continue };
            let tmp = tempfile::tempdir().expect("tempdir");
            let copied =
                if e.path().is_file() { tmp.path().join(format!("{case}{ext}")) } else { tmp.path().to_path_buf() };
            copy(&e.path(), &copied);
            let after = id_dir.path().join(format!("{case}.after{ext}"));
            let fixes = fixes_of(&sarif(tmp.path(), "."), &id);
            assert!(!fixes.is_empty(), "{id}/{name}: no SARIF fix");
            for (uri, replacements) in fixes {
                let path = tmp.path().join(&uri);
                let before = std::fs::read_to_string(&path).unwrap_or_default();
                let want_path = if after.is_dir() { after.join(&uri) } else { after.clone() };
                let want = std::fs::read_to_string(&want_path).expect("after file");
                assert_eq!(apply(&before, &replacements), want, "{id}/{name}: {uri}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 15, "only {checked} cases");
}

#[test]
fn applying_the_ib301_fix_makes_the_rerun_clean() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/IB301/fail.no-grant.yaml");
    let text = std::fs::read_to_string(&fixture).expect("fixture");
    std::fs::write(dir.path().join("app.yaml"), &text).expect("copy");
    let before = sarif(dir.path(), "app.yaml");
    let fixes = fixes_of(&before, "IB301");
    assert_eq!(fixes.keys().collect::<Vec<_>>(), ["app.yaml"]);
    std::fs::write(dir.path().join("app.yaml"), apply(&text, &fixes["app.yaml"])).expect("write fixed");
    let after = sarif(dir.path(), "app.yaml");
    let remaining: Vec<String> = after["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| format!("{} {}", r["ruleId"], r["message"]["text"]))
        .collect();
    assert!(remaining.is_empty(), "after the fix: {remaining:#?}");
}
