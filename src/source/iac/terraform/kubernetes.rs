//! Kubernetes objects declared with the Terraform kubernetes provider — `kubernetes_deployment`,
//! `kubernetes_service_account`, `kubernetes_cluster_role_binding`, … and `kubernetes_manifest` —
//! turned into the same document a YAML manifest is (camelCase keys, repeated blocks as lists,
//! positions at the `.tf` lines), and then read by the manifest source itself, so every
//! pod, ServiceAccount and RBAC rule runs on them unchanged.
//!
//! Terraform converts map values to strings (`labels` and `annotations` are `map(string)` in the
//! provider's schema, and `kubernetes_manifest` converts to the OpenAPI types): an unquoted
//! `true` there reaches the API server as `"true"`, so it is a string here too. Unknown values
//! become placeholders (`${var.namespace}`), which the rules leave unchecked; an object with an
//! unknown part (a whole map or a `dynamic` block over an unknown collection) is partial, like a
//! kustomize patch: what it leaves out means nothing.

use std::path::Path;

use hcl_edit::structure::Body;
use hcl_edit::Span as _;

use super::credentials::At;
use super::eval::{Scope, META_ARGUMENTS};
use super::value::{Kind, Value};
use crate::model::{Objects, Origin};
use crate::source::manifest::{load_document, DocContext};
use crate::span::Span;
use crate::yaml::{Node, NodeKind, Scalar};

/// The Kubernetes kind a provider resource type declares, with its API version.
fn kind_of(resource: &str) -> Option<(&'static str, &'static str)> {
    let base = resource.strip_suffix("_v1").unwrap_or(resource);
    Some(match base {
        "kubernetes_service_account" => ("v1", "ServiceAccount"),
        "kubernetes_pod" => ("v1", "Pod"),
        "kubernetes_config_map" => ("v1", "ConfigMap"),
        "kubernetes_deployment" => ("apps/v1", "Deployment"),
        "kubernetes_stateful_set" => ("apps/v1", "StatefulSet"),
        "kubernetes_daemonset" | "kubernetes_daemon_set" => ("apps/v1", "DaemonSet"),
        "kubernetes_replication_controller" => ("v1", "ReplicationController"),
        "kubernetes_job" => ("batch/v1", "Job"),
        "kubernetes_cron_job" => ("batch/v1", "CronJob"),
        "kubernetes_cluster_role" => ("rbac.authorization.k8s.io/v1", "ClusterRole"),
        "kubernetes_role" => ("rbac.authorization.k8s.io/v1", "Role"),
        "kubernetes_cluster_role_binding" => ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
        "kubernetes_role_binding" => ("rbac.authorization.k8s.io/v1", "RoleBinding"),
        _ => return None,
    })
}

/// Provider blocks that are lists in the Kubernetes API, and their API names.
const LIST_BLOCKS: &[(&str, &str)] = &[
    ("container", "containers"),
    ("init_container", "initContainers"),
    ("env", "env"),
    ("env_from", "envFrom"),
    ("volume", "volumes"),
    ("volume_mount", "volumeMounts"),
    ("port", "ports"),
    ("rule", "rules"),
    ("subject", "subjects"),
    ("cluster_role_selectors", "clusterRoleSelectors"),
    ("match_expressions", "matchExpressions"),
    ("toleration", "tolerations"),
    ("image_pull_secret", "imagePullSecrets"),
    ("image_pull_secrets", "imagePullSecrets"),
    ("secret", "secrets"),
    ("host_aliases", "hostAliases"),
];

/// Maps whose values Terraform converts to strings (their keys are data, not schema).
const STRING_MAPS: &[&str] = &["labels", "annotations", "matchLabels", "nodeSelector", "data"];

/// Loads the Kubernetes object a resource instance declares, if it declares one. A manifest
/// that is the text of a file the run lints on its own (`yamldecode(file("x.yaml"))`) is that
/// file's object already: it is not loaded twice.
pub(super) fn object(at: &At, default_namespace: &str, in_scope: &dyn Fn(&Path) -> bool, out: &mut Objects) {
    let kind = at.resource.kind;
    let block = at.resource.decl.item;
    let sc = at.scope();
    let doc_span = sc.src.span(block.span());
    let label_span = sc.src.span(block.labels.first().and_then(|l| l.span()));
    let mut partial = false;
    let root = if kind == "kubernetes_manifest" {
        let Some(attr) = block.body.get_attribute("manifest") else { return };
        let manifest = at.run.eval(&attr.value, sc);

        if !matches!(manifest.kind, Kind::Map(_)) {
            return; // unknown: nothing to say about it
        }
        let from = manifest.origin.file.path();
        let linted_alone = manifest.origin.file != sc.src.id
            && at
                .run
                .read
                .borrow()
                .iter()
                .any(|p| from.as_deref() == Some(at.run.loader.display(p).as_ref()) && in_scope(p));
        if linted_alone {
            return;
        }
        value_node(&manifest, false, &mut partial)
    } else {
        let Some((api_version, kind)) = kind_of(kind) else { return };
        let mut entries = vec![
            (scalar("apiVersion", label_span, true), scalar(api_version, label_span, true)),
            (scalar("kind", label_span, true), scalar(kind, label_span, true)),
        ];
        if let NodeKind::Map(body) = body_node(at, &block.body, sc, doc_span, &mut partial).kind {
            entries.extend(body);
        }
        Node { span: doc_span, kind: NodeKind::Map(entries) }
    };
    let cx = DocContext { origin: Origin::file(at.file()), default_namespace, is_patch: partial, build: None };
    load_document(&root, &cx, out);
}

/// A block body as a Kubernetes mapping: attributes and nested blocks under their API names.
fn body_node<'m>(at: &At<'_, 'm>, body: &Body, sc: Scope<'_, 'm>, origin: Span, partial: &mut bool) -> Node {
    let mut entries: Vec<(Node, Node)> = Vec::new();
    for attr in body.attributes() {
        let name = attr.key.as_str();
        if META_ARGUMENTS.contains(&name) {
            continue;
        }
        let value = at.run.eval(&attr.value, sc);
        if value.is_null() {
            continue; // unset
        }
        let key = camel(name);
        let stringify = STRING_MAPS.contains(&key.as_str());
        *partial |= stringify && value.is_unknown();
        entries.push((scalar(&key, sc.src.span(attr.key.span()), true), value_node(&value, stringify, partial)));
    }
    let mut seen: Vec<&str> = Vec::new();
    for block in body.blocks() {
        let dynamic = block.ident.as_str() == "dynamic";
        let name = if dynamic { block.labels.first().map_or("", |l| l.as_str()) } else { block.ident.as_str() };
        if name.is_empty() || META_ARGUMENTS.contains(&name) || seen.contains(&name) {
            continue;
        }
        seen.push(name);
        let mut items = Vec::new();
        let mut key_span = None;
        for b in body.blocks() {
            let span = sc.src.span(b.span());
            if b.ident.as_str() == name && b.labels.is_empty() {
                key_span.get_or_insert(sc.src.span(b.ident.span()));
                items.push(body_node(at, &b.body, sc, span, partial));
            } else if b.ident.as_str() == "dynamic" && b.labels.first().is_some_and(|l| l.as_str() == name) {
                key_span.get_or_insert(sc.src.span(b.ident.span()));
                match at.run.dynamic_instances(b, name, sc) {
                    Some((content, instances)) => {
                        for bindings in instances {
                            items.push(body_node(at, content, Scope { bindings: &bindings, ..sc }, span, partial));
                        }
                    }
                    None => *partial = true,
                }
            }
        }
        let key_span = key_span.unwrap_or(origin);
        match LIST_BLOCKS.iter().find(|(block, _)| *block == name) {
            Some((_, api)) => {
                let span = items.first().map_or(key_span, |n: &Node| n.span);
                entries.push((scalar(api, key_span, true), Node { span, kind: NodeKind::Seq(items) }));
            }
            None => {
                if let Some(first) = items.into_iter().next() {
                    entries.push((scalar(&camel(name), key_span, true), first));
                }
            }
        }
    }
    Node { span: origin, kind: NodeKind::Map(entries) }
}

/// An evaluated value as a YAML node. Strings are quoted scalars; numbers and booleans keep
/// their type except in maps Terraform converts to strings; unknowns are placeholders.
fn value_node(v: &Value, stringify: bool, partial: &mut bool) -> Node {
    let span = v.origin;
    match &v.kind {
        Kind::Null => Node { span, kind: NodeKind::Scalar(Scalar { value: "null".into(), quoted: false, tag: None }) },
        Kind::String(s) => scalar(s, span, true),
        Kind::Bool(_) | Kind::Number(_) => scalar(&v.to_text().unwrap_or_default(), span, stringify),
        Kind::Unknown(u) => scalar(&u.text, span, true),
        Kind::List(items) => {
            Node { span, kind: NodeKind::Seq(items.iter().map(|i| value_node(i, false, partial)).collect()) }
        }
        Kind::Map(entries) => Node {
            span,
            kind: NodeKind::Map(
                entries
                    .iter()
                    .filter(|(_, value)| !value.is_null())
                    .map(|(k, value)| {
                        let inner = STRING_MAPS.contains(&k.text.as_str());
                        if inner && value.is_unknown() {
                            *partial = true;
                        }
                        (scalar(&k.text, k.span, true), value_node(value, inner || stringify, partial))
                    })
                    .collect(),
            ),
        },
    }
}

fn scalar(text: &str, span: Span, quoted: bool) -> Node {
    Node { span, kind: NodeKind::Scalar(Scalar { value: text.into(), quoted, tag: None }) }
}

/// `service_account_name` → `serviceAccountName`.
fn camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_names_become_api_names() {
        assert_eq!(camel("service_account_name"), "serviceAccountName");
        assert_eq!(camel("metadata"), "metadata");
        assert_eq!(kind_of("kubernetes_cron_job_v1"), Some(("batch/v1", "CronJob")));
        assert_eq!(kind_of("kubernetes_daemon_set_v1"), Some(("apps/v1", "DaemonSet")));
        assert_eq!(kind_of("kubernetes_namespace"), None);
    }
}
