use super::{Context, Rule, Sink};
use crate::model::is_wi_pod;

/// The namespace AKS's admissions enforcer keeps webhooks away from.
const PROTECTED: &str = "kube-system";

/// IB115: a workload-identity pod in `kube-system`, where the webhook never runs on AKS.
pub struct ProtectedNamespace;

impl Rule for ProtectedNamespace {
    fn id(&self) -> &'static str {
        "IB115"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        for w in cx.inventory.workloads.iter().filter(|w| w.meta.namespace == PROTECTED && is_wi_pod(&w.pod)) {
            let at = w.meta.namespace_span.unwrap_or(w.meta.kind_span);
            sink.emit_on(
                &w.meta,
                at,
                format!(
                    "{} asks for workload identity in `{PROTECTED}`, where AKS's admissions enforcer keeps the webhook \
                     away: its pods get no token",
                    w.meta.object_ref()
                ),
            )
            .help("Run the workload in its own namespace.");
        }
    }
}
