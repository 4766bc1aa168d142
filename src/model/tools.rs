//! Tools that take the client id of their managed identity from their own configuration rather
//! than from the ServiceAccount annotation: the documented setups of cert-manager, KEDA, External
//! Secrets, Velero, external-dns and Crossplane's Azure providers leave `client-id` off the
//! ServiceAccount on purpose.

use super::meta::{Meta, Str, Text};
use super::workload::Workload;

/// A tool, how its pods are recognised, and where its configuration names the client id.
#[derive(Debug)]
pub struct Tool {
    pub name: &'static str,
    /// The last path segment of the container image repositories that run it
    /// (`quay.io/jetstack/cert-manager-controller:v1.15.3` → `cert-manager-controller`).
    pub images: &'static [&'static str],
    /// Kinds whose pods are the tool's (Crossplane package runtimes).
    pub kinds: &'static [&'static str],
    /// Where its configuration names the client id, for messages.
    pub id_field: &'static str,
    /// Which of its pods a configuration applies to.
    pub reach: Reach,
    /// The tool documents a different identity per configuration object as a feature (KEDA's
    /// `identityId` "allows end-users to use different identities"): an id that differs from the
    /// ServiceAccount's is then a note, not a warning.
    pub per_object_identities: bool,
}

/// Which pods a tool's configuration object applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// The tool's pods anywhere (cluster-wide controllers: cert-manager, KEDA, Crossplane).
    Cluster,
    /// The tool's pods in the configuration's namespace (Velero, external-dns read a Secret or
    /// ConfigMap of their own namespace).
    Namespace,
}

pub static CERT_MANAGER: Tool = Tool {
    name: "cert-manager",
    images: &["cert-manager-controller"],
    kinds: &[],
    id_field: "`spec.acme.solvers[].dns01.azureDNS.managedIdentity.clientID` of its Issuers and ClusterIssuers",
    reach: Reach::Cluster,
    per_object_identities: false,
};

pub static KEDA: Tool = Tool {
    name: "KEDA",
    images: &["keda"],
    kinds: &[],
    id_field: "`spec.podIdentity.identityId` of its TriggerAuthentications (provider `azure-workload`)",
    reach: Reach::Cluster,
    per_object_identities: true,
};

pub static EXTERNAL_SECRETS: Tool = Tool {
    name: "External Secrets",
    images: &["external-secrets"],
    kinds: &[],
    id_field: "the ServiceAccount named by `serviceAccountRef` or `authSecretRef.clientId` of its Azure Key Vault \
               SecretStores",
    reach: Reach::Cluster,
    per_object_identities: false,
};

pub static VELERO: Tool = Tool {
    name: "Velero",
    images: &["velero"],
    kinds: &[],
    id_field: "`AZURE_CLIENT_ID` in its credentials file (the `cloud` key of its credentials Secret)",
    reach: Reach::Namespace,
    per_object_identities: false,
};

pub static EXTERNAL_DNS: Tool = Tool {
    name: "external-dns",
    images: &["external-dns"],
    kinds: &[],
    id_field: "`aadClientId` of its `azure.json` (with `useWorkloadIdentityExtension: true`)",
    reach: Reach::Namespace,
    per_object_identities: false,
};

pub static CROSSPLANE_AZURE: Tool = Tool {
    name: "Crossplane's Azure provider",
    images: &[],
    kinds: &["DeploymentRuntimeConfig", "ControllerConfig"],
    id_field: "`spec.clientID` of its ProviderConfigs (credentials source `OIDCTokenFile`)",
    reach: Reach::Cluster,
    per_object_identities: false,
};

/// Every tool, for lookups by image or kind.
pub static TOOLS: &[&Tool] = &[&CERT_MANAGER, &KEDA, &EXTERNAL_SECRETS, &VELERO, &EXTERNAL_DNS, &CROSSPLANE_AZURE];

/// The tool a workload runs, if it is one of [`TOOLS`].
pub fn tool_of(w: &Workload) -> Option<&'static Tool> {
    TOOLS.iter().copied().find(|t| {
        t.kinds.contains(&w.meta.kind.as_str())
            || w.pod
                .containers
                .iter()
                .any(|c| c.image.as_ref().is_some_and(|i| t.images.contains(&image_name(&i.value))))
    })
}

/// The last path segment of an image reference, without tag or digest:
/// `ghcr.io/kedacore/keda:2.15.1@sha256:…` → `keda`.
pub fn image_name(image: &str) -> &str {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
    last.split(':').next().unwrap_or(last)
}

/// One object of a tool's configuration that concerns workload identity.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ToolConfig {
    #[serde(with = "super::stored::tool")]
    pub tool: &'static Tool,
    pub meta: Meta,
    /// The client ids it supplies (a ClusterIssuer may have several solvers).
    pub ids: Vec<SuppliedId>,
    /// The ServiceAccount it names for the tool to use (External Secrets' `serviceAccountRef`);
    /// `None`: the tool's own pods' account.
    pub account: Option<AccountRef>,
}

/// A client id a configuration supplies.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct SuppliedId {
    /// The field, as a message names it (`managedIdentity.clientID`).
    #[serde(with = "super::stored::static_str")]
    pub field: super::stored::StaticStr,
    /// The literal id; for a reference to a Secret (`authSecretRef.clientId`), its description.
    pub value: Str,
    /// The id is read from a Secret at run time: its value is not known here.
    pub from_secret: bool,
}

/// A ServiceAccount a configuration names.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct AccountRef {
    pub namespace: Text,
    pub name: Str,
}

impl ToolConfig {
    /// Whether this configuration applies to the pods of `w` (which runs `tool`).
    pub fn applies_to(&self, w: &Workload) -> bool {
        match self.tool.reach {
            Reach::Cluster => true,
            Reach::Namespace => w.namespace() == self.meta.namespace,
        }
    }

    /// The literal ids it supplies (placeholders included; the caller decides).
    pub fn literal_ids(&self) -> impl Iterator<Item = &SuppliedId> {
        self.ids.iter().filter(|id| !id.from_secret)
    }
}

/// The README's table of tools: one row per tool, from [`TOOLS`].
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| tool | recognised by | client id taken from | applies to | another id than the annotation's |\n|---|---|---|---|---|\n",
    );
    for t in TOOLS {
        let by: Vec<String> = t
            .images
            .iter()
            .map(|i| format!("image `…/{i}`"))
            .chain(t.kinds.iter().map(|k| format!("pods of a `{k}`")))
            .collect();
        let reach = match t.reach {
            Reach::Cluster => "the tool's pods in every namespace",
            Reach::Namespace => "the tool's pods in the configuration's namespace",
        };
        let level = if t.per_object_identities { "IB206 note" } else { "IB206 warning" };
        out.push_str(&format!("| {} | {} | {} | {reach} | {level} |\n", t.name, by.join(", "), t.id_field));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names() {
        assert_eq!(image_name("quay.io/jetstack/cert-manager-controller:v1.15.3"), "cert-manager-controller");
        assert_eq!(image_name("ghcr.io/kedacore/keda:2.15.1@sha256:0123"), "keda");
        assert_eq!(image_name("velero/velero:v1.14.0"), "velero");
        assert_eq!(image_name("registry.local:5000/external-dns/external-dns"), "external-dns");
        assert_eq!(image_name("keda"), "keda");
    }
}
