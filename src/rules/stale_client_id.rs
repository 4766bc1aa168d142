use super::live_support::{by_owner, describe, live, logical, recreate_help, running_wi_pod};
use super::{Context, Rule, Sink};
use crate::model::{Inventory, LivePod};

/// IB605: a running pod's `AZURE_CLIENT_ID` (set by the webhook when the pod was created) is not
/// its ServiceAccount's client id any more.
pub(super) struct StaleClientId;

impl Rule for StaleClientId {
    fn id(&self) -> &'static str {
        "IB605"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        let Some(live) = live(cx) else { return };
        if !live.could_list("pods") || !live.could_list("serviceaccounts") {
            return;
        }
        let inv = cx.inventory;
        let stale = live.pods.iter().filter(|p| running_wi_pod(p) && p.is_mutated() && current_id(inv, p).is_some());
        for (owner, pods) in by_owner(stale) {
            let Some((running, current)) = current_id(inv, pods[0]) else { continue };
            sink.emit(
                logical(live, &owner),
                format!(
                    "{} run with AZURE_CLIENT_ID `{running}`, but ServiceAccount {}/{} now names `{current}`: they \
                     still use the old identity",
                    describe(&owner, &pods),
                    pods[0].meta.namespace,
                    pods[0].service_account
                ),
            )
            .object(owner.clone())
            .help(format!(
                "The webhook sets AZURE_CLIENT_ID when a pod is created: restart the pods to pick up the new id.\n\n    \
                 {}",
                recreate_help(&owner)
            ));
        }
    }
}

/// (running id, current id) when they differ and the difference is not the author's doing.
fn current_id<'a>(inv: &'a Inventory, pod: &'a LivePod) -> Option<(&'a str, &'a str)> {
    let running = pod.env("AZURE_CLIENT_ID").filter(|v| !v.is_empty())?;
    let sa = inv.service_accounts_named(&pod.meta.namespace, &pod.service_account).next()?;
    let current = sa.client_id().map(|e| e.value.trim()).filter(|v| !v.is_empty())?;
    if running.eq_ignore_ascii_case(current) || sets_client_id_itself(inv, pod) {
        return None;
    }
    Some((running, current))
}

/// The pod's template sets AZURE_CLIENT_ID itself: the webhook left it alone (IB112's business).
fn sets_client_id_itself(inv: &Inventory, pod: &LivePod) -> bool {
    let Some(owner) = &pod.owner else { return false };
    inv.workloads
        .iter()
        .filter(|w| {
            w.meta.kind == owner.kind.as_str()
                && w.meta.name == owner.name
                && Some(w.meta.namespace.as_str()) == owner.namespace.as_deref()
        })
        .any(|w| w.pod.containers.iter().any(|c| c.env.iter().any(|e| e.name.value == "AZURE_CLIENT_ID")))
}
