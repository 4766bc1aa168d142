use super::{Context, Rule, Sink};
use crate::model::USE_MANAGED_IDENTITY;

/// IB303: the only grant is a RoleBinding; identity bindings are documented with
/// ClusterRoleBindings only (whether the token proxy honours RoleBindings is unverified).
pub(super) struct NamespacedIdentityGrant;

impl Rule for NamespacedIdentityGrant {
    fn id(&self) -> &'static str {
        "IB303"
    }

    fn reads_shared_answers(&self) -> bool {
        true
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        for b in cx.bound_accounts() {
            let grants = &b.grants;
            let Some(g) = grants.first().filter(|_| grants.iter().all(|g| !g.binding.is_cluster_binding())) else {
                continue;
            };
            let at = g.binding.role_ref.as_ref().map_or(g.binding.meta.kind_span, |r| r.span);
            sink.emit_on(
                &g.binding.meta,
                at,
                format!(
                    "{} lets {} `{USE_MANAGED_IDENTITY}` only through this RoleBinding: identity bindings are \
                     documented with ClusterRoleBindings, and a namespaced grant may not be honoured",
                    g.binding.meta.object_ref(),
                    b.sa.meta.object_ref()
                ),
            )
            .help("Bind the role with a ClusterRoleBinding (kind: ClusterRoleBinding, roleRef to a ClusterRole).");
        }
    }
}
