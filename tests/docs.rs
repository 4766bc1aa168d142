//! Rule documentation and the rule registry must match one to one.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::collections::BTreeSet;

use iblint::docs;
use iblint::rules::RULES;

#[test]
fn every_rule_has_a_doc_and_every_doc_a_rule() {
    let rules: BTreeSet<&str> = RULES.iter().map(|r| r.id()).collect();
    let docs: BTreeSet<&str> = docs::RULE_DOCS.iter().map(|(id, _)| *id).collect();
    assert_eq!(rules.len(), RULES.len(), "duplicate rule ids in RULES");
    let missing_docs: Vec<_> = rules.difference(&docs).collect();
    let orphan_docs: Vec<_> = docs.difference(&rules).collect();
    assert!(missing_docs.is_empty(), "rules without rules/<ID>.md: {missing_docs:?}");
    assert!(orphan_docs.is_empty(), "rules/<ID>.md without a rule: {orphan_docs:?}");
}

#[test]
fn every_doc_parses_with_all_sections() {
    for (id, text) in docs::RULE_DOCS {
        if let Err(e) = docs::parse(id, text) {
            panic!("{e}");
        }
    }
}

#[test]
fn rules_are_listed_in_id_order() {
    let ids: Vec<&str> = RULES.iter().map(|r| r.id()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "keep RULES sorted by id");
}

#[test]
fn security_rules_carry_a_severity() {
    for d in docs::all() {
        if d.is_security() {
            let sev: f64 = d.security_severity.as_deref().and_then(|s| s.parse().ok()).unwrap_or(0.0);
            assert!(sev > 0.0 && sev <= 10.0, "{}: security rules need security-severity", d.id);
        }
    }
}
