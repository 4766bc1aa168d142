use super::{Context, Rule, Sink};
use crate::model::{is_wi_pod, Workload};

/// The namespace AKS's admissions enforcer keeps webhooks away from.
const PROTECTED: &str = "kube-system";

/// IB115: a workload-identity pod in `kube-system`, where the webhook never runs on AKS.
pub(super) struct ProtectedNamespace;

/// In a live cluster, the webhook did mutate the workload's pods: an add-on AKS exempts from
/// its admissions enforcer (the KEDA add-on's `keda-operator`). The pods are the evidence.
fn mutated_live(cx: &Context, w: &Workload) -> bool {
    let Some(live) = &cx.inventory.live else { return false };
    let workload = w.meta.object_ref();
    live.pods.iter().any(|p| p.report_ref() == workload && p.is_mutated())
}

impl Rule for ProtectedNamespace {
    fn id(&self) -> &'static str {
        "IB115"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        let in_protected = |w: &&Workload| w.namespace() == PROTECTED && is_wi_pod(&w.pod);
        for w in cx.inventory.workloads.iter().filter(in_protected).filter(|w| !mutated_live(cx, w)) {
            let at = w.meta.namespace_span.unwrap_or(w.meta.kind_span);
            sink.emit_on(
                &w.meta,
                at,
                format!(
                    "{} asks for workload identity in `{PROTECTED}`, where AKS's admissions enforcer keeps the webhook \
                     away: its pods get no token",
                    w.object()
                ),
            )
            .help("Run the workload in its own namespace.");
        }
    }
}
