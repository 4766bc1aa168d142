//! RBAC manifests → model: roles with their rules, bindings with roleRef and subjects.

use crate::model::{
    Binding, LabelSelector, Meta, PolicyRule, Role, RoleRef, SelectorRequirement, Str, Subject, SubjectKind,
};
use crate::yaml::Node;

fn str_of(node: &Node) -> Option<Str> {
    node.as_str().map(|v| Str { value: v.into(), span: node.span })
}

fn strings(node: Option<&Node>) -> Vec<Str> {
    node.and_then(Node::as_seq).unwrap_or_default().iter().filter_map(str_of).collect()
}

/// A ClusterRole or Role.
pub fn role(root: &Node, meta: Meta) -> Role {
    let rules = root
        .get("rules")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .map(|r| {
            PolicyRule::new(
                strings(r.get("verbs")),
                strings(r.get("apiGroups")),
                strings(r.get("resources")),
                strings(r.get("resourceNames")),
                r.span,
            )
        })
        .collect();
    let aggregation = root
        .path(&["aggregationRule", "clusterRoleSelectors"])
        .and_then(Node::as_seq)
        .map(|sels| sels.iter().map(selector).collect());
    Role { meta, rules, aggregation }
}

fn selector(node: &Node) -> LabelSelector {
    let match_labels = node
        .get("matchLabels")
        .and_then(Node::as_map)
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str()?.to_string())))
        .collect();
    let match_expressions = node
        .get("matchExpressions")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|e| {
            Some(SelectorRequirement {
                key: e.get("key")?.as_str()?.to_string(),
                operator: e.get("operator")?.as_str()?.to_string(),
                values: strings(e.get("values")).into_iter().map(|s| s.value.into()).collect(),
            })
        })
        .collect();
    LabelSelector { match_labels, match_expressions }
}

/// A ClusterRoleBinding or RoleBinding.
pub fn binding(root: &Node, meta: Meta) -> Binding {
    let role_ref = root.entry("roleRef").and_then(|(key, r)| {
        Some(RoleRef {
            kind: r.get("kind").and_then(Node::as_str).unwrap_or("ClusterRole").into(),
            name: r.get("name").and_then(str_of)?,
            span: key.span,
        })
    });
    let subjects = root
        .get("subjects")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|s| {
            Some(Subject {
                kind: SubjectKind::parse(s.get("kind").and_then(Node::as_str).unwrap_or("")),
                name: s.get("name").and_then(str_of)?,
                namespace: s.get("namespace").and_then(str_of).filter(|n| !n.value.is_empty()),
                span: s.span,
            })
        })
        .collect();
    Binding { meta, role_ref, subjects }
}
