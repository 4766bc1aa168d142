//! What the human format adds for an audit: findings grouped by namespace, a table of findings
//! per rule, and what could not be checked.

use std::collections::BTreeMap;

use super::escape::human as line;
use crate::finding::Finding;
use crate::model::UnavailableCause;
use crate::outcome::{AuditSummary, Outcome};

/// The heading of findings about cluster-scoped objects (ClusterRoles, the webhook configuration).
pub(super) const CLUSTER_SCOPED: &str = "cluster-scoped";

/// Findings grouped by the namespace of their object, namespaces in order, cluster-scoped first.
pub(super) fn by_namespace<'a>(findings: impl Iterator<Item = &'a Finding>) -> Vec<(String, Vec<&'a Finding>)> {
    let mut groups: BTreeMap<(bool, String), Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        let namespace = f.object.as_ref().and_then(|o| o.namespace);
        let key = match namespace {
            Some(ns) => (true, format!("namespace {ns}")),
            None => (false, CLUSTER_SCOPED.to_string()),
        };
        groups.entry(key).or_default().push(f);
    }
    groups.into_iter().map(|((_, heading), fs)| (heading, fs)).collect()
}

/// Findings per rule, then the lists that could not be read and the rules skipped for them.
pub(super) fn summary_table(outcome: &Outcome, audit: &AuditSummary) -> String {
    let mut out = format!(
        "\naudit of context {} ({}): {}, {}",
        line(&audit.context),
        line(&audit.server),
        plural(audit.objects, "object"),
        plural(audit.pods, "pod")
    );
    match audit.access_reviews {
        Some(n) => out.push_str(&format!(", {}\n", plural(n, "access review"))),
        None => out.push_str(", access reviews skipped\n"),
    }
    let table = super::summary::rule_table(outcome);
    if !table.is_empty() {
        out.push('\n');
        out.push_str(&table);
    }
    if !audit.unavailable.is_empty() {
        out.push_str("\nnot checked:\n");
        for u in &audit.unavailable {
            let skipped = if u.rules.is_empty() {
                "nothing skipped".to_string()
            } else {
                format!("skipped {}", u.rules.join(", "))
            };
            out.push_str(&format!(
                "  {} ({}): {} — {skipped}\n",
                line(&u.resource),
                cause_text(u.cause),
                line(&u.reason)
            ));
        }
    }
    out.push('\n');
    out
}

/// How a cause reads in reports.
pub(super) fn cause_text(cause: UnavailableCause) -> &'static str {
    match cause {
        UnavailableCause::Forbidden => "forbidden",
        UnavailableCause::Failed => "failed",
        UnavailableCause::OutOfScope => "not asked for",
    }
}

/// The warning an incomplete audit ends with, in every format: what could not be read, what to
/// try, and the exit code.
pub(super) fn incomplete_message(audit: &AuditSummary) -> Option<String> {
    let missing: Vec<String> = audit
        .unavailable
        .iter()
        .filter(|u| u.makes_incomplete())
        .map(|u| format!("{} ({})", u.resource, cause_text(u.cause)))
        .collect();
    if missing.is_empty() {
        return None;
    }
    let mut text = format!(
        "the audit of context {} is incomplete: could not read {}; the rules that need them were skipped \
         (exit code 3 unless --allow-incomplete)",
        audit.context,
        missing.join(", ")
    );
    if let Some(hint) = &audit.hint {
        text.push_str(&format!(". Hint: {hint}"));
    }
    Some(text)
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}
