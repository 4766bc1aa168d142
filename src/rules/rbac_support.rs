//! Questions the identity-binding authorization rules (IB301–IB308) share.

use std::collections::{BTreeSet, HashMap};

use rayon::prelude::*;

use super::fix_values;
use super::sa_support::{tool_supply, AccountUsers, AllAccountUsers};
use crate::fix::Plan;
use crate::model::{identity_binding_enabled, is_placeholder, position};
use crate::model::{
    rule_allows_any_resource, Grant, Inventory, Meta, PolicyRule, Request, ServiceAccount, Str, Workload,
    IDENTITY_API_GROUP, USE_MANAGED_IDENTITY,
};
use crate::span::Span;

/// A ServiceAccount whose pods use identity binding, its client id, those pods, and the grants
/// that let it use that client id (ClusterRoleBindings first; none: denied).
#[derive(Clone, Copy)]
pub struct BoundAccount<'s, 'a> {
    pub sa: &'a ServiceAccount,
    pub client_id: &'s BoundId<'a>,
    pub pods: &'s [&'a Workload],
    pub grants: &'s [Grant<'a>],
}

/// The client id identity binding uses for an account, and the object whose field holds it: the
/// ServiceAccount's annotation, or the configuration of a tool that supplies the id itself.
pub struct BoundId<'a> {
    pub value: &'a str,
    pub span: Span,
    pub holder: &'a Meta,
    /// What the field is, for related locations, when it is a tool's (`None`: the
    /// ServiceAccount's annotation, as for nearly every account; every identity-binding account
    /// has an entry, and a text took 24 bytes of each): see [`BoundId::what`].
    tool_field: Option<Box<str>>,
}

impl BoundId<'_> {
    /// What the field is, for related locations ("the ServiceAccount's client id").
    pub fn what(&self) -> &str {
        self.tool_field.as_deref().unwrap_or("the ServiceAccount's client id")
    }
}

/// Every [`BoundAccount`], in parts: in each, the accounts' pods and grants are ranges of two
/// vectors. One account of every identity-binding application is held through all the rules,
/// and a boxed slice of pods and one of grants per account were ~50,000 allocations at 30,000
/// applications, at the run's peak. The parts are built side by side, each reserved for its
/// accounts, and kept apart: appending them into one set of vectors held them twice.
#[derive(Default)]
pub(super) struct AllBoundAccounts<'a> {
    parts: Vec<Part<'a>>,
}

#[derive(Default)]
struct Part<'a> {
    accounts: Vec<Bound<'a>>,
    pods: Vec<&'a Workload>,
    grants: Vec<Grant<'a>>,
}

struct Bound<'a> {
    sa: &'a ServiceAccount,
    client_id: BoundId<'a>,
    pods: (u32, u32),
    grants: (u32, u32),
}

impl<'a> AllBoundAccounts<'a> {
    pub(super) fn iter(&self) -> impl Iterator<Item = BoundAccount<'_, 'a>> {
        self.parts.iter().flat_map(|part| {
            part.accounts.iter().map(|b| BoundAccount {
                sa: b.sa,
                client_id: &b.client_id,
                pods: &part.pods[b.pods.0 as usize..b.pods.1 as usize],
                grants: &part.grants[b.grants.0 as usize..b.grants.1 as usize],
            })
        })
    }
}

impl<'a> Part<'a> {
    /// The entries of `users`' accounts `range`, reserved for one client id and one grant each
    /// (nearly every account), and for every pod.
    fn of(inv: &'a Inventory, users: &AllAccountUsers<'a>, range: std::ops::Range<usize>) -> Part<'a> {
        let pods = range.clone().map(|i| users.get(i).pods.len()).sum();
        let mut part = Part {
            accounts: Vec::with_capacity(range.len()),
            pods: Vec::with_capacity(pods),
            grants: Vec::with_capacity(range.len()),
        };
        range.for_each(|i| part.add(inv, users.get(i)));
        part
    }

    /// Adds one account's entries: one per client id (none when no pod uses identity binding).
    fn add(&mut self, inv: &'a Inventory, u: AccountUsers<'_, 'a>) {
        let start = position(self.pods.len());
        self.pods.extend(u.pods.iter().copied().filter(|w| identity_binding_enabled(&w.pod)));
        let pods = (start, position(self.pods.len()));
        if pods.0 == pods.1 {
            return;
        }
        for client_id in bound_ids(inv, u.sa, &self.pods[start as usize..]) {
            let start = position(self.grants.len());
            self.grants.extend(inv.grants(&identity_request(u.sa, client_id.value)));
            let grants = (start, position(self.grants.len()));
            self.accounts.push(Bound { sa: u.sa, client_id, pods, grants });
        }
    }
}

/// Every ServiceAccount in scope that identity-binding pods run as and that names a client id
/// (missing accounts and ids are IB204's and IB201's business), from the accounts in use
/// (`users`). Rules read it through [`super::Context::bound_accounts`], which computes it once.
pub(super) fn bound_accounts<'a>(inv: &'a Inventory, users: &AllAccountUsers<'a>) -> AllBoundAccounts<'a> {
    // Each account's answer is independent: computed in parallel, a few parts a thread (an
    // account's cost varies), kept in the order of `users`.
    let len = users.len();
    let parts = (rayon::current_num_threads() * 4).clamp(1, len.max(1));
    let parts = (0..parts).into_par_iter().map(|p| Part::of(inv, users, p * len / parts..(p + 1) * len / parts));
    AllBoundAccounts { parts: parts.collect() }
}

/// The client ids identity binding uses for an account: its annotation, else the literal ids the
/// configurations of a tool its pods run supply (one account may then need several grants).
/// Blank values, placeholders and values of the wrong type are other rules' business.
fn bound_ids<'a>(inv: &'a Inventory, sa: &'a ServiceAccount, pods: &[&'a Workload]) -> Vec<BoundId<'a>> {
    let usable = |v: &str| !v.trim().is_empty() && !is_placeholder(v);
    if let Some(e) = sa.client_id() {
        return match e.is_string() && usable(&e.value) {
            true => vec![BoundId { value: &e.value, span: e.value_span, holder: &sa.meta, tool_field: None }],
            false => Vec::new(),
        };
    }
    let mut out: Vec<BoundId> = Vec::new();
    for supply in pods.iter().filter_map(|w| tool_supply(inv, w)) {
        for config in supply.configs {
            for id in config.literal_ids().filter(|id| usable(&id.value.value)) {
                if out.iter().all(|b| b.value != id.value.value) {
                    let what =
                        format!("`{}` of {}, which {} uses", id.field, config.meta.object_ref(), supply.tool.name);
                    let tool_field = Some(what.into_boxed_str());
                    out.push(BoundId { value: &id.value.value, span: id.value.span, holder: &config.meta, tool_field });
                }
            }
        }
    }
    out
}

/// The access question identity bindings ask for `sa` and `client_id`.
pub(super) fn identity_request<'a>(sa: &'a ServiceAccount, client_id: &'a str) -> Request<'a> {
    Request {
        sa_namespace: &sa.meta.namespace,
        sa_name: &sa.meta.name,
        verb: USE_MANAGED_IDENTITY,
        api_group: IDENTITY_API_GROUP,
        resource: client_id,
        namespace: Some(&sa.meta.namespace),
    }
}

/// The rule can grant `use-managed-identity` on the identity API group (for some client id).
pub(super) fn grants_identity_use(rule: &PolicyRule) -> bool {
    rule_allows_any_resource(rule, USE_MANAGED_IDENTITY, IDENTITY_API_GROUP)
}

/// The first `*` in the rule's verbs, API groups or resources, and which list holds it.
pub(super) fn wildcard(rule: &PolicyRule) -> Option<(&'static str, &Str)> {
    [("verbs", rule.verbs()), ("apiGroups", rule.api_groups()), ("resources", rule.resources())]
        .into_iter()
        .find_map(|(what, list)| list.iter().find(|s| s.value == "*").map(|s| (what, s)))
}

/// How many ids a message names before "and N more": a message names a few, never all of a
/// cluster's identities (a hostile tree could otherwise make every finding as large as the tree).
const LISTED_IDS: usize = 5;

/// What identity rules expose, described for messages once per rule, however many bindings and
/// subjects name it (IB304, IB305).
pub(super) struct Exposure<'a> {
    inv: &'a Inventory,
    /// Every client id in scope, sorted: what a `*` resource exposes. Computed on first use.
    in_scope: Option<Vec<&'a str>>,
    described: HashMap<*const PolicyRule, String>,
}

impl<'a> Exposure<'a> {
    pub(super) fn new(inv: &'a Inventory) -> Self {
        Exposure { inv, in_scope: None, described: HashMap::new() }
    }

    /// "the managed identities a, b" or "every managed identity bound to the cluster (in scope:
    /// a, b, … and N more)".
    pub(super) fn describe(&mut self, rule: &PolicyRule) -> String {
        if let Some(text) = self.described.get(&std::ptr::from_ref(rule)) {
            return text.clone();
        }
        let text = if rule.resources().iter().any(|r| r.value == "*") {
            let inv = self.inv;
            let ids = self.in_scope.get_or_insert_with(|| {
                let ids: BTreeSet<&str> = inv
                    .service_accounts
                    .iter()
                    .filter_map(|sa| sa.client_id())
                    .map(|e| e.value.as_str())
                    .filter(|v| !v.is_empty())
                    .collect();
                ids.into_iter().collect()
            });
            match ids.len() {
                0 => "every managed identity bound to the cluster".to_string(),
                _ => format!("every managed identity bound to the cluster (in scope: {})", bounded_list(ids)),
            }
        } else {
            let ids: BTreeSet<&str> = rule.resources().iter().map(|r| r.value.as_str()).collect();
            format!("the managed identities {}", bounded_list(&ids.into_iter().collect::<Vec<_>>()))
        };
        self.described.insert(std::ptr::from_ref(rule), text.clone());
        text
    }
}

/// `a, b, c, d, e and 7 more`.
fn bounded_list(ids: &[&str]) -> String {
    let shown = ids.iter().take(LISTED_IDS).copied().collect::<Vec<_>>().join(", ");
    match ids.len().saturating_sub(LISTED_IDS) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}

/// The ClusterRole and ClusterRoleBinding that let `sa` use `client_id` (the documented
/// `use-mi-<client-id>` pattern), and whether every value in it is the real one (no placeholder
/// stands in for a value that is not valid there: only then may a tool apply it).
pub(super) fn grant_yaml(sa: &ServiceAccount, client_id: &str) -> (String, bool) {
    let id = fix_values::guid_or(client_id, fix_values::CLIENT_ID);
    let (sa_name, sa_namespace) = (fix_values::object_name(&sa.meta.name), fix_values::namespace(&sa.meta.namespace));
    let complete = id == client_id && sa_name == sa.meta.name && sa_namespace == sa.meta.namespace;
    let name = format!("use-mi-{}", id.to_ascii_lowercase());
    let yaml = format!(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: {name}\nrules:\n  - verbs: \
         [\"{USE_MANAGED_IDENTITY}\"]\n    apiGroups: [\"{IDENTITY_API_GROUP}\"]\n    resources: [\"{id}\"]\n---\n\
         apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: {name}\nroleRef:\n  \
         apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: {name}\nsubjects:\n  - kind: ServiceAccount\n    \
         name: {sa_name}\n    namespace: {sa_namespace}\n"
    );
    (yaml, complete)
}

/// The ClusterRole and ClusterRoleBinding that let every account of `accounts` use `client_id`,
/// for a tool to apply: `None` when a value would need a placeholder.
pub(super) fn applicable_grant_yaml(accounts: &[&ServiceAccount], client_id: &str) -> Option<String> {
    let first = accounts.first()?;
    let (mut yaml, complete) = grant_yaml(first, client_id);
    if !complete {
        return None;
    }
    for sa in &accounts[1..] {
        let (_, complete) = grant_yaml(sa, client_id);
        if !complete {
            return None;
        }
        yaml.push_str(&format!(
            "  - kind: ServiceAccount\n    name: {}\n    namespace: {}\n",
            sa.meta.name, sa.meta.namespace
        ));
    }
    Some(yaml)
}

/// Adds to `plan` the rewrite of a client id (`value`, written at `span` of `holder`: a
/// ServiceAccount's annotation) to `id`, and of every identity grant resource that names the old id
/// exactly, so that the grants that work keep working.
pub(super) fn rewrite_client_id(
    inv: &Inventory,
    plan: Plan,
    holder: &Meta,
    span: Span,
    value: &str,
    id: &str,
) -> Option<Plan> {
    let mut plan = plan.rewrite(&holder.at(span), value, id)?;
    for (role, rule) in inv.authored_rules().filter(|(_, r)| grants_identity_use(r)) {
        for r in rule.resources().iter().filter(|r| r.value == value) {
            plan = plan.rewrite(&role.meta.at(r.span), &r.value, id)?;
        }
    }
    Some(plan)
}
