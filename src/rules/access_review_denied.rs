use super::live_support::live;
use super::rbac_support::identity_request;
use super::{Context, Rule, Sink};
use crate::finding::Level;
use crate::model::{AccessReview, Decision, Inventory, ServiceAccount, IDENTITY_API_GROUP, USE_MANAGED_IDENTITY};

/// IB607: the API server's SubjectAccessReview and iblint's own RBAC evaluation disagree about
/// whether an identity-binding ServiceAccount may `use-managed-identity` for its client id.
pub(super) struct AccessReviewDenied;

impl Rule for AccessReviewDenied {
    fn id(&self) -> &'static str {
        "IB607"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        let Some(live) = live(cx) else { return };
        for review in &live.access_reviews {
            let Some(sa) = service_account(cx.inventory, review) else { continue };
            let Some(id_entry) = sa.client_id() else { continue };
            let statically = cx.inventory.may(&identity_request(sa, &review.client_id));
            let reason = if review.reason.is_empty() { "no reason given".to_string() } else { review.reason.clone() };
            match (review.allowed, statically) {
                // Denied by both: IB301 reports the missing grant.
                (false, Decision::Denied) | (true, Decision::Allowed(_)) => {}
                (false, Decision::Allowed(grant)) => {
                    sink.emit_on(
                        &sa.meta,
                        id_entry.value_span,
                        format!(
                            "The API server denies {} `{USE_MANAGED_IDENTITY}` on `{IDENTITY_API_GROUP}` for `{}` \
                             ({reason}), although {} {} binds it to {} {} that grants it",
                            sa.meta.object_ref(),
                            review.client_id,
                            grant.binding.meta.kind,
                            grant.binding.meta.name,
                            grant.role.meta.kind,
                            grant.role.meta.name
                        ),
                    )
                    .help(
                        "Something iblint cannot see overrides RBAC (an authorization webhook, a deny policy), or the \
                         role was changed since: check `kubectl auth can-i use-managed-identity.cid.wi.aks.azure.com/<client-id> \
                         --as system:serviceaccount:<ns>:<sa>` and the cluster's authorizers.",
                    )
                    .related(grant.binding.meta.at(grant.binding.meta.kind_span), "the grant the RBAC objects show");
                }
                (true, Decision::Denied) => {
                    sink.emit_on(
                        &sa.meta,
                        id_entry.value_span,
                        format!(
                            "The API server allows {} `{USE_MANAGED_IDENTITY}` for `{}` ({reason}) through something \
                             iblint cannot see: an authorizer webhook, or roles it could not list",
                            sa.meta.object_ref(),
                            review.client_id
                        ),
                    )
                    .level(Level::Note)
                    .help("Nothing to fix if this grant is intended; IB301 defers to the API server here.");
                }
            }
        }
    }
}

fn service_account<'a>(inv: &'a Inventory, review: &AccessReview) -> Option<&'a ServiceAccount> {
    inv.service_accounts_named(&review.namespace, &review.service_account).next()
}
