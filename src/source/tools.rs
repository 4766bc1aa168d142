//! The configuration objects through which tools take their client id (see
//! [`crate::model::TOOLS`]): cert-manager Issuers, KEDA TriggerAuthentications, External Secrets
//! stores, Velero's credentials Secret, external-dns's `azure.json`, Crossplane ProviderConfigs.

use super::manifest::str_of;
use crate::model::{
    AccountRef, Meta, Str, SuppliedId, Text, ToolConfig, CERT_MANAGER, CROSSPLANE_AZURE, EXTERNAL_DNS,
    EXTERNAL_SECRETS, KEDA, VELERO,
};
use crate::span::{Pos, Span};
use crate::yaml::{parse_stream, Limits, Node};

/// The tool configuration an object holds, if it is one.
pub fn tool_config(root: &Node, meta: &Meta) -> Option<ToolConfig> {
    let group = meta.api_version.rsplit_once('/').map_or("", |(g, _)| g);
    match (group, meta.kind.as_str()) {
        ("cert-manager.io", "Issuer" | "ClusterIssuer") => cert_manager(root, meta),
        ("keda.sh", "TriggerAuthentication" | "ClusterTriggerAuthentication") => keda(root, meta),
        ("external-secrets.io", "SecretStore" | "ClusterSecretStore") => external_secrets(root, meta),
        ("azure.upbound.io" | "azure.m.upbound.io", "ProviderConfig" | "ClusterProviderConfig") => {
            crossplane(root, meta)
        }
        ("", "Secret") => velero(root, meta).or_else(|| external_dns(root, meta)),
        ("", "ConfigMap") => external_dns(root, meta),
        _ => None,
    }
}

fn config(tool: &'static crate::model::Tool, meta: &Meta, ids: Vec<SuppliedId>) -> ToolConfig {
    ToolConfig { tool, meta: meta.clone(), ids, account: None }
}

/// cert-manager: every ACME DNS-01 solver for Azure DNS; its `managedIdentity.clientID` overrides
/// the `AZURE_CLIENT_ID` the webhook injects.
fn cert_manager(root: &Node, meta: &Meta) -> Option<ToolConfig> {
    let solvers = root.path(&["spec", "acme", "solvers"]).and_then(Node::as_seq)?;
    let azure: Vec<&Node> = solvers.iter().filter_map(|s| s.path(&["dns01", "azureDNS"])).collect();
    if azure.is_empty() {
        return None;
    }
    let ids = azure
        .iter()
        .filter_map(|a| a.path(&["managedIdentity", "clientID"]).and_then(str_of))
        .map(|value| SuppliedId { field: "managedIdentity.clientID", value, from_secret: false })
        .collect();
    Some(config(&CERT_MANAGER, meta, ids))
}

/// KEDA: `podIdentity` with provider `azure-workload`; `identityId` overrides the operator's
/// ServiceAccount annotation.
fn keda(root: &Node, meta: &Meta) -> Option<ToolConfig> {
    let identity = root.path(&["spec", "podIdentity"])?;
    if identity.get("provider").and_then(Node::as_str) != Some("azure-workload") {
        return None;
    }
    let ids = identity.get("identityId").and_then(str_of).map(|value| SuppliedId {
        field: "podIdentity.identityId",
        value,
        from_secret: false,
    });
    Some(config(&KEDA, meta, ids.into_iter().collect()))
}

/// External Secrets: an Azure Key Vault store with `authType: WorkloadIdentity`. With
/// `serviceAccountRef` the controller requests a token for that account itself and takes the
/// client id from its annotation or from `authSecretRef.clientId` (a Secret), never both.
fn external_secrets(root: &Node, meta: &Meta) -> Option<ToolConfig> {
    let kv = root.path(&["spec", "provider", "azurekv"])?;
    if kv.get("authType").and_then(Node::as_str) != Some("WorkloadIdentity") {
        return None;
    }
    let account = kv.get("serviceAccountRef").and_then(|r| {
        let name = r.get("name").and_then(str_of)?;
        let namespace =
            r.get("namespace").and_then(Node::as_str).map_or_else(|| Text::from(meta.namespace.as_str()), Text::from);
        Some(AccountRef { namespace, name })
    });
    let ids = kv.get("authSecretRef").and_then(|a| a.entry("clientId")).map(|(key, r)| {
        let what = |k: &str| r.get(k).and_then(Node::as_str).unwrap_or("?");
        let value = Str { value: format!("Secret {} key {}", what("name"), what("key")).into(), span: key.span };
        SuppliedId { field: "authSecretRef.clientId", value, from_secret: true }
    });
    Some(ToolConfig { account, ..config(&EXTERNAL_SECRETS, meta, ids.into_iter().collect()) })
}

/// Crossplane's Azure providers: a ProviderConfig whose credentials come from the federated token
/// file, with the client id in `spec.clientID`.
fn crossplane(root: &Node, meta: &Meta) -> Option<ToolConfig> {
    let spec = root.get("spec")?;
    if spec.path(&["credentials", "source"]).and_then(Node::as_str) != Some("OIDCTokenFile") {
        return None;
    }
    let ids = spec.get("clientID").and_then(str_of).map(|value| SuppliedId {
        field: "spec.clientID",
        value,
        from_secret: false,
    });
    Some(config(&CROSSPLANE_AZURE, meta, ids.into_iter().collect()))
}

/// Velero: a credentials file (the env-file format its Azure plugin reads) in a Secret, with
/// `AZURE_CLIENT_ID`, which overrides the webhook's variable.
fn velero(root: &Node, meta: &Meta) -> Option<ToolConfig> {
    let mut ids = Vec::new();
    let mut is_credentials = false;
    for (text, at) in secret_texts(root) {
        if !text.contains("AZURE_SUBSCRIPTION_ID=") && !text.contains("AZURE_RESOURCE_GROUP=") {
            continue;
        }
        is_credentials = true;
        for (i, line) in text.lines().enumerate() {
            let Some(value) = line.trim().strip_prefix("AZURE_CLIENT_ID=") else { continue };
            let value = value.trim().trim_matches(['"', '\'']);
            if value.is_empty() {
                continue;
            }
            let span = at.line(i).unwrap_or(at.key);
            ids.push(SuppliedId {
                field: "AZURE_CLIENT_ID",
                value: Str { value: value.into(), span },
                from_secret: false,
            });
        }
    }
    is_credentials.then(|| config(&VELERO, meta, ids))
}

/// external-dns: an `azure.json` with `useWorkloadIdentityExtension: true`; its `aadClientId`
/// overrides the webhook's `AZURE_CLIENT_ID` (`userAssignedIdentityID` is read only with
/// `useManagedIdentityExtension`).
fn external_dns(root: &Node, meta: &Meta) -> Option<ToolConfig> {
    let is_secret = meta.kind == "Secret";
    let (text, at) = embedded(root, "stringData", "azure.json", false)
        .or_else(|| embedded(root, "data", "azure.json", is_secret))?;
    let mut first = None;
    // The embedded JSON is small; the default limits bound it like any document.
    parse_stream(&text, &Limits::default(), |doc| {
        if first.is_none() {
            first = Some(doc);
        }
    });
    let doc = first?;
    let workload_identity =
        doc.get("useWorkloadIdentityExtension").and_then(Node::as_scalar).is_some_and(|s| s.value == "true");
    if !workload_identity {
        return None;
    }
    let ids = doc.get("aadClientId").and_then(|n| {
        let value = n.as_str()?;
        let span = at.inner(n.span).unwrap_or(at.key);
        Some(SuppliedId { field: "aadClientId", value: Str { value: value.into(), span }, from_secret: false })
    });
    Some(config(&EXTERNAL_DNS, meta, ids.into_iter().collect()))
}

/// Where an embedded text sits in the file, to point into it.
#[derive(Clone, Debug)]
struct Embedded {
    key: Span,
    /// The span of the text's own node when its lines map one to one onto the file's (a literal
    /// block scalar of `stringData` or ConfigMap `data`); `None` for base64 `data`.
    literal: Option<Span>,
}

impl Embedded {
    /// The span of the `i`-th line of the text in the file.
    fn line(&self, i: usize) -> Option<Span> {
        let at = self.literal?;
        let line = at.start().line + u32::try_from(i).ok()?;
        Some(Span::new(Pos { line, col: at.start().col }, Pos { line, col: at.start().col }))
    }

    /// The file span of a span inside the text.
    fn inner(&self, inner: Span) -> Option<Span> {
        let at = self.literal?;
        let shift = |p: Pos| Pos { line: at.start().line + p.line - 1, col: at.start().col + p.col - 1 };
        Some(Span::new(shift(inner.start()), shift(inner.end())))
    }
}

/// The texts of a Secret's `stringData` and its base64 `data`.
fn secret_texts(root: &Node) -> Vec<(String, Embedded)> {
    let mut out = Vec::new();
    for (section, base64) in [("stringData", false), ("data", true)] {
        // Each entry as it is met: looking each name up again made 50,000 keys quadratic.
        for (k, v) in root.get(section).and_then(Node::as_map).unwrap_or_default() {
            if let Some(text) = embedded_entry(k, v, base64) {
                out.push(text);
            }
        }
    }
    out
}

/// The text under `section.name`, decoded from base64 when `base64`, with where its lines are.
fn embedded(root: &Node, section: &str, name: &str, base64: bool) -> Option<(String, Embedded)> {
    let (k, v) = root.get(section)?.entry(name)?;
    embedded_entry(k, v, base64)
}

/// The text of the entry `k: v`, decoded from base64 when `base64`, with where its lines are.
fn embedded_entry(k: &Node, v: &Node, base64: bool) -> Option<(String, Embedded)> {
    let raw = v.as_str()?;
    if base64 {
        let text = super::base64::decode(raw).and_then(|b| String::from_utf8(b).ok())?;
        return Some((text, Embedded { key: k.span, literal: None }));
    }
    // A literal block scalar keeps the text's lines, each indented alike: lines map one to one.
    let newlines = u32::try_from(raw.matches('\n').count()).unwrap_or(u32::MAX);
    let block =
        v.span.start().line > k.span.start().line && v.span.end().line.saturating_sub(v.span.start().line) == newlines;
    Some((raw.to_string(), Embedded { key: k.span, literal: block.then_some(v.span) }))
}
