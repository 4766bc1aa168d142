//! RBAC objects: ClusterRole, Role, ClusterRoleBinding, RoleBinding, with spans on every field a
//! rule can point at. The evaluator that answers "may this ServiceAccount …?" is in `authz.rs`.

use super::meta::{Meta, Str};
use crate::span::Span;

/// One entry of a role's `rules:`.
///
/// Its four lists are held one after another in one allocation: every role of a large
/// repository has a rule or two, and a vector for each list was four allocations a rule, most
/// of them of one short item (`verbs: ["use-managed-identity"]`).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct PolicyRule {
    /// Verbs, API groups, resources, then resource names.
    lists: Box<[Str]>,
    /// Where the API groups, the resources and the resource names start in `lists`.
    starts: [u32; 3],
    /// The rule's first line (the `- ` entry).
    pub span: Span,
}

impl PolicyRule {
    pub fn new(
        verbs: Vec<Str>,
        api_groups: Vec<Str>,
        resources: Vec<Str>,
        resource_names: Vec<Str>,
        span: Span,
    ) -> Self {
        // A count past `u32::MAX` cannot come from a file under the size limit.
        let at = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let starts =
            [at(verbs.len()), at(verbs.len() + api_groups.len()), at(verbs.len() + api_groups.len() + resources.len())];
        let lists = [verbs, api_groups, resources, resource_names].into_iter().flatten().collect();
        PolicyRule { lists, starts, span }
    }

    pub fn verbs(&self) -> &[Str] {
        &self.lists[..self.starts[0] as usize]
    }

    pub fn api_groups(&self) -> &[Str] {
        &self.lists[self.starts[0] as usize..self.starts[1] as usize]
    }

    pub fn resources(&self) -> &[Str] {
        &self.lists[self.starts[1] as usize..self.starts[2] as usize]
    }

    pub fn resource_names(&self) -> &[Str] {
        &self.lists[self.starts[2] as usize..]
    }

    /// The same verbs, API groups, resources and resource names (wherever it is written).
    pub fn same_permissions(&self, other: &PolicyRule) -> bool {
        let same = |a: &[Str], b: &[Str]| a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.value == y.value);
        self.starts == other.starts && same(&self.lists, &other.lists)
    }

    /// Every verb on every resource of every API group: `cluster-admin`'s rule. Its subjects hold
    /// every permission there is (in the binding's scope).
    pub fn grants_everything(&self) -> bool {
        let star = |list: &[Str]| list.iter().any(|s| s.value == "*");
        star(self.verbs()) && star(self.api_groups()) && star(self.resources()) && self.resource_names().is_empty()
    }
}

/// A ClusterRole (`meta.cluster_scoped`) or a Role.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Role {
    pub meta: Meta,
    /// A boxed slice of its exact size: a vector's room for its capacity, on every role.
    pub rules: Box<[PolicyRule]>,
    /// `aggregationRule.clusterRoleSelectors` of an aggregated ClusterRole (a boxed slice: few
    /// roles have one, and every role pays for the field).
    pub aggregation: Option<Box<[LabelSelector]>>,
}

impl Role {
    pub fn is_cluster_role(&self) -> bool {
        self.meta.kind == "ClusterRole"
    }
}

/// A label selector as Kubernetes evaluates it.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct LabelSelector {
    pub match_labels: Vec<(String, String)>,
    pub match_expressions: Vec<SelectorRequirement>,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct SelectorRequirement {
    pub key: String,
    /// `In`, `NotIn`, `Exists`, `DoesNotExist`.
    pub operator: String,
    pub values: Vec<String>,
}

impl LabelSelector {
    /// True when `labels` satisfy every requirement (an empty selector matches everything).
    pub fn matches(&self, labels: &super::Entries) -> bool {
        self.match_labels.iter().all(|(k, v)| labels.value(k) == Some(v.as_str()))
            && self.match_expressions.iter().all(|r| {
                let value = labels.value(&r.key);
                match r.operator.as_str() {
                    "In" => value.is_some_and(|v| r.values.iter().any(|x| x == v)),
                    "NotIn" => value.is_none_or(|v| !r.values.iter().any(|x| x == v)),
                    "Exists" => value.is_some(),
                    "DoesNotExist" => value.is_none(),
                    _ => false,
                }
            })
    }
}

/// What a binding's subject names. RBAC knows three kinds; any other text is kept as written so
/// that messages can quote it, and matches no request (interned: every binding has subjects, and
/// a text inline took 16 bytes more in each).
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum SubjectKind {
    ServiceAccount,
    User,
    Group,
    Other(super::Interned),
}

impl SubjectKind {
    pub fn parse(text: &str) -> Self {
        match text {
            "ServiceAccount" => SubjectKind::ServiceAccount,
            "User" => SubjectKind::User,
            "Group" => SubjectKind::Group,
            other => SubjectKind::Other(super::Interned::new(other)),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            SubjectKind::ServiceAccount => "ServiceAccount",
            SubjectKind::User => "User",
            SubjectKind::Group => "Group",
            SubjectKind::Other(text) => text,
        }
    }
}

impl std::fmt::Display for SubjectKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A binding's subject.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Subject {
    pub kind: SubjectKind,
    pub name: Str,
    pub namespace: Option<Str>,
    pub span: Span,
}

/// A binding's `roleRef`.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct RoleRef {
    /// `ClusterRole` or `Role` (interned: every binding has one).
    pub kind: super::Interned,
    pub name: Str,
    pub span: Span,
}

/// A ClusterRoleBinding (`meta.cluster_scoped`) or a RoleBinding.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Binding {
    pub meta: Meta,
    pub role_ref: Option<RoleRef>,
    /// A boxed slice of its exact size, as in [`Role::rules`].
    pub subjects: Box<[Subject]>,
}

impl Binding {
    pub fn is_cluster_binding(&self) -> bool {
        self.meta.kind == "ClusterRoleBinding"
    }
}

#[cfg(test)]
mod tests {
    use super::PolicyRule;
    use crate::model::Str;
    use crate::span::Span;

    fn strs(items: &[&str]) -> Vec<Str> {
        items.iter().map(|s| Str { value: (*s).into(), span: Span::default() }).collect()
    }

    fn values(list: &[Str]) -> Vec<&str> {
        list.iter().map(Str::as_str).collect()
    }

    /// Each list reads back its own items, empty ones included, also once decoded from the cache.
    #[test]
    fn a_rules_lists_share_one_allocation_and_keep_their_own_items() {
        let rule =
            PolicyRule::new(strs(&["get", "list"]), strs(&[]), strs(&["pods"]), strs(&["a", "b"]), Span::default());
        let decoded: PolicyRule = postcard::from_bytes(&postcard::to_stdvec(&rule).unwrap()).unwrap();
        for r in [&rule, &decoded] {
            assert_eq!(values(r.verbs()), ["get", "list"]);
            assert!(r.api_groups().is_empty());
            assert_eq!(values(r.resources()), ["pods"]);
            assert_eq!(values(r.resource_names()), ["a", "b"]);
        }
        // The same items split differently are other permissions.
        let moved =
            PolicyRule::new(strs(&["get"]), strs(&["list"]), strs(&["pods"]), strs(&["a", "b"]), Span::default());
        assert!(rule.same_permissions(&decoded));
        assert!(!rule.same_permissions(&moved));
        assert!(PolicyRule::default().verbs().is_empty() && PolicyRule::default().resource_names().is_empty());
    }
}
