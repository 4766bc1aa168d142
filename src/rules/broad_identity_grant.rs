use super::rbac_support::{grants_identity_use, Exposure};
use super::{Context, Rule, Sink};
use crate::finding::Level;
use crate::model::{Binding, Inventory, SubjectKind, USE_MANAGED_IDENTITY};

/// Groups that hold (nearly) everyone.
const EVERYONE: &[&str] = &["system:authenticated", "system:unauthenticated", "system:serviceaccounts"];
const NAMESPACE_GROUP_PREFIX: &str = "system:serviceaccounts:";

/// IB305: a role granting `use-managed-identity` is bound to a group that holds everyone (or a
/// whole namespace: warning).
pub(super) struct BroadIdentityGrant;

/// Made by the platform (bootstrap policy, AKS, its addon manager): not the user's to change.
fn platform_managed(inv: &Inventory, b: &Binding) -> bool {
    b.meta.is_platform_managed() || inv.role_of(b).is_some_and(|r| r.meta.is_platform_managed())
}

/// How broad a group is: everyone (error), a whole namespace (warning), or neither.
fn breadth(group: &str) -> Option<Level> {
    if EVERYONE.contains(&group) {
        Some(Level::Error)
    } else if group.starts_with(NAMESPACE_GROUP_PREFIX) {
        Some(Level::Warning)
    } else {
        None
    }
}

/// The binding names a broad group: only those can be reported, so the role's rules are looked
/// up for them alone (most bindings name ServiceAccounts).
fn binds_broad_group(b: &Binding) -> bool {
    b.subjects.iter().any(|s| s.kind == SubjectKind::Group && breadth(&s.name.value).is_some())
}

impl Rule for BroadIdentityGrant {
    fn id(&self) -> &'static str {
        "IB305"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        let inv = cx.inventory;
        let mut exposure = Exposure::new(inv);
        for binding in inv.bindings.iter().filter(|b| binds_broad_group(b) && !platform_managed(inv, b)) {
            let rules: Vec<_> =
                inv.rules_of_binding(binding).into_iter().filter(|(_, r)| grants_identity_use(r)).collect();
            let Some((owner, rule)) = rules.first() else { continue };
            let superuser_grant = inv.grants_everything(binding);
            for s in binding.subjects.iter().filter(|s| s.kind == SubjectKind::Group) {
                let group = s.name.value.as_str();
                let Some(level) = breadth(group) else { continue };
                // A namespace's accounts given every permission (a GitOps tenant), or holding it
                // through another binding, gain nothing from an identity rule. Everyone made a
                // superuser is still reported: no platform does that.
                if level == Level::Warning && (superuser_grant || inv.holds_everything(binding, s)) {
                    continue;
                }
                let exposed = exposure.describe(rule);
                sink.emit_on(
                    &binding.meta,
                    s.name.span,
                    format!(
                        "{} binds {} (which grants `{USE_MANAGED_IDENTITY}`) to the group `{group}`: every member may \
                         use {}",
                        binding.meta.object_ref(),
                        owner.meta.object_ref(),
                        exposed
                    ),
                )
                .level(level)
                .help(
                    "Bind the role to the one ServiceAccount that needs the identity:\n\n    subjects:\n      - kind: \
                       ServiceAccount\n        name: <name>\n        namespace: <namespace>",
                );
            }
        }
    }
}
