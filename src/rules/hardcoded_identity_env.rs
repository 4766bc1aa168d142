use std::cell::OnceCell;

use super::{service_account_of, Context, Rule, Sink};
use crate::finding::Level;
use crate::model::{is_placeholder, is_wi_pod};
use crate::model::{Container, CLIENT_ID, SKIP_CONTAINERS, TENANT_ID};

/// Variables the webhook injects only where `env` has none of that name.
const INJECTED: &[&str] = &["AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST"];
const INJECTED_PREFIX: &str = "AZURE_KUBERNETES_";

/// IB112: a container sets an identity variable the webhook injects; the hand-set value wins.
/// `AZURE_CLIENT_ID`/`AZURE_TENANT_ID` count only when the ServiceAccount carries the matching
/// annotation: without it, setting them is how a pod supplies the id (IB201 covers that case).
pub(super) struct HardcodedIdentityEnv;

impl Rule for HardcodedIdentityEnv {
    fn id(&self) -> &'static str {
        "IB112"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        for w in cx.inventory.workloads.iter().filter(|w| is_wi_pod(&w.pod)) {
            let skipped = w.pod.annotations.value(SKIP_CONTAINERS).unwrap_or("");
            let is_skipped = |name: &str| skipped.split(';').map(str::trim).any(|s| s == name);
            // The account is looked up for the containers that set an identity variable alone.
            let sa = OnceCell::new();
            let sa = || *sa.get_or_init(|| service_account_of(cx.inventory, w));
            for c in w.pod.containers.iter().filter(|c| !is_skipped(&c.name.value)) {
                check_container(sink, w, c, &sa);
            }
        }
    }
}

fn check_container<'a>(
    sink: &mut Sink,
    w: &crate::model::Workload,
    c: &Container,
    sa: &dyn Fn() -> Option<&'a crate::model::ServiceAccount>,
) {
    for env in &c.env {
        let name = env.name.value.as_str();
        let annotation = match name {
            "AZURE_CLIENT_ID" => Some(CLIENT_ID),
            "AZURE_TENANT_ID" => Some(TENANT_ID),
            _ if INJECTED.contains(&name) || name.starts_with(INJECTED_PREFIX) => None,
            _ => continue,
        };
        let expected = match annotation {
            Some(key) => {
                let set = |sa: &'a crate::model::ServiceAccount| {
                    sa.meta.annotations.get(key).filter(|e| !e.value.trim().is_empty()).map(|e| (sa, e))
                };
                match sa().and_then(set) {
                    Some(found) => Some(found),
                    None => continue,
                }
            }
            None => None,
        };
        let f = sink.emit_on(
            &w.meta,
            env.name.span,
            format!(
                "Container `{}` of {} sets `{name}` itself, so the value the webhook injects is not used",
                c.name.value,
                w.object()
            ),
        );
        f.help(format!("Remove `{name}` from the container's env and let the webhook set it."));
        if let Some((sa, e)) = expected {
            f.related(sa.meta.at(e.value_span), format!("`{}` on {}", e.key, sa.meta.object_ref()));
            let literal = env.value.as_ref().map(|v| v.value.as_str());
            if let Some(v) =
                literal.filter(|v| !is_placeholder(v) && !is_placeholder(&e.value) && !v.eq_ignore_ascii_case(&e.value))
            {
                f.level(Level::Error).message = format!(
                    "Container `{}` of {} sets `{name}` to `{v}`, contradicting `{}` on {}: the pod uses the wrong identity",
                    c.name.value,
                    w.object(),
                    e.key,
                    sa.meta.object_ref()
                );
            }
        }
    }
}
