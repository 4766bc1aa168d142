use super::live_support::live;
use super::{Context, Rule, Sink};
use crate::finding::Location;
use crate::model::{identity_binding_enabled, ClusterFacts, ServiceAccount, IDENTITY_API_GROUP, USE_MANAGED_IDENTITY};

/// IB608 (fleet audit): a ServiceAccount carries the same client id in several clusters, and
/// another cluster grants it the use of that identity while this one does not.
pub(super) struct FleetGrantDrift;

impl Rule for FleetGrantDrift {
    fn id(&self) -> &'static str {
        "IB608"
    }

    fn reads_shared_answers(&self) -> bool {
        true
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        let Some(live) = live(cx) else { return };
        let Some(fleet) = &live.fleet else { return };
        let Some(here) = fleet.clusters.iter().find(|c| c.context == *live.context) else { return };
        let Some(accounts) = &here.accounts else { return };
        for account in accounts.iter().filter(|a| a.granted_by.is_none()) {
            let Some(sa) = cx.inventory.service_accounts_named(&account.namespace, &account.service_account).next()
            else {
                continue;
            };
            // Its identity-binding pods make the missing grant IB301's finding, with its fix.
            if runs_identity_binding_pods(cx, sa) {
                continue;
            }
            let granting: Vec<(&ClusterFacts, String)> = fleet
                .clusters
                .iter()
                .filter(|c| c.context != *live.context)
                .filter_map(|c| {
                    let grantor = c.account(&account.namespace, &account.service_account, &account.client_id)?;
                    let g = grantor.granted_by.as_ref()?;
                    let at = match &g.namespace {
                        Some(ns) => format!("{}/{ns}/{}/{}", c.context, g.kind, g.name),
                        None => format!("{}/{}/{}", c.context, g.kind, g.name),
                    };
                    Some((c, at))
                })
                .collect();
            let Some((first, _)) = granting.first() else { continue };
            let at = sa.client_id().map_or(sa.meta.kind_span, |e| e.value_span);
            let others = if granting.len() > 1 { format!(" (and {} more)", granting.len() - 1) } else { String::new() };
            let f = sink.emit_on(
                &sa.meta,
                at,
                format!(
                    "{} may not `{USE_MANAGED_IDENTITY}` for its client id `{}` in this cluster, but context {}{others} \
                     grants it: the clusters disagree on who may use the identity",
                    sa.meta.object_ref(),
                    account.client_id,
                    first.context
                ),
            );
            f.help(format!(
                "Grant it here as the other clusters do (a ClusterRole with verb `{USE_MANAGED_IDENTITY}` on \
                 `{IDENTITY_API_GROUP}` for `{}`, bound to the ServiceAccount), or remove the grant there if this \
                 cluster is right.",
                account.client_id
            ));
            for (_, grant) in &granting {
                f.related(Location::Logical { name: grant.clone() }, "the grant in the other cluster");
            }
        }
    }
}

/// Pods of the account here ask for identity binding (IB301 judges their missing grant).
fn runs_identity_binding_pods(cx: &Context, sa: &ServiceAccount) -> bool {
    cx.bound_accounts().any(|b| std::ptr::eq(b.sa, sa))
        || cx.inventory.workloads.iter().any(|w| {
            w.meta.namespace == sa.meta.namespace
                && w.pod.service_account_name() == Some(sa.meta.name.as_str())
                && identity_binding_enabled(&w.pod)
        })
}
