//! SARIF 2.1.0 written with serde_json, meeting GitHub code scanning's requirements: full rule
//! metadata from the rule docs, one location per result with a full region (or a logical
//! location for live objects), related locations, stable `partialFingerprints`, `suppressions`
//! instead of dropped results, and `automationDetails.id`.
//!
//! Keys are written in alphabetical order (a property bag's `tags` first), so output is stable.
//! No SARIF object-model crate: the one that exists generates its types at build time, which
//! costs the pre-commit hook's from-source install more than this file does.

use rayon::prelude::*;
use serde_json::{json, Map, Value};

use super::RenderOptions;
use crate::docs::{self, RuleDoc};
use crate::finding::{Finding, Level, Location};
use crate::outcome::{AuditSummary, Outcome};
use crate::rules::RULES;

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const FINGERPRINT_KEY: &str = "iblintFingerprint/v1";

pub fn render(outcome: &Outcome, opts: &RenderOptions) -> String {
    let rule_docs: Vec<&RuleDoc> = RULES.iter().filter_map(|r| docs::get(r.id())).collect();
    let runs: Vec<(Value, Vec<String>)> = match &outcome.fleet {
        // A fleet: one run per cluster, each with its own category so code scanning keeps them apart.
        Some(fleet) => fleet
            .members
            .iter()
            .map(|m| {
                let id = format!("{}{}/", opts.automation_id, m.context);
                match &m.outcome {
                    Ok(member) => run(member, &rule_docs, &id),
                    Err(error) => (unaudited_run(&m.context, error, &rule_docs, &id), Vec::new()),
                }
            })
            .collect(),
        None => vec![run(outcome, &rule_docs, &opts.automation_id)],
    };
    let (runs, results): (Vec<Value>, Vec<Vec<String>>) = runs.into_iter().unzip();
    let sarif = sorted(json!({"$schema": SCHEMA_URI, "version": "2.1.0", "runs": runs}), "");
    let mut s = splice_results(&serde_json::to_string_pretty(&sarif).unwrap_or_default(), &results);
    s.push('\n');
    s
}

fn driver(rule_docs: &[&RuleDoc]) -> Value {
    json!({
        "name": "iblint",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "informationUri": "https://github.com/iblint/iblint",
        "rules": rule_docs.iter().map(|d| descriptor(d)).collect::<Vec<_>>(),
    })
}

/// One run, its `results` left empty, and its results written on their own: results are most of
/// the document, so they are built, sorted and written in parallel, each on its own, and the
/// whole document is never in memory as a tree (~4 KB a finding).
fn run(outcome: &Outcome, rule_docs: &[&RuleDoc], automation_id: &str) -> (Value, Vec<String>) {
    let results: Vec<String> = outcome
        .findings
        .par_iter()
        .map(|f| serde_json::to_string_pretty(&sorted(result(f, rule_docs), "")).unwrap_or_default())
        .collect();
    let mut notifications: Vec<Value> = outcome
        .notes
        .iter()
        .map(|n| {
            json!({
                "message": {"text": format!("{}: {}", n.path, n.message)},
                "level": "note",
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri(&n.path)}}}],
            })
        })
        .collect();
    // What an audit could not read: the rules listed were skipped, so the run is incomplete.
    for u in outcome.audit.iter().flat_map(|a| &a.unavailable) {
        notifications.push(json!({
            "message": {"text": format!(
                "could not list {} ({}): {}; skipped {}",
                u.resource,
                super::audit::cause_text(u.cause),
                u.reason,
                u.rules.join(", ")
            )},
            "level": if u.makes_incomplete() { "warning" } else { "note" },
            "descriptor": {"id": "unavailable"},
        }));
    }
    if let Some(message) = outcome.audit.as_ref().and_then(super::audit::incomplete_message) {
        notifications.push(json!({"message": {"text": message}, "level": "error", "descriptor": {"id": "incomplete"}}));
    }
    let complete = !outcome.audit.as_ref().is_some_and(AuditSummary::is_incomplete);
    let mut run = json!({
        "tool": {"driver": driver(rule_docs)},
        "results": [],
        "columnKind": "unicodeCodePoints",
        "automationDetails": {"id": automation_id},
        "invocations": [{"executionSuccessful": complete, "toolExecutionNotifications": notifications}],
    });
    if let Some(a) = &outcome.audit {
        run["properties"] = json!({"context": a.context, "server": a.server, "objects": a.objects, "pods": a.pods});
    }
    (run, results)
}

/// The run of a fleet's cluster that could not be audited at all: no results, and why.
fn unaudited_run(context: &str, error: &str, rule_docs: &[&RuleDoc], automation_id: &str) -> Value {
    let message = format!("could not audit context {context}: {error}");
    json!({
        "tool": {"driver": driver(rule_docs)},
        "results": [],
        "columnKind": "unicodeCodePoints",
        "automationDetails": {"id": automation_id},
        "invocations": [{"executionSuccessful": false, "toolExecutionNotifications": [
            {"message": {"text": message}, "level": "error", "descriptor": {"id": "unreachable"}},
        ]}],
        "properties": {"context": context},
    })
}

/// The document with each run's empty `"results": []` (in order) replaced by that run's results
/// written on their own, indented as `to_string_pretty` indents an array's items (two spaces a
/// level): the same bytes as writing the document with its results in one go. (No value can
/// hold the text `"results": []`: quotes inside strings are escaped.)
fn splice_results(document: &str, per_run: &[Vec<String>]) -> String {
    const EMPTY: &str = "\"results\": []";
    let extra = per_run.iter().flatten().map(|r| r.len() * 5 / 4 + 2).sum::<usize>();
    let mut out = String::with_capacity(document.len() + extra);
    let mut rest = document;
    for results in per_run {
        let Some(at) = rest.find(EMPTY) else { break };
        out.push_str(&rest[..at + EMPTY.len() - 1]);
        rest = &rest[at + EMPTY.len() - 1..];
        if results.is_empty() {
            continue;
        }
        let line_start = out.rfind('\n').map_or(0, |i| i + 1);
        let indent = out[line_start..out.len() - "\"results\": [".len()].to_string();
        out.push('\n');
        for (i, result) in results.iter().enumerate() {
            if i > 0 {
                out.push_str(",\n");
            }
            for (j, line) in result.lines().enumerate() {
                if j > 0 {
                    out.push('\n');
                }
                out.push_str(&indent);
                out.push_str("  ");
                out.push_str(line);
            }
        }
        out.push('\n');
        out.push_str(&indent);
    }
    out.push_str(rest);
    out
}

/// Sorts object keys alphabetically, except that a property bag lists `tags` first.
fn sorted(value: Value, key: &str) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            let tags_first = key == "properties";
            entries.sort_by(|(a, _), (b, _)| (tags_first && a != "tags", a).cmp(&(tags_first && b != "tags", b)));
            let mut out = Map::new();
            for (k, v) in entries {
                let v = sorted(v, &k);
                out.insert(k, v);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(|v| sorted(v, "")).collect()),
        other => other,
    }
}

fn descriptor(d: &RuleDoc) -> Value {
    let mut props = json!({"tags": d.tags, "precision": d.precision});
    if let Some(sev) = &d.security_severity {
        props["security-severity"] = json!(sev);
    }
    json!({
        "id": d.id,
        "name": d.name,
        "shortDescription": {"text": d.summary},
        "fullDescription": {"text": full_description(d)},
        "help": {"text": d.text(), "markdown": d.text()},
        "defaultConfiguration": {"level": d.level.as_str()},
        "properties": props,
    })
}

/// The "What it flags" section's first paragraph: the rule's full description.
fn full_description(d: &RuleDoc) -> String {
    let section = d.body.split("## What it flags").nth(1).unwrap_or("");
    let para: Vec<&str> =
        section.trim_start().lines().take_while(|l| !l.trim().is_empty() && !l.starts_with("##")).collect();
    let text = para.join(" ");
    if text.is_empty() {
        d.summary.clone()
    } else {
        text
    }
}

fn result(f: &Finding, rule_docs: &[&RuleDoc]) -> Value {
    let index = rule_docs.iter().position(|d| d.id == f.rule).unwrap_or(0);
    let mut message = f.message.clone();
    if !f.help.is_empty() {
        message = format!("{message}\n\n{}", f.help);
    }
    let mut r = json!({
        "ruleId": f.rule,
        "ruleIndex": index,
        "level": level(f.level),
        "message": {"text": message},
        "locations": [location(&f.location)],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
    });
    if !f.related.is_empty() {
        let related: Vec<Value> = f
            .related
            .iter()
            .enumerate()
            .map(|(i, rel)| {
                let mut l = location(&rel.location);
                l["id"] = json!(i + 1);
                l["message"] = json!({"text": rel.message});
                l
            })
            .collect();
        r["relatedLocations"] = json!(related);
    }
    if let Some(s) = &f.suppression {
        r["suppressions"] =
            json!([{"kind": if s.in_source { "inSource" } else { "external" }, "justification": s.justification}]);
    }
    if !f.fixes.is_empty() {
        r["fixes"] = json!(f.fixes.iter().map(fix).collect::<Vec<_>>());
    }
    r
}

fn level(l: Level) -> &'static str {
    match l {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Note => "note",
    }
}

/// A fix as SARIF tells it: per file, the regions replaced and their new text (an insertion is
/// an empty region); `properties.applicability` says whether `iblint fix` applies it by default.
fn fix(fx: &crate::finding::Fix) -> Value {
    let changes: Vec<Value> = fx
        .changes
        .iter()
        .map(|c| {
            let replacements: Vec<Value> = c
                .replacements
                .iter()
                .map(|r| {
                    json!({
                        "deletedRegion": {
                            "startLine": r.start.line, "startColumn": r.start.col,
                            "endLine": r.end.line, "endColumn": r.end.col,
                        },
                        "insertedContent": {"text": r.text},
                    })
                })
                .collect();
            json!({"artifactLocation": {"uri": uri(&c.path)}, "replacements": replacements})
        })
        .collect();
    json!({
        "description": {"text": fx.description},
        "artifactChanges": changes,
        "properties": {"applicability": fx.applicability.as_str()},
    })
}

fn location(l: &Location) -> Value {
    match l {
        Location::File { path, span } => {
            let start_line = span.start().line.max(1);
            let start_col = span.start().col.max(1);
            let (end_line, end_col) =
                if span.end().line == 0 || (span.end().line, span.end().col) < (span.start().line, span.start().col) {
                    (start_line, start_col)
                } else {
                    (span.end().line, span.end().col.max(1))
                };
            json!({"physicalLocation": {
                "artifactLocation": {"uri": uri(path)},
                "region": {"startLine": start_line, "startColumn": start_col, "endLine": end_line, "endColumn": end_col},
            }})
        }
        Location::Logical { name } => json!({"logicalLocations": [{
            "fullyQualifiedName": name,
            "name": name.rsplit('/').next().unwrap_or(name),
            "kind": "resource",
        }]}),
    }
}

/// A relative URI reference for a display path (percent-encoding what URIs do not allow).
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Applicability, FileChange, Fix, Replacement, Suppression};
    use crate::span::{Pos, Span};

    fn at(line: u32) -> Location {
        Location::File { path: "a b.yaml".into(), span: Span::new(Pos { line, col: 3 }, Pos { line, col: 9 }) }
    }

    #[test]
    fn related_locations_fixes_suppressions_and_logical_locations() {
        let mut f = Finding::new("IB101", Level::Warning, at(4), "m");
        f.related(at(9), "the ServiceAccount");
        f.fixes.push(Fix {
            description: "add".into(),
            applicability: Applicability::Unsafe,
            changes: vec![FileChange {
                path: "a b.yaml".into(),
                replacements: vec![Replacement {
                    start: Pos { line: 5, col: 1 },
                    end: Pos { line: 5, col: 3 },
                    text: "x".into(),
                }],
            }],
        });
        f.suppression = Some(Suppression { in_source: true, justification: "why".into() });
        let live = Finding::new("IB101", Level::Note, Location::Logical { name: "ctx/ns/Pod/p".into() }, "n");
        let outcome = Outcome { findings: vec![f, live], ..Outcome::default() };
        let sarif: Value = serde_json::from_str(&render(&outcome, &RenderOptions::default())).unwrap_or_default();
        let r = &sarif["runs"][0]["results"][0];
        assert_eq!(r["level"], "warning");
        assert_eq!(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "a%20b.yaml");
        assert_eq!(r["relatedLocations"][0]["id"], 1);
        assert_eq!(r["relatedLocations"][0]["message"]["text"], "the ServiceAccount");
        assert_eq!(r["relatedLocations"][0]["physicalLocation"]["region"]["startLine"], 9);
        assert_eq!(r["suppressions"][0]["kind"], "inSource");
        let replacement = &r["fixes"][0]["artifactChanges"][0]["replacements"][0];
        assert_eq!(replacement["deletedRegion"]["startLine"], 5);
        assert_eq!(replacement["deletedRegion"]["endColumn"], 3);
        assert_eq!(replacement["insertedContent"]["text"], "x");
        assert_eq!(r["fixes"][0]["artifactChanges"][0]["artifactLocation"]["uri"], "a%20b.yaml");
        assert_eq!(r["fixes"][0]["properties"]["applicability"], "unsafe");
        let logical = &sarif["runs"][0]["results"][1]["locations"][0]["logicalLocations"][0];
        assert_eq!(logical["name"], "p");
        assert_eq!(logical["kind"], "resource");
    }

    #[test]
    fn results_written_one_by_one_make_the_same_document() {
        let mut f = Finding::new("IB101", Level::Warning, at(4), "line one\nline \"two\"");
        f.related(at(9), "the ServiceAccount");
        let g = Finding::new("IB002", Level::Error, at(7), "m");
        let outcome = Outcome { findings: vec![f, g], ..Outcome::default() };
        let text = render(&outcome, &RenderOptions::default());
        let whole: Value = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(whole["runs"][0]["results"].as_array().map(Vec::len), Some(2));
        assert_eq!(format!("{}\n", serde_json::to_string_pretty(&whole).unwrap_or_default()), text);
        let empty = render(&Outcome::default(), &RenderOptions::default());
        assert!(empty.contains("\"results\": []"), "{empty}");
    }

    #[test]
    fn keys_are_sorted_with_tags_first_in_property_bags() {
        let text = render(&Outcome::default(), &RenderOptions::default());
        assert!(text.starts_with("{\n  \"$schema\""));
        let sarif: Value = serde_json::from_str(&text).unwrap_or_default();
        let props =
            sarif["runs"][0]["tool"]["driver"]["rules"][0]["properties"].as_object().cloned().unwrap_or_default();
        let keys: Vec<&String> = props.keys().collect();
        assert_eq!(keys, ["tags", "precision"]);
    }
}
