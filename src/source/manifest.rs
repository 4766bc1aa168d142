//! Kubernetes manifests: a parsed YAML/JSON document becomes typed model objects.

use crate::model::{
    ConfigMap, Container, Entries, Entry, EnvVar, Meta, Objects, Origin, PodTemplate, ServiceAccount, Str, Text,
    ValueType, Workload,
};
use crate::span::Span;
use crate::yaml::{Node, NodeKind, ScalarType};

/// What a document needs to know about the file it came from.
pub struct DocContext<'a> {
    pub origin: Origin,
    pub default_namespace: &'a str,
    /// The file is a kustomize patch: objects in it are partial.
    pub is_patch: bool,
}

/// Loads the objects of one document into `inv`. Documents without `apiVersion` and `kind` are
/// not manifests and are ignored.
pub fn load_document(root: &Node, cx: &DocContext, inv: &mut Objects) {
    if super::fic_yaml::is_arm_template(root) {
        super::fic_yaml::arm_fics(root, &cx.origin, &mut inv.federated_credentials);
        return;
    }
    let (Some(api_version), Some((kind_node, kind))) =
        (root.get("apiVersion").and_then(Node::as_str), root.get("kind").and_then(|k| k.as_str().map(|s| (k, s))))
    else {
        return;
    };
    if kind == "List" || (kind.ends_with("List") && root.get("items").and_then(Node::as_seq).is_some()) {
        for item in root.get("items").and_then(Node::as_seq).unwrap_or_default() {
            load_document(item, cx, inv);
        }
        return;
    }
    let meta = read_meta(root, api_version, kind, kind_node.span, cx);
    match pod_template_node(root, kind, api_version) {
        Some((template, anchor)) => {
            let has_controller_meta = kind != "Pod";
            let selector = read_selector(root, kind);
            let pod = read_pod_template(template, anchor);
            inv.workloads.push(Workload { meta, has_controller_meta, selector, pod });
        }
        None => match kind {
            "ServiceAccount" => inv.service_accounts.push(ServiceAccount { meta }),
            "ClusterRole" | "Role" if is_rbac(api_version) => inv.roles.push(super::rbac::role(root, meta)),
            "ClusterRoleBinding" | "RoleBinding" if is_rbac(api_version) => {
                inv.bindings.push(super::rbac::binding(root, meta))
            }
            "ConfigMap" => {
                let data = root.get("data").map(|d| entries_where(d, mentions_azure_identity)).unwrap_or_default();
                inv.config_maps.push(ConfigMap { meta, data });
            }
            _ => {
                if let Some(fic) = super::fic_yaml::kubernetes_fic(root, &meta) {
                    inv.federated_credentials.push(fic);
                } else if let Some(legacy) = super::fic_yaml::legacy(root, &meta) {
                    inv.legacy.push(legacy);
                } else {
                    inv.others.push(meta);
                }
            }
        },
    }
}

/// ConfigMap entries worth keeping: rules look in ConfigMaps only for Azure identity settings
/// (`AZURE_CLIENT_ID`, token paths). Application settings, often most of a repository's YAML,
/// would otherwise stay in memory for the whole run.
fn mentions_azure_identity(key: &str, value: &Node) -> bool {
    let has = |text: &str, needle: &str| {
        text.as_bytes().windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
    };
    let value = value.as_scalar().map_or("", |s| s.value.as_str());
    has(key, "azure") || has(value, "azure") || value.contains("/var/run/secrets")
}

/// The pod template of a pod-bearing kind, and the span of the key that holds it.
fn pod_template_node<'a>(root: &'a Node, kind: &str, api_version: &str) -> Option<(&'a Node, Span)> {
    let path: &[&str] = match kind {
        "Pod" => return Some((root, root.entry("kind").map_or(root.span, |(k, _)| k.span))),
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "ReplicationController" | "Job" => {
            &["spec", "template"]
        }
        "Rollout" if api_version.starts_with("argoproj.io/") => &["spec", "template"],
        "CronJob" => &["spec", "jobTemplate", "spec", "template"],
        "PodTemplate" => &["template"],
        _ => return None,
    };
    let (last, parents) = path.split_last()?;
    let parent = root.path(parents)?;
    let (key, value) = parent.entry(last)?;
    value.as_map()?;
    Some((value, key.span))
}

fn read_selector(root: &Node, kind: &str) -> Entries {
    let selector = match kind {
        "ReplicationController" => root.path(&["spec", "selector"]),
        "CronJob" => root.path(&["spec", "jobTemplate", "spec", "selector", "matchLabels"]),
        _ => root.path(&["spec", "selector", "matchLabels"]),
    };
    selector.map(entries_of).unwrap_or_default()
}

fn read_meta(root: &Node, api_version: &str, kind: &str, kind_span: Span, cx: &DocContext) -> Meta {
    let metadata = root.entry("metadata");
    let md = metadata.map(|(_, v)| v);
    let name = md.and_then(|m| m.get("name"));
    let namespace = md.and_then(|m| m.get("namespace")).filter(|n| !n.is_null());
    Meta {
        api_version: api_version.into(),
        kind: kind.into(),
        name: name.and_then(Node::as_str).unwrap_or("").into(),
        name_span: name.map(|n| n.span),
        namespace: namespace.and_then(Node::as_str).unwrap_or(cx.default_namespace).into(),
        namespace_span: namespace.map(|n| n.span),
        metadata_span: metadata.map(|(k, _)| k.span),
        kind_span,
        doc_span: root.span,
        labels: md.map(|m| keyed_entries(m, "labels")).unwrap_or_default(),
        annotations: md.map(|m| keyed_entries(m, "annotations")).unwrap_or_default(),
        origin: cx.origin.clone(),
        is_patch: cx.is_patch,
        cluster_scoped: is_cluster_scoped(api_version, kind),
    }
}

fn is_rbac(api_version: &str) -> bool {
    api_version.starts_with("rbac.authorization.k8s.io/")
}

/// Kinds that have no namespace.
pub fn is_cluster_scoped(api_version: &str, kind: &str) -> bool {
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    matches!(
        kind,
        "ClusterRole"
            | "ClusterRoleBinding"
            | "Namespace"
            | "Node"
            | "PersistentVolume"
            | "StorageClass"
            | "PriorityClass"
            | "CustomResourceDefinition"
            | "MutatingWebhookConfiguration"
            | "ValidatingWebhookConfiguration"
            | "APIService"
            | "ClusterIssuer"
    ) || (group == "managedidentity.azure.upbound.io")
}

/// The entries of the mapping under `key` of `parent`, keeping the key's span.
fn keyed_entries(parent: &Node, key: &str) -> Entries {
    match parent.entry(key) {
        Some((k, v)) => Entries { key_span: Some(k.span), ..entries_of(v) },
        None => Entries::default(),
    }
}

/// A mapping's entries as labels/annotations (keys must be scalars).
pub fn entries_of(node: &Node) -> Entries {
    Entries { key_span: None, items: entries_where(node, |_, _| true) }
}

/// The entries of a mapping that `keep` accepts, asked before anything is copied.
fn entries_where(node: &Node, keep: impl Fn(&str, &Node) -> bool) -> Vec<Entry> {
    let items = node
        .as_map()
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| {
            let key = k.as_str().filter(|key| keep(key, v))?.into();
            let (value, value_type) = match &v.kind {
                NodeKind::Scalar(s) => (s.value.as_str().into(), value_type(s.resolved_type())),
                NodeKind::Seq(_) => (Text::default(), ValueType::Sequence),
                NodeKind::Map(_) => (Text::default(), ValueType::Mapping),
            };
            Some(Entry { key, key_span: k.span, value, value_span: v.span, value_type })
        })
        .collect::<Vec<_>>();
    // Collected through a filter, the vector has slack: the model lives for the whole run.
    let mut items = items;
    items.shrink_to_fit();
    items
}

fn value_type(t: ScalarType) -> ValueType {
    match t {
        ScalarType::String => ValueType::String,
        ScalarType::Bool => ValueType::Bool,
        ScalarType::Int => ValueType::Int,
        ScalarType::Float => ValueType::Float,
        ScalarType::Null => ValueType::Null,
    }
}

fn str_of(node: &Node) -> Option<Str> {
    node.as_str().map(|v| Str { value: v.into(), span: node.span })
}

/// Reads a pod template (for a bare Pod, the Pod itself: its metadata is the pod's).
fn read_pod_template(template: &Node, anchor: Span) -> PodTemplate {
    let metadata = template.entry("metadata");
    let spec = template.entry("spec");
    let md = metadata.map(|(_, v)| v);
    let sp = spec.map(|(_, v)| v);
    let field = |name: &str| sp.and_then(|s| s.get(name)).and_then(str_of);
    let mut containers = Vec::new();
    for (key, init) in [("initContainers", true), ("containers", false)] {
        for c in sp.and_then(|s| s.get(key)).and_then(Node::as_seq).unwrap_or_default() {
            containers.push(read_container(c, init));
        }
    }
    PodTemplate {
        anchor,
        metadata_span: metadata.map(|(k, _)| k.span),
        labels: md.map(|m| keyed_entries(m, "labels")).unwrap_or_default(),
        annotations: md.map(|m| keyed_entries(m, "annotations")).unwrap_or_default(),
        spec_span: spec.map(|(k, _)| k.span),
        service_account_name: field("serviceAccountName"),
        service_account: field("serviceAccount"),
        host_network: sp.and_then(|s| s.get("hostNetwork")).and_then(|n| {
            let s = n.as_scalar()?;
            (s.resolved_type() == ScalarType::Bool)
                .then_some((matches!(s.value.as_str(), "true" | "True" | "TRUE"), n.span))
        }),
        containers,
        csi_drivers: sp
            .and_then(|s| s.get("volumes"))
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|v| v.path(&["csi", "driver"]).and_then(Node::as_str).map(str::to_string))
            .collect(),
    }
}

fn read_container(c: &Node, init: bool) -> Container {
    let strings = |key: &str| -> Vec<Str> {
        c.get(key).and_then(Node::as_seq).unwrap_or_default().iter().filter_map(str_of).collect()
    };
    let env = c
        .get("env")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|e| {
            Some(EnvVar {
                name: e.get("name").and_then(str_of)?,
                value: e.get("value").and_then(str_of),
                value_from: e.get("valueFrom").is_some(),
            })
        })
        .collect();
    Container {
        name: c.get("name").and_then(str_of).unwrap_or(Str { value: Text::default(), span: c.span }),
        init,
        env,
        env_from: c.get("envFrom").and_then(Node::as_seq).unwrap_or_default().iter().map(|n| n.span).collect(),
        command: strings("command"),
        args: strings("args"),
        span: c.span,
    }
}
