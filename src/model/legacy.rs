//! Legacy aad-pod-identity objects (`aadpodidentity.k8s.io`).

use super::meta::{Meta, Str};

/// An AzureIdentity, AzureIdentityBinding, AzureAssignedIdentity or AzurePodIdentityException.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct LegacyPodIdentity {
    pub meta: Meta,
    /// `spec.clientID` of an AzureIdentity (keys matched case-insensitively).
    pub client_id: Option<Str>,
    pub tenant_id: Option<Str>,
    /// `spec.selector` of an AzureIdentityBinding.
    pub selector: Option<Str>,
}
