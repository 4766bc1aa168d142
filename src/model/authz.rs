//! The one place that answers "may ServiceAccount S `verb` resource R of API group G?", with
//! Kubernetes RBAC semantics: exact byte comparison, `*` wildcards, `resourceNames`, RoleBindings
//! only in their own namespace, aggregated ClusterRoles. A decision says why: which rule of which
//! role, through which binding, for which subject.

use foldhash::{HashMap, HashSet};

use super::lists::{List, Lists};

use super::inventory::Inventory;
use super::meta::Text;
use super::privilege::{subject_key, SubjectKey};
use super::rbac::{Binding, PolicyRule, Role, Subject, SubjectKind};

/// An access question about a ServiceAccount.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    pub sa_namespace: &'a str,
    pub sa_name: &'a str,
    pub verb: &'a str,
    pub api_group: &'a str,
    pub resource: &'a str,
    /// The namespace of the request; `None` for a cluster-scoped request (no RoleBinding applies).
    pub namespace: Option<&'a str>,
}

/// Why access is allowed: the rule, the role that holds it (for aggregated ClusterRoles, the
/// contributing role), the role the binding names, the binding and the subject that matched.
#[derive(Clone, Copy, Debug)]
pub struct Grant<'a> {
    pub binding: &'a Binding,
    pub subject: &'a Subject,
    pub role: &'a Role,
    pub rule_owner: &'a Role,
    pub rule: &'a PolicyRule,
}

#[derive(Clone, Copy, Debug)]
pub enum Decision<'a> {
    Allowed(Grant<'a>),
    Denied,
}

impl Decision<'_> {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allowed(_))
    }
}

/// Lookup tables for the evaluator, built by `Inventory::index`. Roles and ServiceAccount
/// subjects are found by position ([`super::keyed::Keyed`]: one per object, and a lookup by
/// `&str` allocates nothing); the few group subjects by maps keyed by `Text`. Both hash with
/// foldhash, several times faster than std's SipHash on these short keys (every
/// identity-binding account asks several of them).
#[derive(Debug, Default)]
pub(super) struct RbacIndex {
    /// The roles by kind, namespace ("" for ClusterRoles) and name ([`role_key`]).
    roles: super::keyed::Keyed,
    /// The subjects (binding, subject) that name a ServiceAccount ([`account_of`]), and their
    /// positions by the account's namespace and name.
    accounts: Vec<(u32, u32)>,
    accounts_index: super::keyed::Keyed,
    /// Group subjects `system:serviceaccounts:<ns>`, by namespace.
    namespace_groups: HashMap<Text, List>,
    /// Other group subjects, by name (`system:serviceaccounts`, `system:authenticated`, …).
    groups: HashMap<Text, List>,
    /// The subjects of the two maps above (binding, subject), key by key.
    subjects: Lists<(usize, usize)>,
    /// Aggregated ClusterRole → ClusterRoles whose rules it collects.
    aggregated: HashMap<usize, Vec<usize>>,
    /// Subjects a ClusterRoleBinding gives every permission (`super::privilege`).
    pub(super) superusers: HashSet<SubjectKey>,
    /// The long resource lists of rules, by the rule's address ([`rule_address`]), sorted.
    long_resources: HashMap<usize, SortedResources>,
}

/// Resource lists longer than this are searched through [`SortedResources`]: a ClusterRole that
/// names thousands of client ids, bound to thousands of accounts, had its list read from the
/// start for each account's question.
const LONG_RESOURCE_LIST: usize = 32;

/// A rule's resources as positions in its list, sorted by name, and whether the list holds `*`.
#[derive(Debug)]
struct SortedResources {
    order: Box<[u32]>,
    wildcard: bool,
}

/// A rule's identity for the index: its address, fixed while the inventory that holds it lives.
fn rule_address(rule: &PolicyRule) -> usize {
    std::ptr::from_ref(rule) as usize
}

impl RbacIndex {
    pub(super) fn build(inv: &Inventory) -> RbacIndex {
        let mut idx = RbacIndex {
            roles: super::keyed::Keyed::build(inv.roles.len(), role_key(&inv.roles)),
            ..RbacIndex::default()
        };
        for (bi, b) in inv.bindings.iter().enumerate() {
            for (si, s) in b.subjects.iter().enumerate() {
                let at = (bi, si);
                let name = s.name.value.as_str();
                match s.kind {
                    SubjectKind::ServiceAccount | SubjectKind::User => {
                        if account_of(b, s).is_some() {
                            idx.accounts.push((super::position(bi), super::position(si)));
                        }
                    }
                    SubjectKind::Group => match name.strip_prefix("system:serviceaccounts:") {
                        Some(ns) => idx.subjects.add_to(&mut idx.namespace_groups, Text::from(ns), at),
                        None => idx.subjects.add_to(&mut idx.groups, Text::from(name), at),
                    },
                    SubjectKind::Other(_) => {}
                }
            }
        }
        for (i, r) in inv.roles.iter().enumerate() {
            let Some(selectors) = &r.aggregation else { continue };
            let members = inv
                .roles
                .iter()
                .enumerate()
                .filter(|(j, other)| {
                    *j != i && other.is_cluster_role() && selectors.iter().any(|s| s.matches(&other.meta.labels))
                })
                .map(|(j, _)| j)
                .collect();
            idx.aggregated.insert(i, members);
        }
        for b in inv.bindings.iter().filter(|b| b.is_cluster_binding()) {
            let Some(i) = idx.role_index(&inv.roles, b) else { continue };
            if effective_rules(&inv.roles, &idx.aggregated, i).iter().any(|(_, r)| r.grants_everything()) {
                idx.superusers.extend(b.subjects.iter().map(|s| subject_key(b, s)));
            }
        }
        for rule in inv.roles.iter().flat_map(|r| r.rules.iter()).filter(|r| r.resources().len() > LONG_RESOURCE_LIST) {
            let resources = rule.resources();
            let mut order: Vec<u32> = (0..resources.len()).map(super::position).collect();
            order.sort_unstable_by(|&a, &b| resources[a as usize].value.cmp(&resources[b as usize].value));
            let wildcard = resources.iter().any(|r| r.value == "*");
            idx.long_resources.insert(rule_address(rule), SortedResources { order: order.into(), wildcard });
        }
        idx.accounts.shrink_to_fit();
        idx.accounts_index = super::keyed::Keyed::build(idx.accounts.len(), account_key(&inv.bindings, &idx.accounts));
        idx
    }

    /// The role a binding names, if it is in scope (of `roles`, those the index was built from):
    /// the first declaration of its name.
    fn role_index(&self, roles: &[Role], b: &Binding) -> Option<usize> {
        let r = b.role_ref.as_ref()?;
        let ns = if r.kind == "Role" { b.meta.namespace.as_str() } else { "" };
        self.roles.get(&(r.kind.as_str(), ns, r.name.value.as_str()), role_key(roles)).next()
    }

    /// [`rule_allows`] for `req`, a long resource list searched by name.
    fn allows(&self, rule: &PolicyRule, req: &Request) -> bool {
        let Some(sorted) = self.long_resources.get(&rule_address(rule)) else {
            return rule_allows(rule, req.verb, req.api_group, req.resource);
        };
        let resources = rule.resources();
        let named = || {
            sorted.wildcard
                || sorted.order.binary_search_by(|&i| resources[i as usize].value.as_str().cmp(req.resource)).is_ok()
        };
        rule_allows_where(rule, req.verb, req.api_group, named)
    }

    /// The subjects that name the ServiceAccount `namespace/name`, of `bindings` (those the
    /// index was built from).
    fn account_subjects<'s>(
        &'s self,
        bindings: &[Binding],
        namespace: &str,
        name: &str,
    ) -> impl Iterator<Item = (usize, usize)> + 's {
        let found = self.accounts_index.get(&(namespace, name), account_key(bindings, &self.accounts));
        found.map(|i| (self.accounts[i].0 as usize, self.accounts[i].1 as usize))
    }
}

/// The ServiceAccount a subject of `b` names, as (namespace, name): a ServiceAccount subject
/// (in a RoleBinding an empty namespace means the binding's own), or a user written
/// `system:serviceaccount:<ns>:<name>`, which names the same identity. Other users are never a
/// ServiceAccount: no request here asks for them.
fn account_of<'a>(b: &'a Binding, s: &'a Subject) -> Option<(&'a str, &'a str)> {
    let name = s.name.value.as_str();
    match s.kind {
        SubjectKind::ServiceAccount => {
            let ns = s.namespace.as_ref().map(|n| n.value.as_str());
            Some((ns.or_else(|| (!b.is_cluster_binding()).then_some(b.meta.namespace.as_str()))?, name))
        }
        SubjectKind::User => {
            let (ns, sa) = name.strip_prefix("system:serviceaccount:")?.split_once(':')?;
            (!sa.contains(':')).then_some((ns, sa))
        }
        _ => None,
    }
}

/// The key of the account index: the account a listed subject names.
fn account_key<'a>(
    bindings: &'a [Binding],
    accounts: &'a [(u32, u32)],
) -> impl Fn(usize) -> Option<(&'a str, &'a str)> + 'a {
    |i| {
        let &(b, s) = accounts.get(i)?;
        let b = bindings.get(b as usize)?;
        account_of(b, b.subjects.get(s as usize)?)
    }
}

/// The key of the role index: a role's kind, its namespace (none for a ClusterRole) and its name.
fn role_key<'a>(roles: &'a [Role]) -> impl Fn(usize) -> Option<(&'a str, &'a str, &'a str)> + 'a {
    |i| {
        let r = roles.get(i)?;
        let ns = if r.is_cluster_role() { "" } else { r.meta.namespace.as_str() };
        Some((r.meta.kind.as_str(), ns, r.meta.name.as_str()))
    }
}

/// The rules role `i` grants: those of the ClusterRoles it aggregates (with the member that
/// holds each), then its own rules that are not copies of theirs.
pub(super) fn effective_rules<'a>(
    roles: &'a [Role],
    aggregated: &HashMap<usize, Vec<usize>>,
    i: usize,
) -> Vec<(&'a Role, &'a PolicyRule)> {
    let role = &roles[i];
    // Most roles aggregate nothing: their rules are their own, collected in one allocation.
    if !aggregated.contains_key(&i) {
        return role.rules.iter().map(|r| (role, r)).collect();
    }
    let mut out = member_rules(roles, aggregated, i);
    let own: Vec<_> =
        role.rules.iter().filter(|r| !out.iter().any(|(_, m)| m.same_permissions(r))).map(|r| (role, r)).collect();
    out.splice(0..0, own);
    out
}

/// The rules of the ClusterRoles that role `i` aggregates, directly or through other aggregated
/// roles, each with the member that holds it; an aggregating member's copies of its own
/// members' rules are left to those members.
fn member_rules<'a>(
    roles: &'a [Role],
    aggregated: &HashMap<usize, Vec<usize>>,
    i: usize,
) -> Vec<(&'a Role, &'a PolicyRule)> {
    let mut out = Vec::new();
    let Some(direct) = aggregated.get(&i) else { return out };
    let mut stack: Vec<usize> = direct.clone();
    let mut seen = vec![i];
    while let Some(j) = stack.pop() {
        if seen.contains(&j) {
            continue;
        }
        seen.push(j);
        let member = &roles[j];
        let nested = aggregated.get(&j).map(Vec::as_slice).unwrap_or_default();
        stack.extend(nested.iter().copied());
        let copied = |r: &PolicyRule| nested.iter().any(|&k| roles[k].rules.iter().any(|m| m.same_permissions(r)));
        out.extend(member.rules.iter().filter(|r| !copied(r)).map(|r| (member, r)));
    }
    out
}

/// Does `rule` allow `verb` on `resource` of `api_group` (a request that names no object)?
pub fn rule_allows(rule: &PolicyRule, verb: &str, api_group: &str, resource: &str) -> bool {
    rule_allows_where(rule, verb, api_group, || names(rule.resources(), resource))
}

/// [`rule_allows`], with whether the rule's resources name the request's given by `names_resource`.
fn rule_allows_where(rule: &PolicyRule, verb: &str, api_group: &str, names_resource: impl FnOnce() -> bool) -> bool {
    names(rule.verbs(), verb)
        && names(rule.api_groups(), api_group)
        && names_resource()
        // A rule restricted to resourceNames never matches a request that names no object.
        && rule.resource_names().is_empty()
}

/// Whether `list` holds `want` or `*`.
fn names(list: &[super::Str], want: &str) -> bool {
    list.iter().any(|s| s.value == "*" || s.value == want)
}

/// Does `rule` allow `verb` on *some* resource of `api_group`?
pub fn rule_allows_any_resource(rule: &PolicyRule, verb: &str, api_group: &str) -> bool {
    names(rule.verbs(), verb) && names(rule.api_groups(), api_group) && !rule.resources().is_empty()
}

impl Inventory {
    /// The role a binding names, if it is in scope.
    pub fn role_of(&self, b: &Binding) -> Option<&Role> {
        self.role_index_of(b).map(|i| &self.roles[i])
    }

    fn role_index_of(&self, b: &Binding) -> Option<usize> {
        self.rbac.role_index(&self.roles, b)
    }

    /// The rules a binding grants: its role's, with the rules of the ClusterRoles that role
    /// aggregates; each with the role that holds it.
    pub fn rules_of_binding(&self, b: &Binding) -> Vec<(&Role, &PolicyRule)> {
        self.role_index_of(b).map(|i| self.effective_rules(i)).unwrap_or_default()
    }

    fn effective_rules(&self, i: usize) -> Vec<(&Role, &PolicyRule)> {
        effective_rules(&self.roles, &self.rbac.aggregated, i)
    }

    /// Every role's rules as their authors wrote them: an aggregated ClusterRole's copies of
    /// its members' rules (the aggregation controller writes them in a live cluster) are left
    /// to the members, so a grant is found once, where it was written.
    pub fn authored_rules(&self) -> impl Iterator<Item = (&Role, &PolicyRule)> {
        self.roles.iter().enumerate().flat_map(move |(i, role)| {
            let members = member_rules(&self.roles, &self.rbac.aggregated, i);
            role.rules
                .iter()
                .filter(move |r| !members.iter().any(|(_, m)| m.same_permissions(r)))
                .map(move |r| (role, r))
        })
    }

    /// The bindings (with the matching subject) that apply to a ServiceAccount: by name, as the
    /// user `system:serviceaccount:ns:name`, or through its groups.
    pub fn bindings_for(&self, sa_namespace: &str, sa_name: &str) -> Vec<(&Binding, &Subject)> {
        let rbac = &self.rbac;
        let groups = [
            rbac.namespace_groups.get(sa_namespace),
            rbac.groups.get("system:serviceaccounts"),
            rbac.groups.get("system:authenticated"),
        ];
        let mut out: Vec<(usize, usize)> = rbac
            .account_subjects(&self.bindings, sa_namespace, sa_name)
            .chain(groups.into_iter().flatten().flat_map(|&list| rbac.subjects.iter(list)))
            .collect();
        out.sort_unstable();
        out.dedup();
        out.into_iter().map(|(b, s)| (&self.bindings[b], &self.bindings[b].subjects[s])).collect()
    }

    /// Every grant that answers `req`, ClusterRoleBindings first.
    pub fn grants(&self, req: &Request) -> Vec<Grant<'_>> {
        let mut out = Vec::new();
        for (binding, subject) in self.bindings_for(req.sa_namespace, req.sa_name) {
            if !binding.is_cluster_binding() && req.namespace != Some(binding.meta.namespace.as_str()) {
                continue;
            }
            let Some(i) = self.role_index_of(binding) else { continue };
            let role = &self.roles[i];
            for (rule_owner, rule) in self.effective_rules(i) {
                if self.rbac.allows(rule, req) {
                    out.push(Grant { binding, subject, role, rule_owner, rule });
                }
            }
        }
        out.sort_by_key(|g| !g.binding.is_cluster_binding());
        out
    }

    /// The decision for `req`.
    pub fn may(&self, req: &Request) -> Decision<'_> {
        match self.grants(req).into_iter().next() {
            Some(g) => Decision::Allowed(g),
            None => Decision::Denied,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::source::{self, files::FileKind, Input, LoadOptions};

    const ID: &str = "3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60";

    fn inventory(yaml: &str) -> Inventory {
        let path: Arc<str> = Arc::from("rbac.yaml");
        let input = Input { display: &path, kind: FileKind::Manifest, bytes: yaml.as_bytes(), is_patch: false };
        let objects = source::load(&input, &LoadOptions::default());
        assert!(objects.parse_failures.is_empty(), "{:?}", objects.parse_failures);
        Inventory::build(objects)
    }

    fn role(kind: &str, ns: &str, name: &str, labels: &str, rule: &str) -> String {
        format!(
            "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata:\n  name: {name}\n  namespace: {ns}\n  labels: {{{labels}}}\nrules:\n  - {rule}\n"
        )
    }

    fn identity_rule(verbs: &str, groups: &str, resources: &str) -> String {
        format!("{{verbs: [{verbs}], apiGroups: [{groups}], resources: [{resources}]}}")
    }

    fn binding(kind: &str, ns: &str, role_kind: &str, role: &str, subject: &str) -> String {
        format!(
            "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata:\n  name: b\n  namespace: {ns}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: {role_kind}, name: {role}}}\nsubjects:\n  - {subject}\n"
        )
    }

    fn may(inv: &Inventory, sa_ns: &str, sa: &str, resource: &str, ns: Option<&str>) -> bool {
        let req = Request {
            sa_namespace: sa_ns,
            sa_name: sa,
            verb: super::super::USE_MANAGED_IDENTITY,
            api_group: super::super::IDENTITY_API_GROUP,
            resource,
            namespace: ns,
        };
        inv.may(&req).is_allowed()
    }

    const GOOD_RULE: (&str, &str) = ("\"use-managed-identity\"", "\"cid.wi.aks.azure.com\"");

    #[test]
    fn kubernetes_rbac_cases() {
        let good = identity_rule(GOOD_RULE.0, GOOD_RULE.1, &format!("\"{ID}\""));
        let sa = "{kind: ServiceAccount, name: api, namespace: team-a}";
        // (description, manifests, sa namespace, request namespace, expected)
        let cases: Vec<(&str, String, &str, Option<&str>, bool)> = vec![
            ("ServiceAccount subject", role("ClusterRole", "x", "r", "", &good) + &binding("ClusterRoleBinding", "x", "ClusterRole", "r", sa), "team-a", Some("team-a"), true),
            ("same name, other namespace", role("ClusterRole", "x", "r", "", &good) + &binding("ClusterRoleBinding", "x", "ClusterRole", "r", sa), "team-b", Some("team-b"), false),
            ("user subject", role("ClusterRole", "x", "r", "", &good) + &binding("ClusterRoleBinding", "x", "ClusterRole", "r", "{kind: User, name: \"system:serviceaccount:team-a:api\"}"), "team-a", None, true),
            ("namespace group", role("ClusterRole", "x", "r", "", &good) + &binding("ClusterRoleBinding", "x", "ClusterRole", "r", "{kind: Group, name: \"system:serviceaccounts:team-a\"}"), "team-a", None, true),
            ("other namespace's group", role("ClusterRole", "x", "r", "", &good) + &binding("ClusterRoleBinding", "x", "ClusterRole", "r", "{kind: Group, name: \"system:serviceaccounts:team-b\"}"), "team-a", None, false),
            ("all service accounts", role("ClusterRole", "x", "r", "", &good) + &binding("ClusterRoleBinding", "x", "ClusterRole", "r", "{kind: Group, name: \"system:serviceaccounts\"}"), "team-a", None, true),
            ("authenticated", role("ClusterRole", "x", "r", "", &good) + &binding("ClusterRoleBinding", "x", "ClusterRole", "r", "{kind: Group, name: \"system:authenticated\"}"), "team-a", None, true),
            ("RoleBinding in the request namespace", role("ClusterRole", "x", "r", "", &good) + &binding("RoleBinding", "team-a", "ClusterRole", "r", sa), "team-a", Some("team-a"), true),
            ("RoleBinding, cluster-scoped request", role("ClusterRole", "x", "r", "", &good) + &binding("RoleBinding", "team-a", "ClusterRole", "r", sa), "team-a", None, false),
            ("RoleBinding in another namespace", role("ClusterRole", "x", "r", "", &good) + &binding("RoleBinding", "team-b", "ClusterRole", "r", sa), "team-a", Some("team-a"), false),
            ("RoleBinding subject without namespace = binding's", role("ClusterRole", "x", "r", "", &good) + &binding("RoleBinding", "team-a", "ClusterRole", "r", "{kind: ServiceAccount, name: api}"), "team-a", Some("team-a"), true),
            ("ClusterRoleBinding subject without namespace", role("ClusterRole", "x", "r", "", &good) + &binding("ClusterRoleBinding", "x", "ClusterRole", "r", "{kind: ServiceAccount, name: api}"), "team-a", Some("team-a"), false),
            ("Role through RoleBinding", role("Role", "team-a", "r", "", &good) + &binding("RoleBinding", "team-a", "Role", "r", sa), "team-a", Some("team-a"), true),
            ("Role of another namespace", role("Role", "team-b", "r", "", &good) + &binding("RoleBinding", "team-a", "Role", "r", sa), "team-a", Some("team-a"), false),
            ("wrong API group", role("ClusterRole", "x", "r", "", &identity_rule(GOOD_RULE.0, "\"cid.wi.aks.azure.io\"", &format!("\"{ID}\""))) + &binding("ClusterRoleBinding", "x", "ClusterRole", "r", sa), "team-a", None, false),
            ("verb use-managed-identities", role("ClusterRole", "x", "r", "", &identity_rule("\"use-managed-identities\"", GOOD_RULE.1, &format!("\"{ID}\""))) + &binding("ClusterRoleBinding", "x", "ClusterRole", "r", sa), "team-a", None, false),
            ("wildcard verbs", role("ClusterRole", "x", "r", "", &identity_rule("\"*\"", GOOD_RULE.1, &format!("\"{ID}\""))) + &binding("ClusterRoleBinding", "x", "ClusterRole", "r", sa), "team-a", None, true),
            ("wildcard API groups", role("ClusterRole", "x", "r", "", &identity_rule(GOOD_RULE.0, "\"*\"", &format!("\"{ID}\""))) + &binding("ClusterRoleBinding", "x", "ClusterRole", "r", sa), "team-a", None, true),
            ("wildcard resources", role("ClusterRole", "x", "r", "", &identity_rule(GOOD_RULE.0, GOOD_RULE.1, "\"*\"")) + &binding("ClusterRoleBinding", "x", "ClusterRole", "r", sa), "team-a", None, true),
            ("upper-case id", role("ClusterRole", "x", "r", "", &identity_rule(GOOD_RULE.0, GOOD_RULE.1, &format!("\"{}\"", ID.to_uppercase()))) + &binding("ClusterRoleBinding", "x", "ClusterRole", "r", sa), "team-a", None, false),
            ("resourceNames restrict", role("ClusterRole", "x", "r", "", &format!("{{verbs: [\"use-managed-identity\"], apiGroups: [\"cid.wi.aks.azure.com\"], resources: [\"*\"], resourceNames: [\"{ID}\"]}}")) + &binding("ClusterRoleBinding", "x", "ClusterRole", "r", sa), "team-a", None, false),
            ("missing role", binding("ClusterRoleBinding", "x", "ClusterRole", "r", sa), "team-a", None, false),
        ];
        for (what, yaml, sa_ns, ns, expected) in cases {
            let inv = inventory(&yaml);
            assert_eq!(may(&inv, sa_ns, "api", ID, ns), expected, "{what}");
        }
    }

    #[test]
    fn aggregated_cluster_roles_follow_label_selectors() {
        let good = identity_rule(GOOD_RULE.0, GOOD_RULE.1, &format!("\"{ID}\""));
        let sa = "{kind: ServiceAccount, name: api, namespace: team-a}";
        let aggregate = |selector: &str| {
            format!("---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: agg\naggregationRule:\n  clusterRoleSelectors:\n    - {selector}\nrules: []\n")
                + &role("ClusterRole", "x", "member", "tier: identity, team: a", &good)
                + &binding("ClusterRoleBinding", "x", "ClusterRole", "agg", sa)
        };
        for (selector, expected) in [
            ("{matchLabels: {tier: identity}}", true),
            ("{matchLabels: {tier: identity, team: b}}", false),
            ("{matchExpressions: [{key: team, operator: In, values: [a, b]}]}", true),
            ("{matchExpressions: [{key: team, operator: NotIn, values: [a]}]}", false),
            ("{matchExpressions: [{key: tier, operator: Exists}]}", true),
            ("{matchExpressions: [{key: tier, operator: DoesNotExist}]}", false),
        ] {
            let inv = inventory(&aggregate(selector));
            assert_eq!(may(&inv, "team-a", "api", ID, None), expected, "{selector}");
        }
    }

    #[test]
    fn decisions_say_why() {
        let good = identity_rule(GOOD_RULE.0, GOOD_RULE.1, &format!("\"{ID}\""));
        let inv = inventory(
            &(role("ClusterRole", "x", "use-mi", "", &good)
                + &binding(
                    "ClusterRoleBinding",
                    "x",
                    "ClusterRole",
                    "use-mi",
                    "{kind: User, name: \"system:serviceaccount:team-a:api\"}",
                )),
        );
        let req = Request {
            sa_namespace: "team-a",
            sa_name: "api",
            verb: super::super::USE_MANAGED_IDENTITY,
            api_group: super::super::IDENTITY_API_GROUP,
            resource: ID,
            namespace: None,
        };
        let Decision::Allowed(g) = inv.may(&req) else { panic!("denied") };
        assert_eq!(g.binding.meta.name, "b");
        assert_eq!(g.role.meta.name, "use-mi");
        assert_eq!(g.subject.kind, SubjectKind::User);
        assert_eq!(g.rule.resources()[0].value, ID);
    }

    /// A resource list long enough to be searched by name answers every question as a short one
    /// does: each named id (first, middle, last), ids it does not name or names in another case,
    /// `*` anywhere in it, and `resourceNames` that restrict it.
    #[test]
    fn long_resource_lists_answer_as_short_ones() {
        let ids: Vec<String> =
            (0..LONG_RESOURCE_LIST * 3).map(|i| format!("{i:08x}-abcd-4000-8000-00000000000a")).collect();
        let quoted = |ids: &[String]| ids.iter().map(|i| format!("\"{i}\"")).collect::<Vec<_>>().join(", ");
        let sa = "{kind: ServiceAccount, name: api, namespace: team-a}";
        let asked: Vec<String> = [ids[0].clone(), ids[ids.len() / 2].clone(), ids[ids.len() - 1].clone()]
            .into_iter()
            .chain([ids[1].to_uppercase(), "ffffffff-0000-4000-8000-000000000000".to_string(), "*".to_string()])
            .collect();
        let lists =
            [(quoted(&ids), ""), (format!("{}, \"*\"", quoted(&ids[1..])), ""), (quoted(&ids), ", resourceNames: [x]")];
        for (resources, extra) in &lists {
            let long =
                format!("{{verbs: [{}], apiGroups: [{}], resources: [{resources}]{extra}}}", GOOD_RULE.0, GOOD_RULE.1);
            let inv = inventory(
                &(role("ClusterRole", "x", "r", "", &long)
                    + &binding("ClusterRoleBinding", "x", "ClusterRole", "r", sa)),
            );
            let rule = &inv.roles[0].rules[0];
            assert!(inv.rbac.long_resources.contains_key(&rule_address(rule)), "the list is indexed");
            for resource in &asked {
                let expected =
                    rule_allows(rule, super::super::USE_MANAGED_IDENTITY, super::super::IDENTITY_API_GROUP, resource);
                assert_eq!(
                    may(&inv, "team-a", "api", resource, Some("team-a")),
                    expected,
                    "{resource} in [{resources}]{extra}"
                );
            }
        }
        // The answers themselves, for the plain list: the named ids, not another case or an absent id.
        let plain =
            format!("{{verbs: [{}], apiGroups: [{}], resources: [{}]}}", GOOD_RULE.0, GOOD_RULE.1, quoted(&ids));
        let inv = inventory(
            &(role("ClusterRole", "x", "r", "", &plain) + &binding("ClusterRoleBinding", "x", "ClusterRole", "r", sa)),
        );
        let answers: Vec<bool> = asked.iter().map(|r| may(&inv, "team-a", "api", r, Some("team-a"))).collect();
        assert_eq!(answers, [true, true, true, false, false, false]);
    }
}
