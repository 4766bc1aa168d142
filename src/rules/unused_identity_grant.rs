use std::collections::{HashMap, HashSet};

use super::{is_guid, one_edit_apart, Context, Mode, Rule, Sink};
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
        let near = NearIds::new(&ids);
        for role in &inv.roles {
            for rule in &role.rules {
                for r in rule.resources.iter().filter(|r| is_guid(&r.value)) {
                    if !rule_allows(rule, USE_MANAGED_IDENTITY, IDENTITY_API_GROUP, &r.value)
                        || ids.contains(r.value.as_str())
                    {
                        continue;
                    }
                    // A near match is IB302's finding, not an unused grant.
                    if near.has_near(&r.value) {
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

/// Finds ids that differ from a GUID only in case or by one edit without comparing against every
/// id: one edit leaves either the first or the last `ANCHOR` characters of a 36-character GUID
/// untouched, so candidates share one of them.
struct NearIds<'a> {
    lower: HashSet<String>,
    by_prefix: HashMap<&'a str, Vec<&'a str>>,
    by_suffix: HashMap<&'a str, Vec<&'a str>>,
}

const ANCHOR: usize = 16;

impl<'a> NearIds<'a> {
    fn new(ids: &HashSet<&'a str>) -> Self {
        let mut near = NearIds { lower: HashSet::new(), by_prefix: HashMap::new(), by_suffix: HashMap::new() };
        for id in ids {
            near.lower.insert(id.to_ascii_lowercase());
            if id.is_ascii() && id.len() >= 2 * ANCHOR {
                near.by_prefix.entry(&id[..ANCHOR]).or_default().push(id);
                near.by_suffix.entry(&id[id.len() - ANCHOR..]).or_default().push(id);
            }
        }
        near
    }

    /// A GUID (ASCII, 36 characters) almost equal to one of the ids.
    fn has_near(&self, guid: &str) -> bool {
        if self.lower.contains(&guid.to_ascii_lowercase()) {
            return true;
        }
        let candidates =
            self.by_prefix.get(&guid[..ANCHOR]).into_iter().chain(self.by_suffix.get(&guid[guid.len() - ANCHOR..]));
        candidates.flatten().any(|id| one_edit_apart(id, guid))
    }
}
