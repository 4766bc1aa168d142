//! The live rules' fixtures: every `testdata/<IB6xx>/{pass,fail}.<case>.yaml` is a fake cluster,
//! audited through the fake API server by `kubectl-iblint`; its findings must be exactly the
//! markers it carries (see `tests/support/live_fixture.rs`). A `fail.*` case must produce its
//! directory's rule, a `pass.*` case must not, and neither may produce anything unmarked.

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
use live_fixture::{audit, markers, read, Expect};
use rule_cases::{cases, is_fail, is_live, shown};

#[test]
fn every_live_fixture_yields_exactly_its_markers() {
    let mut failures = Vec::new();
    let mut count = 0;
    for id in RULES.iter().map(|r| r.id()).filter(|id| is_live(id)) {
        for case in cases(id) {
            count += 1;
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
