//! Kubernetes manifests: a parsed YAML/JSON document becomes typed model objects.

use std::sync::Arc;

use crate::model::{
    pod_kind, ConfigMap, Entries, Entry, Meta, Objects, Origin, PodKind, ServiceAccount, Str, Text, ValueType,
};
use crate::span::Span;
use crate::yaml::{Node, NodeKind, ScalarType};

/// What a document needs to know about the file it came from.
pub struct DocContext<'a> {
    pub origin: Origin,
    pub default_namespace: &'a str,
    /// The file is a kustomize patch: objects in it are partial.
    pub is_patch: bool,
    /// The kustomize root whose build produced the document, if any.
    pub build: Option<Arc<str>>,
}

/// Loads the objects of one document into `inv`. Documents without `apiVersion` and `kind` are
/// not manifests and are ignored.
pub fn load_document(root: &Node, cx: &DocContext, inv: &mut Objects) {
    if super::iac::arm::is_template(root) {
        // On its own, a template deploys with its parameters' defaults (with parameter files
        // beside it, the `ParameterFiles` evaluator takes it instead).
        super::iac::arm::evaluate(root, &cx.origin, Default::default(), inv);
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
    if let Some(pod_kind) = pod_kind(api_version, kind) {
        if let Some(account) = account_template(root, &meta, pod_kind) {
            inv.service_accounts.push(account);
        }
        match super::pod_template::workloads(root, meta, pod_kind) {
            Ok(workloads) => inv.workloads.extend(workloads),
            Err(meta) => inv.others.push(*meta), // no pod template to read: its metadata is still checked
        }
        return;
    }
    // A tool's configuration is a view of the object, which is also listed with its kind below.
    if let Some(config) = super::tools::tool_config(root, &meta) {
        inv.tool_configs.push(config);
    }
    match kind {
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
    }
}

/// The ServiceAccount a kind declares inside itself (Crossplane's
/// `spec.serviceAccountTemplate`): its metadata becomes the account's, in the pods' namespace.
fn account_template(root: &Node, meta: &Meta, kind: &PodKind) -> Option<ServiceAccount> {
    let (last, parents) = kind.account_template?.split_last()?;
    let (key, template) = root.path(parents)?.entry(last)?;
    let md = template.get("metadata");
    let name = md.and_then(|m| m.get("name"));
    let account = Meta {
        kind: "ServiceAccount".into(),
        name: name.and_then(Node::as_str).map_or_else(|| revision_account(meta), Text::from),
        name_span: name.map(|n| n.span),
        namespace: kind.pod_namespace.map_or(meta.namespace, crate::model::Interned::from),
        namespace_span: None,
        metadata_span: template.entry("metadata").map(|(k, _)| k.span).or(Some(key.span)),
        labels: md.map(|m| keyed_entries(m, "labels")).unwrap_or_default(),
        annotations: md.map(|m| keyed_entries(m, "annotations")).unwrap_or_default(),
        cluster_scoped: false,
        api_version: "v1".into(),
        ..meta.clone()
    };
    Some(ServiceAccount { meta: account })
}

/// The name Crossplane gives an account template without a name: the provider revision's,
/// unknown here, so a placeholder that names the runtime config and matches no declared account.
pub fn revision_account(meta: &Meta) -> Text {
    Text::from(format!("<provider revision of {}>", meta.name))
}

/// ConfigMap entries worth keeping: rules look in ConfigMaps only for Azure identity settings
/// (`AZURE_CLIENT_ID`, token paths). Application settings, often most of a repository's YAML,
/// would otherwise stay in memory for the whole run.
fn mentions_azure_identity(key: &str, value: &Node) -> bool {
    setting_mentions_azure_identity(key, value.as_scalar().map_or("", |s| s.value.as_str()))
}

fn setting_mentions_azure_identity(key: &str, value: &str) -> bool {
    // A substring search costs its setup on every value: a `/` (one byte, a fast scan) comes first.
    mentions_azure(key) || mentions_azure(value) || (value.contains('/') && value.contains("/var/run/secrets"))
}

/// What a manifest's reader never looks at: the ConfigMap settings that neither concern Azure
/// identity (the model keeps only those) nor may hold a secret to mask. The parser leaves them
/// out of the tree instead of building nodes for them to be dropped.
pub struct UnreadSettings;

impl crate::yaml::Unread for UnreadSettings {
    fn prunes(&self, kind: &str, section: &str) -> bool {
        kind == "ConfigMap" && section == "data"
    }

    fn keeps(&self, key: &str, value: &str) -> bool {
        setting_mentions_azure_identity(key, value) || crate::redact::may_take_from_entry(key, value)
    }

    fn skips(&self, parent: &str, key: &str) -> bool {
        super::never_read::never_read(parent, key)
    }

    fn skips_in_item(&self, list: &str, key: &str) -> bool {
        super::never_read::never_read_in_item(list, key)
    }

    fn must_read(&self, key: &str, value: &str) -> bool {
        crate::redact::entry_may_reveal_secret(key, value)
    }
}

/// Whether `text` holds `azure` in any case. Runs on every setting of every ConfigMap, most of
/// them short: one test of each byte for an `a` (either case, `| 0x20` lower-cases a letter), and
/// only there are the next four compared. (A vectorised search for `a` costs its setup at every
/// hit, more than this on short texts.)
fn mentions_azure(text: &str) -> bool {
    text.as_bytes().windows(5).any(|w| w[0] | 0x20 == b'a' && w[1..].eq_ignore_ascii_case(b"zure"))
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
        labels: md.map(|m| keyed_entries(m, "labels")).unwrap_or_default(),
        annotations: md.map(|m| keyed_entries(m, "annotations")).unwrap_or_default(),
        origin: cx.origin.clone(),
        is_patch: cx.is_patch,
        build: cx.build.as_deref().map(crate::model::Interned::from),
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
            | "ClusterSecretStore"
            | "ClusterTriggerAuthentication"
            | "ClusterWorkflowTemplate"
    ) || (group == "managedidentity.azure.upbound.io")
        || (group == "pkg.crossplane.io" && matches!(kind, "DeploymentRuntimeConfig" | "ControllerConfig"))
        || (group.ends_with(".upbound.io") && kind == "ClusterProviderConfig")
        || (group == "azure.upbound.io" && kind == "ProviderConfig")
}

/// The entries of the mapping under `key` of `parent`, keeping the key's span.
pub(super) fn keyed_entries(parent: &Node, key: &str) -> Entries {
    match parent.entry(key) {
        Some((k, v)) => Entries { key_span: Some(k.span), ..entries_of(v) },
        None => Entries::default(),
    }
}

/// A mapping's entries as labels/annotations (keys must be scalars).
pub fn entries_of(node: &Node) -> Entries {
    Entries { key_span: None, items: entries_where(node, |_, _| true).into() }
}

/// The entries of a mapping whose key is `key` (several when the mapping repeats it).
pub fn entries_named(node: &Node, key: &str) -> Entries {
    Entries { key_span: None, items: entries_where(node, |k, _| k == key).into() }
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

pub(super) fn str_of(node: &Node) -> Option<Str> {
    node.as_str().map(|v| Str { value: v.into(), span: node.span })
}

#[cfg(test)]
mod tests {
    use super::mentions_azure;

    #[test]
    fn azure_is_found_in_any_case_and_anywhere() {
        for text in ["AZURE_CLIENT_ID", "use-azure", "xAzUrE", "aazure", "a-a-azure"] {
            assert!(mentions_azure(text), "{text}");
        }
        for text in ["", "a", "Azur", "value-a22607679d-1", "azur e", "zure"] {
            assert!(!mentions_azure(text), "{text}");
        }
    }
}
