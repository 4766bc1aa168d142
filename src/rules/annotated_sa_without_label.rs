use super::{missing_use_label::pod_label_yaml, service_account_of, use_label_elsewhere, Context, Rule, Sink};
use crate::model::is_wi_pod;
use crate::model::{CLIENT_ID, USE_LABEL};

/// The Secrets Store CSI driver requests its own token for the pod's ServiceAccount: pods that
/// only mount its volumes need the annotated account, not the webhook.
const SECRETS_STORE_CSI: &str = "secrets-store.csi.k8s.io";

/// IB106: a pod runs as a ServiceAccount annotated with a client id but nothing on the pod asks
/// for workload identity, so the webhook never injects the token.
pub(super) struct AnnotatedSaWithoutLabel;

impl Rule for AnnotatedSaWithoutLabel {
    fn id(&self) -> &'static str {
        "IB106"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        for w in cx.inventory.workloads.iter().filter(|w| !w.meta.is_patch) {
            let pod = &w.pod;
            if is_wi_pod(pod) || use_label_elsewhere(cx.inventory, w).is_some() {
                continue; // IB101/IB102/IB104 cover it
            }
            if pod.extras().csi_drivers.iter().any(|d| d == SECRETS_STORE_CSI) {
                continue;
            }
            // A pod that projects its own token and sets AZURE_FEDERATED_TOKEN_FILE needs no
            // webhook; IB116 checks that its path and audience agree.
            if pod.brings_own_token() {
                continue;
            }
            let Some(sa) = service_account_of(cx.inventory, w) else { continue };
            let Some(id) = sa.client_id().filter(|e| !e.value.trim().is_empty()) else { continue };
            sink.emit_on(
                &w.meta,
                pod.labels_anchor(),
                format!(
                    "{} runs as {}, which is annotated with a client id, but its pod template lacks the label \
                     `{USE_LABEL}: \"true\"`: the webhook never injects the token",
                    w.object(),
                    sa.meta.object_ref()
                ),
            )
            .help(format!(
                "If the pods should use the identity, label the pod template:\n\n{}\n\nOtherwise nothing is \
                 needed here (suppress with a reason, or drop the annotation from the ServiceAccount).",
                pod_label_yaml(&w.pod)
            ))
            .related(sa.meta.at(id.key_span), format!("`{CLIENT_ID}` on the ServiceAccount"));
        }
    }
}
