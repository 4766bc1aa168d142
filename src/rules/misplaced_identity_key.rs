use std::borrow::Cow;

use super::fix_values;
use super::{insert_pod_annotation, Context, Rule, Sink};
use crate::fix::Plan;
use crate::model::{Entries, Entry, Meta, Workload, CLIENT_ID, TENANT_ID, USE_IDENTITY_BINDING, WI_PREFIX};

/// IB103: a ServiceAccount-only key (`client-id`, `tenant-id`) on a pod or workload, or the pod
/// annotation `use-identity-binding` as a label or on the controller or ServiceAccount.
pub(super) struct MisplacedIdentityKey;

impl Rule for MisplacedIdentityKey {
    fn id(&self) -> &'static str {
        "IB103"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        for w in cx.inventory.workloads.iter().filter(|w| cx.reports_on(&w.meta)) {
            // Named only in a finding: most workloads have none.
            let whose = || w.object();
            let mut places: Vec<(&Entries, Cow<str>)> = vec![
                (&w.pod.labels, "pod template labels".into()),
                (&w.pod.annotations, "pod template annotations".into()),
            ];
            // An object with several pod templates has its own metadata once.
            if w.has_controller_meta && !w.shares_meta {
                places.push((&w.meta.labels, "own labels".into()));
                places.push((&w.meta.annotations, "own annotations".into()));
                if let Some(outer) = &w.outer {
                    places.push((&outer.labels, format!("{} labels", outer.name).into()));
                    places.push((&outer.annotations, format!("{} annotations", outer.name).into()));
                }
            }
            for (entries, place) in places {
                let [client_id, tenant_id, identity_binding] = identity_keys(entries);
                for (key, found) in [(CLIENT_ID, client_id), (TENANT_ID, tenant_id)] {
                    if let Some(e) = found {
                        sink.emit_on(
                            &w.meta,
                            e.key_span,
                            format!(
                                "{} sets `{key}` in its {place}, but the webhook reads it only from the \
                                 ServiceAccount",
                                whose()
                            ),
                        )
                        .help(format!(
                            "Move it to the ServiceAccount the pod runs as:\n\n    kind: ServiceAccount\n    \
                             metadata:\n      annotations:\n        {key}: \"{}\"",
                            fix_values::guid_or(
                                &e.value,
                                if key == CLIENT_ID { fix_values::CLIENT_ID } else { fix_values::TENANT_ID }
                            )
                        ));
                    }
                }
                let is_pod_annotations = place == "pod template annotations";
                if let Some(e) = identity_binding.filter(|_| !is_pod_annotations) {
                    sink.emit_on(
                        &w.meta,
                        e.key_span,
                        format!(
                            "{} sets `{USE_IDENTITY_BINDING}` in its {place}, where the webhook does not read \
                             it: pods fall back to plain workload identity",
                            whose()
                        ),
                    )
                    .help(ib_annotation_help(w.pod.facts.annotations_path))
                    .plan(move_to_pod_annotations(w, e));
                }
            }
        }
        for sa in &cx.inventory.service_accounts {
            for (entries, place) in [(&sa.meta.labels, "labels"), (&sa.meta.annotations, "annotations")] {
                if let Some(e) = entries.get(USE_IDENTITY_BINDING) {
                    report_on_account(sink, &sa.meta, e.key_span, place);
                }
            }
        }
    }
}

/// The `client-id`, `tenant-id` and `use-identity-binding` entries of a map, found in one pass
/// over its keys under the webhook's prefix (every workload has several maps); with duplicates the
/// last wins, as in [`Entries::get`].
fn identity_keys(entries: &Entries) -> [Option<&Entry>; 3] {
    let mut found = [None; 3];
    for e in entries.with_prefix(WI_PREFIX) {
        if let Some(i) = [CLIENT_ID, TENANT_ID, USE_IDENTITY_BINDING].iter().position(|k| e.key == *k) {
            found[i] = Some(e);
        }
    }
    found
}

fn report_on_account(sink: &mut Sink, meta: &Meta, span: crate::span::Span, place: &str) {
    sink.emit_on(
        meta,
        span,
        format!(
            "{} sets `{USE_IDENTITY_BINDING}` in its {place}; it is a pod annotation, so it does nothing here",
            meta.object_ref()
        ),
    )
    .help(ib_annotation_help(&["spec", "template", "metadata", "annotations"]));
}

fn ib_annotation_help(annotations_path: &[&str]) -> String {
    format!("Annotate the pod template instead:\n\n{}", super::yaml_at(annotations_path, USE_IDENTITY_BINDING, "true"))
}

/// Moves a misplaced `use-identity-binding` to the pod template annotations, with its value (the
/// webhook honours any case of `true`), or only removes it when the pod template already has the
/// annotation. An object with several pod templates is left to the user: which of them should
/// use the binding is not written anywhere. `client-id`/`tenant-id` get no fix: the
/// ServiceAccount they belong on may be shared or say something else.
fn move_to_pod_annotations(w: &Workload, entry: &Entry) -> Option<Plan> {
    if w.part.is_some() || w.meta.is_patch {
        return None;
    }
    let plan = Plan::safe(format!("Put `{USE_IDENTITY_BINDING}` on the pod template annotations of {}", w.object()));
    let plan = match w.pod.annotations.get(USE_IDENTITY_BINDING) {
        Some(_) => plan,
        None => insert_pod_annotation(plan, w, USE_IDENTITY_BINDING, &entry.value)?,
    };
    plan.remove(&w.meta.at(entry.key_span))
}
