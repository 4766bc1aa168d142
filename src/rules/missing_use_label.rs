use super::{insert_pod_label, use_label_elsewhere, Context, Rule, Sink};
use crate::fix::Plan;
use crate::model::{identity_binding_enabled, is_ib_pod};
use crate::model::{PodTemplate, USE_LABEL, WI_PREFIX};

/// IB101: a pod template that asks for workload identity but lacks the `use` label, so the
/// webhook's object selector never matches and the pod runs without a token.
pub(super) struct MissingUseLabel;

impl Rule for MissingUseLabel {
    fn id(&self) -> &'static str {
        "IB101"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        for w in &cx.inventory.workloads {
            let pod = &w.pod;
            if w.meta.is_patch || pod.labels.contains(USE_LABEL) || use_label_elsewhere(cx.inventory, w).is_some() {
                continue;
            }
            let Some(asked) = pod.annotations.with_prefix(WI_PREFIX).next() else { continue };
            let what = if is_ib_pod(pod) { "identity binding" } else { "workload identity" };
            sink.emit_on(
                &w.meta,
                pod.labels_anchor(),
                format!(
                    "{} asks for {what} (annotation `{}`) but its pod template lacks the label `{USE_LABEL}: \"true\"`: \
                     the webhook never sees the pod",
                    w.object(),
                    asked.key
                ),
            )
            .help(format!("Add the label to the pod template:\n\n{}", pod_label_yaml(pod)))
            .plan(label_plan(w));
        }
    }
}

/// The YAML that puts the `use` label on a pod template (or a bare Pod), wherever its kind keeps it.
pub(super) fn pod_label_yaml(pod: &PodTemplate) -> String {
    super::yaml_at(pod.facts.labels_path, USE_LABEL, "true")
}

/// The safe fix, for identity-binding pods only: their annotation says what the author meant. A
/// pod with only other workload identity annotations may be templated for several setups.
fn label_plan(w: &crate::model::Workload) -> Option<Plan> {
    if !identity_binding_enabled(&w.pod) {
        return None;
    }
    let plan = Plan::safe(format!("Add the label `{USE_LABEL}: \"true\"` to the pod template of {}", w.object()));
    insert_pod_label(plan, w, USE_LABEL, "true")
}
