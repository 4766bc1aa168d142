//! What users read, pinned per rule (like ruff's per-rule snapshots): for every rule, each case of
//! `testdata/<ID>/` is linted and the rule's findings are rendered as the human format shows them
//! (message, snippet, related locations, help; 100 columns, no colour, paths relative to the
//! repository) followed by the `fixes` of their SARIF results (the edits `iblint fix` makes: each
//! replaced region and its new text); for the live rules (IB6xx), as
//! `kubectl iblint audit` shows them on the fake clusters of their fixtures. One file per rule,
//! `tests/snapshots/rules/<ID>.snap`, so a changed sentence or fix is a diff a reviewer sees.
//!
//! The `# expect:` markers of `tests/fixtures.rs` pin positions and the absence of false alarms;
//! these snapshots pin the words.
//!
//! Updating after an intended change (no cargo-insta needed):
//!
//! ```sh
//! INSTA_UPDATE=always cargo test --test rule_snapshots   # rewrite the .snap files
//! git diff tests/snapshots/rules/                         # review every changed sentence
//! ```
//!
//! With cargo-insta installed, `cargo insta test --review` (or `cargo insta review` after a
//! failing run left `.snap.new` files) shows each change for acceptance. A failing run names
//! every rule whose snapshot differs, not only the first.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::path::Path;

use iblint::check::{self, CheckOptions, Outcome};
use iblint::report::{human, sarif, RenderOptions};
use iblint::rules::RULES;
use serde_json::Value;

#[path = "support/rule_cases.rs"]
mod rule_cases;

#[cfg(feature = "live")]
#[path = "support/fake_apiserver.rs"]
mod fake_apiserver;

#[cfg(feature = "live")]
#[path = "audit/harness.rs"]
mod harness;

#[cfg(feature = "live")]
#[path = "support/live_fixture.rs"]
mod live_fixture;

use rule_cases::{cases, config_of, is_live, repo, shown};

/// Lints one case from the repository root, keeping only `id`'s unsuppressed findings.
fn lint(id: &str, case: &Path) -> Outcome {
    let opts =
        CheckOptions { paths: vec![case.to_path_buf()], scope: Some(case.to_path_buf()), ..CheckOptions::default() };
    let mut outcome = check::run(&opts, &config_of(case, &repo()), &repo()).expect("check runs");
    outcome.findings.retain(|f| f.rule == id && f.suppression.is_none());
    outcome
}

/// The `fixes` of the SARIF results, each under the result's location, with inserted text shown
/// as its lines rather than as one escaped JSON string.
fn sarif_fixes(sarif: &Value) -> String {
    let mut out = String::new();
    for result in sarif["runs"][0]["results"].as_array().into_iter().flatten() {
        let location = &result["locations"][0]["physicalLocation"];
        for fix in result.get("fixes").and_then(Value::as_array).into_iter().flatten() {
            only_keys(fix, &["description", "artifactChanges", "properties"]);
            only_keys(&fix["properties"], &["applicability"]);
            out.push_str(&format!(
                "SARIF fix ({}) of the result at {}: {}\n",
                fix["properties"]["applicability"].as_str().unwrap_or("?"),
                region_start(location["artifactLocation"]["uri"].as_str().unwrap_or("?"), &location["region"]),
                fix["description"]["text"].as_str().unwrap_or("(no description)")
            ));
            for change in fix["artifactChanges"].as_array().into_iter().flatten() {
                only_keys(change, &["artifactLocation", "replacements"]);
                let uri = change["artifactLocation"]["uri"].as_str().unwrap_or("?");
                for replacement in change["replacements"].as_array().into_iter().flatten() {
                    only_keys(replacement, &["deletedRegion", "insertedContent"]);
                    let deleted = &replacement["deletedRegion"];
                    let region = format!(
                        "{}:{}..{}:{}",
                        deleted["startLine"], deleted["startColumn"], deleted["endLine"], deleted["endColumn"]
                    );
                    let inserted = replacement["insertedContent"]["text"].as_str().unwrap_or("");
                    if inserted.is_empty() {
                        out.push_str(&format!("  {uri}: delete {region}\n"));
                        continue;
                    }
                    out.push_str(&format!("  {uri}: replace {region} with\n"));
                    out.extend(inserted.split_inclusive('\n').map(|l| format!("    | {l}")));
                    if !inserted.ends_with('\n') {
                        out.push_str("\n    (no newline at the end)\n");
                    }
                }
            }
        }
    }
    out
}

fn region_start(uri: &str, region: &Value) -> String {
    format!("{uri}:{}:{}", region["startLine"], region["startColumn"])
}

/// The readable form above shows these keys only: a new one must be added to it, not dropped.
fn only_keys(value: &Value, known: &[&str]) {
    for key in value.as_object().into_iter().flat_map(|o| o.keys()) {
        assert!(known.contains(&key.as_str()), "SARIF fix field `{key}` is not shown in the snapshot: add it");
    }
}

/// Everything a user reads about `id`'s findings in its fixtures.
fn rule_snapshot(id: &str) -> String {
    let opts = RenderOptions { color: false, width: 100, quiet: true, ..RenderOptions::default() };
    let mut out = String::new();
    for case in cases(id) {
        let outcome = lint(id, &case);
        if outcome.findings.is_empty() {
            continue;
        }
        out.push_str(&format!("══ {}\n", shown(&case)));
        out.push_str(&human::render(&outcome, &opts));
        let sarif: Value = serde_json::from_str(&sarif::render(&outcome, &RenderOptions::default())).expect("SARIF");
        out.push_str(&sarif_fixes(&sarif));
    }
    out
}

/// The same for a live rule: each case is a fake cluster (`tests/support/live_fixture.rs`),
/// audited by `kubectl-iblint` with every other rule disabled; a fleet rule's case is a
/// directory of clusters, audited together (the servers' ports shown as `PORT`).
#[cfg(feature = "live")]
fn live_rule_snapshot(id: &str) -> String {
    let others: Vec<&str> = RULES.iter().map(|r| r.id()).filter(|other| *other != id).collect();
    let disable = others.join(",");
    let mut out = String::new();
    for case in cases(id) {
        let fleet: Vec<(String, Vec<Value>)> = match case.is_dir() {
            true => live_fixture::fleet_case(&case).into_iter().map(|c| (c.context, c.objects)).collect(),
            false => Vec::new(),
        };
        let fake = (!case.is_dir())
            .then(|| harness::Fake::start(fake_apiserver::Cluster::load(&case).expect("the fixture loads")));
        let run = |format: &str| {
            let args = ["--format", format, "--no-color", "-q", "--fail-on", "never", "--disable", &disable];
            let env = [("COLUMNS", "100")];
            let output = match &fake {
                Some(fake) => fake.plugin_env(&args, &env),
                None => live_fixture::run_fleet(&fleet, &args, &env),
            };
            assert_eq!(output.status.code(), Some(0), "{}: {}", shown(&case), String::from_utf8_lossy(&output.stderr));
            without_ports(&String::from_utf8(output.stdout).expect("UTF-8"))
        };
        let human = run("human");
        if !human.contains(id) {
            continue;
        }
        out.push_str(&format!("══ {}\n", shown(&case)));
        out.push_str(&human);
        out.push_str(&sarif_fixes(&serde_json::from_str(&run("sarif")).expect("SARIF")));
    }
    out
}

/// `text` with the fake API servers' ports, which change from run to run, as `PORT`.
#[cfg(feature = "live")]
fn without_ports(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("127.0.0.1:") {
        let (before, after) = rest.split_at(at + "127.0.0.1:".len());
        out.push_str(before);
        let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        out.push_str(if digits > 0 { "PORT" } else { "" });
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

#[cfg(not(feature = "live"))]
fn live_rule_snapshot(_id: &str) -> String {
    String::new()
}

#[test]
fn every_rule_reads_as_its_snapshot_says() {
    let mut differing = Vec::new();
    for rule in RULES {
        let id = rule.id();
        if is_live(id) && cfg!(not(feature = "live")) {
            continue; // the live audit is not built
        }
        let text = if is_live(id) { live_rule_snapshot(id) } else { rule_snapshot(id) };
        assert!(!text.is_empty(), "{id}: no finding in testdata/{id}/ to show");
        let compared = std::panic::catch_unwind(|| {
            insta::with_settings!({
                snapshot_path => "snapshots/rules",
                prepend_module_to_snapshot => false,
                omit_expression => true,
                description => format!("What iblint says about {id} in testdata/{id}/ (tests/rule_snapshots.rs)"),
            }, {
                insta::assert_snapshot!(id, text);
            });
        });
        if compared.is_err() {
            differing.push(id);
        }
    }
    assert!(
        differing.is_empty(),
        "snapshots differ for {differing:?}: review, then INSTA_UPDATE=always cargo test --test rule_snapshots \
         (or cargo insta review)"
    );
}
