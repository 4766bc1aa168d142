//! SARIF 2.1.0 through `serde-sarif`, meeting GitHub code scanning's requirements: full rule
//! metadata from the rule docs, one location per result with a full region (or a logical
//! location for live objects), related locations, stable `partialFingerprints`, `suppressions`
//! instead of dropped results, and `automationDetails.id`.

use std::collections::BTreeMap;

use serde_json::json;
use serde_sarif::sarif::{
    ArtifactChange, ArtifactContent, ArtifactLocation, Fix, Invocation, Location as SLocation, LogicalLocation,
    Message, MultiformatMessageString, Notification, PhysicalLocation, PropertyBag, Region, Replacement,
    ReportingConfiguration, ReportingDescriptor, Result as SResult, ResultLevel, Run, RunAutomationDetails, Sarif,
    Suppression, Tool, ToolComponent,
};

use super::RenderOptions;
use crate::check::Outcome;
use crate::docs::{self, RuleDoc};
use crate::finding::{Finding, Level, Location};
use crate::rules::RULES;

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const FINGERPRINT_KEY: &str = "iblintFingerprint/v1";

pub fn render(outcome: &Outcome, opts: &RenderOptions) -> String {
    let rule_docs: Vec<&RuleDoc> = RULES.iter().filter_map(|r| docs::get(r.id())).collect();
    let rules: Vec<ReportingDescriptor> = rule_docs.iter().map(|d| descriptor(d)).collect();
    let results: Vec<SResult> = outcome.findings.iter().map(|f| result(f, &rule_docs)).collect();
    let notifications: Vec<Notification> = outcome
        .notes
        .iter()
        .map(|n| {
            Notification::builder()
                .message(Message::builder().text(format!("{}: {}", n.path, n.message)).build())
                .level(json!("note"))
                .locations(vec![SLocation::builder()
                    .physical_location(
                        PhysicalLocation::builder()
                            .artifact_location(ArtifactLocation::builder().uri(uri(&n.path)).build())
                            .build(),
                    )
                    .build()])
                .build()
        })
        .collect();
    let driver = ToolComponent::builder()
        .name("iblint")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri("https://github.com/iblint/iblint")
        .rules(rules)
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .column_kind(json!("unicodeCodePoints"))
        .automation_details(RunAutomationDetails::builder().id(opts.automation_id.clone()).build())
        .invocations(vec![Invocation::builder()
            .execution_successful(true)
            .tool_execution_notifications(notifications)
            .build()])
        .build();
    let sarif = Sarif::builder().schema(SCHEMA_URI).version(json!("2.1.0")).runs(vec![run]).build();
    let mut s = serde_json::to_string_pretty(&sarif).unwrap_or_default();
    s.push('\n');
    s
}

fn descriptor(d: &RuleDoc) -> ReportingDescriptor {
    let mut props = BTreeMap::new();
    props.insert("precision".to_string(), json!(d.precision));
    if let Some(sev) = &d.security_severity {
        props.insert("security-severity".to_string(), json!(sev));
    }
    ReportingDescriptor::builder()
        .id(d.id)
        .name(d.name.clone())
        .short_description(MultiformatMessageString::builder().text(d.summary.clone()).build())
        .full_description(MultiformatMessageString::builder().text(full_description(d)).build())
        .help(MultiformatMessageString::builder().text(d.text().to_string()).markdown(d.text().to_string()).build())
        .default_configuration(ReportingConfiguration::builder().level(json!(d.level.as_str())).build())
        .properties(PropertyBag::builder().tags(d.tags.clone()).additional_properties(props).build())
        .build()
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

fn result(f: &Finding, rule_docs: &[&RuleDoc]) -> SResult {
    let index = rule_docs.iter().position(|d| d.id == f.rule).unwrap_or(0) as i64;
    let mut message = f.message.clone();
    if !f.help.is_empty() {
        message = format!("{message}\n\n{}", f.help);
    }
    let related: Vec<SLocation> = f
        .related
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut l = location(&r.location);
            l.id = Some(i as i64 + 1);
            l.message = Some(Message::builder().text(r.message.clone()).build());
            l
        })
        .collect();
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert(FINGERPRINT_KEY.to_string(), f.fingerprint.clone());
    let mut r = SResult::builder()
        .rule_id(f.rule)
        .rule_index(index)
        .level(level(f.level))
        .message(Message::builder().text(message).build())
        .locations(vec![location(&f.location)])
        .partial_fingerprints(fingerprints)
        .build();
    if !related.is_empty() {
        r.related_locations = Some(related);
    }
    if let Some(s) = &f.suppression {
        r.suppressions = Some(vec![Suppression::builder()
            .kind(json!(if s.in_source { "inSource" } else { "external" }))
            .justification(s.justification.clone())
            .build()]);
    }
    if !f.fixes.is_empty() {
        r.fixes = Some(f.fixes.iter().map(fix).collect());
    }
    r
}

fn level(l: Level) -> ResultLevel {
    match l {
        Level::Error => ResultLevel::Error,
        Level::Warning => ResultLevel::Warning,
        Level::Note => ResultLevel::Note,
    }
}

fn fix(fx: &crate::finding::Fix) -> Fix {
    let at = fx.insert_at;
    Fix::builder()
        .description(Message::builder().text(fx.description.clone()).build())
        .artifact_changes(vec![ArtifactChange::builder()
            .artifact_location(ArtifactLocation::builder().uri(uri(&fx.path)).build())
            .replacements(vec![Replacement::builder()
                .deleted_region(
                    Region::builder()
                        .start_line(i64::from(at.line))
                        .start_column(i64::from(at.col))
                        .end_line(i64::from(at.line))
                        .end_column(i64::from(at.col))
                        .build(),
                )
                .inserted_content(ArtifactContent::builder().text(fx.text.clone()).build())
                .build()])
            .build()])
        .build()
}

fn location(l: &Location) -> SLocation {
    match l {
        Location::File { path, span } => {
            let start_line = i64::from(span.start.line.max(1));
            let start_col = i64::from(span.start.col.max(1));
            let (end_line, end_col) =
                if span.end.line == 0 || (span.end.line, span.end.col) < (span.start.line, span.start.col) {
                    (start_line, start_col)
                } else {
                    (i64::from(span.end.line), i64::from(span.end.col.max(1)))
                };
            SLocation::builder()
                .physical_location(
                    PhysicalLocation::builder()
                        .artifact_location(ArtifactLocation::builder().uri(uri(path)).build())
                        .region(
                            Region::builder()
                                .start_line(start_line)
                                .start_column(start_col)
                                .end_line(end_line)
                                .end_column(end_col)
                                .build(),
                        )
                        .build(),
                )
                .build()
        }
        Location::Logical { name } => SLocation::builder()
            .logical_locations(vec![LogicalLocation::builder()
                .fully_qualified_name(name.clone())
                .name(name.rsplit('/').next().unwrap_or(name).to_string())
                .kind("resource")
                .build()])
            .build(),
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
