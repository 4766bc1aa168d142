//! Federated identity credentials from every source that can touch one: ASO and Crossplane
//! objects, Terraform, Bicep, ARM templates and scripts.

use super::meta::{Meta, Origin, Str};
use crate::finding::Location;
use crate::span::Span;

/// The credential name AKS creates and owns for identity bindings.
pub const MANAGED_FIC_NAME: &str = "aks-identity-binding";

/// What a source does to the credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FicAction {
    /// Declared (desired state: created and kept as written).
    Declare,
    Create,
    Update,
    Delete,
}

impl FicAction {
    pub fn verb(self) -> &'static str {
        match self {
            FicAction::Declare => "declares",
            FicAction::Create => "creates",
            FicAction::Update => "updates",
            FicAction::Delete => "deletes",
        }
    }
}

/// One federated identity credential, or one command that touches one.
#[derive(Clone, Debug)]
pub struct FederatedCredential {
    /// How users name it: `FederatedIdentityCredential team-a/x`, `Terraform resource
    /// azurerm_federated_identity_credential.x`, `az identity federated-credential delete`.
    pub display: String,
    pub origin: Origin,
    /// The Kubernetes object, for ASO and Crossplane credentials.
    pub meta: Option<Meta>,
    pub action: FicAction,
    /// The effective name when it is known; its span is what makes a finding true.
    pub name: Option<Str>,
    /// Where the declaration or command starts (used when the name is unknown).
    pub anchor: Span,
    /// The identity the credential belongs to, as the source expresses it (ASO owner, Crossplane
    /// parent, Terraform parent expression, Bicep parent, `--identity-name`); `None` if unknown.
    pub identity: Option<String>,
    pub issuer: Option<Str>,
    pub subject: Option<Str>,
    pub audiences: Vec<Str>,
    /// ASO `serviceoperator.azure.com/reconcile-policy: skip`: never written to Azure.
    pub reconcile_skip: bool,
    /// Declared in a loop (`for_each`, `count`, Bicep `for`): stands for several credentials.
    pub repeated: bool,
}

impl FederatedCredential {
    /// A location in this credential's file (or its live object).
    pub fn at(&self, span: Span) -> Location {
        match (&self.meta, &self.origin) {
            (Some(meta), _) => meta.at(span),
            (None, Origin::File(path)) => Location::in_file(path, span),
            (None, Origin::Live { context }) => Location::Logical { name: format!("{context}/{}", self.display) },
        }
    }

    /// The effective name is the AKS-managed one (Azure resource names ignore case).
    pub fn is_managed_name(&self) -> bool {
        self.name.as_ref().is_some_and(|n| n.value.eq_ignore_ascii_case(MANAGED_FIC_NAME))
    }
}
