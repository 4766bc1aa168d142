use super::live_support::{by_owner, describe, live, logical, recreate_help, running_wi_pod};
use super::{Context, Rule, Sink};
use crate::model::ADDON_NAMESPACE;

/// IB603: a running pod with the `use` label that the webhook never mutated (created before the
/// webhook or before the label, or while the webhook was bypassed): it has no token.
pub(super) struct PodNotMutated;

impl Rule for PodNotMutated {
    fn id(&self) -> &'static str {
        "IB603"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        let Some(live) = live(cx) else { return };
        if !live.could_list("pods") {
            return;
        }
        // kube-system is never mutated on AKS: IB115 says so about the workload.
        let unmutated =
            live.pods.iter().filter(|p| running_wi_pod(p) && !p.is_mutated() && p.meta.namespace != ADDON_NAMESPACE);
        let no_webhook = live.webhook_configurations.is_empty() && live.could_list("mutatingwebhookconfigurations");
        for (owner, pods) in by_owner(unmutated) {
            let (carry, have, they_were) =
                if pods.len() == 1 { ("carries", "has", "it was") } else { ("carry", "have", "they were") };
            let why = if no_webhook {
                "the cluster has no workload identity webhook".to_string()
            } else {
                format!("{they_were} created before the webhook (or the label), or the webhook was bypassed")
            };
            sink.emit(
                logical(live, &owner),
                format!(
                    "{} {carry} the workload identity label but {have} no injected token volume or \
                     AZURE_FEDERATED_TOKEN_FILE: {why}",
                    describe(&owner, &pods)
                ),
            )
            .object(owner.clone())
            .help(format!(
                "The webhook only mutates pods when they are created: recreate them{}.\n\n    {}",
                if no_webhook { " once the webhook is installed" } else { "" },
                recreate_help(&owner)
            ));
        }
    }
}
