use std::collections::HashSet;

use super::{edit_distance, is_guid, Context, Mode, Rule, Sink};
use crate::finding::Level;
use crate::model::{rule_allows, IDENTITY_API_GROUP, USE_MANAGED_IDENTITY};

/// IB308: a grant names a client id that no ServiceAccount in scope carries.
pub struct UnusedIdentityGrant;

impl Rule for UnusedIdentityGrant {
    fn id(&self) -> &'static str {
        "IB308"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        let inv = cx.inventory;
        let ids: HashSet<&str> =
            inv.service_accounts.iter().filter_map(|sa| sa.client_id()).map(|e| e.value.as_str()).collect();
        for role in &inv.roles {
            for rule in &role.rules {
                for r in rule.resources.iter().filter(|r| is_guid(&r.value)) {
                    if !rule_allows(rule, USE_MANAGED_IDENTITY, IDENTITY_API_GROUP, &r.value)
                        || ids.contains(r.value.as_str())
                    {
                        continue;
                    }
                    // A near match is IB302's finding, not an unused grant.
                    if ids.iter().any(|id| id.eq_ignore_ascii_case(&r.value) || edit_distance(id, &r.value) == 1) {
                        continue;
                    }
                    let f = sink.emit_on(
                        &role.meta,
                        r.span,
                        format!(
                            "{} grants `{USE_MANAGED_IDENTITY}` for `{}`, which no ServiceAccount in scope carries",
                            role.meta.object_ref(),
                            r.value
                        ),
                    );
                    f.help("Remove the grant if the identity is gone, or check that the ServiceAccount using it is part of the scope.");
                    if cx.mode == Mode::Audit {
                        f.level(Level::Warning);
                    }
                }
            }
        }
    }
}
