//! Terraform's JSON syntax (`.tf.json`) read as the native syntax it stands for: the blocks
//! Terraform knows (`resource`, `data`, `variable`, `output`, `module`, `provider`, `locals`,
//! `terraform`) become HCL text whose attribute values are the JSON values copied as written
//! (a JSON value is an HCL expression, and a JSON string is a template, as Terraform reads it).
//! Every copied piece remembers where it was in the JSON file, so positions stay the JSON's.
//!
//! What needs a provider's schema to tell apart (an object that is a nested block rather than
//! an object-valued attribute) stays an attribute: the credential and module arguments iblint
//! reads are attributes either way. `kubernetes_*` resources, made of nested blocks, are left
//! out rather than read wrongly.

/// Blocks by the number of labels they take.
const TWO_LABELS: &[&str] = &["resource", "data"];
const ONE_LABEL: &[&str] = &["variable", "output", "module", "provider"];
const NO_LABEL: &[&str] = &["locals", "terraform"];
/// Nested blocks of Terraform's own (meta-arguments written as blocks): not attributes.
const META_BLOCKS: &[&str] = &["lifecycle", "provisioner", "connection", "dynamic"];

/// How deep JSON may nest before the file is not translated.
const MAX_DEPTH: usize = 64;

/// A piece of the HCL text copied from the JSON text: `len` bytes at `hcl` came from `json`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    pub hcl: usize,
    pub json: usize,
    pub len: usize,
}

/// The HCL text a JSON file stands for, and where its pieces came from.
#[derive(Debug, Default)]
pub struct Translated {
    pub hcl: String,
    pub segments: Vec<Segment>,
}

impl Translated {
    /// The JSON offset of the HCL offset `at`: inside a copied piece exactly, elsewhere the
    /// start of the next piece (the syntax iblint wrote stands before what it introduces).
    pub fn json_offset(&self, at: usize) -> usize {
        let i = self.segments.partition_point(|s| s.hcl + s.len < at);
        match self.segments.get(i) {
            Some(s) if at >= s.hcl => s.json + (at - s.hcl),
            Some(s) => s.json,
            None => self.segments.last().map_or(0, |s| s.json + s.len),
        }
    }

    fn copy(&mut self, json: &str, range: std::ops::Range<usize>) {
        self.segments.push(Segment { hcl: self.hcl.len(), json: range.start, len: range.len() });
        self.hcl.push_str(&json[range]);
    }
}

/// A JSON value with the byte ranges of its parts.
#[derive(Debug)]
enum Json {
    /// Members: key text, the key's range (quotes included), the value.
    Object(Vec<(String, std::ops::Range<usize>, Json)>, std::ops::Range<usize>),
    Array(Vec<Json>, std::ops::Range<usize>),
    Scalar(std::ops::Range<usize>),
}

impl Json {
    fn range(&self) -> std::ops::Range<usize> {
        match self {
            Json::Object(_, r) | Json::Array(_, r) | Json::Scalar(r) => r.clone(),
        }
    }

    /// The bodies of a block: an object, or an array of objects (Terraform's way of writing a
    /// block type more than once in order).
    fn bodies(&self) -> Vec<&Json> {
        match self {
            Json::Object(..) => vec![self],
            Json::Array(items, _) => items.iter().filter(|i| matches!(i, Json::Object(..))).collect(),
            Json::Scalar(_) => Vec::new(),
        }
    }

    fn members(&self) -> &[(String, std::ops::Range<usize>, Json)] {
        match self {
            Json::Object(m, _) => m,
            _ => &[],
        }
    }
}

/// The HCL text `json` stands for; `None` when it is not JSON (the caller reports that) or
/// nests too deep.
pub(super) fn translate(json: &str) -> Option<Translated> {
    let mut p = Parser { b: json.as_bytes(), i: 0 };
    let root = p.value(0)?;
    p.blank();
    if p.i != p.b.len() {
        return None;
    }
    let mut out = Translated::default();
    for body in root.bodies() {
        for (kind, _, value) in body.members() {
            let labels = if TWO_LABELS.contains(&kind.as_str()) {
                2
            } else if ONE_LABEL.contains(&kind.as_str()) {
                1
            } else if NO_LABEL.contains(&kind.as_str()) {
                0
            } else {
                continue; // `//` comments, and what Terraform does not know
            };
            blocks(&mut out, json, kind, labels, value, &mut Vec::new());
        }
    }
    Some(out)
}

/// `kind "label" … { body }` for every body under `labels` levels of objects keyed by label.
fn blocks(
    out: &mut Translated,
    json: &str,
    kind: &str,
    labels: usize,
    value: &Json,
    written: &mut Vec<std::ops::Range<usize>>,
) {
    if labels == 0 {
        for body in value.bodies() {
            out.hcl.push_str(kind);
            for label in written.iter() {
                out.hcl.push(' ');
                out.copy(json, label.clone());
            }
            out.hcl.push_str(" {\n");
            attributes(out, json, body);
            out.hcl.push_str("}\n");
        }
        return;
    }
    for object in value.bodies() {
        for (label, key, inner) in object.members() {
            // The Kubernetes provider's resources are nested blocks all the way down, which JSON
            // cannot tell from map attributes without the provider's schema: not read.
            if written.is_empty() && kind != "module" && label.starts_with("kubernetes_") {
                continue;
            }
            written.push(key.clone());
            blocks(out, json, kind, labels - 1, inner, written);
            written.pop();
        }
    }
}

/// `name = <the JSON value as written>` for every member that is an attribute.
fn attributes(out: &mut Translated, json: &str, body: &Json) {
    for (key, range, value) in body.members() {
        let identifier = key.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !identifier || META_BLOCKS.contains(&key.as_str()) {
            continue;
        }
        out.copy(json, range.start + 1..range.end - 1);
        out.hcl.push_str(" = ");
        out.copy(json, value.range());
        out.hcl.push('\n');
    }
}

/// A JSON parser keeping byte ranges (strings are checked, not decoded: keys are compared as
/// written, which is right for the plain names Terraform uses).
struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn blank(&mut self) {
        while self.b.get(self.i).is_some_and(|c| c.is_ascii_whitespace()) {
            self.i += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Option<Json> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.blank();
        let start = self.i;
        match self.b.get(self.i)? {
            b'{' => {
                self.i += 1;
                let mut members = Vec::new();
                loop {
                    self.blank();
                    if self.b.get(self.i) == Some(&b'}') && members.is_empty() {
                        self.i += 1;
                        break;
                    }
                    let key_start = self.i;
                    self.string()?;
                    let key_range = key_start..self.i;
                    let key = std::str::from_utf8(&self.b[key_start + 1..self.i - 1]).ok()?.to_string();
                    self.blank();
                    self.expect(b':')?;
                    let value = self.value(depth + 1)?;
                    members.push((key, key_range, value));
                    self.blank();
                    match self.b.get(self.i)? {
                        b',' => self.i += 1,
                        b'}' => {
                            self.i += 1;
                            break;
                        }
                        _ => return None,
                    }
                }
                Some(Json::Object(members, start..self.i))
            }
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                loop {
                    self.blank();
                    if self.b.get(self.i) == Some(&b']') && items.is_empty() {
                        self.i += 1;
                        break;
                    }
                    items.push(self.value(depth + 1)?);
                    self.blank();
                    match self.b.get(self.i)? {
                        b',' => self.i += 1,
                        b']' => {
                            self.i += 1;
                            break;
                        }
                        _ => return None,
                    }
                }
                Some(Json::Array(items, start..self.i))
            }
            b'"' => {
                self.string()?;
                Some(Json::Scalar(start..self.i))
            }
            _ => {
                while self.b.get(self.i).is_some_and(|c| c.is_ascii_alphanumeric() || b"+-.".contains(c)) {
                    self.i += 1;
                }
                (self.i > start).then_some(Json::Scalar(start..self.i))
            }
        }
    }

    fn expect(&mut self, c: u8) -> Option<()> {
        (self.b.get(self.i) == Some(&c)).then(|| self.i += 1)
    }

    /// A string at the cursor, the cursor moved past its closing quote.
    fn string(&mut self) -> Option<()> {
        self.expect(b'"')?;
        loop {
            match self.b.get(self.i)? {
                b'"' => {
                    self.i += 1;
                    return Some(());
                }
                b'\\' => self.i += 2,
                b'\n' => return None,
                _ => self.i += 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_become_native_syntax_with_json_positions() {
        let json = r#"{
  "//": "a comment",
  "variable": {"name": {"default": "aks-identity-binding"}},
  "resource": {
    "azurerm_federated_identity_credential": {
      "orders": {"name": "${var.name}", "parent_id": "p", "audience": ["api://AzureADTokenExchange"],
                 "lifecycle": {"ignore_changes": ["subject"]}}
    }
  },
  "locals": [{"a": 1}, {"b": {"c": "d"}}],
  "data": {"kubernetes_service_account_v1": {"sa": {"metadata": {"name": "x"}}}}
}"#;
        let t = translate(json).expect("translates");
        assert_eq!(
            t.hcl,
            "variable \"name\" {\ndefault = \"aks-identity-binding\"\n}\nresource \"azurerm_federated_identity_credential\" \"orders\" {\nname = \"${var.name}\"\nparent_id = \"p\"\naudience = [\"api://AzureADTokenExchange\"]\n}\nlocals {\na = 1\n}\nlocals {\nb = {\"c\": \"d\"}\n}\n"
        );
        let body = hcl_edit::parser::parse_body(&t.hcl).expect("valid HCL");
        assert_eq!(body.blocks().count(), 4);
        let at = t.hcl.find("\"${var.name}\"").expect("name");
        assert_eq!(t.json_offset(at), json.find("\"${var.name}\"").expect("name in JSON"));
        assert_eq!(t.json_offset(t.hcl.find("parent_id").expect("key")), json.find("parent_id").expect("key"));
    }

    #[test]
    fn what_is_not_json_or_too_deep_is_not_translated() {
        for bad in ["", "{", "{\"a\" 1}", "{\"a\": [1,}", "{\"a\": \"x\n\"}", "{} x"] {
            assert!(translate(bad).is_none(), "{bad:?}");
        }
        assert!(translate(&format!("{}{}", "[".repeat(10_000), "]".repeat(10_000))).is_none());
        assert!(translate("{}").is_some_and(|t| t.hcl.is_empty()));
    }
}
