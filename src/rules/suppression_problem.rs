use super::{Context, Rule, Sink};
use crate::finding::{Finding, Level};
use crate::model::IGNORE_ANNOTATION;
use crate::suppress::inline::{InlineProblem, MARKER};
use crate::suppress::{ConfigSuppressionProblem, IgnoreAnnotation};

/// IB003: an `iblint.io/ignore` annotation without a reason (not applied) or naming unknown
/// rules; and config-file suppressions without a reason, expired, or matching nothing — those
/// are known only once every finding has been through the suppression pass, which hands them to
/// [`config_findings`].
pub(super) struct SuppressionProblem;

const ID: &str = "IB003";

impl Rule for SuppressionProblem {
    fn id(&self) -> &'static str {
        ID
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        for meta in cx.inventory.metas() {
            let Some(e) = meta.annotations.get(IGNORE_ANNOTATION) else { continue };
            let ignore = IgnoreAnnotation::parse(&e.value);
            if ignore.reason.is_none() {
                sink.emit_on(
                    meta,
                    e.value_span,
                    format!(
                        "The `{IGNORE_ANNOTATION}` annotation of {} gives no reason: it is not applied",
                        meta.object_ref()
                    ),
                )
                .help(format!(
                    "Add a reason after `--`:\n\n    {IGNORE_ANNOTATION}: \"{} -- why this is acceptable\"",
                    rule_list(&ignore.rules)
                ));
            }
            for unknown in ignore.rules.iter().filter(|r| super::by_id(r).is_none()) {
                sink.emit_on(
                    meta,
                    e.value_span,
                    format!(
                        "The `{IGNORE_ANNOTATION}` annotation of {} names `{unknown}`, which is not a rule",
                        meta.object_ref()
                    ),
                )
                .level(crate::finding::Level::Warning)
                .help("Name rules by id or by name as `iblint rules` lists them, e.g. `IB301,broad-identity-grant -- reason`.");
            }
            let what = format!("The `{IGNORE_ANNOTATION}` annotation of {}", meta.object_ref());
            if let Some((message, help)) = expiry_problem(&ignore, &cx.settings.today, &what) {
                sink.emit_on(meta, e.value_span, message).level(crate::finding::Level::Warning).help(help);
            }
        }
    }
}

/// An `expires=` that is past or is no date, worded for `what` carries it.
fn expiry_problem(ignore: &IgnoreAnnotation, today: &str, what: &str) -> Option<(String, String)> {
    if let Some(value) = &ignore.bad_expiry {
        return Some((
            format!("{what} has `expires={value}`, which is not a date: it is not applied"),
            "Write the date as YYYY-MM-DD, e.g. `expires=2026-12-31`.".to_string(),
        ));
    }
    let date = ignore.expires.as_deref().filter(|d| *d <= today)?;
    Some((
        format!("{what} expired on {date}: its findings are reported again"),
        "Fix the findings, or move `expires=` later if the reason still holds.".to_string(),
    ))
}

/// The findings about inline `iblint:ignore` comments, at the rule's default levels.
pub fn inline_findings(problems: &[InlineProblem]) -> Vec<Finding> {
    let mut sink = Sink::new(ID);
    let what = format!("The `{MARKER}` comment");
    for problem in problems {
        match problem {
            InlineProblem::NoReason { at, rules } => {
                sink.emit(at.clone(), format!("{what} gives no reason: it is not applied")).help(format!(
                    "Add a reason after `--`:\n\n    # {MARKER} {} -- why this is acceptable",
                    rule_list(rules)
                ));
            }
            InlineProblem::UnknownRule { at, name } => {
                let hint = crate::rules::resolve(name).err().map_or(String::new(), |e| e.hint);
                sink.emit(at.clone(), format!("{what} names `{name}`, which is not a rule{hint}"))
                    .level(Level::Warning)
                    .help(
                        "Name rules by id or by name as `iblint rules` lists them, e.g. `IB401,managed-fic-touched`.",
                    );
            }
            InlineProblem::Expired { at, expires } => {
                sink.emit(at.clone(), format!("{what} expired on {expires}: its findings are reported again"))
                    .level(Level::Warning)
                    .help("Fix the findings, or move `expires=` later if the reason still holds.");
            }
            InlineProblem::BadExpiry { at, value } => {
                sink.emit(at.clone(), format!("{what} has `expires={value}`, which is not a date: it is not applied"))
                    .level(Level::Warning)
                    .help("Write the date as YYYY-MM-DD, e.g. `expires=2026-12-31`.");
            }
        }
    }
    sink.into_findings()
}

/// The rule ids of an annotation as the suggested value lists them: unknown ids (which may hold
/// anything, quotes included) become a placeholder.
fn rule_list(rules: &[String]) -> String {
    if rules.is_empty() {
        return "*".to_string();
    }
    let ids: Vec<&str> =
        rules.iter().map(|r| if super::by_id(r).is_some() { r.as_str() } else { "<rule-id>" }).collect();
    ids.join(",")
}

/// The findings about config suppressions, at the rule's default levels.
pub fn config_findings(problems: &[ConfigSuppressionProblem]) -> Vec<Finding> {
    let mut sink = Sink::new(ID);
    for problem in problems {
        match problem {
            ConfigSuppressionProblem::NoReason { at } => {
                sink.emit(at.clone(), "A config suppression has no `reason`: it is not applied")
                    .help("Say why the findings are acceptable:\n\n    reason: \"migration tracked in TICKET-123\"");
            }
            ConfigSuppressionProblem::Expired { at, expires } => {
                sink.emit(
                    at.clone(),
                    format!("A config suppression expired on {expires}: its findings are reported again"),
                )
                .level(Level::Warning)
                .help("Fix the findings, or extend `expires:` if the reason still holds.");
            }
            ConfigSuppressionProblem::MatchedNothing { at } => {
                sink.emit(at.clone(), "A config suppression matched no finding: remove it")
                    .level(Level::Note)
                    .help("Stale suppressions hide future problems; delete the entry.");
            }
        }
    }
    sink.into_findings()
}
