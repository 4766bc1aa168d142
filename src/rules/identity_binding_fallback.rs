use super::live_support::{by_owner, describe, live, logical, recreate_help, running_wi_pod};
use super::{Context, Rule, Sink};
use crate::model::{LivePod, IDENTITY_BINDING_AUDIENCE, TOKEN_PROXY_ENV, USE_IDENTITY_BINDING};

/// IB604: a running identity-binding pod that the webhook mutated as a plain workload identity
/// pod: its token's audience is not `api://AKSIdentityBinding`, or it has no token proxy.
pub(super) struct IdentityBindingFallback;

impl Rule for IdentityBindingFallback {
    fn id(&self) -> &'static str {
        "IB604"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        let Some(live) = live(cx) else { return };
        if !live.could_list("pods") {
            return;
        }
        let fell_back = live.pods.iter().filter(|p| asks_for_binding(p) && p.is_mutated() && fallback(p).is_some());
        for (owner, pods) in by_owner(fell_back) {
            let what = fallback(pods[0]).unwrap_or_default();
            sink.emit(
                logical(live, &owner),
                format!(
                    "{} ask for identity binding but got a plain workload identity token ({what}): Entra rejects it \
                     for the identity binding (AADSTS700212)",
                    describe(&owner, &pods)
                ),
            )
            .object(owner.clone())
            .help(format!(
                "The webhook that mutated them does not serve identity bindings: upgrade it (IB602), then recreate \
                 the pods.\n\n    {}",
                recreate_help(&owner)
            ));
        }
    }
}

/// The pod opted into identity binding (the webhook compares the value ignoring case).
fn asks_for_binding(pod: &LivePod) -> bool {
    running_wi_pod(pod)
        && pod.meta.annotations.value(USE_IDENTITY_BINDING).is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// What shows the fallback: the token audience, the missing proxy env var.
fn fallback(pod: &LivePod) -> Option<String> {
    let audience = pod.token_volume.as_ref().and_then(|v| v.audience.as_deref());
    let mut problems = Vec::new();
    if audience != Some(IDENTITY_BINDING_AUDIENCE) {
        problems.push(format!("token audience `{}`", audience.unwrap_or("none")));
    }
    if pod.env(TOKEN_PROXY_ENV).is_none() {
        problems.push(format!("no {TOKEN_PROXY_ENV}"));
    }
    (!problems.is_empty()).then(|| problems.join(", "))
}
