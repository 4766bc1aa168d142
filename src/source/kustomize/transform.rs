//! The kustomization fields that rewrite every object: `namespace`, `namePrefix`/`nameSuffix`,
//! `labels`/`commonLabels` and `commonAnnotations`. Values written come from the kustomization's
//! nodes, so they carry its file and line.

use super::fieldspec::{self, FieldSpec, Leaf};
use super::kustomization::LabelSet;
use super::resource::{IdRef, Resource};
use crate::yaml::Node;

/// `namespace:`: every namespaced object moves; binding subjects named `default` follow;
/// `Namespace` objects are renamed. Returns the objects that now share an identity (kustomize
/// refuses the build then).
pub(super) fn namespace(resources: &mut [Resource], ns: &Node) -> Vec<String> {
    let value = ns.as_str().unwrap_or("");
    let node = Node::string(value, ns.span);
    let others = fieldspec::namespace_fields();
    let own = FieldSpec::rows(&[("", "", "", "metadata/namespace", true)]);
    for r in resources.iter_mut() {
        r.store_previous_id();
        let gvk = r.gvk();
        if !gvk.is_cluster_scoped() {
            fieldspec::apply(&mut r.node, &own[0], Leaf::Scalar, ns.span, &mut |n| *n = node.clone());
        }
        if matches!(gvk.kind.as_str(), "RoleBinding" | "ClusterRoleBinding") {
            for subject in r.node.get_mut("subjects").and_then(Node::as_seq_mut).into_iter().flatten() {
                if subject.get("name").and_then(Node::as_str) == Some("default") {
                    subject.set("namespace", ns.span, node.clone());
                }
            }
        }
        let api_version = r.api_version().to_string();
        for spec in others.iter().filter(|s| s.applies_to(&gvk)) {
            if spec.path == "metadata/name" && api_version != "v1" {
                continue;
            }
            fieldspec::apply(&mut r.node, spec, Leaf::Scalar, ns.span, &mut |n| *n = node.clone());
        }
    }
    conflicts(resources)
}

/// Objects of `resources` that share an identity, described.
pub(super) fn conflicts(resources: &[Resource]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    resources.iter().filter(|r| !seen.insert(r.cur_id_ref().key())).map(|r| r.cur_id().describe()).collect()
}

/// Kinds whose names kustomize never prefixes or suffixes.
fn keeps_its_name(id: IdRef) -> bool {
    id.kind == "CustomResourceDefinition"
        || id.kind == "Namespace"
        || (id.kind == "APIService" && id.group == "apiregistration.k8s.io")
}

/// `namePrefix:` / `nameSuffix:`.
pub(super) fn rename(resources: &mut [Resource], affix: &Node, is_prefix: bool) {
    let Some(text) = affix.as_str().filter(|t| !t.is_empty()) else { return };
    for r in resources.iter_mut() {
        if keeps_its_name(r.org_id_ref()) {
            continue;
        }
        if is_prefix {
            r.prefixes.push(text.to_string());
        } else {
            r.suffixes.push(text.to_string());
        }
        r.store_previous_id();
        if let Some(name) = r.node.path_mut(&["metadata", "name"]) {
            if let Some(current) = name.as_str() {
                let renamed = if is_prefix { format!("{text}{current}") } else { format!("{current}{text}") };
                *name = Node::string(renamed, name.span);
            }
        }
    }
}

/// The fields one `labels:` item writes.
fn label_fields(set: &LabelSet) -> Vec<FieldSpec> {
    let mut fields = set.fields.clone();
    if set.include_selectors {
        FieldSpec::merge(&mut fields, &fieldspec::common_labels());
        return fields;
    }
    if set.include_templates {
        FieldSpec::merge(&mut fields, &fieldspec::template_labels());
    }
    FieldSpec::merge(&mut fields, &[fieldspec::own_labels()]);
    fields
}

/// One `labels:` item (or `commonLabels`).
pub(super) fn labels(resources: &mut [Resource], set: &LabelSet) {
    write_entries(resources, &set.pairs, &label_fields(set), set.span);
}

/// `commonAnnotations:`.
pub(super) fn annotations(resources: &mut [Resource], pairs: &[(Node, Node)], span: crate::span::Span) {
    write_entries(resources, pairs, &fieldspec::common_annotations(), span);
}

fn write_entries(resources: &mut [Resource], pairs: &[(Node, Node)], fields: &[FieldSpec], span: crate::span::Span) {
    let mut sorted: Vec<&(Node, Node)> = pairs.iter().collect();
    sorted.sort_by(|a, b| a.0.as_str().cmp(&b.0.as_str()));
    for r in resources.iter_mut() {
        let gvk = r.gvk();
        for (key, value) in &sorted {
            let Some(name) = key.as_str() else { continue };
            for spec in fields.iter().filter(|s| s.applies_to(&gvk)) {
                fieldspec::apply(&mut r.node, spec, Leaf::Map, span, &mut |map| {
                    if map.as_map().is_some() {
                        map.set(name, key.span, value.clone());
                    }
                });
            }
        }
    }
}

/// kustomize hands every object's own annotations on as strings (it reads them as a map of
/// strings): `7200` is deployed as `"7200"`, an empty value as `""`. Pod template annotations
/// and labels keep their types.
pub(super) fn annotations_as_strings(resources: &mut [Resource]) {
    for r in resources {
        let Some(entries) = r.node.path_mut(&["metadata", "annotations"]).and_then(Node::as_map_mut) else {
            continue;
        };
        for (_, value) in entries.iter_mut() {
            let null = value.is_null();
            if let crate::yaml::NodeKind::Scalar(s) = &mut value.kind {
                if null {
                    s.value.clear();
                }
                s.quoted = true;
                s.tag = None;
            }
        }
    }
}
