use std::collections::HashSet;

use super::rbac_support::{grants_identity_use, wildcard, Exposure};
use super::{Context, Rule, Sink};
use crate::model::{Binding, Inventory, PolicyRule, Role, Str, USE_MANAGED_IDENTITY};

/// IB304: a bound role grants `use-managed-identity` through a `*` verb, API group or resource:
/// its subjects may use every identity bound to the cluster.
pub(super) struct WildcardIdentityGrant;

/// Bindings whose wildcards are no identity grant: made by the platform (bootstrap policy, AKS),
/// or giving every permission there is (`cluster-admin`, a GitOps controller's `*`/`*`/`*`).
fn exempt(inv: &Inventory, b: &Binding, rules: &[(&Role, &PolicyRule)]) -> bool {
    b.subjects.is_empty()
        || b.meta.is_platform_managed()
        || inv.role_of(b).is_some_and(|r| r.meta.is_platform_managed())
        || rules.iter().any(|(_, r)| r.grants_everything())
}

/// A rule of a user's role that grants `use-managed-identity` through a `*`: what this rule reports.
fn wildcard_grant<'r>(owner: &Role, rule: &'r PolicyRule) -> Option<(&'static str, &'r Str)> {
    wildcard(rule).filter(|_| grants_identity_use(rule) && !owner.meta.is_platform_managed())
}

impl Rule for WildcardIdentityGrant {
    fn id(&self) -> &'static str {
        "IB304"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        let inv = cx.inventory;
        let mut exposure = Exposure::new(inv);
        let mut seen = HashSet::new();
        for binding in &inv.bindings {
            let rules = inv.rules_of_binding(binding);
            // Most bindings grant no wildcard: the questions below are asked of the others alone.
            if !rules.iter().any(|(owner, rule)| wildcard_grant(owner, rule).is_some()) || exempt(inv, binding, &rules)
            {
                continue;
            }
            // Subjects that hold every permission anyway gain nothing from this grant.
            let Some(subject) = binding.subjects.iter().find(|s| !inv.holds_everything(binding, s)) else { continue };
            for (owner, rule) in rules {
                let Some((list, star)) = wildcard_grant(owner, rule) else { continue };
                if !seen.insert(std::ptr::from_ref(rule)) {
                    continue;
                }
                let exposed = exposure.describe(rule);
                sink.emit_on(
                    &owner.meta,
                    star.span,
                    format!(
                        "{} grants `{USE_MANAGED_IDENTITY}` through `*` in its {list}, and {} binds it to {} {}: they \
                         may use {}",
                        owner.meta.object_ref(),
                        binding.meta.object_ref(),
                        subject.kind,
                        subject.name.value,
                        exposed
                    ),
                )
                .help("Grant one identity per rule, without wildcards:\n\n    - verbs: [\"use-managed-identity\"]\n      \
                       apiGroups: [\"cid.wi.aks.azure.com\"]\n      resources: [\"<client-id>\"]")
                .related(binding.meta.at(subject.span), "bound here");
            }
        }
    }
}
