//! Rule documentation and the rule registry must match one to one.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::collections::BTreeSet;

use iblint::docs;
use iblint::rules::RULES;

#[path = "support/rule_cases.rs"]
mod rule_cases;

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

/// `name: missing-identity-grant` → `MissingIdentityGrant`.
fn camel_case(name: &str) -> String {
    name.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map(|first| first.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}

/// The `(module, struct)` entries of the `RULES` slice in `src/rules/mod.rs`, in order.
fn registered_structs(mod_rs: &str) -> Vec<(String, String)> {
    let start = mod_rs.find("pub static RULES").expect("RULES in src/rules/mod.rs");
    let body = &mod_rs[start..];
    let body = &body[body.find("= &[").expect("RULES slice") + 4..body.find("];").expect("end of RULES")];
    body.split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let path = entry.strip_prefix('&').unwrap_or_else(|| panic!("unexpected RULES entry `{entry}`"));
            let (module, name) = path.split_once("::").unwrap_or_else(|| panic!("`{entry}` is not module::Struct"));
            (module.to_string(), name.to_string())
        })
        .collect()
}

/// The string literal `fn id` returns in a rule's source, directly or through a `const`.
fn id_in_source(source: &str) -> Option<String> {
    let body = &source[source.find("fn id(&self)")?..];
    let body = &body[body.find('{')? + 1..body.find('}')?];
    let literal = |text: &str| text.split('"').nth(1).map(str::to_string);
    literal(body).or_else(|| {
        let constant = body.trim();
        let decl = source.find(&format!("const {constant}: &str ="))?;
        literal(&source[decl..])
    })
}

/// The id and name of `rules/<ID>.md`, the rule's `id()`, its file `src/rules/<slug>.rs` (slug: the
/// name with `_` for `-`) and its struct (the name in CamelCase) all say the same rule.
#[test]
fn rule_metadata_agree() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mod_rs = std::fs::read_to_string(root.join("src/rules/mod.rs")).expect("src/rules/mod.rs");
    let registered = registered_structs(&mod_rs);
    assert_eq!(registered.len(), RULES.len(), "RULES in src/rules/mod.rs as read here: {registered:?}");
    let mut problems = Vec::new();
    for (rule, (module, name)) in RULES.iter().zip(&registered) {
        let id = rule.id();
        let doc_path = root.join(format!("rules/{id}.md"));
        let doc_text = std::fs::read_to_string(&doc_path).unwrap_or_default();
        let front_id = doc_text.lines().find_map(|l| l.strip_prefix("id:")).map(str::trim);
        if front_id != Some(id) {
            problems.push(format!("rules/{id}.md: front matter id is {front_id:?}"));
        }
        let Some(doc_name) = docs::get(id).map(|d| &d.name) else {
            problems.push(format!("{id}: no rules/{id}.md"));
            continue;
        };
        let slug = doc_name.replace('-', "_");
        if *module != slug {
            problems.push(format!("{id} `{doc_name}`: RULES lists `{module}::{name}`, expected module `{slug}`"));
        }
        if *name != camel_case(doc_name) {
            problems.push(format!("{id} `{doc_name}`: struct `{name}`, expected `{}`", camel_case(doc_name)));
        }
        let file = format!("src/rules/{module}.rs");
        let source = std::fs::read_to_string(root.join(&file)).unwrap_or_default();
        // Any visibility (`pub`, `pub(crate)`, `pub(super)`): only the declaration counts.
        let declared = |line: &str| {
            let rest = line.strip_prefix("pub").unwrap_or(line);
            let rest = rest.strip_prefix('(').and_then(|r| r.split_once(") ")).map_or(rest.trim_start(), |(_, r)| r);
            rest == format!("struct {name};")
        };
        if !source.lines().any(declared) {
            problems.push(format!("{file}: no `struct {name};`"));
        }
        if id_in_source(&source).as_deref() != Some(id) {
            problems.push(format!("{file}: `fn id` returns {:?}, RULES says {id}", id_in_source(&source)));
        }
        let heading = format!("# {id} {doc_name}\n");
        if !doc_text.contains(&heading) {
            problems.push(format!("rules/{id}.md: no heading `{}`", heading.trim()));
        }
    }
    assert!(problems.is_empty(), "rule metadata disagree:\n{}", problems.join("\n"));
}

/// Every rule is shown to work by fixtures: `testdata/<ID>/` holds at least one `fail.*` case that
/// must produce it and one `pass.*` case that must not (`tests/fixtures.rs`; fake clusters for the
/// live rules, `tests/live_fixtures.rs`).
#[test]
fn every_rule_has_pass_and_fail_fixtures() {
    let mut missing = Vec::new();
    for id in RULES.iter().map(|r| r.id()) {
        let cases = rule_cases::cases(id);
        let fails = cases.iter().filter(|c| rule_cases::is_fail(c)).count();
        if fails == 0 {
            missing.push(format!("testdata/{id}/: no fail.* case"));
        }
        if fails == cases.len() {
            missing.push(format!("testdata/{id}/: no pass.* case"));
        }
    }
    assert!(missing.is_empty(), "rules without fixtures:\n{}", missing.join("\n"));
}
