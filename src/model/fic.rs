//! Federated identity credentials from every source (ASO, Crossplane, Terraform, Bicep, ARM,
//! scripts). Filled in by the federated-credential work.

/// One federated identity credential, or one command/resource that touches one.
#[derive(Clone, Debug)]
pub struct FederatedCredential {}
