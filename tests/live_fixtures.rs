//! The live rules' fixtures: every `testdata/<IB6xx>/{pass,fail}.<case>.yaml` is a fake cluster,
//! audited through the fake API server by `kubectl-iblint`; its findings must be exactly the
//! markers it carries (see `tests/support/live_fixture.rs`). A `fail.*` case must produce its
//! directory's rule, a `pass.*` case must not, and neither may produce anything unmarked. The
//! fleet rules' cases are directories of clusters, `<context>.yaml` each, audited together.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking
#![cfg(feature = "live")]

#[path = "support/fake_apiserver.rs"]
mod fake_apiserver;

#[path = "audit/harness.rs"]
mod harness;

#[path = "support/live_fixture.rs"]
mod live_fixture;

#[path = "support/rule_cases.rs"]
mod rule_cases;

use iblint::rules::RULES;
use live_fixture::{audit, audit_fleet_case, markers, read, Expect};
use rule_cases::{cases, is_fail, is_live, shown};

#[test]
fn every_live_fixture_yields_exactly_its_markers() {
    let mut failures = Vec::new();
    let mut count = 0;
    for id in RULES.iter().map(|r| r.id()).filter(|id| is_live(id)) {
        for case in cases(id) {
            count += 1;
            if case.is_dir() {
                failures.extend(fleet_case_problems(id, &case));
                continue;
            }
            let text = read(&case);
            let want = markers(&text);
            let found = audit(&text, &[]);
            let got: Expect = found.iter().map(|(rule, at, _)| (rule.clone(), at.clone())).collect();
            let saw_rule = got.iter().any(|(rule, _)| rule == id);
            if got != want {
                failures.push(format!("{}:\n    expected {want:?}\n    found    {got:?}", shown(&case)));
            }
            if is_fail(&case) && !saw_rule {
                failures.push(format!("{}: a fail case must produce {id}", shown(&case)));
            }
            if !is_fail(&case) && saw_rule {
                failures.push(format!("{}: a pass case must not produce {id}", shown(&case)));
            }
        }
    }
    assert!(count > 0, "no live fixtures found");
    assert!(failures.is_empty(), "{} live fixture mismatches:\n{}", failures.len(), failures.join("\n"));
}

/// A fleet case: every `<context>.yaml`'s markers against the findings of the fleet audit.
fn fleet_case_problems(id: &str, case: &std::path::Path) -> Vec<String> {
    let found = audit_fleet_case(case);
    let mut problems = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(case)
        .expect("case directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    if files.len() < 2 {
        problems.push(format!("{}: a fleet case needs two or more <context>.yaml files", shown(case)));
    }
    for file in &files {
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let want = markers(&read(file));
        let got: Expect =
            found.iter().filter(|(_, f, _, _)| f == name).map(|(rule, _, at, _)| (rule.clone(), at.clone())).collect();
        if got != want {
            problems.push(format!("{}:\n    expected {want:?}\n    found    {got:?}", shown(file)));
        }
    }
    let saw_rule = found.iter().any(|(rule, ..)| rule == id);
    if is_fail(case) && !saw_rule {
        problems.push(format!("{}: a fail case must produce {id}", shown(case)));
    }
    if !is_fail(case) && saw_rule {
        problems.push(format!("{}: a pass case must not produce {id}", shown(case)));
    }
    problems
}
