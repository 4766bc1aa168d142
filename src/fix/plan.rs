//! Fixes as rules plan them: edits of keys, values and mappings at the spans of the model, with
//! the values to write. A plan says *what* changes; [`super::resolve`] reads the file texts and
//! says exactly which bytes.

use std::sync::Arc;

use crate::finding::{Applicability, Location};
use crate::span::Span;

/// A fix as a rule plans it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub description: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

/// One edit in one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    /// Display path of the file.
    pub path: Arc<str>,
    pub op: Op,
}

/// What an edit does. Spans are in the edit's file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// The scalar (a key or a value) at `at`, whose text is `old`, becomes `new`, in the same
    /// quotes (a plain scalar that would stop being a string is double-quoted).
    Rewrite { at: Span, old: String, new: String },
    /// The plain scalar `value` at `at` is double-quoted.
    Quote { at: Span, value: String },
    /// `key: "value"` is added to the mapping held by the key at `parent`, after creating the
    /// mappings of `path` below it where they are missing.
    Insert { parent: Span, path: Vec<String>, key: String, value: String },
    /// The entry whose key is at `key` is removed (and a mapping it leaves empty with it).
    Remove { key: Span },
    /// YAML documents appended to the file, after a `---`.
    Append { text: String },
}

/// Characters a value or key written by a fix may hold: what a plain YAML scalar and a JSON
/// string both hold as they are (no quotes, escapes, spaces, `#`, `:`, newlines).
pub fn is_writable(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 253
        && v.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'/' | b'+'))
}

impl Plan {
    /// Drops the spare capacity of its texts and lists ([`crate::finding::Finding::shrink_to_fit`]).
    pub fn shrink_to_fit(&mut self) {
        self.description.shrink_to_fit();
        self.edits.shrink_to_fit();
    }

    pub fn new(applicability: Applicability, description: impl Into<String>) -> Plan {
        Plan { description: description.into(), applicability, edits: Vec::new() }
    }

    pub fn safe(description: impl Into<String>) -> Plan {
        Plan::new(Applicability::Safe, description)
    }

    pub fn unsafe_(description: impl Into<String>) -> Plan {
        Plan::new(Applicability::Unsafe, description)
    }

    fn push(mut self, at: &Location, op: impl FnOnce(Span) -> Option<Op>) -> Option<Plan> {
        let Location::File { path, span } = at else { return None };
        self.edits.push(Edit { path: path.clone(), op: op(*span)? });
        Some(self)
    }

    /// Rewrites the scalar at `at` from `old` to `new` (`new` must be [`is_writable`]).
    pub fn rewrite(self, at: &Location, old: &str, new: &str) -> Option<Plan> {
        if !is_writable(new) || old == new {
            return None;
        }
        self.push(at, |at| Some(Op::Rewrite { at, old: old.to_string(), new: new.to_string() }))
    }

    /// Double-quotes the plain scalar `value` at `at`.
    pub fn quote(self, at: &Location, value: &str) -> Option<Plan> {
        if !is_writable(value) {
            return None;
        }
        self.push(at, |at| Some(Op::Quote { at, value: value.to_string() }))
    }

    /// Adds `key: "value"` below the key at `parent`, creating `path` first.
    pub fn insert(self, parent: &Location, path: &[&str], key: &str, value: &str) -> Option<Plan> {
        if !is_writable(key) || !is_writable(value) || !path.iter().all(|p| is_writable(p)) {
            return None;
        }
        self.push(parent, |parent| {
            Some(Op::Insert {
                parent,
                path: path.iter().map(|p| p.to_string()).collect(),
                key: key.to_string(),
                value: value.to_string(),
            })
        })
    }

    /// Removes the entry whose key is at `key`.
    pub fn remove(self, key: &Location) -> Option<Plan> {
        self.push(key, |key| Some(Op::Remove { key }))
    }

    /// Appends YAML documents to the file of `at`.
    pub fn append(self, at: &Location, text: String) -> Option<Plan> {
        self.push(at, |_| Some(Op::Append { text }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::Pos;

    #[test]
    fn only_writable_values_and_file_locations_make_plans() {
        let here = Location::File { path: "a.yaml".into(), span: Span::at(Pos { line: 3, col: 5 }) };
        let live = Location::Logical { name: "ctx/ns/Pod/p".into() };
        assert!(Plan::safe("x").rewrite(&here, "True", "true").is_some());
        assert!(Plan::safe("x").rewrite(&live, "True", "true").is_none());
        assert!(Plan::safe("x").rewrite(&here, "a", "a\"\n  evil: 1").is_none());
        assert!(Plan::safe("x").insert(&here, &["labels"], "azure.workload.identity/use", "true").is_some());
        assert!(Plan::safe("x").insert(&here, &[], "k", "a b").is_none());
        assert!(is_writable("3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60"));
        assert!(!is_writable("x: y") && !is_writable("#") && !is_writable(""));
    }
}
