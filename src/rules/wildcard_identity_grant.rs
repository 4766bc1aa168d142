use std::collections::HashSet;

use super::rbac_support::{describe_exposed, exposed_ids, grants_identity_use, wildcard};
use super::{Context, Rule, Sink};
use crate::model::USE_MANAGED_IDENTITY;

/// IB304: a bound role grants `use-managed-identity` through a `*` verb, API group or resource:
/// its subjects may use every identity bound to the cluster.
pub struct WildcardIdentityGrant;

impl Rule for WildcardIdentityGrant {
    fn id(&self) -> &'static str {
        "IB304"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        let inv = cx.inventory;
        let mut seen = HashSet::new();
        for binding in inv.bindings.iter().filter(|b| !b.subjects.is_empty()) {
            for (owner, rule) in inv.rules_of_binding(binding) {
                let Some((list, star)) = wildcard(rule).filter(|_| grants_identity_use(rule)) else { continue };
                if !seen.insert(std::ptr::from_ref(rule)) {
                    continue;
                }
                let ids = exposed_ids(inv, rule);
                let all = rule.resources.iter().any(|r| r.value == "*");
                let subject = &binding.subjects[0];
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
                        describe_exposed(&ids, all)
                    ),
                )
                .help("Grant one identity per rule, without wildcards:\n\n    - verbs: [\"use-managed-identity\"]\n      \
                       apiGroups: [\"cid.wi.aks.azure.com\"]\n      resources: [\"<client-id>\"]")
                .related(binding.meta.at(subject.span), "bound here");
            }
        }
    }
}
