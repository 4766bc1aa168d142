//! Legacy aad-pod-identity objects (`aadpodidentity.k8s.io`).

/// An AzureIdentity, AzureIdentityBinding, AzureAssignedIdentity or AzurePodIdentityException.
#[derive(Clone, Debug)]
pub struct LegacyPodIdentity {}
