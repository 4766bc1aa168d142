use super::fix_values;
use super::{Context, Rule, Sink};
use crate::fix::Plan;
use crate::model::{Entries, Meta, ValueType};

/// IB002: a label or annotation value that is not a string; the API server rejects the object.
pub(super) struct NonStringMetadataValue;

impl Rule for NonStringMetadataValue {
    fn id(&self) -> &'static str {
        "IB002"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        for meta in cx.inventory.metas().filter(|m| cx.reports_on(m)) {
            check_entries(sink, meta, &meta.labels, "label", "");
            // kustomize reads an object's own annotations as strings and deploys them quoted: a
            // kustomize patch's unquoted `7200` reaches the API server as "7200". (Built objects
            // already carry them as strings; pod template annotations keep their types.)
            if !meta.is_patch {
                check_entries(sink, meta, &meta.annotations, "annotation", "");
            }
        }
        for w in cx.inventory.workloads.iter().filter(|w| cx.reports_on(&w.meta)) {
            if w.has_controller_meta {
                check_entries(sink, &w.meta, &w.pod.labels, "label", "pod template ");
                check_entries(sink, &w.meta, &w.pod.annotations, "annotation", "pod template ");
            }
            if let Some(outer) = w.outer.as_ref().filter(|_| !w.shares_meta) {
                let whose = format!("{} ", outer.name);
                check_entries(sink, &w.meta, &outer.labels, "label", &whose);
                check_entries(sink, &w.meta, &outer.annotations, "annotation", &whose);
            }
        }
    }
}

fn check_entries(sink: &mut Sink, meta: &Meta, entries: &Entries, what: &str, whose: &str) {
    for e in &entries.items {
        let decoded = match e.value_type {
            ValueType::String | ValueType::Null => continue,
            ValueType::Bool => "a boolean",
            ValueType::Int => "an integer",
            ValueType::Float => "a number",
            ValueType::Sequence => "a list",
            ValueType::Mapping => "a mapping",
        };
        let quoted = match e.value_type {
            ValueType::Sequence | ValueType::Mapping => "\"...\"".to_string(),
            _ => format!("\"{}\"", fix_values::plain_word(&e.value, "...")),
        };
        let scalar = !matches!(e.value_type, ValueType::Sequence | ValueType::Mapping);
        let fix = scalar
            .then(|| Plan::safe(format!("Quote the value of `{}`", e.key)).quote(&meta.at(e.value_span), &e.value));
        sink.emit_on(
            meta,
            e.value_span,
            format!(
                "The {whose}{what} `{}` of {} is {decoded}, not a string: the API server rejects the object",
                e.key,
                meta.object_ref()
            ),
        )
        .help(format!("Quote the value:\n\n    {}: {quoted}", fix_values::metadata_key(&e.key)))
        .plan(fix.flatten());
    }
}
