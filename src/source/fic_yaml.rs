//! Federated credentials and legacy pod identity declared as Kubernetes objects (ASO v2,
//! Crossplane, aad-pod-identity).

use crate::model::{FederatedCredential, FicAction, LegacyPodIdentity, Meta, SharedStr, Str};
use crate::yaml::Node;

const RECONCILE_POLICY: &str = "serviceoperator.azure.com/reconcile-policy";
const EXTERNAL_NAME: &str = "crossplane.io/external-name";

fn str_of(node: &Node) -> Option<Str> {
    node.as_str().map(|v| Str { value: v.into(), span: node.span })
}

/// The group of an `apiVersion`.
fn group(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

/// An ASO or Crossplane `FederatedIdentityCredential`, if `meta` is one.
pub fn kubernetes_fic(root: &Node, meta: &Meta) -> Option<FederatedCredential> {
    if meta.kind != "FederatedIdentityCredential" {
        return None;
    }
    let spec = root.get("spec");
    match group(&meta.api_version) {
        "managedidentity.azure.com" => {
            let name = spec.and_then(|s| s.get("azureName")).and_then(str_of).or_else(|| meta_name(meta));
            let owner = spec
                .and_then(|s| s.path(&["owner", "name"]).or_else(|| s.path(&["owner", "armId"])))
                .and_then(Node::as_str);
            Some(FederatedCredential {
                display: meta.object_ref().to_string().into(),
                origin: meta.origin.clone(),
                meta: Some(Box::new(meta.clone())),
                action: FicAction::Declare,
                name,
                name_source: None,
                unresolved_name: None,
                anchor: meta.kind_span,
                identity: owner.map(|o| format!("{}/{o}", meta.namespace).into()),
                issuer: spec.and_then(|s| s.get("issuer")).and_then(str_of).map(SharedStr::from),
                subject: spec.and_then(|s| s.get("subject")).and_then(str_of),
                audiences: list(spec.and_then(|s| s.get("audiences"))),
                reconcile_skip: meta
                    .annotations
                    .value(RECONCILE_POLICY)
                    .is_some_and(|v| v.eq_ignore_ascii_case("skip")),
                repeated: false,
                trail: Box::default(),
                deployment: None,
            })
        }
        "managedidentity.azure.upbound.io" | "managedidentity.azure.m.upbound.io" => {
            let external =
                meta.annotations.get(EXTERNAL_NAME).map(|e| Str { value: e.value.clone(), span: e.value_span });
            let p = spec.and_then(|s| s.get("forProvider"));
            let parent = p.and_then(|p| {
                p.get("parentId")
                    .and_then(Node::as_str)
                    .map(str::to_string)
                    .or_else(|| p.path(&["parentIdRef", "name"]).and_then(Node::as_str).map(|n| format!("ref:{n}")))
                    .or_else(|| {
                        p.path(&["parentIdSelector", "matchLabels"]).map(|m| format!("selector:{}", labels_key(m)))
                    })
            });
            Some(FederatedCredential {
                display: meta.object_ref().to_string().into(),
                origin: meta.origin.clone(),
                meta: Some(Box::new(meta.clone())),
                action: FicAction::Declare,
                name: external.or_else(|| meta_name(meta)),
                name_source: None,
                unresolved_name: None,
                anchor: meta.kind_span,
                identity: parent.map(Into::into),
                issuer: p.and_then(|p| p.get("issuer")).and_then(str_of).map(SharedStr::from),
                subject: p.and_then(|p| p.get("subject")).and_then(str_of),
                audiences: list(p.and_then(|p| p.get("audience").or_else(|| p.get("audiences")))),
                reconcile_skip: false,
                repeated: false,
                trail: Box::default(),
                deployment: None,
            })
        }
        _ => None,
    }
}

fn meta_name(meta: &Meta) -> Option<Str> {
    meta.name_span.map(|span| Str { value: meta.name.clone(), span })
}

fn list(node: Option<&Node>) -> Box<[SharedStr]> {
    let items = match node {
        Some(n) if n.as_seq().is_some() => n.as_seq().unwrap_or_default().iter().filter_map(str_of).collect(),
        Some(n) => str_of(n).into_iter().collect(),
        None => Vec::new(),
    };
    SharedStr::all(items).into()
}

fn labels_key(m: &Node) -> String {
    let mut pairs: Vec<String> = m
        .as_map()
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| Some(format!("{}={}", k.as_str()?, v.as_str()?)))
        .collect();
    pairs.sort();
    pairs.join(",")
}

/// An aad-pod-identity object, if `meta` is one (its keys were PascalCase in old manifests).
pub fn legacy(root: &Node, meta: &Meta) -> Option<LegacyPodIdentity> {
    if group(&meta.api_version) != "aadpodidentity.k8s.io" {
        return None;
    }
    let spec = root.get("spec");
    let field = |name: &str| -> Option<Str> {
        spec?
            .as_map()?
            .iter()
            .find(|(k, _)| k.as_str().is_some_and(|k| k.eq_ignore_ascii_case(name)))
            .and_then(|(_, v)| str_of(v))
    };
    Some(LegacyPodIdentity {
        meta: meta.clone(),
        client_id: field("clientID"),
        tenant_id: field("tenantID"),
        selector: field("selector"),
    })
}
