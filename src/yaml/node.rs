use crate::span::Span;

/// One YAML node with the span of its text.
#[derive(Clone, Debug)]
pub struct Node {
    pub span: Span,
    pub kind: NodeKind,
}

#[derive(Clone, Debug)]
pub enum NodeKind {
    Scalar(Scalar),
    Seq(Vec<Node>),
    /// Keys keep their own nodes (and spans); order is the source order.
    Map(Vec<(Node, Node)>),
}

#[derive(Clone, Debug)]
pub struct Scalar {
    /// Up to 24 bytes stored inline: most scalars of a manifest are short, and a document's tree
    /// allocating one string per scalar was most of the cost of building it.
    pub value: compact_str::CompactString,
    /// Quoted or block scalars, and plain scalars tagged `!!str`, are always strings.
    pub quoted: bool,
    /// The type an explicit tag such as `!!int` gives the scalar, if it has one. Only the type
    /// is kept, not the tag's text: nothing reads more of it, and every node of a document is in
    /// memory at once (a boxed text made each node 16 bytes larger).
    pub tag: Option<ScalarType>,
}

/// What a scalar becomes once the Kubernetes toolchain decodes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarType {
    String,
    Bool,
    Int,
    Float,
    Null,
}

impl Scalar {
    /// Type resolution as `sigs.k8s.io/yaml` (go-yaml v2, YAML 1.1) does it: that is what
    /// `kubectl apply` uses, so an unquoted `yes` or `on` is a boolean there.
    pub fn resolved_type(&self) -> ScalarType {
        if let Some(tagged) = self.tag {
            return tagged;
        }
        if self.quoted {
            return ScalarType::String;
        }
        resolve_plain(&self.value)
    }
}

fn resolve_plain(v: &str) -> ScalarType {
    match v {
        "" | "~" | "null" | "Null" | "NULL" => return ScalarType::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "n" | "N" | "no" | "No" | "NO" | "true" | "True" | "TRUE" | "false"
        | "False" | "FALSE" | "on" | "On" | "ON" | "off" | "Off" | "OFF" => return ScalarType::Bool,
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF" | ".nan" | ".NaN"
        | ".NAN" => return ScalarType::Float,
        _ => {}
    }
    let digits = v.strip_prefix(['-', '+']).unwrap_or(v);
    if digits.is_empty() {
        return ScalarType::String;
    }
    let int_like = |s: &str, radix: u32| !s.is_empty() && s.chars().all(|c| c == '_' || c.is_digit(radix));
    if let Some(hex) = digits.strip_prefix("0x") {
        if int_like(hex, 16) {
            return ScalarType::Int;
        }
    }
    if let Some(bin) = digits.strip_prefix("0b") {
        if int_like(bin, 2) {
            return ScalarType::Int;
        }
    }
    if digits.as_bytes()[0].is_ascii_digit() && int_like(digits, 10) {
        return ScalarType::Int;
    }
    if is_float(digits) {
        return ScalarType::Float;
    }
    ScalarType::String
}

/// `[0-9][0-9_]*)?\.[0-9.]*([eE][-+][0-9]+)?` and friends, loosely as YAML 1.1 resolves them.
fn is_float(s: &str) -> bool {
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    if !mantissa.contains('.') && exp.is_none() {
        return false;
    }
    let mant_ok = mantissa.chars().any(|c| c.is_ascii_digit())
        && mantissa.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '_')
        && mantissa.matches('.').count() <= 1;
    let exp_ok = exp.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.chars().all(|c| c.is_ascii_digit())
    });
    mant_ok && exp_ok
}

impl Node {
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.kind {
            NodeKind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            NodeKind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The scalar's text, whatever type it resolves to.
    pub fn as_str(&self) -> Option<&str> {
        self.as_scalar().map(|s| s.value.as_str())
    }

    /// The entry (key node, value node) for `key` in a mapping. With duplicate keys the last
    /// one wins, as in the Kubernetes decoders.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.as_map()?.iter().rev().find(|(k, _)| k.as_str() == Some(key)).map(|(k, v)| (k, v))
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// Follows a path of mapping keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    /// A mapping key that is itself a mapping or sequence somewhere below: never in a manifest,
    /// but what an unquoted Go template action `{{ .Name }}` parses as.
    pub fn has_complex_key(&self) -> bool {
        match &self.kind {
            NodeKind::Scalar(_) => false,
            NodeKind::Seq(items) => items.iter().any(Node::has_complex_key),
            NodeKind::Map(entries) => {
                entries.iter().any(|(k, v)| !matches!(k.kind, NodeKind::Scalar(_)) || v.has_complex_key())
            }
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.as_scalar(), Some(s) if s.resolved_type() == ScalarType::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(v: &str) -> ScalarType {
        Scalar { value: v.into(), quoted: false, tag: None }.resolved_type()
    }

    #[test]
    fn resolves_yaml_1_1_scalars_like_kubectl() {
        assert_eq!(plain("true"), ScalarType::Bool);
        assert_eq!(plain("yes"), ScalarType::Bool);
        assert_eq!(plain("On"), ScalarType::Bool);
        assert_eq!(plain("3600"), ScalarType::Int);
        assert_eq!(plain("-12"), ScalarType::Int);
        assert_eq!(plain("1.5"), ScalarType::Float);
        assert_eq!(plain("1e3"), ScalarType::Float);
        assert_eq!(plain("~"), ScalarType::Null);
        assert_eq!(plain(""), ScalarType::Null);
        assert_eq!(plain("1h"), ScalarType::String);
        assert_eq!(plain("api://AzureADTokenExchange"), ScalarType::String);
        assert_eq!(plain("00000000-0000-0000-0000-000000000000"), ScalarType::String);
        assert_eq!(plain("1.2.3"), ScalarType::String);
        let quoted = Scalar { value: "true".into(), quoted: true, tag: None };
        assert_eq!(quoted.resolved_type(), ScalarType::String);
    }

    /// Every node of a document is in memory while it is read, and the parser moves each one
    /// several times: a larger node costs on every file.
    #[test]
    fn a_node_stays_small() {
        assert!(std::mem::size_of::<Node>() <= 48, "{} bytes", std::mem::size_of::<Node>());
    }
}
