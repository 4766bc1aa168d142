//! Questions about single values that sources, rules and reporters all ask.

/// A value that is a template placeholder filled in later (`${VAR}`, `$(VAR)`, `__NAME__`,
/// `<client-id>`, `{{ … }}`, `#{…}#`) or an id masked in documentation
/// (`7d8cdf74-xxxx-xxxx-xxxx-274d963d358b`, `********`): not checked, not malformed. A GUID is
/// never a placeholder, the nil GUID included.
pub fn is_placeholder(v: &str) -> bool {
    let v = v.trim();
    // Every id in scope is asked, and most hold none of the template markers' first bytes: one
    // pass for those before any substring search.
    let templated = || {
        memchr::memchr3(b'$', b'{', b'#', v.as_bytes()).is_some()
            && (v.contains("${") || v.contains("$(") || v.contains("{{") || (v.contains("#{") && v.contains("}#")))
    };
    is_masked(v)
        || templated()
        || (v.starts_with('<') && v.ends_with('>'))
        || (v.len() > 4 && v.starts_with("__") && v.ends_with("__"))
        || (v.starts_with('$') && v[1..].chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && v.len() > 1)
}

/// An id masked as documentation writes it: a GUID whose groups are partly or wholly `x`s or
/// `*`s (`7d8cdf74-xxxx-xxxx-xxxx-xxxxxxxxxxxx`), or nothing but `*`s (`****`).
fn is_masked(v: &str) -> bool {
    let masked_group =
        |g: &str| !g.is_empty() && (g.bytes().all(|c| c == b'x' || c == b'X') || g.bytes().all(|c| c == b'*'));
    if v.len() >= 3 && v.bytes().all(|c| c == b'*') {
        return true;
    }
    // GUID-shaped, 8-4-4-4-12 with no other `-`, checked without collecting the groups: every
    // id in scope is asked.
    let b = v.as_bytes();
    if b.len() != 36 || b.iter().enumerate().any(|(i, &c)| (c == b'-') != matches!(i, 8 | 13 | 18 | 23)) {
        return false;
    }
    let groups = [&v[..8], &v[9..13], &v[14..18], &v[19..23], &v[24..]];
    groups.iter().all(|g| masked_group(g) || g.bytes().all(|c| c.is_ascii_hexdigit()))
        && groups.iter().any(|g| masked_group(g))
}

/// A canonical GUID: 8-4-4-4-12 hex digits.
pub fn is_guid(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// A DNS-1123 label (namespaces, container names): at most 63 lower-case letters, digits and `-`,
/// starting and ending with a letter or digit.
pub fn is_dns1123_label(v: &str) -> bool {
    let b = v.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// A DNS-1123 subdomain (ServiceAccount and most object names): at most 253 characters, dot-separated
/// labels of lower-case letters, digits and `-`.
pub fn is_dns1123_subdomain(v: &str) -> bool {
    v.len() <= 253 && v.split('.').all(|part| !part.is_empty() && is_dns1123_label_chars(part))
}

/// A label of a subdomain: a DNS-1123 label without the 63-character limit of its own.
fn is_dns1123_label_chars(part: &str) -> bool {
    let b = part.as_bytes();
    b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// A label or annotation key: an optional DNS-1123 subdomain prefix and `/`, then a name of at most
/// 63 letters, digits, `-`, `_` and `.` that starts and ends with a letter or digit.
pub fn is_qualified_name(v: &str) -> bool {
    let (prefix, name) = match v.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, v),
    };
    let b = name.as_bytes();
    prefix.is_none_or(is_dns1123_subdomain)
        && !b.is_empty()
        && b.len() <= 63
        && b.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        for p in [
            "${CLIENT_ID}",
            "$(CLIENT_ID)",
            "__backendMsiClientId__",
            "<client-id>",
            "{{ .Values.id }}",
            "#{clientId}#",
            "$CLIENT_ID",
            "7d8cdf74-xxxx-xxxx-xxxx-274d963d358b",
            "7d8cdf74-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
            "XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX",
            "********-****-****-****-************",
            "****",
        ] {
            assert!(is_placeholder(p), "{p}");
        }
        for v in [
            "00000000-0000-0000-0000-000000000000",
            "3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60",
            "my-client",
            "__",
            "<>x",
            "**",
            "7d8cdf74-xxxx-xxxx-xxxx-274d963d358",
            "7d8cdf74-xyxx-xxxx-xxxx-274d963d358b",
        ] {
            assert!(!is_placeholder(v), "{v}");
        }
    }

    #[test]
    fn guids() {
        assert!(is_guid("3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60"));
        assert!(!is_guid("3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f6"));
        assert!(!is_guid("3f2c1a9e-8b7d-4c6e-9f0a+1b2c3d4e5f60"));
    }

    #[test]
    fn kubernetes_names() {
        for ok in ["api", "team-a", "a1", "0"] {
            assert!(is_dns1123_label(ok) && is_dns1123_subdomain(ok), "{ok}");
        }
        assert!(is_dns1123_subdomain("api.v1.example") && !is_dns1123_label("api.v1.example"));
        assert!(!is_dns1123_label(&"a".repeat(64)) && is_dns1123_subdomain(&"a".repeat(64)));
        for bad in ["", "-a", "a-", "A", "a_b", "a\n  evil: x", "a..b", ".a", "a b", "\"a\""] {
            assert!(!is_dns1123_label(bad) && !is_dns1123_subdomain(bad), "{bad}");
        }
        for ok in ["app", "azure.workload.identity/use", "example.com/Some_Key.1"] {
            assert!(is_qualified_name(ok), "{ok}");
        }
        for bad in ["", "/x", "a/b/c", "Ex.com/x", "x\"y", "-x", "x: y"] {
            assert!(!is_qualified_name(bad), "{bad}");
        }
    }
}
