//! RBAC objects: ClusterRole, Role, ClusterRoleBinding, RoleBinding, with spans on every field a
//! rule can point at. The evaluator that answers "may this ServiceAccount …?" is in `authz.rs`.

use super::meta::{Meta, Str, Text};
use crate::span::Span;

/// One entry of a role's `rules:`.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct PolicyRule {
    pub verbs: Vec<Str>,
    pub api_groups: Vec<Str>,
    pub resources: Vec<Str>,
    pub resource_names: Vec<Str>,
    /// The rule's first line (the `- ` entry).
    pub span: Span,
}

impl PolicyRule {
    /// The same verbs, API groups, resources and resource names (wherever it is written).
    pub fn same_permissions(&self, other: &PolicyRule) -> bool {
        let same = |a: &[Str], b: &[Str]| a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.value == y.value);
        same(&self.verbs, &other.verbs)
            && same(&self.api_groups, &other.api_groups)
            && same(&self.resources, &other.resources)
            && same(&self.resource_names, &other.resource_names)
    }

    /// Every verb on every resource of every API group: `cluster-admin`'s rule. Its subjects hold
    /// every permission there is (in the binding's scope).
    pub fn grants_everything(&self) -> bool {
        let star = |list: &[Str]| list.iter().any(|s| s.value == "*");
        star(&self.verbs) && star(&self.api_groups) && star(&self.resources) && self.resource_names.is_empty()
    }
}

/// A ClusterRole (`meta.cluster_scoped`) or a Role.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Role {
    pub meta: Meta,
    pub rules: Vec<PolicyRule>,
    /// `aggregationRule.clusterRoleSelectors` of an aggregated ClusterRole.
    pub aggregation: Option<Vec<LabelSelector>>,
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
/// that messages can quote it, and matches no request.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum SubjectKind {
    ServiceAccount,
    User,
    Group,
    Other(Text),
}

impl SubjectKind {
    pub fn parse(text: &str) -> Self {
        match text {
            "ServiceAccount" => SubjectKind::ServiceAccount,
            "User" => SubjectKind::User,
            "Group" => SubjectKind::Group,
            other => SubjectKind::Other(other.into()),
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
    pub subjects: Vec<Subject>,
}

impl Binding {
    pub fn is_cluster_binding(&self) -> bool {
        self.meta.kind == "ClusterRoleBinding"
    }
}
