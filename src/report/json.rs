//! The JSON format: a documented, stable shape (see README, "JSON output").
//!
//! `{"version": 1, "tool": {...}, "findings": [...], "notes": [...], "summary": {...}}`; fields are
//! only ever added, never renamed or removed, within version 1.

use serde_json::{json, Value};

use super::Counts;
use crate::docs;
use crate::finding::{Location, Related};
use crate::outcome::{AuditSummary, Outcome};

pub fn render(outcome: &Outcome) -> String {
    let doc = match &outcome.fleet {
        Some(fleet) => super::fleet::json(fleet),
        None => document(outcome),
    };
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// The document of one run (a check, or the audit of one cluster).
pub fn document(outcome: &Outcome) -> Value {
    let findings: Vec<Value> = outcome
        .findings
        .iter()
        .map(|f| {
            json!({
                "rule": f.rule,
                "name": docs::get(f.rule).map(|d| d.name.as_str()),
                "level": f.level.as_str(),
                "message": f.message,
                "help": f.help,
                "location": location(&f.location),
                "object": f.object.as_ref().map(ToString::to_string),
                "related": f.related.iter().map(related).collect::<Vec<_>>(),
                "fingerprint": f.fingerprint,
                "suppressed": f.suppression.as_ref().map(|s| json!({
                    "kind": if s.in_source { "inSource" } else { "external" },
                    "justification": s.justification,
                })),
            })
        })
        .collect();
    let c = Counts::of(outcome);
    let mut doc = json!({
        "version": 1,
        "tool": {"name": "iblint", "version": env!("CARGO_PKG_VERSION")},
        "findings": findings,
        "notes": outcome.notes.iter().map(|n| json!({"path": n.path, "message": n.message})).collect::<Vec<_>>(),
        "summary": {"error": c.error, "warning": c.warning, "note": c.note, "suppressed": c.suppressed, "files": outcome.files_read},
    });
    if let Some(a) = &outcome.audit {
        doc["audit"] = audit(a);
    }
    doc
}

/// What an audit read and could not read.
fn audit(a: &AuditSummary) -> Value {
    json!({
        "context": a.context,
        "server": a.server,
        "objects": a.objects,
        "pods": a.pods,
        "accessReviews": a.access_reviews,
        "incomplete": a.is_incomplete(),
        "hint": a.hint,
        "unavailable": a.unavailable.iter().map(|u| json!({
            "resource": u.resource,
            "reason": u.reason,
            "cause": super::audit::cause_text(u.cause),
            "skippedRules": u.rules,
        })).collect::<Vec<_>>(),
    })
}

/// A related location; `provenance`: the finding's value comes from there.
fn related(r: &Related) -> Value {
    json!({"location": location(&r.location), "message": r.message, "provenance": r.provenance})
}

fn location(l: &Location) -> Value {
    match l {
        Location::File { path, span } => json!({
            "path": path.as_ref(),
            "line": span.start().line,
            "column": span.start().col,
            "endLine": span.end().line,
            "endColumn": span.end().col,
        }),
        Location::Logical { name } => json!({"logical": name}),
    }
}
