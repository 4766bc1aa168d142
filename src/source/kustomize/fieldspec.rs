//! Field specs: which fields of which kinds a kustomize transformer writes (`metadata/labels` of
//! everything, `spec/template/metadata/labels` of a Deployment, …), and the walk that finds or
//! creates them. The tables hold kustomize's documented defaults for the fields this build
//! evaluates.

use super::resource::Gvk;
use crate::span::Span;
use crate::yaml::{Node, NodeKind};

/// A field of the objects of some kinds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct FieldSpec {
    pub group: String,
    pub version: String,
    pub kind: String,
    /// `/`-separated keys (`\/` inside a key); `[]` after a key marks a list.
    pub path: String,
    /// Create the field (and the mappings on the way) when it is missing.
    pub create: bool,
}

/// `(group, version, kind, path, create)`; empty parts match anything.
pub(super) type SpecRow = (&'static str, &'static str, &'static str, &'static str, bool);

impl FieldSpec {
    pub(super) fn rows(rows: &[SpecRow]) -> Vec<FieldSpec> {
        rows.iter()
            .map(|(group, version, kind, path, create)| FieldSpec {
                group: (*group).into(),
                version: (*version).into(),
                kind: (*kind).into(),
                path: (*path).into(),
                create: *create,
            })
            .collect()
    }

    pub(super) fn applies_to(&self, gvk: &Gvk) -> bool {
        gvk.is_selected_by(&self.group, &self.version, &self.kind)
    }

    /// Appends the specs of `more` that `specs` does not already hold for the same kinds and
    /// path (kustomize merges field spec lists this way).
    pub(super) fn merge(specs: &mut Vec<FieldSpec>, more: &[FieldSpec]) {
        for spec in more {
            let same = |s: &FieldSpec| {
                s.path == spec.path && s.group == spec.group && s.version == spec.version && s.kind == spec.kind
            };
            if !specs.iter().any(same) {
                specs.push(spec.clone());
            }
        }
    }
}

/// What a created leaf field is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Leaf {
    Map,
    Scalar,
}

struct Segment {
    key: String,
    /// Written `key[]`: a list, never created.
    list: bool,
}

fn segments(path: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut key = String::new();
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'/') => {
                key.push('/');
                chars.next();
            }
            '/' => out.push(std::mem::take(&mut key)),
            _ => key.push(c),
        }
    }
    out.push(key);
    out.into_iter()
        .filter(|k| !k.is_empty())
        .map(|k| match k.strip_suffix("[]") {
            Some(name) => Segment { key: name.into(), list: true },
            None => Segment { key: k, list: false },
        })
        .collect()
}

/// Calls `set` on every node `spec` leads to in `obj` (every element of the lists on the way).
/// When the spec creates, missing mappings on the way are created, and a missing last field as
/// `leaf`; created keys carry `span` (the kustomization line that asked for them).
pub(super) fn apply(obj: &mut Node, spec: &FieldSpec, leaf: Leaf, span: Span, set: &mut dyn FnMut(&mut Node)) {
    let segs = segments(&spec.path);
    walk(obj, &segs, spec.create, leaf, span, set);
}

fn walk(node: &mut Node, segs: &[Segment], create: bool, leaf: Leaf, span: Span, set: &mut dyn FnMut(&mut Node)) {
    let Some((first, rest)) = segs.split_first() else {
        set(node);
        return;
    };
    if node.is_null() {
        return;
    }
    match &mut node.kind {
        NodeKind::Seq(items) => {
            for item in items {
                walk(item, segs, create, leaf, span, set);
            }
        }
        NodeKind::Map(_) => {
            let child = if create && !first.list {
                let make = move || match (rest.is_empty(), leaf) {
                    (true, Leaf::Scalar) => Node::string("", span),
                    _ => Node::empty_map(span),
                };
                node.get_or_insert(&first.key, span, make)
            } else {
                node.get_mut(&first.key)
            };
            if let Some(child) = child {
                walk(child, rest, create, leaf, span, set);
            }
        }
        NodeKind::Scalar(_) => {}
    }
}

/// The nodes `spec` leads to in `obj`, in the order [`apply`] visits them (nothing is created).
pub(super) fn find<'a>(obj: &'a Node, spec: &FieldSpec) -> Vec<&'a Node> {
    fn walk<'a>(node: &'a Node, segs: &[Segment], out: &mut Vec<&'a Node>) {
        let Some((first, rest)) = segs.split_first() else {
            out.push(node);
            return;
        };
        match &node.kind {
            NodeKind::Seq(items) => items.iter().for_each(|item| walk(item, segs, out)),
            NodeKind::Map(_) => {
                if let Some(child) = node.get(&first.key) {
                    walk(child, rest, out);
                }
            }
            NodeKind::Scalar(_) => {}
        }
    }
    let mut out = Vec::new();
    if !obj.is_null() {
        walk(obj, &segments(&spec.path), &mut out);
    }
    out
}

/// Every object's own metadata, the pod templates of the workload kinds and a StatefulSet's
/// volume claim templates (as released kustomize, v5.x, writes them).
const METADATA_LABELS: &[SpecRow] = &[
    ("", "", "", "metadata/labels", true),
    ("", "v1", "ReplicationController", "spec/template/metadata/labels", true),
    ("", "", "Deployment", "spec/template/metadata/labels", true),
    ("", "", "ReplicaSet", "spec/template/metadata/labels", true),
    ("", "", "DaemonSet", "spec/template/metadata/labels", true),
    ("apps", "", "StatefulSet", "spec/template/metadata/labels", true),
    ("apps", "", "StatefulSet", "spec/volumeClaimTemplates[]/metadata/labels", true),
    ("batch", "", "Job", "spec/template/metadata/labels", true),
    ("batch", "", "CronJob", "spec/jobTemplate/metadata/labels", true),
    ("batch", "", "CronJob", "spec/jobTemplate/spec/template/metadata/labels", true),
];

/// Selectors that must follow the labels of the objects they select.
const SELECTORS: &[SpecRow] = &[
    ("", "v1", "Service", "spec/selector", true),
    ("", "v1", "ReplicationController", "spec/selector", true),
    ("", "", "Deployment", "spec/selector/matchLabels", true),
    (
        "apps",
        "",
        "Deployment",
        "spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
        false,
    ),
    (
        "apps",
        "",
        "Deployment",
        "spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
        false,
    ),
    (
        "apps",
        "",
        "Deployment",
        "spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
        false,
    ),
    (
        "apps",
        "",
        "Deployment",
        "spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
        false,
    ),
    ("apps", "", "Deployment", "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels", false),
    ("", "", "ReplicaSet", "spec/selector/matchLabels", true),
    ("", "", "DaemonSet", "spec/selector/matchLabels", true),
    ("apps", "", "StatefulSet", "spec/selector/matchLabels", true),
    (
        "apps",
        "",
        "StatefulSet",
        "spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
        false,
    ),
    (
        "apps",
        "",
        "StatefulSet",
        "spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
        false,
    ),
    (
        "apps",
        "",
        "StatefulSet",
        "spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
        false,
    ),
    (
        "apps",
        "",
        "StatefulSet",
        "spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
        false,
    ),
    ("apps", "", "StatefulSet", "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels", false),
    ("batch", "", "Job", "spec/selector/matchLabels", false),
    ("batch", "", "CronJob", "spec/jobTemplate/spec/selector/matchLabels", false),
    ("policy", "", "PodDisruptionBudget", "spec/selector/matchLabels", false),
    ("networking.k8s.io", "", "NetworkPolicy", "spec/podSelector/matchLabels", false),
    ("networking.k8s.io", "", "NetworkPolicy", "spec/ingress/from/podSelector/matchLabels", false),
    ("networking.k8s.io", "", "NetworkPolicy", "spec/egress/to/podSelector/matchLabels", false),
];

/// `commonLabels` (and `labels` with `includeSelectors`): selectors, metadata, templates.
pub(super) fn common_labels() -> Vec<FieldSpec> {
    let mut out = FieldSpec::rows(SELECTORS);
    FieldSpec::merge(&mut out, &FieldSpec::rows(METADATA_LABELS));
    out
}

/// `labels` with `includeTemplates`: metadata and pod templates.
pub(super) fn template_labels() -> Vec<FieldSpec> {
    FieldSpec::rows(METADATA_LABELS)
}

/// Every object's own labels.
pub(super) fn own_labels() -> FieldSpec {
    FieldSpec::rows(&[("", "", "", "metadata/labels", true)]).remove(0)
}

/// `commonAnnotations`: every object and the pod templates of workloads.
pub(super) fn common_annotations() -> Vec<FieldSpec> {
    FieldSpec::rows(&[
        ("", "", "", "metadata/annotations", true),
        ("", "v1", "ReplicationController", "spec/template/metadata/annotations", true),
        ("", "", "Deployment", "spec/template/metadata/annotations", true),
        ("", "", "ReplicaSet", "spec/template/metadata/annotations", true),
        ("", "", "DaemonSet", "spec/template/metadata/annotations", true),
        ("", "", "StatefulSet", "spec/template/metadata/annotations", true),
        ("batch", "", "Job", "spec/template/metadata/annotations", true),
        ("batch", "", "CronJob", "spec/jobTemplate/metadata/annotations", true),
        ("batch", "", "CronJob", "spec/jobTemplate/spec/template/metadata/annotations", true),
    ])
}

/// Namespace fields besides `metadata/namespace` (which kustomize handles on its own).
pub(super) fn namespace_fields() -> Vec<FieldSpec> {
    FieldSpec::rows(&[
        ("", "", "Namespace", "metadata/name", true),
        ("apiregistration.k8s.io", "", "APIService", "spec/service/namespace", true),
        (
            "apiextensions.k8s.io",
            "",
            "CustomResourceDefinition",
            "spec/conversion/webhook/clientConfig/service/namespace",
            false,
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::test_document;

    #[test]
    fn walks_lists_and_creates_missing_maps() {
        let mut n = test_document("spec:\n  vct:\n    - metadata: {name: a}\n    - metadata: {name: b}\n");
        let spec = FieldSpec::rows(&[("", "", "", "spec/vct[]/metadata/labels", true)]).remove(0);
        let mut count = 0;
        apply(&mut n, &spec, Leaf::Map, Span::line(1), &mut |labels| {
            count += 1;
            labels.set("x", Span::line(1), Node::string("y", Span::line(1)));
        });
        assert_eq!(count, 2);
        assert_eq!(
            n.path(&["spec", "vct"]).and_then(Node::as_seq).map(|s| s[1].path(&["metadata", "labels", "x"]).is_some()),
            Some(true)
        );
        let absent = FieldSpec::rows(&[("", "", "", "spec/missing/labels", false)]).remove(0);
        apply(&mut n, &absent, Leaf::Map, Span::line(1), &mut |_| panic!("not created"));
    }

    #[test]
    fn escaped_slashes_stay_in_keys() {
        let keys: Vec<String> = segments("metadata/annotations/a.io\\/b").into_iter().map(|s| s.key).collect();
        assert_eq!(keys, ["metadata", "annotations", "a.io/b"]);
    }
}
