use super::{
    missing_use_label::pod_label_yaml, use_label_elsewhere, Context, Misplaced, Rule, Sink, UseLabelElsewhere,
};
use crate::model::USE_LABEL;

/// IB102: the `use` label sits where the webhook does not look (the controller's metadata, only
/// the selector, an annotation, the ServiceAccount) and not on the pod template.
pub struct MisplacedUseLabel;

impl Rule for MisplacedUseLabel {
    fn id(&self) -> &'static str {
        "IB102"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        for w in cx.inventory.workloads.iter().filter(|w| !w.meta.is_patch) {
            let fix = format!(
                "Put the label on the pod template (a Deployment's selector is immutable, so do not add it \
                 there):\n\n{}",
                pod_label_yaml(&w.pod)
            );
            match use_label_elsewhere(cx.inventory, w) {
                // An object with several pod templates has its own metadata once.
                Some(UseLabelElsewhere::OnWorkload(m)) if m.on_object && w.shares_meta => {}
                Some(UseLabelElsewhere::OnWorkload(Misplaced { place, entry, on_object })) => {
                    let whose = if on_object { w.meta.object_ref().to_string() } else { w.object().to_string() };
                    sink.emit_on(
                        &w.meta,
                        entry.key_span,
                        format!(
                            "{whose} has `{USE_LABEL}` {place} but not as a pod template label: the webhook never sees \
                             its pods"
                        ),
                    )
                    .help(fix);
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
                    .help(fix)
                    .related(sa.meta.at(entry.key_span), "the label on the ServiceAccount does nothing");
                }
                None => {}
            }
        }
    }
}
