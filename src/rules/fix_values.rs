//! Values written into suggested fixes: the YAML and commands of help texts, and SARIF `fixes`.
//!
//! A fix is text the user pastes or a tool applies, so an input value goes into it only when it is
//! valid where it is written (a GUID as a client id, a DNS-1123 name as a name); anything else is
//! replaced by a placeholder the user fills in. No input can then add keys, documents or shell
//! words to a fix, whatever quotes, newlines or `#` it holds.

use crate::model::{is_dns1123_label, is_dns1123_subdomain, is_guid, is_qualified_name};

pub(super) const CLIENT_ID: &str = "<client-id>";
pub(super) const TENANT_ID: &str = "<tenant-id>";
pub(super) const NAME: &str = "<name>";
pub(super) const NAMESPACE: &str = "<namespace>";
pub(super) const KEY: &str = "<key>";

/// `v` when it is a GUID, else `placeholder`.
pub(super) fn guid_or<'a>(v: &'a str, placeholder: &'a str) -> &'a str {
    if is_guid(v) {
        v
    } else {
        placeholder
    }
}

/// An object name (ServiceAccount, role, binding): `v` when it is a DNS-1123 subdomain, else `<name>`.
pub(super) fn object_name(v: &str) -> &str {
    if is_dns1123_subdomain(v) {
        v
    } else {
        NAME
    }
}

/// A namespace: `v` when it is a DNS-1123 label, else `<namespace>`.
pub(super) fn namespace(v: &str) -> &str {
    if is_dns1123_label(v) {
        v
    } else {
        NAMESPACE
    }
}

/// A label or annotation key: `v` when it is a valid key, else `<key>`.
pub(super) fn metadata_key(v: &str) -> &str {
    if is_qualified_name(v) {
        v
    } else {
        KEY
    }
}

/// `v` when it is a plain word (letters, digits, `.`, `+`, `-`, `_`: numbers and booleans as YAML
/// writes them), else `placeholder`.
pub(super) fn plain_word<'a>(v: &'a str, placeholder: &'a str) -> &'a str {
    let plain = !v.is_empty() && v.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-' | b'_'));
    if plain {
        v
    } else {
        placeholder
    }
}

/// `v` when it is an `https://` URL that a double-quoted YAML scalar holds as it is (printable
/// ASCII without spaces, quotes or backslashes), else `placeholder`.
pub(super) fn url_or<'a>(v: &'a str, placeholder: &'a str) -> &'a str {
    let clean = v.starts_with("https://") && v.bytes().all(|b| b.is_ascii_graphic() && !matches!(b, b'"' | b'\\'));
    if clean {
        v
    } else {
        placeholder
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_values_valid_in_place_are_kept() {
        assert_eq!(guid_or("3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60", CLIENT_ID), "3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60");
        assert_eq!(guid_or("x\"]\n  - evil", CLIENT_ID), CLIENT_ID);
        assert_eq!(object_name("api\n    namespace: kube-system"), NAME);
        assert_eq!(namespace("team-a"), "team-a");
        assert_eq!(namespace("team.a"), NAMESPACE);
        assert_eq!(metadata_key("a: b\nc"), KEY);
        assert_eq!(plain_word("true", "..."), "true");
        assert_eq!(plain_word("1\" # x", "..."), "...");
        assert_eq!(url_or("https://x.example/a/\"\n", "<issuer>"), "<issuer>");
    }
}
