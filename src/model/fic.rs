//! Federated identity credentials from every source that can touch one: ASO and Crossplane
//! objects, Terraform, Bicep, ARM templates and scripts.

use super::meta::{Meta, Origin, Place, SharedStr, Str};
use crate::finding::Location;
use crate::span::Span;

/// The credential name AKS creates and owns for identity bindings.
pub const MANAGED_FIC_NAME: &str = "aks-identity-binding";

/// What a source does to the credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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

/// A text in two parts: a prefix that many values share, interned, then the value's own rest,
/// stored inline when short. A Terraform `for_each` over 100,000 applications gives each
/// credential the same resource address in its name and the same identity resource in its
/// parent, differing only by the instance key (`["app-00123"]`): whole, they were 100,000 copies
/// of each (and, interned, 100,000 entries the interner keeps for good).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct PrefixedText {
    prefix: super::Interned,
    rest: super::Text,
}

impl PrefixedText {
    /// `prefix` followed by `rest`.
    pub fn new(prefix: &str, rest: &str) -> PrefixedText {
        PrefixedText { prefix: super::Interned::new(prefix), rest: rest.into() }
    }

    /// `text` with what precedes its last instance key (`[…]`) shared: the same text for every
    /// instance of a resource. A text without a key is shared whole, as every credential of one
    /// identity names it.
    pub fn shared_before_key(text: &str) -> PrefixedText {
        let at = text.rfind('[').unwrap_or(text.len());
        PrefixedText::new(&text[..at], &text[at..])
    }

    /// [`identity_key`] of the text, made in the one string that spells it out.
    pub fn identity_key(&self) -> String {
        let mut text = self.to_string();
        text.make_ascii_lowercase();
        if text.trim().len() != text.len() {
            text = text.trim().to_string();
        }
        key_of_lowered(text)
    }

    fn parts(&self) -> [&str; 2] {
        [&self.prefix, &self.rest]
    }

    fn bytes(&self) -> impl Iterator<Item = u8> + '_ {
        self.parts().into_iter().flat_map(str::bytes)
    }
}

/// A text no other value shares (a Bicep or ARM name, a script's argument, an ASO owner) is
/// all its own: unique texts never sit in the interner for good.
impl From<String> for PrefixedText {
    fn from(own: String) -> PrefixedText {
        PrefixedText { prefix: super::Interned::default(), rest: own.into() }
    }
}

impl From<&str> for PrefixedText {
    fn from(own: &str) -> PrefixedText {
        PrefixedText { prefix: super::Interned::default(), rest: own.into() }
    }
}

impl std::fmt::Display for PrefixedText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.parts().iter().try_for_each(|part| f.write_str(part))
    }
}

/// Equal texts are equal however they were split.
impl PartialEq for PrefixedText {
    fn eq(&self, other: &PrefixedText) -> bool {
        (self.prefix == other.prefix && self.rest == other.rest) || self.bytes().eq(other.bytes())
    }
}

impl Eq for PrefixedText {}

/// One federated identity credential, or one command that touches one.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct FederatedCredential {
    /// How users name it: `FederatedIdentityCredential team-a/x`, `Terraform resource
    /// azurerm_federated_identity_credential.x`, `az identity federated-credential delete`.
    pub display: PrefixedText,
    pub origin: Origin,
    /// The Kubernetes object, for ASO and Crossplane credentials (boxed: most credentials come
    /// from infrastructure code and have none).
    pub meta: Option<Box<Meta>>,
    pub action: FicAction,
    /// The effective name when it is known. Its span is the write's own name (the `name:` field,
    /// the `--name` argument), where a finding belongs.
    pub name: Option<Str>,
    /// The text that produced the name when it is not at `name.span`: a parameter default, a
    /// `.bicepparam` or tfvars value, a module argument, a script variable, an `env:` entry (a
    /// span in another file names its file). Findings show it as a related location.
    pub name_source: Option<Span>,
    /// Where the name is written when it could not be evaluated (`--name "$(…)"`,
    /// `name: uniqueString(…)`), so a note can point at it.
    pub unresolved_name: Option<Span>,
    /// Where the declaration or command starts (used when the name is unknown).
    pub anchor: Span,
    /// The identity the credential belongs to, as the source expresses it (ASO owner, Crossplane
    /// parent, Terraform parent expression, Bicep parent, `--identity-name`); `None` if unknown.
    /// What a `for_each`'s instances share (the identity resource's address) is stored once.
    pub identity: Option<PrefixedText>,
    pub issuer: Option<SharedStr>,
    pub subject: Option<Str>,
    /// Boxed slices of their exact size, as the model's other lists.
    pub audiences: Box<[SharedStr]>,
    /// ASO `serviceoperator.azure.com/reconcile-policy: skip`: never written to Azure.
    pub reconcile_skip: bool,
    /// Declared in a loop (`for_each`, `count`, Bicep `for`) whose instances are not known:
    /// stands for several credentials.
    pub repeated: bool,
    /// What carried the declaration here, outermost first (the module calls of an evaluated
    /// module instance): shown as related locations.
    pub trail: Box<[(Span, String)]>,
    /// The parameter file (`.bicepparam`, `*.parameters.json`) the declaring template was
    /// evaluated with. Each parameter file is a deployment of its own (an environment):
    /// credentials of different parameter files are never counted together.
    pub deployment: Option<std::sync::Arc<str>>,
}

impl FederatedCredential {
    /// A location in this credential's file (or its live object).
    pub fn at(&self, span: Span) -> Location {
        match (&self.meta, self.origin.place()) {
            (Some(meta), _) => meta.at(span),
            (None, Place::File(path)) => Location::in_file(path, span),
            (None, Place::Live { context }) => Location::Logical { name: format!("{context}/{}", self.display) },
        }
    }

    /// [`Self::identity`] as one text.
    pub fn identity_text(&self) -> Option<String> {
        self.identity.as_ref().map(ToString::to_string)
    }

    /// [`identity_key`] of [`Self::identity`].
    pub fn identity_key(&self) -> Option<String> {
        self.identity.as_ref().map(PrefixedText::identity_key)
    }

    /// The effective name is the AKS-managed one (Azure resource names ignore case).
    pub fn is_managed_name(&self) -> bool {
        self.name.as_ref().is_some_and(|n| n.value.eq_ignore_ascii_case(MANAGED_FIC_NAME))
    }
}

/// An AKS identity binding: `Microsoft.ContainerService/managedClusters/identityBindings` (Bicep,
/// ARM, azapi) or `az aks identity-binding create`. It lets a cluster use a managed identity, and
/// makes AKS create and own that identity's credential `aks-identity-binding`.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct IdentityBindingResource {
    /// How users name it: `Bicep resource binding`, `az aks identity-binding create`.
    pub display: String,
    pub origin: Origin,
    /// Where the declaration or command starts.
    pub anchor: Span,
    /// The binding's own name, when it is known.
    pub name: Option<Str>,
    /// The managed identity it binds, as the source expresses it (the same conventions as
    /// [`FederatedCredential::identity`]; compare with [`same_identity`]); `None` if unknown.
    pub identity: Option<String>,
    /// The cluster, as the source expresses it.
    pub cluster: Option<String>,
}

impl IdentityBindingResource {
    /// A location in this binding's file.
    pub fn at(&self, span: Span) -> Location {
        match self.origin.place() {
            Place::File(path) => Location::in_file(path, span),
            Place::Live { context } => Location::Logical { name: format!("{context}/{}", self.display) },
        }
    }
}

/// What an identity expression names, so that different spellings of one identity compare equal:
/// the last segment of an Azure resource id (`…/userAssignedIdentities/<name>`), a reference
/// without its `.id`/`.name` attribute (`uami.id`, `azurerm_user_assigned_identity.x.id`), in
/// lower case (Azure resource names ignore case).
pub fn identity_key(expr: &str) -> String {
    key_of_lowered(expr.trim().to_ascii_lowercase())
}

/// [`identity_key`] of a trimmed, lower-cased expression, cut down in its own string: a rule keys
/// every credential of a repository, twice.
fn key_of_lowered(mut lower: String) -> String {
    const SEGMENT: &str = "/userassignedidentities/";
    // The searcher is built once (setting one up per call, as `str::rfind` does, cost more than
    // the rest of the function).
    static FINDER: std::sync::OnceLock<memchr::memmem::FinderRev<'static>> = std::sync::OnceLock::new();
    let finder = FINDER.get_or_init(|| memchr::memmem::FinderRev::new(SEGMENT));
    if let Some(at) = finder.rfind(lower.as_bytes()) {
        let start = at + SEGMENT.len();
        let end = lower[start..].find(['/', '?']).map_or(lower.len(), |len| start + len);
        lower.truncate(end);
        lower.drain(..start);
        return lower;
    }
    let kept = lower.strip_suffix(".id").or_else(|| lower.strip_suffix(".name")).map_or(lower.len(), str::len);
    lower.truncate(kept);
    lower
}

/// Two identity expressions name the same identity.
pub fn same_identity(a: &str, b: &str) -> bool {
    let (a, b) = (identity_key(a), identity_key(b));
    !a.is_empty() && a == b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_spellings_compare_by_name() {
        assert!(same_identity(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/Orders-ID",
            "orders-id"
        ));
        assert!(same_identity("uami.id", "uami"));
        assert!(same_identity("azurerm_user_assigned_identity.x.id", "azurerm_user_assigned_identity.x"));
        assert!(!same_identity("uami", "other"));
        assert!(!same_identity("", ""));
    }

    /// An identity held in two parts keys as its whole text does.
    #[test]
    fn a_prefixed_identity_keys_as_its_text() {
        let id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/";
        for (prefix, rest, key) in [
            (id, "Orders-ID", "orders-id"),
            (id, "Orders-ID/federatedIdentityCredentials/x?api=1", "orders-id"),
            (
                "infra/a/azurerm_user_assigned_identity.app",
                r#"["X"].id"#,
                r#"infra/a/azurerm_user_assigned_identity.app["x"]"#,
            ),
            ("  uami", ".Name ", "uami"),
            ("", "", ""),
        ] {
            let text = PrefixedText::new(prefix, rest);
            assert_eq!(text.identity_key(), key, "{text}");
            assert_eq!(identity_key(&text.to_string()), key, "{text}");
        }
    }

    /// The instances of one Terraform resource share its address; each keeps its own key, and
    /// a name decoded from the cache reads as it was written.
    #[test]
    fn prefixed_texts_share_their_prefix() {
        let address = "Terraform resource azurerm_federated_identity_credential.app";
        let (a, b) = (PrefixedText::new(address, "[\"a\"]"), PrefixedText::new(address, "[\"b\"]"));
        assert_eq!(a.to_string(), format!("{address}[\"a\"]"));
        assert_eq!(a.prefix, b.prefix, "interned: one copy of the address");
        assert_ne!(a, b);
        let written = PrefixedText::from("Bicep resource fic".to_string());
        let decoded: PrefixedText = postcard::from_bytes(&postcard::to_stdvec(&written).unwrap()).unwrap();
        assert_eq!(decoded.to_string(), "Bicep resource fic");
        assert_eq!(decoded, PrefixedText::new("Bicep ", "resource fic"), "equal texts, split elsewhere");
    }

    /// The instances of a `for_each` share their identity's address; an identity without an
    /// instance key is shared whole.
    #[test]
    fn identities_share_what_precedes_their_instance_key() {
        let one = PrefixedText::shared_before_key(r#"infra/a/azurerm_user_assigned_identity.app["x"].id"#);
        let two = PrefixedText::shared_before_key(r#"infra/a/azurerm_user_assigned_identity.app["y"].id"#);
        assert_eq!(one.prefix, two.prefix);
        assert_eq!(&*one.prefix, "infra/a/azurerm_user_assigned_identity.app");
        assert_eq!(one.rest, r#"["x"].id"#);
        assert_eq!(one.to_string(), r#"infra/a/azurerm_user_assigned_identity.app["x"].id"#);
        let whole = PrefixedText::shared_before_key("azurerm_user_assigned_identity.shared.id");
        assert_eq!((&*whole.prefix, whole.rest.as_str()), ("azurerm_user_assigned_identity.shared.id", ""));
    }
}
