//! Values of the Terraform language as the evaluator sees them: known values, each with the span
//! of the text that produced it (a literal, a variable's default, a tfvars entry, a for_each key),
//! and `Unknown` for whatever only `terraform apply` would know.

use std::sync::Arc;

use crate::model::Text;
use crate::span::Span;

/// One evaluated value and where its text is.
#[derive(Clone, Debug)]
pub(super) struct Value {
    pub kind: Kind,
    /// The text that produced the value (in the file its `FileId` names).
    pub origin: Span,
    /// For the whole text of a file read with `file()` (or a template rendered line for line):
    /// that file's display path, so `yamldecode` can point into it.
    pub read_from: Option<Arc<str>>,
}

#[derive(Clone, Debug)]
pub(super) enum Kind {
    Null,
    Bool(bool),
    Number(f64),
    String(Text),
    /// Tuples, lists and sets (sets are sorted and without duplicates).
    List(Arc<Vec<Value>>),
    /// Objects and maps, sorted by key (Terraform iterates maps in key order).
    Map(Arc<Vec<(Key, Value)>>),
    Unknown(Unknown),
}

/// A map key and where it is written.
#[derive(Clone, Debug)]
pub(super) struct Key {
    pub text: Text,
    pub span: Span,
}

/// A value only `terraform apply` knows: a resource's computed attribute, a data source, an
/// unset variable, a remote module's output. Never guessed.
#[derive(Clone, Debug)]
pub(super) struct Unknown {
    /// How users read it: the expression as written, `${var.namespace}` (a placeholder, so the
    /// rules treat it as a value filled in later).
    pub text: Text,
    /// The absolute reference (`azurerm_user_assigned_identity.app.id`,
    /// `module.app.var.namespace`) when the value is exactly one: two unknowns with the same
    /// reference are the same value.
    pub reference: Option<Text>,
    /// The expression is an error in Terraform (a missing attribute, a type mismatch): `try()`
    /// and `can()` fall back, where a merely unknown value stays unknown.
    pub failed: bool,
}

impl Value {
    pub(super) fn new(kind: Kind, origin: Span) -> Value {
        Value { kind, origin, read_from: None }
    }

    pub(super) fn string(text: impl Into<Text>, origin: Span) -> Value {
        Value::new(Kind::String(text.into()), origin)
    }

    pub(super) fn unknown(text: impl Into<Text>, reference: Option<Text>, origin: Span) -> Value {
        Value::new(Kind::Unknown(Unknown { text: text.into(), reference, failed: false }), origin)
    }

    /// An expression Terraform rejects: unknown here, and a fallback for `try()`.
    pub(super) fn failed(text: impl Into<Text>, origin: Span) -> Value {
        Value::new(Kind::Unknown(Unknown { text: text.into(), reference: None, failed: true }), origin)
    }

    pub(super) fn list(items: Vec<Value>, origin: Span) -> Value {
        Value::new(Kind::List(Arc::new(items)), origin)
    }

    /// A map from entries in any order; with duplicate keys the last one wins.
    pub(super) fn map(mut entries: Vec<(Key, Value)>, origin: Span) -> Value {
        entries.reverse();
        entries.sort_by(|a, b| a.0.text.cmp(&b.0.text));
        entries.dedup_by(|a, b| a.0.text == b.0.text);
        Value::new(Kind::Map(Arc::new(entries)), origin)
    }

    /// A set: sorted by display text, without duplicates.
    pub(super) fn set(mut items: Vec<Value>, origin: Span) -> Value {
        items.sort_by_key(Value::sort_text);
        items.dedup_by(|a, b| a.same(b));
        Value::list(items, origin)
    }

    pub(super) fn with_origin(mut self, origin: Span) -> Value {
        self.origin = origin;
        self
    }

    pub(super) fn is_unknown(&self) -> bool {
        matches!(self.kind, Kind::Unknown(_))
    }

    pub(super) fn is_failed(&self) -> bool {
        matches!(&self.kind, Kind::Unknown(u) if u.failed)
    }

    pub(super) fn is_null(&self) -> bool {
        matches!(self.kind, Kind::Null)
    }

    pub(super) fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::String(s) => Some(s),
            _ => None,
        }
    }

    pub(super) fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            Kind::Bool(b) => Some(*b),
            Kind::String(s) if s == "true" => Some(true),
            Kind::String(s) if s == "false" => Some(false),
            _ => None,
        }
    }

    pub(super) fn as_number(&self) -> Option<f64> {
        match &self.kind {
            Kind::Number(n) => Some(*n),
            Kind::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    pub(super) fn as_list(&self) -> Option<&[Value]> {
        match &self.kind {
            Kind::List(items) => Some(items),
            _ => None,
        }
    }

    pub(super) fn as_map(&self) -> Option<&[(Key, Value)]> {
        match &self.kind {
            Kind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The value of `key` in a map.
    pub(super) fn get(&self, key: &str) -> Option<&Value> {
        let entries = self.as_map()?;
        entries.binary_search_by(|(k, _)| k.text.as_str().cmp(key)).ok().map(|i| &entries[i].1)
    }

    /// The string Terraform converts a primitive to (`true`, `3`, `1.5`); `None` for null,
    /// collections and unknowns.
    pub(super) fn to_text(&self) -> Option<Text> {
        match &self.kind {
            Kind::String(s) => Some(s.clone()),
            Kind::Bool(b) => Some(if *b { "true" } else { "false" }.into()),
            Kind::Number(n) => Some(number_text(*n).into()),
            _ => None,
        }
    }

    /// Whether the value, and everything in it, is known.
    pub(super) fn is_wholly_known(&self) -> bool {
        match &self.kind {
            Kind::Unknown(_) => false,
            Kind::List(items) => items.iter().all(Value::is_wholly_known),
            Kind::Map(entries) => entries.iter().all(|(_, v)| v.is_wholly_known()),
            _ => true,
        }
    }

    /// Equality as Terraform's `==` sees it (spans aside). Unknowns are equal only when they are
    /// the same reference.
    pub(super) fn same(&self, other: &Value) -> bool {
        match (&self.kind, &other.kind) {
            (Kind::Null, Kind::Null) => true,
            (Kind::Bool(a), Kind::Bool(b)) => a == b,
            (Kind::Number(a), Kind::Number(b)) => a == b,
            (Kind::String(a), Kind::String(b)) => a == b,
            (Kind::List(a), Kind::List(b)) => a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.same(y)),
            (Kind::Map(a), Kind::Map(b)) => {
                a.len() == b.len()
                    && a.iter().zip(b.iter()).all(|((ka, va), (kb, vb))| ka.text == kb.text && va.same(vb))
            }
            (Kind::Unknown(a), Kind::Unknown(b)) => a.reference.is_some() && a.reference == b.reference,
            _ => false,
        }
    }

    /// How a value prints in messages and in placeholders: primitives as text, unknowns as
    /// written, collections in Terraform syntax.
    pub(super) fn display(&self) -> String {
        match &self.kind {
            Kind::Null => "null".into(),
            Kind::Unknown(u) => u.text.to_string(),
            Kind::String(s) => s.to_string(),
            Kind::Bool(_) | Kind::Number(_) => self.to_text().map(|t| t.to_string()).unwrap_or_default(),
            Kind::List(items) => format!("[{}]", items.iter().map(Value::display).collect::<Vec<_>>().join(", ")),
            Kind::Map(entries) => format!(
                "{{{}}}",
                entries.iter().map(|(k, v)| format!("{} = {}", k.text, v.display())).collect::<Vec<_>>().join(", ")
            ),
        }
    }

    fn sort_text(&self) -> String {
        self.display()
    }

    /// A rough size, charged against the evaluation budget when a value is built.
    pub(super) fn weight(&self) -> u64 {
        match &self.kind {
            Kind::String(s) => 1 + s.len() as u64 / 64,
            Kind::List(items) => 1 + items.len() as u64,
            Kind::Map(entries) => 1 + entries.len() as u64,
            _ => 1,
        }
    }
}

/// Numbers print as Terraform prints them: integers without a fraction.
pub(super) fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Value {
        Value::string(v, Span::default())
    }

    #[test]
    fn maps_sort_and_keep_the_last_duplicate() {
        let k = |t: &str| Key { text: t.into(), span: Span::default() };
        let m = Value::map(vec![(k("b"), s("1")), (k("a"), s("2")), (k("b"), s("3"))], Span::default());
        assert_eq!(m.display(), "{a = 2, b = 3}");
        assert_eq!(m.get("b").and_then(Value::as_str), Some("3"));
    }

    #[test]
    fn sets_deduplicate_and_numbers_print_as_terraform_does() {
        let set = Value::set(vec![s("b"), s("a"), s("b")], Span::default());
        assert_eq!(set.display(), "[a, b]");
        assert_eq!(number_text(3.0), "3");
        assert_eq!(number_text(1.5), "1.5");
    }

    #[test]
    fn unknowns_are_equal_only_as_the_same_reference() {
        let a = Value::unknown("${var.x}", Some("var.x".into()), Span::default());
        let b = Value::unknown("${var.x}", Some("var.x".into()), Span::default());
        let c = Value::unknown("${lower(var.x)}", None, Span::default());
        assert!(a.same(&b));
        assert!(!c.same(&c.clone()));
    }
}
