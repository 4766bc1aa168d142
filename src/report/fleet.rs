//! A fleet audit (`--contexts`, `--all-contexts`) in the human, github and JSON formats: each
//! cluster's report in turn, then what the fleet adds — a table of clusters, and the clusters
//! that could not be audited. (SARIF writes one run per cluster: `sarif.rs`.)

use serde_json::{json, Value};

use super::escape::{github_data, github_property, human as line};
use super::{Counts, RenderOptions};
use crate::outcome::{Fleet, FleetMember};

/// Each cluster under a heading, then the fleet's table and warnings.
pub(super) fn human(fleet: &Fleet, opts: &RenderOptions) -> String {
    let mut out = String::new();
    for m in &fleet.members {
        match &m.outcome {
            Ok(outcome) => {
                let server = outcome.audit.as_ref().map(|a| format!(" ({})", line(&a.server))).unwrap_or_default();
                out.push_str(&format!("═══ cluster {}{server} ═══\n", line(&m.context)));
                out.push_str(&super::human::render(outcome, opts));
            }
            Err(error) => {
                out.push_str(&format!("═══ cluster {} ═══\n", line(&m.context)));
                out.push_str(&format!("warning: could not audit context {}: {}\n", line(&m.context), line(error)));
            }
        }
        out.push('\n');
    }
    if !opts.quiet {
        out.push_str(&table(fleet));
    }
    let unaudited = fleet.members.iter().filter(|m| m.outcome.is_err()).count();
    if unaudited > 0 {
        out.push_str(&format!(
            "warning: the fleet audit is incomplete: {unaudited} of {} clusters could not be audited (exit code 3 \
             unless --allow-incomplete)\n",
            fleet.members.len()
        ));
    }
    out
}

/// `context  errors  warnings  notes  status`, one row per cluster.
fn table(fleet: &Fleet) -> String {
    let width = fleet.members.iter().map(|m| m.context.chars().count()).max().unwrap_or(0).max("context".len());
    let mut out = format!("fleet of {} clusters\n\n", fleet.members.len());
    out.push_str(&format!("{:<width$}  {:>6}  {:>8}  {:>5}  status\n", "context", "errors", "warnings", "notes"));
    for m in &fleet.members {
        let name = line(&m.context);
        let row = match &m.outcome {
            Ok(outcome) => {
                let c = Counts::of(outcome);
                format!("{name:<width$}  {:>6}  {:>8}  {:>5}  {}", c.error, c.warning, c.note, status(m))
            }
            Err(_) => format!("{name:<width$}  {:>6}  {:>8}  {:>5}  {}", "-", "-", "-", status(m)),
        };
        out.push_str(&row);
        out.push('\n');
    }
    out.push('\n');
    out
}

/// `complete`, `incomplete: pods (forbidden)`, or `not audited`.
fn status(m: &FleetMember) -> String {
    let Ok(outcome) = &m.outcome else { return "not audited".to_string() };
    let missing: Vec<String> = outcome
        .audit
        .iter()
        .flat_map(|a| &a.unavailable)
        .filter(|u| u.makes_incomplete())
        .map(|u| format!("{} ({})", line(&u.resource), super::audit::cause_text(u.cause)))
        .collect();
    if missing.is_empty() {
        "complete".to_string()
    } else {
        format!("incomplete: {}", missing.join(", "))
    }
}

/// Every cluster's annotations, and a warning for each cluster that could not be audited.
pub(super) fn github(fleet: &Fleet) -> String {
    let mut out = String::new();
    for m in &fleet.members {
        match &m.outcome {
            Ok(outcome) => out.push_str(&super::github::render(outcome)),
            Err(error) => out.push_str(&format!(
                "::warning title={}::{}\n",
                github_property("iblint audit incomplete"),
                github_data(&format!("could not audit context {}: {error}", m.context))
            )),
        }
    }
    out
}

/// `{"version": 1, "tool": …, "fleet": {…}, "clusters": {"<context>": <report> | {"error": …}}}`.
pub(super) fn json(fleet: &Fleet) -> Value {
    let mut clusters = serde_json::Map::new();
    let mut summary = serde_json::Map::new();
    for m in &fleet.members {
        let (report, row) = match &m.outcome {
            Ok(outcome) => {
                let c = Counts::of(outcome);
                let incomplete = outcome.is_incomplete();
                (
                    super::json::document(outcome),
                    json!({"error": c.error, "warning": c.warning, "note": c.note, "audited": true, "incomplete": incomplete}),
                )
            }
            Err(error) => (json!({"error": error}), json!({"audited": false, "incomplete": true})),
        };
        clusters.insert(m.context.clone(), report);
        summary.insert(m.context.clone(), row);
    }
    let incomplete = fleet.members.iter().any(|m| m.outcome.as_ref().map_or(true, |o| o.is_incomplete()));
    json!({
        "version": 1,
        "tool": {"name": "iblint", "version": env!("CARGO_PKG_VERSION")},
        "fleet": {
            "contexts": fleet.members.iter().map(|m| m.context.as_str()).collect::<Vec<_>>(),
            "incomplete": incomplete,
            "clusters": summary,
        },
        "clusters": clusters,
    })
}
