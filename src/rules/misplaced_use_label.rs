use super::{
    insert_pod_label, missing_use_label::pod_label_yaml, use_label_elsewhere, Context, Misplaced, Rule, Sink,
    UseLabelElsewhere,
};
use crate::fix::Plan;
use crate::model::{Workload, USE_LABEL};

/// IB102: the `use` label sits where the webhook does not look (the controller's metadata, only
/// the selector, an annotation, the ServiceAccount) and not on the pod template.
pub(super) struct MisplacedUseLabel;

impl Rule for MisplacedUseLabel {
    fn id(&self) -> &'static str {
        "IB102"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        for w in cx.inventory.workloads.iter().filter(|w| !w.meta.is_patch) {
            // Made only for a finding: most workloads have none.
            let fix = || {
                format!(
                    "Put the label on the pod template (a Deployment's selector is immutable, so do not add it \
                     there):\n\n{}",
                    pod_label_yaml(&w.pod)
                )
            };
            match use_label_elsewhere(cx.inventory, w) {
                // An object with several pod templates has its own metadata once.
                Some(UseLabelElsewhere::OnWorkload(m)) if m.on_object && w.shares_meta => {}
                Some(UseLabelElsewhere::OnWorkload(Misplaced { place, entry, on_object })) => {
                    let whose = if on_object { w.meta.object_ref().to_string() } else { w.object().to_string() };
                    let plan = move_plan(w, entry);
                    sink.emit_on(
                        &w.meta,
                        entry.key_span,
                        format!(
                            "{whose} has `{USE_LABEL}` {place} but not as a pod template label: the webhook never sees \
                             its pods"
                        ),
                    )
                    .help(fix())
                    .plan(plan);
                }
                Some(UseLabelElsewhere::OnServiceAccount(sa, entry)) => {
                    let at = w.pod.labels_anchor();
                    sink.emit_on(
                        &w.meta,
                        at,
                        format!(
                            "{} relies on the label `{USE_LABEL}` of {}, which the webhook ignores since v1.0: its \
                             pod template lacks the label",
                            w.object(),
                            sa.meta.object_ref()
                        ),
                    )
                    .help(fix())
                    .related(sa.meta.at(entry.key_span), "the label on the ServiceAccount does nothing")
                    .plan(insert_pod_label(
                        Plan::safe(format!(
                            "Add the label `{USE_LABEL}: \"true\"` to the pod template of {}",
                            w.object()
                        )),
                        w,
                        USE_LABEL,
                        "true",
                    ));
                }
                None => {}
            }
        }
    }
}

/// Moves the label to the pod template, with its value (a selector keeps its copy: selectors are
/// immutable, and the pod template must match it). An object with several pod templates is left
/// to the user: which of them should run with workload identity is not written anywhere.
fn move_plan(w: &Workload, entry: &crate::model::Entry) -> Option<Plan> {
    if w.part.is_some() {
        return None;
    }
    let plan = Plan::safe(format!("Put `{USE_LABEL}` on the pod template labels of {}", w.object()));
    let plan = insert_pod_label(plan, w, USE_LABEL, &entry.value)?;
    let in_selector = w.selector_use_label().is_some_and(|s| std::ptr::eq(s, entry));
    if in_selector {
        Some(plan)
    } else {
        plan.remove(&w.meta.at(entry.key_span))
    }
}
