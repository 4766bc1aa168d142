use super::{Context, Rule, Sink};
use crate::model::IGNORE_ANNOTATION;
use crate::suppress::IgnoreAnnotation;

/// IB003: an `iblint.io/ignore` annotation without a reason (not applied) or naming unknown
/// rules. Config-file suppressions that are expired or match nothing are reported under the same
/// id by the suppression pass, which is the only place that knows the findings.
pub struct SuppressionProblem;

impl Rule for SuppressionProblem {
    fn id(&self) -> &'static str {
        "IB003"
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
                .help("List rule ids as `iblint rules` prints them, e.g. `IB301,IB305 -- reason`.");
            }
        }
    }
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
