//! Changing a parsed tree in place, for evaluators that compute what a tool would produce (a
//! kustomize build patches, relabels and renames objects). Every node keeps a span: a value that
//! comes from another file carries that file in its span ([`crate::span::FileId`]).

use super::node::{Node, NodeKind, Scalar};
use crate::span::{FileId, Pos, Span};

impl Node {
    /// A string scalar written by a tool: always a string, whatever its text looks like.
    pub fn string(value: impl Into<String>, span: Span) -> Node {
        Node { span, kind: NodeKind::Scalar(Scalar { value: value.into().into(), quoted: true, tag: None }) }
    }

    /// A null value.
    pub fn null(span: Span) -> Node {
        Node { span, kind: NodeKind::Scalar(Scalar { value: "~".into(), quoted: false, tag: None }) }
    }

    /// An empty mapping.
    pub fn empty_map(span: Span) -> Node {
        Node { span, kind: NodeKind::Map(Vec::new()) }
    }

    pub fn as_map_mut(&mut self) -> Option<&mut Vec<(Node, Node)>> {
        match &mut self.kind {
            NodeKind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn as_seq_mut(&mut self) -> Option<&mut Vec<Node>> {
        match &mut self.kind {
            NodeKind::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// The value for `key` in a mapping (the last one with duplicates, as [`Node::entry`]).
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.as_map_mut()?.iter_mut().rev().find(|(k, _)| k.as_str() == Some(key)).map(|(_, v)| v)
    }

    /// Follows a path of mapping keys.
    pub fn path_mut(&mut self, keys: &[&str]) -> Option<&mut Node> {
        keys.iter().try_fold(self, |node, key| node.get_mut(key))
    }

    /// Sets `key` in a mapping: an existing entry keeps its key node and takes `value`; a new
    /// entry is appended with `key_span` as its key's span. Does nothing on a non-mapping.
    pub fn set(&mut self, key: &str, key_span: Span, value: Node) {
        let Some(entries) = self.as_map_mut() else { return };
        match entries.iter_mut().rev().find(|(k, _)| k.as_str() == Some(key)) {
            Some((_, v)) => *v = value,
            None => entries.push((Node::string(key, key_span), value)),
        }
    }

    /// The value for `key`, created as `make()` (with `key_span` for its key) when missing or
    /// null. `None` on a non-mapping.
    pub fn get_or_insert(&mut self, key: &str, key_span: Span, make: impl FnOnce() -> Node) -> Option<&mut Node> {
        let entries = self.as_map_mut()?;
        let at = match entries.iter().rposition(|(k, _)| k.as_str() == Some(key)) {
            Some(i) => {
                if entries[i].1.is_null() {
                    entries[i].1 = make();
                }
                i
            }
            None => {
                entries.push((Node::string(key, key_span), make()));
                entries.len() - 1
            }
        };
        Some(&mut entries[at].1)
    }

    /// Removes every entry for `key`; returns whether there was one.
    pub fn remove(&mut self, key: &str) -> bool {
        let Some(entries) = self.as_map_mut() else { return false };
        let before = entries.len();
        entries.retain(|(k, _)| k.as_str() != Some(key));
        entries.len() != before
    }

    /// The same tree with every span that is in the holder's file placed in `file`: a value
    /// taken from a patch or a kustomization keeps pointing at the line that wrote it.
    pub fn in_file(mut self, file: FileId) -> Node {
        self.visit_spans(&mut |span| {
            if span.file == FileId::HOLDER {
                span.file = file;
            }
        });
        self
    }

    /// Moves every span by `lines` lines and `cols` columns: a document parsed out of a block
    /// scalar (an inline patch) placed where its text sits in the enclosing file.
    pub fn shifted(mut self, lines: u32, cols: u32) -> Node {
        let shift = |p: Pos| Pos { line: p.line + lines, col: p.col + cols };
        self.visit_spans(&mut |span| {
            *span = Span::new(shift(span.start()), shift(span.end())).in_file(span.file);
        });
        self
    }

    /// The same tree with every span replaced by `span`: for values whose text cannot be mapped
    /// back line by line (an inline patch in a quoted or folded string).
    pub fn all_at(mut self, span: Span) -> Node {
        self.visit_spans(&mut |s| *s = span);
        self
    }

    fn visit_spans(&mut self, f: &mut impl FnMut(&mut Span)) {
        f(&mut self.span);
        match &mut self.kind {
            NodeKind::Scalar(_) => {}
            NodeKind::Seq(items) => items.iter_mut().for_each(|n| n.visit_spans(f)),
            NodeKind::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
                k.visit_spans(f);
                v.visit_spans(f);
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::test_document;

    #[test]
    fn set_keeps_an_existing_key_and_appends_a_new_one() {
        let mut n = test_document("a: 1\nb: 2\n");
        let at = Span::line(9);
        n.set("a", at, Node::string("x", at));
        n.set("c", at, Node::string("y", at));
        assert_eq!(n.get("a").and_then(Node::as_str), Some("x"));
        assert_eq!(n.entry("a").map(|(k, _)| k.span.start().line), Some(1));
        assert_eq!(n.entry("c").map(|(k, _)| k.span.start().line), Some(9));
        assert!(n.remove("b") && !n.remove("b"));
    }

    #[test]
    fn created_maps_replace_null_values() {
        let mut n = test_document("metadata:\n  labels:\n");
        let at = Span::line(7);
        let labels = n.path_mut(&["metadata"]).and_then(|m| m.get_or_insert("labels", at, || Node::empty_map(at)));
        assert!(labels.is_some_and(|l| l.as_map().is_some()));
    }

    #[test]
    fn spans_move_into_another_file_and_down_the_page() {
        let file = FileId::of(&std::sync::Arc::from("overlays/prod/patch.yaml"));
        let n = test_document("a:\n  b: 1\n").in_file(file).shifted(10, 4);
        let b = n.path(&["a", "b"]).map(|b| b.span);
        assert_eq!(b.map(|s| (s.file, s.start().line, s.start().col)), Some((file, 12, 10)));
    }
}
