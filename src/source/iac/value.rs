//! Values of evaluated deployment code (Bicep, ARM templates): JSON-like, where anything not known
//! before deployment is [`Value::Unknown`] — never guessed — and every known piece of a string
//! keeps the span of the text it came from, so a finding can say where a name was written.

use std::cell::Cell;
use std::rc::Rc;

use crate::span::Span;

/// Longest string the evaluators build; anything longer becomes unknown (names are short, and
/// a hostile `concat` loop must not double a string forty times).
pub const MAX_TEXT_LEN: usize = 16 * 1024;
/// Most pieces a string keeps (each piece is one literal or one unknown part).
const MAX_SEGMENTS: usize = 256;
/// Longest array or object the evaluators build (`range(0, 1000000000)` stays unknown).
pub const MAX_ITEMS: usize = 10_000;

/// An evaluated value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Not known before deployment (a resource's runtime property, `uniqueString`, a parameter
    /// without value) or past a budget.
    Unknown,
    Null,
    Bool(bool),
    Int(i64),
    Str(Text),
    /// Arrays and objects are shared, not copied, when a name is used again: a hostile loop
    /// over a large variable costs steps of the budget, not memory.
    Array(Rc<Vec<Value>>),
    /// Properties in source order; names compare ignoring case, as Azure does.
    Object(Rc<Vec<(String, Value)>>),
    /// The id of an Azure resource (`uami.id`, `resourceId(...)`): its type and name pieces are
    /// kept so the identity it names can be compared, whatever else is unknown.
    ResourceId(ResourceId),
    /// A resource or module symbol of a Bicep file (`parent: uami`, `m.outputs.x`).
    Symbol(SymbolRef),
}

/// The id of an Azure resource: `/subscriptions/…/providers/<type>/<names…>`.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceId {
    /// The full type, `Microsoft.ManagedIdentity/userAssignedIdentities`.
    pub ty: String,
    /// The name segments (one per type segment after the namespace).
    pub names: Vec<Text>,
    /// The Bicep symbol it came from, if any: names an identity whose name is unknown.
    pub symbol: Option<String>,
}

/// A Bicep symbol: a resource or a module, in one evaluated file instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SymbolRef {
    pub instance: usize,
    pub kind: SymbolKind,
    /// The resource's or module's position in its file's declarations.
    pub decl: usize,
    /// The loop iteration, for a symbol declared with `for`.
    pub index: Option<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    Resource,
    Module,
}

impl Value {
    pub fn array(items: Vec<Value>) -> Value {
        Value::Array(Rc::new(items))
    }

    pub fn object(props: Vec<(String, Value)>) -> Value {
        Value::Object(Rc::new(props))
    }

    pub fn str(text: &str, src: Option<Span>) -> Value {
        Value::Str(Text::literal(text, src))
    }

    pub fn as_text(&self) -> Option<&Text> {
        match self {
            Value::Str(t) => Some(t),
            _ => None,
        }
    }

    /// The value as a fully known string.
    pub fn known_str(&self) -> Option<String> {
        self.as_text().and_then(Text::known)
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// A property of an object (names ignore case); `Unknown` for anything else.
    pub fn get(&self, key: &str) -> Value {
        match self {
            Value::Object(props) => {
                props.iter().rev().find(|(k, _)| k.eq_ignore_ascii_case(key)).map_or(Value::Unknown, |(_, v)| v.clone())
            }
            _ => Value::Unknown,
        }
    }

    /// An element of an array (or a property, for a string index).
    pub fn index(&self, at: &Value) -> Value {
        match (self, at) {
            (Value::Array(items), Value::Int(i)) => {
                usize::try_from(*i).ok().and_then(|i| items.get(i)).cloned().unwrap_or(Value::Unknown)
            }
            (Value::Object(_), Value::Str(key)) => key.known().map_or(Value::Unknown, |k| self.get(&k)),
            _ => Value::Unknown,
        }
    }

    /// The value as text, for string functions and interpolation: strings as they are, numbers
    /// and booleans as JSON writes them; anything else unknown.
    pub fn to_text(&self) -> Text {
        match self {
            Value::Str(t) => t.clone(),
            Value::Int(i) => Text::literal(&i.to_string(), None),
            Value::Bool(b) => Text::literal(if *b { "true" } else { "false" }, None),
            Value::ResourceId(id) => id.to_text(),
            _ => Text::unknown(),
        }
    }

    /// Fully known: no unknown part anywhere inside.
    pub fn is_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::Str(t) => t.is_known(),
            Value::Array(items) => items.iter().all(Value::is_known),
            Value::Object(props) => props.iter().all(|(_, v)| v.is_known()),
            _ => true,
        }
    }
}

impl ResourceId {
    /// `/subscriptions/…/resourceGroups/…/providers/<type>/<names…>`, the subscription and group
    /// unknown.
    pub fn to_text(&self) -> Text {
        let mut text = Text::unknown();
        let mut types = self.ty.split('/');
        let namespace = types.next().unwrap_or_default();
        text.push_str(&format!("/providers/{namespace}"), None);
        for (ty, name) in types.zip(&self.names) {
            text.push_str(&format!("/{ty}/"), None);
            text.push(name);
        }
        text
    }

    /// The last name: the resource's own.
    pub fn name(&self) -> Option<&Text> {
        self.names.last()
    }
}

/// A string whose pieces may be unknown; each known piece keeps the span of its text.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Text {
    segs: Vec<Seg>,
}

#[derive(Clone, Debug, PartialEq)]
enum Seg {
    Known { text: Rc<str>, src: Option<Span> },
    Unknown,
}

impl Text {
    pub fn literal(text: &str, src: Option<Span>) -> Text {
        if text.len() > MAX_TEXT_LEN {
            return Text::unknown();
        }
        Text { segs: if text.is_empty() { Vec::new() } else { vec![Seg::Known { text: Rc::from(text), src }] } }
    }

    pub fn unknown() -> Text {
        Text { segs: vec![Seg::Unknown] }
    }

    /// Appends `other`; past the size budget the whole text becomes unknown.
    pub fn push(&mut self, other: &Text) {
        if self.segs.len() + other.segs.len() > MAX_SEGMENTS || self.len() + other.len() > MAX_TEXT_LEN {
            *self = Text::unknown();
            return;
        }
        for seg in &other.segs {
            match (self.segs.last_mut(), seg) {
                (Some(Seg::Unknown), Seg::Unknown) => {}
                (Some(Seg::Known { text, src }), Seg::Known { text: more, src: more_src }) if src == more_src => {
                    *text = Rc::from(format!("{text}{more}"));
                }
                _ => self.segs.push(seg.clone()),
            }
        }
    }

    pub fn push_str(&mut self, text: &str, src: Option<Span>) {
        self.push(&Text::literal(text, src));
    }

    /// Length of the known pieces, in bytes.
    pub fn len(&self) -> usize {
        self.segs.iter().map(|s| if let Seg::Known { text, .. } = s { text.len() } else { 0 }).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.segs.is_empty()
    }

    pub fn is_known(&self) -> bool {
        self.segs.iter().all(|s| matches!(s, Seg::Known { .. }))
    }

    /// The whole string, when every piece is known.
    pub fn known(&self) -> Option<String> {
        let mut out = String::new();
        for seg in &self.segs {
            match seg {
                Seg::Known { text, .. } => out.push_str(text),
                Seg::Unknown => return None,
            }
        }
        Some(out)
    }

    /// The same text with every known piece mapped by `f` (case functions).
    pub fn map_known(&self, f: impl Fn(&str) -> String) -> Text {
        let segs = self
            .segs
            .iter()
            .map(|s| match s {
                Seg::Known { text, src } => Seg::Known { text: Rc::from(f(text)), src: *src },
                Seg::Unknown => Seg::Unknown,
            })
            .collect();
        Text { segs }
    }

    /// The part after the last `sep`, when it is known: `'${identity}/aks-identity-binding'`
    /// names its credential even when the identity is unknown. Returns the part, where its
    /// first known piece was written, and the text before `sep` (`None` without a `sep`).
    pub fn split_last(&self, sep: char) -> Option<(String, Option<Span>, Option<Text>)> {
        let mut tail = String::new();
        let mut tail_src = None;
        for (i, seg) in self.segs.iter().enumerate().rev() {
            let Seg::Known { text, src } = seg else { return None };
            match text.rfind(sep) {
                Some(at) => {
                    let piece = &text[at + sep.len_utf8()..];
                    if !piece.is_empty() {
                        tail_src = *src;
                    }
                    tail.insert_str(0, piece);
                    let mut head = Text { segs: self.segs[..i].to_vec() };
                    head.push_str(&text[..at], *src);
                    return Some((tail, tail_src, Some(head)));
                }
                None => {
                    tail.insert_str(0, text);
                    tail_src = *src;
                }
            }
        }
        Some((tail, tail_src, None))
    }

    /// The text after the first `marker` (compared ignoring ASCII case) found inside one known
    /// piece: the path after `/federatedIdentityCredentials/` in a partly unknown URL.
    pub fn after(&self, marker: &str) -> Option<Text> {
        let marker = marker.to_ascii_lowercase();
        for (i, seg) in self.segs.iter().enumerate() {
            let Seg::Known { text, src } = seg else { continue };
            if let Some(at) = text.to_ascii_lowercase().find(&marker) {
                let mut rest = Text::literal(&text[at + marker.len()..], *src);
                for more in &self.segs[i + 1..] {
                    rest.segs.push(more.clone());
                }
                return Some(rest);
            }
        }
        None
    }

    /// The text before the first of `stops` that a known piece holds (an unknown piece before it
    /// stays unknown).
    pub fn until(&self, stops: &[char]) -> Text {
        let mut out = Text::default();
        for seg in &self.segs {
            match seg {
                Seg::Known { text, src } => match text.find(stops) {
                    Some(at) => {
                        out.push_str(&text[..at], *src);
                        return out;
                    }
                    None => out.segs.push(seg.clone()),
                },
                Seg::Unknown => out.segs.push(Seg::Unknown),
            }
        }
        out
    }

    /// The text without a known `prefix` (compared ignoring ASCII case).
    pub fn strip_prefix(&self, prefix: &str) -> Option<Text> {
        let Some(Seg::Known { text, src }) = self.segs.first() else { return None };
        let head = text.get(..prefix.len()).filter(|h| h.eq_ignore_ascii_case(prefix))?;
        let mut rest = Text::literal(&text[head.len()..], *src);
        rest.segs.extend(self.segs[1..].iter().cloned());
        Some(rest)
    }

    /// Where the first known piece was written.
    pub fn first_src(&self) -> Option<Span> {
        self.segs.iter().find_map(|s| if let Seg::Known { src, .. } = s { *src } else { None })
    }
}

/// How much work one evaluation may do: every evaluated expression costs a step. Past the
/// budget values are unknown, and the evaluator says so in a note.
pub struct Budget {
    steps: Cell<u64>,
    limit: u64,
}

impl Budget {
    pub fn new(limit: u64) -> Budget {
        Budget { steps: Cell::new(0), limit }
    }

    /// Takes one step; `false` once the budget is spent.
    pub fn step(&self) -> bool {
        let n = self.steps.get() + 1;
        self.steps.set(n);
        n <= self.limit
    }

    /// Takes `n` steps at once (building a large array).
    pub fn take(&self, n: u64) -> bool {
        let total = self.steps.get().saturating_add(n);
        self.steps.set(total);
        total <= self.limit
    }

    pub fn exhausted(&self) -> bool {
        self.steps.get() > self.limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: u32) -> Option<Span> {
        Some(Span::line(line))
    }

    #[test]
    fn known_tail_of_a_partly_unknown_name() {
        let mut t = Text::unknown();
        t.push_str("/aks-identity-binding", at(3));
        let (tail, src, head) = t.split_last('/').expect("tail");
        assert_eq!(tail, "aks-identity-binding");
        assert_eq!(src, at(3));
        assert!(!head.expect("head").is_known());
        assert_eq!(Text::unknown().split_last('/'), None);
    }

    #[test]
    fn tail_spanning_pieces_keeps_the_source_of_its_start() {
        let mut t = Text::literal("id/aks-", at(1));
        t.push_str("identity-binding", at(2));
        let (tail, src, head) = t.split_last('/').expect("tail");
        assert_eq!(tail, "aks-identity-binding");
        assert_eq!(src, at(1));
        assert_eq!(head.and_then(|h| h.known()).as_deref(), Some("id"));
    }

    #[test]
    fn slicing_partly_unknown_urls() {
        let mut url = Text::unknown();
        url.push_str("/providers/Microsoft.ManagedIdentity/userAssignedIdentities/", at(1));
        url.push_str("orders", at(2));
        url.push_str("/federatedIdentityCredentials/", at(1));
        url.push_str("aks-identity-binding", at(3));
        url.push_str("?api-version=2023-01-31", at(1));
        let name = url.after("/FederatedIdentityCredentials/").expect("marker").until(&['?', '/']);
        assert_eq!(name.known().as_deref(), Some("aks-identity-binding"));
        assert_eq!(name.first_src(), at(3));
        let identity = url.after("/userAssignedIdentities/").expect("marker").until(&['/']);
        assert_eq!(identity.known().as_deref(), Some("orders"));
        let flag = Text::literal("--name=fic", None);
        assert_eq!(flag.strip_prefix("--NAME=").and_then(|t| t.known()).as_deref(), Some("fic"));
        assert!(Text::unknown().strip_prefix("--name=").is_none());
    }

    #[test]
    fn doubling_stops_at_the_budget() {
        let mut t = Text::literal("ab", None);
        for _ in 0..40 {
            let copy = t.clone();
            t.push(&copy);
        }
        assert!(!t.is_known());
        assert!(t.len() <= MAX_TEXT_LEN);
    }

    #[test]
    fn resource_ids_render_with_unknown_scope() {
        let id = ResourceId {
            ty: "Microsoft.ManagedIdentity/userAssignedIdentities".into(),
            names: vec![Text::literal("orders", None)],
            symbol: None,
        };
        let (tail, ..) = id.to_text().split_last('/').expect("tail");
        assert_eq!(tail, "orders");
    }
}
