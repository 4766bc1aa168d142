//! The layout of a YAML (or JSON) text around the nodes of its parse: indentation, where an entry's
//! lines end, block or flow style, line endings. Edits are computed here as byte ranges of the
//! text, so everything they do not touch stays as it was written.

use std::sync::{Arc, OnceLock};

use crate::span::{Pos, SourceText};
use crate::yaml::{parse_stream, Limits, Node, NodeKind};

/// Why an edit could not be computed (the finding then has no fix).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LayoutError {
    #[error("the text at the finding is not what the model read")]
    Moved,
    #[error("no mapping key at the planned position")]
    NoKey,
    #[error("a layout fixes do not edit (an alias, a merge key, a tag or a complex entry)")]
    Unsupported,
    #[error("the file does not parse")]
    Unparsable,
}

/// A byte range of the text and what replaces it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct ByteEdit {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// What edits read of a file's text: the start of each line, and its documents parsed on first
/// need. Shared by every fix in the file: thousands of findings in one large file each built
/// their own (and parsed the file again), which made resolving their fixes quadratic.
pub(super) struct Parsed {
    source: SourceText,
    docs: OnceLock<Option<Vec<Node>>>,
}

impl Parsed {
    pub(super) fn new(text: &str) -> Parsed {
        Parsed { source: SourceText::new(text), docs: OnceLock::new() }
    }

    /// The text (without its byte order mark).
    pub(super) fn text(&self) -> &str {
        self.source.as_str()
    }

    /// The 1-based position of byte `offset`.
    pub(super) fn pos(&self, offset: usize) -> Pos {
        self.source.pos(offset)
    }
}

/// A file's text (without its byte order mark), ready for edits.
pub(super) struct Layout<'a> {
    pub text: &'a str,
    parsed: Arc<Parsed>,
    /// `\r\n` when the file's lines end so.
    pub eol: &'static str,
    /// JSON file: keys are quoted and every collection is a flow collection.
    pub json: bool,
}

/// One step from a document root to an entry: the mapping and the entry's index in it.
type Chain<'n> = Vec<(&'n Node, usize)>;

impl<'a> Layout<'a> {
    #[cfg(test)]
    pub(super) fn new(text: &'a str, json: bool) -> Layout<'a> {
        Layout::with(text, Arc::new(Parsed::new(text)), json)
    }

    /// The layout of `text`, with what `parsed` holds of it.
    pub(super) fn with(text: &'a str, parsed: Arc<Parsed>, json: bool) -> Layout<'a> {
        let eol = match text.find('\n') {
            Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
            _ => "\n",
        };
        Layout { text, parsed, eol, json }
    }

    pub(super) fn offset(&self, pos: Pos) -> usize {
        self.parsed.source.offset(pos)
    }

    /// The documents, parsed once for the edits that need the structure.
    fn docs(&self) -> Result<&[Node], LayoutError> {
        let docs = self.parsed.docs.get_or_init(|| {
            let mut docs = Vec::new();
            let outcome = parse_stream(self.text, &Limits::default(), |d| docs.push(d));
            outcome.fatal.is_none().then_some(docs)
        });
        docs.as_deref().ok_or(LayoutError::Unparsable)
    }

    fn line_of(&self, offset: usize) -> usize {
        self.parsed.source.line_of(offset)
    }

    fn line_start(&self, line: usize) -> usize {
        self.parsed.source.line_start(line)
    }

    /// The line's text without its line break.
    fn line(&self, line: usize) -> &str {
        let (start, end) = (self.line_start(line), self.line_start(line + 1));
        self.text.get(start..end).unwrap_or("").trim_end_matches(['\n', '\r'])
    }

    /// Leading spaces of a line; `None` for a blank line.
    fn indent_of(&self, line: usize) -> Option<usize> {
        let l = self.line(line);
        let trimmed = l.trim_start_matches(' ');
        (!trimmed.trim().is_empty()).then(|| l.len() - trimmed.len())
    }

    /// Characters of a position's line before it (its column, counted from 0).
    fn column(&self, pos: Pos) -> usize {
        pos.col.saturating_sub(1) as usize
    }

    fn is_flow(&self, node: &Node) -> bool {
        self.text.get(self.offset(node.span.start())..).is_some_and(|t| t.starts_with(['{', '[']))
    }

    /// The text of a scalar node's span.
    pub(super) fn slice(&self, start: Pos, end: Pos) -> &str {
        let (s, e) = (self.offset(start), self.offset(end));
        self.text.get(s..e.max(s)).unwrap_or("")
    }

    /// The last line of a block mapping entry whose key is at `key` (indented by `indent`): the
    /// lines after it that are indented deeper belong to it, and so does its value's text.
    fn entry_last_line(&self, key: &Node, value: &Node, indent: usize) -> usize {
        let mut last = self.line_of(self.offset(key.span.start()));
        if self.is_flow(value) || matches!(value.kind, NodeKind::Scalar(_)) {
            let end = self.offset(value.span.end());
            // A span that ends at the start of a line ends with the line before.
            let end_line = self.line_of(end.saturating_sub(usize::from(value.span.end().col == 1 && end > 0)));
            last = last.max(end_line);
        }
        let mut line = self.line_of(self.offset(key.span.start())) + 1;
        while line < self.parsed.source.line_count() {
            match self.indent_of(line) {
                None => {}
                Some(i) if i > indent && line > last => last = line,
                Some(i) if i > indent => {}
                Some(_) if line <= last => {}
                Some(_) => break,
            }
            line += 1;
        }
        last
    }

    /// The offset where a new line after `line` starts, and the line break to write first when
    /// `line` is the last and has none.
    fn after_line(&self, line: usize) -> (usize, &'static str) {
        let next = self.line_start(line + 1);
        if next >= self.text.len() && !self.text.ends_with('\n') {
            (self.text.len(), self.eol)
        } else {
            (next, "")
        }
    }

    /// The entry (and the mappings above it) whose key starts at `pos`.
    fn find_key(&self, pos: Pos) -> Result<Chain<'_>, LayoutError> {
        fn walk<'n>(node: &'n Node, pos: Pos, chain: &mut Chain<'n>) -> bool {
            match &node.kind {
                NodeKind::Scalar(_) => false,
                NodeKind::Seq(items) => items.iter().any(|i| walk(i, pos, chain)),
                NodeKind::Map(entries) => {
                    for (i, (k, v)) in entries.iter().enumerate() {
                        chain.push((node, i));
                        if k.span.start() == pos || walk(v, pos, chain) {
                            return true;
                        }
                        chain.pop();
                    }
                    false
                }
            }
        }
        let mut chain = Vec::new();
        // Only the document whose text holds `pos` can hold the key: a copy of a node (an alias,
        // a merge) is made from an anchor of its own document. Searched for, not walked to: a
        // file of thousands of documents has a fix in each, and walking every document before
        // the key made resolving them quadratic.
        let docs = self.docs()?;
        let first = docs.partition_point(|d| d.span.end() < pos);
        for d in docs[first..].iter().take_while(|d| d.span.start() <= pos) {
            if walk(d, pos, &mut chain) {
                return Ok(chain);
            }
        }
        Err(LayoutError::NoKey)
    }

    /// The written entries of a mapping (merged and aliased ones have spans elsewhere), in order.
    fn written<'n>(&self, map: &'n Node) -> Vec<&'n (Node, Node)> {
        map.as_map().unwrap_or_default().iter().filter(|(k, _)| k.span.start() >= map.span.start()).collect()
    }

    /// How far one level of block mappings is indented in this part of the file.
    fn step(&self, chain: &[(&Node, usize)]) -> usize {
        chain
            .windows(2)
            .rev()
            .filter_map(|w| {
                let outer = self.column(self.written(w[0].0).first()?.0.span.start());
                let inner = self.column(self.written(w[1].0).first()?.0.span.start());
                inner.checked_sub(outer).filter(|s| *s > 0)
            })
            .next()
            .unwrap_or(2)
    }

    fn key_text(&self, key: &str) -> String {
        if self.json {
            format!("\"{key}\"")
        } else {
            key.to_string()
        }
    }

    /// `path[0]: {path[1]: {key: "value"}}` in flow style.
    fn flow_entry(&self, path: &[String], key: &str, value: &str) -> String {
        let mut out = format!("{}: \"{value}\"", self.key_text(key));
        for segment in path.iter().rev() {
            out = format!("{}: {{{out}}}", self.key_text(segment));
        }
        out
    }

    /// The lines of `path` and `key: "value"` in block style, starting at `indent`.
    fn block_entry(&self, indent: usize, step: usize, path: &[String], key: &str, value: &str) -> String {
        let mut out = String::new();
        for (depth, segment) in path.iter().enumerate() {
            out.push_str(&format!("{}{segment}:{}", " ".repeat(indent + depth * step), self.eol));
        }
        out.push_str(&format!("{}{key}: \"{value}\"{}", " ".repeat(indent + path.len() * step), self.eol));
        out
    }

    /// Adds `key: "value"` to the mapping below the key at `parent`, creating `path` first.
    pub(super) fn insert(
        &mut self,
        parent: Pos,
        path: &[String],
        key: &str,
        value: &str,
    ) -> Result<ByteEdit, LayoutError> {
        let chain = self.find_key(parent)?;
        let (map, index) = *chain.last().ok_or(LayoutError::NoKey)?;
        let (parent_key, mut target) =
            map.as_map().and_then(|m| m.get(index)).map(|(k, v)| (k, v)).ok_or(LayoutError::NoKey)?;
        let mut depth = 0;
        let mut above: Vec<(&Node, usize)> = chain.clone();
        let mut holder_key = parent_key;
        while depth < path.len() {
            let Some(i) = target.as_map().and_then(|m| m.iter().position(|(k, _)| k.as_str() == Some(&path[depth])))
            else {
                break;
            };
            above.push((target, i));
            let entries = target.as_map().unwrap_or_default();
            holder_key = &entries[i].0;
            target = &entries[i].1;
            depth += 1;
        }
        let rest = &path[depth..];
        if target.as_map().is_some_and(|m| m.iter().any(|(k, _)| k.as_str() == Some(key))) && rest.is_empty() {
            return Err(LayoutError::Unsupported);
        }
        let step = self.step(&above);
        match &target.kind {
            NodeKind::Map(_) if self.is_flow(target) => self.insert_flow(target, rest, key, value),
            NodeKind::Map(_) => {
                let written = self.written(target);
                let (first, last) = match (written.first(), written.last()) {
                    (Some(f), Some(l)) if written.len() == target.as_map().map_or(0, <[_]>::len) => (f, l),
                    _ => return Err(LayoutError::Unsupported),
                };
                let indent = self.column(first.0.span.start());
                // How far this mapping sits below its key is the step the new levels take.
                let step = indent.checked_sub(self.column(holder_key.span.start())).filter(|s| *s > 0).unwrap_or(step);
                let end_line = self.entry_last_line(&last.0, &last.1, indent);
                let (at, lead) = self.after_line(end_line);
                Ok(ByteEdit {
                    start: at,
                    end: at,
                    text: format!("{lead}{}", self.block_entry(indent, step, rest, key, value)),
                })
            }
            NodeKind::Scalar(s)
                if s.value.is_empty() && !s.quoted && self.slice(target.span.start(), target.span.end()).is_empty() =>
            {
                // `labels:` with nothing after it: the new lines go below the key.
                if self.json {
                    return Err(LayoutError::Unsupported);
                }
                let key_indent = self.column(holder_key.span.start());
                let end_line = self.entry_last_line(holder_key, target, key_indent);
                let (at, lead) = self.after_line(end_line);
                Ok(ByteEdit {
                    start: at,
                    end: at,
                    text: format!("{lead}{}", self.block_entry(key_indent + step, step, rest, key, value)),
                })
            }
            _ => Err(LayoutError::Unsupported),
        }
    }

    fn insert_flow(&self, map: &Node, path: &[String], key: &str, value: &str) -> Result<ByteEdit, LayoutError> {
        let entry = self.flow_entry(path, key, value);
        let written = self.written(map);
        if written.len() != map.as_map().map_or(0, <[_]>::len) {
            return Err(LayoutError::Unsupported);
        }
        let Some(last) = written.last() else {
            let at = self.offset(map.span.start()) + 1;
            return Ok(ByteEdit { start: at, end: at, text: entry });
        };
        let at = self.offset(last.1.span.end());
        let open_line = self.line_of(self.offset(map.span.start()));
        let last_line = self.line_of(self.offset(last.0.span.start()));
        let text = if last_line > open_line {
            format!(",{}{}{entry}", self.eol, " ".repeat(self.column(last.0.span.start())))
        } else {
            format!(", {entry}")
        };
        Ok(ByteEdit { start: at, end: at, text })
    }

    /// Removes the entry whose key starts at `key`; a block mapping it would leave empty goes
    /// with it.
    pub(super) fn remove(&mut self, key: Pos) -> Result<ByteEdit, LayoutError> {
        let chain = self.find_key(key)?;
        let mut level = chain.len();
        loop {
            let Some(&(map, index)) = level.checked_sub(1).and_then(|l| chain.get(l)) else {
                return Err(LayoutError::Unsupported);
            };
            let written = self.written(map);
            let all = map.as_map().unwrap_or_default();
            if written.len() != all.len() {
                return Err(LayoutError::Unsupported);
            }
            let (k, v) = &all[index];
            if self.is_flow(map) {
                return Ok(self.remove_flow(all, index));
            }
            if all.len() == 1 && level > 1 {
                level -= 1; // the mapping would be left empty: remove its own entry instead
                continue;
            }
            let key_line = self.line_of(self.offset(k.span.start()));
            let before: String = self.line(key_line).chars().take(self.column(k.span.start())).collect();
            if !before.trim().is_empty() {
                return Err(LayoutError::Unsupported); // `- key: value`: the entry opens a list item
            }
            let indent = self.column(k.span.start());
            let last = self.entry_last_line(k, v, indent);
            let start = self.line_start(key_line);
            let end = self.line_start(last + 1).min(self.text.len());
            return Ok(ByteEdit { start, end, text: String::new() });
        }
    }

    fn remove_flow(&self, entries: &[(Node, Node)], index: usize) -> ByteEdit {
        let (k, v) = &entries[index];
        let (start, end) = if index + 1 < entries.len() {
            (self.offset(k.span.start()), self.offset(entries[index + 1].0.span.start()))
        } else if index > 0 {
            (self.offset(entries[index - 1].1.span.end()), self.offset(v.span.end()))
        } else {
            (self.offset(k.span.start()), self.offset(v.span.end()))
        };
        ByteEdit { start, end, text: String::new() }
    }

    /// Rewrites the scalar at `start..end` from `old` to `new`, in the same quotes.
    pub(super) fn rewrite(&self, start: Pos, end: Pos, old: &str, new: &str) -> Result<ByteEdit, LayoutError> {
        let (s, e) = (self.offset(start), self.offset(end));
        let written = self.text.get(s..e).ok_or(LayoutError::Moved)?;
        let text = if written == old {
            if plain_stays_string(new) && !self.json {
                new.to_string()
            } else {
                format!("\"{new}\"")
            }
        } else if written.len() == old.len() + 2
            && [('"', '"'), ('\'', '\'')].iter().any(|(a, b)| written.starts_with(*a) && written.ends_with(*b))
            && &written[1..written.len() - 1] == old
        {
            let quote = &written[..1];
            format!("{quote}{new}{quote}")
        } else {
            return Err(LayoutError::Moved);
        };
        Ok(ByteEdit { start: s, end: e, text })
    }

    /// Double-quotes the plain scalar `value` at `start..end`.
    pub(super) fn quote(&self, start: Pos, end: Pos, value: &str) -> Result<ByteEdit, LayoutError> {
        let (s, e) = (self.offset(start), self.offset(end));
        if self.text.get(s..e) != Some(value) {
            return Err(LayoutError::Moved);
        }
        // A tag before the value (`!!int 3`) would keep its type whatever the quotes.
        let before = self.text.get(self.line_start(self.line_of(s))..s).unwrap_or("");
        if before.split_whitespace().last().is_some_and(|w| w.starts_with('!')) {
            return Err(LayoutError::Unsupported);
        }
        Ok(ByteEdit { start: s, end: e, text: format!("\"{value}\"") })
    }

    /// Appends `docs` (YAML documents, `\n`-separated) after a `---`.
    pub(super) fn append(&self, docs: &str) -> ByteEdit {
        let end = self.text.len();
        let body = docs.replace('\n', self.eol);
        let mut text = String::new();
        if !self.text.trim().is_empty() {
            if !self.text.ends_with('\n') {
                text.push_str(self.eol);
            }
            let last = self.text.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("");
            if last.trim_end() != "---" {
                text.push_str("---");
                text.push_str(self.eol);
            }
        }
        text.push_str(&body);
        ByteEdit { start: end, end, text }
    }
}

/// A plain scalar `v` still decodes to a string (not `true`, `3600`, `null`).
fn plain_stays_string(v: &str) -> bool {
    let scalar = crate::yaml::Scalar { value: v.into(), quoted: false, tag: None };
    scalar.resolved_type() == crate::yaml::ScalarType::String
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(text: &str, e: &ByteEdit) -> String {
        format!("{}{}{}", &text[..e.start], e.text, &text[e.end..])
    }

    fn pos(line: u32, col: u32) -> Pos {
        Pos { line, col }
    }

    #[test]
    fn inserts_into_block_mappings_at_their_indentation() {
        let text = "metadata:\n    labels:\n        app: x   # c\n\n    name: n\n";
        let mut l = Layout::new(text, false);
        let e = l.insert(pos(2, 5), &[], "azure.workload.identity/use", "true").unwrap();
        assert_eq!(
            apply(text, &e),
            "metadata:\n    labels:\n        app: x   # c\n        azure.workload.identity/use: \"true\"\n\n    name: n\n"
        );
        let mut l = Layout::new(text, false);
        let e = l.insert(pos(1, 1), &["annotations".into()], "k", "v").unwrap();
        assert_eq!(apply(text, &e), format!("{text}    annotations:\n        k: \"v\"\n"));
    }

    #[test]
    fn inserts_into_flow_and_json_mappings() {
        let text = "labels: {app: x}\nother: {}\n";
        let mut l = Layout::new(text, false);
        assert_eq!(
            apply(text, &l.insert(pos(1, 1), &[], "k", "v").unwrap()),
            "labels: {app: x, k: \"v\"}\nother: {}\n"
        );
        let mut l = Layout::new(text, false);
        assert_eq!(
            apply(text, &l.insert(pos(2, 1), &["a".into()], "k", "v").unwrap()),
            "labels: {app: x}\nother: {a: {k: \"v\"}}\n"
        );
        let json = "{\n  \"labels\": {\n    \"app\": \"x\"\n  }\n}\n";
        let mut l = Layout::new(json, true);
        assert_eq!(
            apply(json, &l.insert(pos(2, 3), &[], "k", "v").unwrap()),
            "{\n  \"labels\": {\n    \"app\": \"x\",\n    \"k\": \"v\"\n  }\n}\n"
        );
    }

    #[test]
    fn removes_entries_and_mappings_left_empty() {
        let text = "metadata:\n  name: n\n  labels:\n    a: \"true\"  # c\n  annotations:\n    b: c\n";
        let mut l = Layout::new(text, false);
        assert_eq!(apply(text, &l.remove(pos(4, 5)).unwrap()), "metadata:\n  name: n\n  annotations:\n    b: c\n");
        let flow = "labels: {a: b, c: d, e: f}\n";
        for (col, want) in
            [(10, "labels: {c: d, e: f}\n"), (16, "labels: {a: b, e: f}\n"), (22, "labels: {a: b, c: d}\n")]
        {
            let mut l = Layout::new(flow, false);
            assert_eq!(apply(flow, &l.remove(pos(1, col)).unwrap()), want);
        }
    }

    /// The key is found in whichever document holds it: the first, a middle one, the last, a
    /// flow one, one where a merge and an alias copy the entry (the written entry is edited),
    /// and not at all where no key starts.
    #[test]
    fn keys_are_found_in_every_document_of_a_stream() {
        let text =
            "a:\n  x: 1\n---\n{b: {y: 2}}\n---\nbase: &b\n  z: 3\nmerged:\n  <<: *b\ncopy: *b\n---\nc:\n  w: 4\n  v: 5\n";
        let cases = [
            (pos(1, 1), "a:\n  x: 1\n  k: \"v\"\n"),
            (pos(4, 2), "{b: {y: 2, k: \"v\"}}\n"),
            (pos(6, 1), "base: &b\n  z: 3\n  k: \"v\"\n"),
            (pos(12, 1), "c:\n  w: 4\n  v: 5\n  k: \"v\"\n"),
        ];
        for (at, want) in cases {
            let mut l = Layout::new(text, false);
            let edited = apply(text, &l.insert(at, &[], "k", "v").unwrap());
            assert!(edited.contains(want), "{at:?}: {edited}");
            assert_eq!(edited.len(), text.len() + "k: \"v\"".len() + if at == pos(4, 2) { 2 } else { 3 }, "{edited}");
        }
        let mut l = Layout::new(text, false);
        assert_eq!(apply(text, &l.remove(pos(13, 3)).unwrap()), text.replace("  w: 4\n", ""));
        for nowhere in [pos(3, 1), pos(7, 1), pos(15, 1)] {
            assert_eq!(Layout::new(text, false).remove(nowhere), Err(LayoutError::NoKey), "{nowhere:?}");
        }
    }

    #[test]
    fn rewrites_keep_quotes_and_crlf_is_kept() {
        let text = "a: \"True\"\r\nb: 'x'\r\nc: ture\r\n";
        let l = Layout::new(text, false);
        assert_eq!(l.rewrite(pos(1, 4), pos(1, 10), "True", "true").unwrap().text, "\"true\"");
        assert_eq!(l.rewrite(pos(2, 4), pos(2, 7), "x", "y").unwrap().text, "'y'");
        assert_eq!(l.rewrite(pos(3, 4), pos(3, 8), "ture", "true").unwrap().text, "\"true\"");
        assert_eq!(l.rewrite(pos(3, 4), pos(3, 8), "else", "true"), Err(LayoutError::Moved));
        let mut l = Layout::new(text, false);
        let e = l.insert(pos(1, 1), &[], "k", "v");
        assert_eq!(e, Err(LayoutError::Unsupported), "a scalar holds no entries");
        assert_eq!(l.append("x: 1\n").text, "---\r\nx: 1\r\n");
    }
}
