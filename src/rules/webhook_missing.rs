use super::live_support::{live, running_wi_pod};
use super::{Context, Rule, Sink};
use crate::finding::Location;
use crate::model::is_wi_pod;
use crate::model::WEBHOOK_CONFIGURATION;

/// IB601: something asks for workload identity but the webhook is not installed, or none of its
/// replicas is ready (with `failurePolicy: Fail`, new pods are then rejected).
pub(super) struct WebhookMissing;

impl Rule for WebhookMissing {
    fn id(&self) -> &'static str {
        "IB601"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        let Some(live) = live(cx) else { return };
        let asking = cx.inventory.workloads.iter().filter(|w| is_wi_pod(&w.pod)).count()
            + live.pods.iter().filter(|p| running_wi_pod(p)).count();
        if asking == 0 {
            return; // a cluster that does not use workload identity needs no webhook
        }
        if live.could_list("mutatingwebhookconfigurations") && live.webhook_configurations.is_empty() {
            let name = format!("{}/MutatingWebhookConfiguration/{WEBHOOK_CONFIGURATION}", live.context);
            sink.emit(
                Location::Logical { name },
                format!(
                    "Workloads ask for workload identity but the cluster has no MutatingWebhookConfiguration \
                     `{WEBHOOK_CONFIGURATION}`: their pods get no token"
                ),
            )
            .help(
                "Enable the AKS add-on (`az aks update --enable-oidc-issuer --enable-workload-identity -g <rg> -n \
                 <cluster>`) or install the webhook's Helm chart, then recreate the pods.",
            );
            return;
        }
        if !live.could_list("deployments") {
            return;
        }
        for d in live.webhook_deployments.iter().filter(|d| d.ready_replicas == 0) {
            sink.emit_on(
                &d.meta,
                d.meta.kind_span,
                format!(
                    "The workload identity webhook {} has no ready replica ({} wanted): with `failurePolicy: Fail` \
                     new pods that ask for workload identity are rejected",
                    d.meta.object_ref(),
                    d.replicas
                ),
            )
            .help(format!(
                "Find out why its pods do not start: `kubectl describe deployment {} -n {}` and `kubectl get pods -n {} \
                 -l azure-workload-identity.io/system=true`.",
                d.meta.name, d.meta.namespace, d.meta.namespace
            ));
        }
    }
}
