use foldhash::{HashSet, HashSetExt};
use std::cell::OnceCell;

use super::{one_edit_apart, Context, Mode, Rule, Sink};
use crate::finding::Level;
use crate::model::is_guid;
use crate::model::{rule_allows, IDENTITY_API_GROUP, USE_MANAGED_IDENTITY};

/// IB308: a grant names a client id that no ServiceAccount in scope carries (nor a tool's
/// configuration supplies).
pub(super) struct UnusedIdentityGrant;

impl Rule for UnusedIdentityGrant {
    fn id(&self) -> &'static str {
        "IB308"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        let inv = cx.inventory;
        // foldhash: one lookup per grant, of an id that std's SipHash took long to hash.
        let mut ids: HashSet<&str> = HashSet::with_capacity(inv.service_accounts.len());
        ids.extend(inv.service_accounts.iter().filter_map(|sa| sa.client_id()).map(|e| e.value.as_str()));
        // Tools that take the id from their own configuration (a cert-manager Issuer, …) use it too.
        ids.extend(inv.tool_configs.iter().flat_map(|c| c.literal_ids()).map(|id| id.value.value.as_str()));
        // Running pods may still use an id their ServiceAccount no longer carries (IB605's case):
        // the grant is not unused while they run.
        let running = inv.live.iter().flat_map(|l| &l.pods).filter(|p| p.is_running());
        ids.extend(running.filter_map(|p| p.env("AZURE_CLIENT_ID")));
        // Only grants that match no id need it (few, usually none).
        let near = OnceCell::new();
        // Every id counts, but only the grants of objects the run reports on are judged.
        for (role, rule) in inv.authored_rules().filter(|(role, _)| cx.reports_on(&role.meta)) {
            for r in rule.resources().iter().filter(|r| is_guid(&r.value)) {
                // The id is asked first: almost every grant names one in use.
                if ids.contains(r.value.as_str())
                    || !rule_allows(rule, USE_MANAGED_IDENTITY, IDENTITY_API_GROUP, &r.value)
                {
                    continue;
                }
                // A near match is IB302's finding, not an unused grant.
                if near.get_or_init(|| NearIds::new(&ids)).has_near(&r.value) {
                    continue;
                }
                let f = sink.emit_on(
                    &role.meta,
                    r.span,
                    format!(
                        "{} grants `{USE_MANAGED_IDENTITY}` for `{}`, which {}",
                        role.meta.object_ref(),
                        r.value,
                        match cx.mode {
                            Mode::Check => "no ServiceAccount in scope carries",
                            Mode::Audit => "no ServiceAccount of the cluster carries and no running pod uses",
                        }
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

/// Finds ids that differ from a GUID only in case or by one edit without comparing against every
/// id: one edit leaves either the first or the last `ANCHOR` characters of a 36-character GUID
/// untouched, and a change of case leaves them equal ignoring case, so candidates share one of
/// them (compared in lower case). Sorted tables of the ids themselves, each ordered by one of its
/// anchors, computed again when compared: no allocation per id, and half the memory of tables
/// that kept each anchor beside its id (built while the other rules hold their findings, at a
/// large repository's peak).
struct NearIds<'a> {
    by_prefix: Vec<&'a str>,
    by_suffix: Vec<&'a str>,
}

const ANCHOR: usize = 16;
type Anchor = [u8; ANCHOR];

fn anchor(bytes: &[u8]) -> Anchor {
    let mut a = [0; ANCHOR];
    for (to, from) in a.iter_mut().zip(bytes) {
        *to = from.to_ascii_lowercase();
    }
    a
}

fn prefix(id: &str) -> Anchor {
    anchor(&id.as_bytes()[..ANCHOR])
}

fn suffix(id: &str) -> Anchor {
    anchor(&id.as_bytes()[id.len() - ANCHOR..])
}

impl<'a> NearIds<'a> {
    fn new(ids: &HashSet<&'a str>) -> Self {
        let long = || ids.iter().copied().filter(|id| id.is_ascii() && id.len() >= 2 * ANCHOR);
        let mut by_prefix: Vec<&str> = long().collect();
        let mut by_suffix = by_prefix.clone();
        by_prefix.sort_unstable_by_key(|id| prefix(id));
        by_suffix.sort_unstable_by_key(|id| suffix(id));
        NearIds { by_prefix, by_suffix }
    }

    /// A GUID (ASCII, 36 characters) almost equal to one of the ids.
    fn has_near(&self, guid: &str) -> bool {
        fn sharing<'t>(table: &'t [&'t str], key: Anchor, of: fn(&str) -> Anchor) -> impl Iterator<Item = &'t str> {
            let start = table.partition_point(|id| of(id) < key);
            table[start..].iter().copied().take_while(move |id| of(id) == key)
        }
        sharing(&self.by_prefix, prefix(guid), prefix)
            .chain(sharing(&self.by_suffix, suffix(guid), suffix))
            .any(|id| id.eq_ignore_ascii_case(guid) || one_edit_apart(id, guid))
    }
}
