//! Masking of source text shown in snippets, for what [`super::collect`] cannot see: a document
//! that fails to parse is never delivered, yet its lines appear in its IB001 snippet. Works on the
//! text, line by line, in block style, flow style and JSON alike. Columns are kept: every hidden
//! character becomes one `*`.

use super::{is_plain_value, is_secret_name};

/// Masks, in every document of `text`: the values of secret-looking keys (block scalars
/// included), the `value` after a secret-looking `name`, and everything under `data` and
/// `stringData` of a `kind: Secret` (however `kind` is written: quoted, with a comment, in JSON).
pub fn mask_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for doc in split_documents(text) {
        mask_document(doc, is_secret_document(doc), &mut out);
    }
    out
}

fn mask_document(doc: &str, secret: bool, out: &mut String) {
    // Lines deeper than this indentation are hidden whole: the content of a Secret's `data`
    // block, or of a block scalar under a secret-looking key.
    let mut hidden_below: Option<usize> = None;
    let mut data_below: Option<usize> = None;
    let mut after_secret_name = false;
    for line in doc.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let indent = content.len() - content.trim_start().len();
        let blank = content.trim().is_empty();
        if let Some(limit) = hidden_below {
            if blank || indent > limit {
                // A block scalar's `#` is text, not a comment: hidden with the rest.
                let (head, tail) = line.split_at(indent.min(line.len()));
                out.push_str(head);
                out.extend(tail.chars().map(|c| if c.is_whitespace() { c } else { '*' }));
                continue;
            }
            hidden_below = None;
        }
        if data_below.is_some_and(|limit| !blank && indent <= limit) {
            data_below = None;
        }
        let in_data = data_below.is_some();
        let body = content.trim_start();
        let item = body.strip_prefix("- ").unwrap_or(body);
        let Some((key, value)) = split_key(item) else {
            // A line with no key: a flow or JSON line, or the continuation of a scalar.
            let masked = if in_data && !blank { hide(line, indent) } else { mask_flow(line, secret, in_data) };
            out.push_str(&masked);
            after_secret_name = false;
            continue;
        };
        // `value` is a slice of `line`: where it starts is where the value is written.
        let value_start = value.as_ptr() as usize - line.as_ptr() as usize;
        let key = key.trim().trim_matches(['"', '\'']);
        let data_key = secret && (key == "data" || key == "stringData");
        let bare = strip_comment(value).trim().trim_matches(['"', '\'']);
        if data_key && bare.is_empty() {
            data_below = Some(indent);
        }
        let block_scalar = bare.starts_with('|') || bare.starts_with('>');
        let secret_key = is_secret_name(key) || (after_secret_name && key == "value");
        after_secret_name = key == "name" && is_secret_name(bare);
        let (head, tail) = line.split_at(value_start);
        out.push_str(head);
        if (in_data || secret_key) && block_scalar {
            hidden_below = Some(indent);
            out.push_str(tail);
        } else if in_data || (secret_key && !is_plain_value(bare)) {
            out.push_str(&hide_value(tail));
        } else {
            out.push_str(&mask_flow(tail, secret, data_key));
        }
    }
}

/// The key and the rest of a `key: value` line (not a `:` inside a URL, a quoted key's `:`, or
/// a flow collection).
fn split_key(item: &str) -> Option<(&str, &str)> {
    if item.starts_with(['{', '[', '#']) {
        return None;
    }
    let bytes = item.as_bytes();
    let mut quote = None;
    for (i, &b) in bytes.iter().enumerate() {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') if i == 0 => quote = Some(b),
            // A comment: no key after it.
            (None, b'#') if i > 0 && bytes[i - 1].is_ascii_whitespace() => return None,
            (None, b':') if bytes.get(i + 1).is_none_or(|n| n.is_ascii_whitespace()) => {
                return Some((&item[..i], &item[i + 1..]));
            }
            _ => {}
        }
    }
    None
}

/// A value without its trailing ` # comment`.
fn strip_comment(value: &str) -> &str {
    value.find(" #").map_or(value, |i| &value[..i])
}

/// `line` with everything after its indentation hidden.
fn hide(line: &str, indent: usize) -> String {
    let (head, tail) = line.split_at(indent.min(line.len()));
    format!("{head}{}", hide_value(tail))
}

/// A value hidden: each character but whitespace (and a trailing comment's) becomes `*`.
fn hide_value(value: &str) -> String {
    let comment = value.find(" #").unwrap_or(value.len());
    let (hidden, kept) = value.split_at(comment);
    hidden.chars().map(|c| if c.is_whitespace() { c } else { '*' }).chain(kept.chars()).collect()
}

/// Whether a document says `kind: Secret` in any style: block (quoted or not, with a comment),
/// flow or JSON.
fn is_secret_document(doc: &str) -> bool {
    doc.match_indices("kind").any(|(i, _)| {
        let before_ok = doc[..i].chars().next_back().is_none_or(|c| !c.is_alphanumeric() && c != '_');
        let rest = doc[i + 4..].trim_start_matches(['"', '\'']).trim_start_matches([' ', '\t']);
        let Some(rest) = rest.strip_prefix(':') else { return false };
        let rest = rest.trim_start_matches([' ', '\t']).trim_start_matches(['"', '\'']);
        before_ok
            && rest.strip_prefix("Secret").is_some_and(|after| {
                after
                    .chars()
                    .next()
                    .is_none_or(|c| matches!(c, '"' | '\'' | ' ' | '\t' | ',' | '}' | '#' | '\n' | '\r'))
            })
    })
}

/// Masks, in a line of flow style or JSON, the values of secret-looking keys, a `value` after a
/// secret-looking `name` in the same mapping, and (in a Secret, or when `in_data`) every scalar
/// inside a `data` or `stringData` collection.
fn mask_flow(line: &str, secret: bool, in_data: bool) -> String {
    if !line.contains(['{', '[', ':']) {
        return line.to_string();
    }
    let mut out = String::with_capacity(line.len());
    let mut frames: Vec<Frame> = vec![Frame { data: in_data, after_secret_name: false }];
    let mut key: Option<String> = None;
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '{' | '[' => {
                let parent = frames.last().copied().unwrap_or_default();
                let opens_data = secret && matches!(key.as_deref(), Some("data" | "stringData"));
                frames.push(Frame { data: parent.data || opens_data, after_secret_name: false });
                key = None;
                out.push(c);
                i += 1;
            }
            '}' | ']' => {
                if frames.len() > 1 {
                    frames.pop();
                }
                key = None;
                out.push(c);
                i += 1;
            }
            ',' => {
                key = None;
                out.push(c);
                i += 1;
            }
            '#' if i == 0 || chars[i - 1].is_whitespace() => {
                out.extend(&chars[i..]);
                break;
            }
            c if c.is_whitespace() || c == ':' => {
                out.push(c);
                i += 1;
            }
            _ => {
                let end = scalar_end(&chars, i);
                let raw: String = chars[i..end].iter().collect();
                let text = raw.trim_matches(['"', '\'']).to_string();
                let is_key = chars[end..].iter().find(|c| !c.is_whitespace()) == Some(&':');
                let frame = frames.last_mut();
                let hide_it = match (&key, frame) {
                    (_, _) if is_key => false,
                    (_, Some(f)) if f.data => true,
                    (Some(k), Some(f)) => {
                        let hide_it =
                            (is_secret_name(k) || (k == "value" && f.after_secret_name)) && !is_plain_value(&text);
                        if k == "name" && is_secret_name(&text) {
                            f.after_secret_name = true;
                        }
                        hide_it
                    }
                    _ => false,
                };
                if hide_it {
                    out.extend(raw.chars().map(|c| if matches!(c, '"' | '\'') || c.is_whitespace() { c } else { '*' }));
                } else {
                    out.push_str(&raw);
                }
                key = if is_key { Some(text) } else { None };
                i = end;
            }
        }
    }
    out
}

#[derive(Clone, Copy, Default)]
struct Frame {
    /// Inside a Secret's `data`/`stringData`: every value is hidden.
    data: bool,
    /// This mapping's `name` looks secret: its `value` is hidden.
    after_secret_name: bool,
}

/// Where the scalar starting at `start` ends: after its closing quote, or (plain) before a flow
/// indicator or a `: `.
fn scalar_end(chars: &[char], start: usize) -> usize {
    let first = chars[start];
    if first == '"' || first == '\'' {
        let mut i = start + 1;
        while i < chars.len() {
            if first == '"' && chars[i] == '\\' {
                i += 2;
                continue;
            }
            if chars[i] == first {
                if first == '\'' && chars.get(i + 1) == Some(&'\'') {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i += 1;
        }
        return chars.len();
    }
    let mut i = start;
    while i < chars.len() {
        let c = chars[i];
        let colon_ends = c == ':' && chars.get(i + 1).is_none_or(|n| n.is_whitespace() || matches!(n, ',' | '}' | ']'));
        if matches!(c, ',' | '{' | '}' | '[' | ']' | '\n' | '\r') || colon_ends {
            break;
        }
        if c == '#' && i > start && chars[i - 1].is_whitespace() {
            break;
        }
        i += 1;
    }
    // Trailing blanks belong to the space between tokens.
    while i > start && chars[i - 1].is_whitespace() {
        i -= 1;
    }
    i.max(start + 1)
}

/// The documents of a stream, each with its `---` line, concatenating back to `text`.
fn split_documents(text: &str) -> Vec<&str> {
    let mut docs = Vec::new();
    let mut start = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.starts_with("---") && offset > start {
            docs.push(&text[start..offset]);
            start = offset;
        }
        offset += line.len();
    }
    docs.push(&text[start..]);
    docs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str) -> String {
        let out = mask_lines(text);
        assert_eq!(out.chars().count(), text.chars().count(), "columns kept:\n{out}");
        out
    }

    #[test]
    fn block_style_keys_data_and_block_scalars() {
        let out = masked(
            "kind: Secret # the database\nstringData:\n  config: |\n    password=hunter22 # not-a-comment\n    user=x\n  pw: s3cr3t-value\n\
             metadata: {name: s}\n---\nenv:\n  - name: API_TOKEN\n    value: abcd-efgh\n  - name: LOG\n    value: debug\n\
             password: >-\n  folded-secret\n  more\nnext: visible\n",
        );
        for secret in ["hunter22", "not-a-comment", "user=x", "s3cr3t-value", "abcd-efgh", "folded-secret", "more"] {
            assert!(!out.contains(secret), "{secret} in\n{out}");
        }
        for shown in ["kind: Secret # the database", "config: |", "name: API_TOKEN", "value: debug", "next: visible"] {
            assert!(out.contains(shown), "{shown} not in\n{out}");
        }
    }

    #[test]
    fn flow_style_and_minified_json() {
        let out = masked(
            "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"data\":{\"k\":\"bWluaWZpZWQ=\",\"j\":\"c2Vjb25k\"},\"x\":[\n---\n\
             env: [{name: DB_PASSWORD, value: flow-secret}, {name: LOG, value: debug}]\nauth: {token: tok-value, ttl: 3600}\n",
        );
        for secret in ["bWluaWZpZWQ=", "c2Vjb25k", "flow-secret", "tok-value"] {
            assert!(!out.contains(secret), "{secret} in\n{out}");
        }
        for shown in ["\"kind\":\"Secret\"", "\"k\":\"", "value: debug", "ttl: 3600", "name: DB_PASSWORD"] {
            assert!(out.contains(shown), "{shown} not in\n{out}");
        }
    }

    #[test]
    fn booleans_numbers_and_references_are_not_secrets() {
        let text =
            "spec:\n  automountServiceAccountToken: true\n  tokenExpirationSeconds: 3600\n  secretName: app-tls\n\
                    volumes: [{projected: {sources: [{serviceAccountToken: {path: token}}]}}]\n";
        assert_eq!(masked(text), text);
    }
}
