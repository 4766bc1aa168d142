//! Questions about single values that sources, rules and reporters all ask.

/// A value that is a template placeholder filled in later (`${VAR}`, `$(VAR)`, `__NAME__`,
/// `<client-id>`, `{{ … }}`, `#{…}#`): not checked, not malformed.
pub fn is_placeholder(v: &str) -> bool {
    let v = v.trim();
    v.contains("${")
        || v.contains("$(")
        || v.contains("{{")
        || (v.contains("#{") && v.contains("}#"))
        || (v.starts_with('<') && v.ends_with('>'))
        || (v.len() > 4 && v.starts_with("__") && v.ends_with("__"))
        || (v.starts_with('$') && v[1..].chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && v.len() > 1)
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
        ] {
            assert!(is_placeholder(p), "{p}");
        }
        for v in ["00000000-0000-0000-0000-000000000000", "my-client", "__", "<>x"] {
            assert!(!is_placeholder(v), "{v}");
        }
    }

    #[test]
    fn guids() {
        assert!(is_guid("3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60"));
        assert!(!is_guid("3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f6"));
        assert!(!is_guid("3f2c1a9e-8b7d-4c6e-9f0a+1b2c3d4e5f60"));
    }
}
