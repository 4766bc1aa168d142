use super::fix_values;
use super::rbac_support::grants_identity_use;
use super::{Context, Rule, Sink};
use crate::model::{Binding, Inventory, SubjectKind};

/// IB307: a binding to a `use-managed-identity` role names a role that is not in scope, or binds
/// a ServiceAccount without a namespace (which a ClusterRoleBinding cannot resolve).
pub(super) struct DanglingIdentityBinding;

/// The documented naming of identity-binding grants.
fn looks_like_identity_grant(b: &Binding) -> bool {
    let named = |n: &str| n.starts_with("use-mi-") || n.contains("managed-identity");
    named(&b.meta.name) || b.role_ref.as_ref().is_some_and(|r| named(&r.name.value))
}

fn grants_identity(inv: &Inventory, b: &Binding) -> bool {
    inv.rules_of_binding(b).iter().any(|(_, r)| grants_identity_use(r))
}

impl Rule for DanglingIdentityBinding {
    fn id(&self) -> &'static str {
        "IB307"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        let inv = cx.inventory;
        for b in &inv.bindings {
            let Some(role_ref) = &b.role_ref else { continue };
            let dangling = looks_like_identity_grant(b) && inv.role_of(b).is_none();
            if dangling {
                sink.emit_on(
                    &b.meta,
                    role_ref.name.span,
                    format!(
                        "{} refers to {} `{}`, which is not in scope: the grant does nothing until it exists",
                        b.meta.object_ref(),
                        role_ref.kind,
                        role_ref.name.value
                    ),
                )
                .help("Add the role next to the binding, or fix the name in roleRef.");
            }
            let without_namespace =
                || b.subjects.iter().filter(|s| s.kind == SubjectKind::ServiceAccount && s.namespace.is_none());
            // The role's rules are read only for a binding that has such a subject (few do).
            if !b.is_cluster_binding() || without_namespace().next().is_none() || !(dangling || grants_identity(inv, b))
            {
                continue;
            }
            for s in without_namespace() {
                sink.emit_on(
                    &b.meta,
                    s.span,
                    format!("{} binds ServiceAccount `{}` without a namespace: the API server rejects it", b.meta.object_ref(), s.name.value),
                )
                .help(format!("Name the ServiceAccount's namespace:\n\n    - kind: ServiceAccount\n      name: {}\n      namespace: <namespace>", fix_values::object_name(&s.name.value)));
            }
        }
    }
}
