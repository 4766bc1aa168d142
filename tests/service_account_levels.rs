//! Levels the fixture markers cannot express: IB201's error / warning / note by situation, IB204's
//! warning, note and audit error, IB203's warning for upper-case GUIDs and its single note.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::path::Path;
use std::sync::Arc;

use iblint::check::{self, CheckOptions};
use iblint::config::Config;
use iblint::finding::{Finding, Level};
use iblint::model::Inventory;
use iblint::rules::{self, Context, Mode, Settings};
use iblint::source::files::FileKind;
use iblint::source::{load, Input, LoadOptions};

fn testdata() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata"))
}

/// The levels of `rule`'s findings for one fixture case, in output order.
fn levels(case: &str, rule: &str) -> Vec<Level> {
    let path = testdata().join(case);
    let opts = CheckOptions { paths: vec![path.clone()], scope: Some(path), ..CheckOptions::default() };
    let outcome = check::run(&opts, &Config::default(), testdata()).expect("check runs");
    outcome.findings.iter().filter(|f| f.rule == rule).map(|f| f.level).collect()
}

#[test]
fn sa_missing_client_id_level_follows_the_pods_need() {
    assert_eq!(levels("IB201/fail.ib-pod-no-client-id.yaml", "IB201"), [Level::Error]);
    assert_eq!(levels("IB201/fail.statefulset-empty-client-id.yaml", "IB201"), [Level::Warning]);
    assert_eq!(levels("IB201/fail.cronjob-tenant-only.yaml", "IB201"), [Level::Warning]);
    assert_eq!(levels("IB201/fail.cross-file", "IB201"), [Level::Warning]);
    assert_eq!(levels("IB201/fail.pod-sets-client-id-env.yaml", "IB201"), [Level::Note]);
    assert_eq!(levels("IB201/fail.controller-manages-identity.yaml", "IB201"), [Level::Note]);
    assert_eq!(levels("IB201/fail.kustomize-tree", "IB201"), [Level::Note]);
}

#[test]
fn a_shared_account_is_reported_once_for_its_neediest_pod() {
    let path = testdata().join("IB201/fail.shared-account.yaml");
    let opts = CheckOptions { paths: vec![path.clone()], scope: Some(path), ..CheckOptions::default() };
    let outcome = check::run(&opts, &Config::default(), testdata()).expect("check runs");
    let found: Vec<&Finding> = outcome.findings.iter().filter(|f| f.rule == "IB201").collect();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].level, Level::Error);
    assert!(found[0].message.contains("used by Job shop/reindex and 1 other workload"), "{}", found[0].message);
    assert_eq!(found[0].related.len(), 2);
}

#[test]
fn malformed_identity_id_levels() {
    assert_eq!(levels("IB203/fail.upper-case-tenant.yaml", "IB203"), [Level::Warning]);
    assert_eq!(levels("IB203/fail.not-a-guid.yaml", "IB203"), [Level::Error]);
    // Three placeholders in two files: one note, plus the real error.
    assert_eq!(levels("IB203/fail.placeholders-once", "IB203"), [Level::Note, Level::Error]);
}

#[test]
fn service_account_not_found_warns_only_on_a_near_miss() {
    assert_eq!(levels("IB204/fail.other-namespace.yaml", "IB204"), [Level::Warning]);
    assert_eq!(levels("IB204/fail.typo.yaml", "IB204"), [Level::Warning]);
    assert_eq!(levels("IB204/fail.created-elsewhere.yaml", "IB204"), [Level::Note]);
}

fn run_in(mode: Mode, file: &str, rule: &str) -> Vec<Finding> {
    let bytes = std::fs::read(testdata().join(file)).expect("fixture");
    let display: Arc<str> = Arc::from(file);
    let input = Input { display: &display, kind: FileKind::Manifest, bytes: &bytes, is_patch: false };
    let inventory = Inventory::build(load(&input, &LoadOptions::default()));
    let settings = Settings::default();
    let mut cx = Context::new(&inventory, &settings, mode);
    let only = [rules::by_id(rule).expect("rule")];
    rules::run(&only, &mut cx)
}

#[test]
fn service_account_not_found_is_an_error_in_audit() {
    let audit = run_in(Mode::Audit, "IB204/fail.created-elsewhere.yaml", "IB204");
    assert_eq!(audit.iter().map(|f| f.level).collect::<Vec<_>>(), [Level::Error]);
}

#[test]
fn placeholders_in_a_live_cluster_are_malformed() {
    let audit = run_in(Mode::Audit, "IB203/fail.placeholders-once/a-rendered.yaml", "IB203");
    assert_eq!(audit.iter().map(|f| f.level).collect::<Vec<_>>(), [Level::Error, Level::Error]);
    let check = run_in(Mode::Check, "IB203/fail.placeholders-once/a-rendered.yaml", "IB203");
    assert_eq!(check.iter().map(|f| f.level).collect::<Vec<_>>(), [Level::Note]);
}

#[test]
fn the_placeholder_note_counts_every_unchecked_value() {
    let path = testdata().join("IB203/fail.placeholders-once");
    let opts = CheckOptions { paths: vec![path.clone()], scope: Some(path), ..CheckOptions::default() };
    let outcome = check::run(&opts, &Config::default(), testdata()).expect("check runs");
    let note = outcome.findings.iter().find(|f| f.rule == "IB203" && f.level == Level::Note).expect("note");
    assert!(note.message.starts_with("4 identity ids are placeholders"), "{}", note.message);
    assert!(note.location.path().is_some_and(|p| p.ends_with("a-rendered.yaml")));
}

/// Lints `paths` (relative to testdata) with `scope` as the reference tree.
fn rules_found(paths: &[&str], scope: &str) -> Vec<&'static str> {
    let opts = CheckOptions {
        paths: paths.iter().map(|p| testdata().join(p)).collect(),
        scope: Some(testdata().join(scope)),
        ..CheckOptions::default()
    };
    let outcome = check::run(&opts, &Config::default(), testdata()).expect("check runs");
    outcome.findings.iter().map(|f| f.rule).collect()
}

#[test]
fn references_resolve_across_the_scope_but_findings_stay_in_the_given_paths() {
    // The account's file is given: its finding is reported, with the pod resolved in another file.
    assert_eq!(rules_found(&["IB201/fail.cross-file/serviceaccount.yaml"], "IB201/fail.cross-file"), ["IB201"]);
    // Only the pod's file is given: the account is found (no IB204) and its finding stays with it.
    assert!(rules_found(&["IB201/fail.cross-file/deployment.yaml"], "IB201/fail.cross-file").is_empty());
    // Without the account's file in scope, the pod's reference cannot be resolved.
    let alone = rules_found(&["IB201/fail.cross-file/deployment.yaml"], "IB201/fail.cross-file/deployment.yaml");
    assert_eq!(alone, ["IB204"]);
}
