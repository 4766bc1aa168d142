//! What Bicep and ARM resources mean for the model: which types are federated credentials and
//! identity bindings, how a credential's name and identity are read from an evaluated name, and
//! where the name came from.

use super::value::{Text, Value};
use crate::model::Str;
use crate::span::Span;

/// The federated credential of a user-assigned managed identity (lower case). Credentials of
/// Entra applications (`Microsoft.Graph/applications/federatedIdentityCredentials`) are not
/// managed by AKS.
pub const FIC_TYPE: &str = "microsoft.managedidentity/userassignedidentities/federatedidentitycredentials";
/// An AKS identity binding (lower case).
pub const BINDING_TYPE: &str = "microsoft.containerservice/managedclusters/identitybindings";
/// A user-assigned managed identity (lower case).
pub const IDENTITY_TYPE: &str = "microsoft.managedidentity/userassignedidentities";

/// A credential's evaluated name, as the model wants it.
#[derive(Debug, Default)]
pub struct NameParts {
    /// The name, at the write's `name` field.
    pub name: Option<Str>,
    /// Where the name's text was written, when that is not inside the write's `name` field.
    pub source: Option<Span>,
    /// The write's `name` field, when the name is not known.
    pub unresolved: Option<Span>,
    /// For `'<identity>/<name>'`: the identity part.
    pub parent: Option<Text>,
}

/// Reads an evaluated `name` written at `at`. `qualified`: a top-level child resource, whose name
/// is `'<identity>/<name>'` (the last segment is the credential's, and may be known when the
/// identity is not); otherwise the whole text is the name.
pub fn name_parts(value: &Value, at: Span, qualified: bool) -> NameParts {
    let text = value.to_text();
    let found = if qualified { text.split_last('/') } else { text.known().map(|name| (name, text.first_src(), None)) };
    match found {
        Some((name, src, parent)) if !name.is_empty() => NameParts {
            name: Some(Str { value: name.into(), span: at }),
            source: src.filter(|s| !within(*s, at)),
            unresolved: None,
            parent,
        },
        _ => NameParts { unresolved: Some(at), ..NameParts::default() },
    }
}

/// `inner` lies inside `outer` (same file).
pub fn within(inner: Span, outer: Span) -> bool {
    inner.file == outer.file && inner.start() >= outer.start() && inner.end() <= outer.end()
}

/// The managed identity a value names: the name in a resource id (`uami.id`,
/// `resourceId('…/userAssignedIdentities', 'x')`, an id string), else a known string as it is,
/// else the Bicep symbol an id came from.
pub fn identity_name(v: &Value) -> Option<String> {
    match v {
        Value::ResourceId(id) => id.name().and_then(Text::known).or_else(|| id.symbol.clone()),
        Value::Str(t) => t.known().or_else(|| {
            // `…/userAssignedIdentities/<name>` with an unknown scope: the known name is enough.
            let (name, _, head) = t.split_last('/')?;
            let head = head?;
            let (ty, ..) = head.split_last('/')?;
            (ty.eq_ignore_ascii_case("userAssignedIdentities") && !name.is_empty()).then_some(name)
        }),
        _ => None,
    }
}

/// The string value of a property as the model keeps it (issuer, subject), at `at`.
pub fn known_str(v: &Value, at: Span) -> Option<Str> {
    v.known_str().map(|s| Str { value: s.into(), span: at })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::Pos;

    fn span(line: u32, from: u32, to: u32) -> Span {
        Span::new(Pos { line, col: from }, Pos { line, col: to })
    }

    #[test]
    fn names_know_where_they_came_from() {
        let here = span(5, 9, 20);
        let local = Value::str("aks-identity-binding", Some(span(5, 9, 20)));
        let parts = name_parts(&local, here, false);
        assert_eq!(parts.name.as_ref().map(|n| n.value.as_str()), Some("aks-identity-binding"));
        assert_eq!(parts.source, None);
        let from_param = Value::str("aks-identity-binding", Some(span(1, 20, 42)));
        assert_eq!(name_parts(&from_param, here, false).source, Some(span(1, 20, 42)));
        let unknown = name_parts(&Value::Unknown, here, true);
        assert!(unknown.name.is_none());
        assert_eq!(unknown.unresolved, Some(here));
    }

    #[test]
    fn qualified_names_split_at_the_last_slash() {
        let mut t = Text::unknown();
        t.push_str("/aks-identity-binding", None);
        let parts = name_parts(&Value::Str(t), Span::default(), true);
        assert_eq!(parts.name.map(|n| n.value.to_string()).as_deref(), Some("aks-identity-binding"));
        assert!(parts.parent.is_some_and(|p| !p.is_known()));
    }

    #[test]
    fn identities_from_ids_and_strings() {
        let mut id = Text::unknown();
        id.push_str("/providers/Microsoft.ManagedIdentity/userAssignedIdentities/orders", None);
        assert_eq!(identity_name(&Value::Str(id)).as_deref(), Some("orders"));
        assert_eq!(identity_name(&Value::str("orders", None)).as_deref(), Some("orders"));
        assert_eq!(identity_name(&Value::Unknown), None);
    }
}
