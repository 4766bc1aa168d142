//! Entries no reader looks at, left out of the tree as it is built.
//!
//! A ConfigMap's settings are often most of a repository's YAML, and the linter reads only the
//! few that concern Azure identity or look secret. Building a node for each of the others, then
//! walking and dropping it, cost more than all the rules. A reader that knows what it reads says
//! so with an [`Unread`] policy; the builder then leaves out each scalar entry of the sections it
//! names for which the policy answers "not read", before making its value's node.
//!
//! What the rest of the tree says does not change: every key still takes part in the duplicate
//! key check, a mapping still ends where its last entry ends, and left-out nodes still count
//! towards the node budget. Anchored or tagged values, complex keys and merge keys always stay.
//! The policy is asked with the document's `kind` as far as it was read; should a later `kind`
//! key contradict it, the stream is read again without leaving anything out (see
//! [`super::parse`]).

use compact_str::CompactString;

use crate::span::Pos;

/// What a reader of the tree never looks at.
pub trait Unread: Sync {
    /// Whether some scalar entries of the mapping under the top-level key `section` of a document
    /// of kind `kind` may go unread.
    fn prunes(&self, kind: &str, section: &str) -> bool;

    /// Whether the scalar entry `key: value` of such a mapping is read, and must stay.
    fn keeps(&self, key: &str, value: &str) -> bool;

    /// Whether nothing reads the value of `key` in a mapping that is itself the value of
    /// `parent`, at any depth: such a value (a mapping or a sequence) is read past without a
    /// tree, and the entry is left out (see [`super::parse`]'s `skip`).
    fn skips(&self, _parent: &str, _key: &str) -> bool {
        false
    }

    /// [`Unread::skips`] for a mapping that is an item of the sequence under the key `list`.
    fn skips_in_item(&self, _list: &str, _key: &str) -> bool {
        false
    }

    /// Whether the scalar entry `key: value` inside a value read past (`key` empty for an item
    /// of a sequence) is read after all: the stream is then read again whole. What
    /// [`Unread::keeps`] keeps, unless the policy says better.
    fn must_read(&self, key: &str, value: &str) -> bool {
        self.keeps(key, value)
    }
}

/// What a pruned mapping left out, for the checks that must still see it: the keys of its
/// entries left out, where each starts, in source order.
pub(super) type Left = Vec<(CompactString, Pos)>;

/// The keys of a mapping, kept and left out, in source order: `(text, start)`.
pub(super) fn all_keys<'a>(
    kept: impl Iterator<Item = (Option<&'a str>, Pos)>,
    left: &'a Left,
) -> Vec<(Option<&'a str>, Pos)> {
    let mut out: Vec<(Option<&str>, Pos)> = kept.collect();
    out.extend(left.iter().map(|(k, p)| (Some(k.as_str()), *p)));
    // Both runs are in source order; a stable sort by position interleaves them.
    out.sort_by_key(|(_, p)| *p);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse::{parse_stream, parse_stream_pruned, Limits, StreamOutcome};
    use crate::yaml::Node;

    /// Prunes the `data` of `Settings` documents, keeping the entries whose key starts with `keep`.
    struct KeepPrefixed;

    impl Unread for KeepPrefixed {
        fn prunes(&self, kind: &str, section: &str) -> bool {
            kind == "Settings" && section == "data"
        }

        fn keeps(&self, key: &str, _value: &str) -> bool {
            key.starts_with("keep")
        }

        fn skips(&self, parent: &str, key: &str) -> bool {
            parent == "metadata" && key == "skipped"
        }

        fn skips_in_item(&self, list: &str, key: &str) -> bool {
            list == "containers" && key == "skipped"
        }
    }

    fn pruned(text: &str) -> (Vec<Node>, StreamOutcome) {
        let mut docs = Vec::new();
        let outcome = parse_stream_pruned(text, &Limits::default(), Some(&KeepPrefixed), |d| docs.push(d));
        (docs, outcome)
    }

    fn whole(text: &str) -> (Vec<Node>, StreamOutcome) {
        let mut docs = Vec::new();
        let outcome = parse_stream(text, &Limits::default(), |d| docs.push(d));
        (docs, outcome)
    }

    fn keys(node: &Node) -> Vec<&str> {
        node.as_map().unwrap().iter().map(|(k, _)| k.as_str().unwrap()).collect()
    }

    #[test]
    fn unread_entries_are_left_out_and_the_rest_is_as_written() {
        let text = "kind: Settings\ndata:\n  a: \"1\"\n  keep_b: two\n  c: x\nother:\n  a: 1\n";
        let (docs, outcome) = pruned(text);
        assert!(outcome.fatal.is_none() && outcome.problems.is_empty());
        assert_eq!(keys(docs[0].get("data").unwrap()), ["keep_b"]);
        assert_eq!(keys(docs[0].get("other").unwrap()), ["a"], "only the named section is pruned");
        let kept = docs[0].get("data").unwrap().get("keep_b").unwrap();
        assert_eq!((kept.as_str(), kept.span.start().line, kept.span.start().col), (Some("two"), 4, 11));
        // Another kind, a section that is not top-level, a `kind` after the section: all whole.
        for text in [
            "kind: Other\ndata:\n  a: 1\n",
            "kind: Settings\nspec:\n  data:\n    a: 1\n",
            "data:\n  a: 1\nkind: Settings\n",
        ] {
            assert_eq!(format!("{:?}", pruned(text).0), format!("{:?}", whole(text).0), "{text}");
        }
    }

    #[test]
    fn anchored_tagged_and_merge_entries_stay() {
        let text = "kind: Settings\ndata:\n  a: &x one\n  b: !!str two\n  c: *x\n  <<: {d: 1}\n  e: 2\n";
        let (docs, outcome) = pruned(text);
        assert!(outcome.fatal.is_none());
        assert_eq!(keys(docs[0].get("data").unwrap()), ["a", "b", "c", "d"]);
        // An anchored section is copied whole by its aliases: it is not pruned.
        let text = "kind: Settings\ndata: &all\n  a: 1\ncopy: *all\n";
        assert_eq!(format!("{:?}", pruned(text).0), format!("{:?}", whole(text).0));
    }

    #[test]
    fn left_out_keys_are_still_checked_for_duplicates_and_the_mapping_keeps_its_end() {
        for text in [
            "kind: Settings\ndata:\n  a: 1\n  keep: 2\n  a: 3\n",
            "kind: Settings\ndata:\n  keep: 1\n  a: 2\n  keep: 3\n",
            "kind: Settings\ndata: {a: \"1\"  ,  b: '2'  }  # note\n",
            "kind: Settings\ndata:\n  keep: 1\n  last: \"quoted\"   # trailing\n",
            "kind: Settings\ndata:\n  keep: 1\n  last: |\n    block\n\n",
            "kind: Settings\ndata:\n  keep: 1\n  last: |\n    block\nx: 1\n",
            "kind: Settings\ndata:\n  keep: 1\n  last: plain\n    continued\n# c\n",
            "kind: Settings\ndata:\n  keep: 1\n  last: 'q'\n# c\n---\nkind: A\n",
            "kind: Settings\ndata:\n  keep: 1\n  last: 'q'",
            "kind: Settings\ndata:\n  keep: 1\n  last: plain",
            "kind: Settings\ndata: {keep: 1, last: 'q'}",
            "{\"kind\": \"Settings\", \"data\": {\"keep\": \"1\", \"last\": \"v\"}}",
        ] {
            let ((p, po), (w, wo)) = (pruned(text), whole(text));
            assert_eq!(po.problems, wo.problems, "{text}");
            assert_eq!(p[0].get("data").unwrap().span, w[0].get("data").unwrap().span, "{text}");
            assert_eq!(p[0].span, w[0].span, "{text}");
        }
        let many: String = (0..40).map(|i| format!("  s{i}: {i}\n")).collect();
        let text = format!("kind: Settings\ndata:\n{many}  s7: again\n  keep: 1\n  s39: again\n");
        let lines: Vec<u32> = pruned(&text).1.problems.iter().map(|p| p.pos.line).collect();
        assert_eq!(lines, [43, 45]);
    }

    #[test]
    fn left_out_values_count_towards_the_node_budget() {
        // 65 nodes, 35 of them not left out.
        let limits = Limits { max_nodes: 50, ..Limits::default() };
        let settings: String = (0..30).map(|i| format!("  s{i}: {i}\n")).collect();
        let text = format!("kind: Settings\ndata:\n{settings}");
        let outcome = parse_stream_pruned(&text, &limits, Some(&KeepPrefixed), |_| {});
        assert!(outcome.fatal.is_some_and(|e| e.message.contains("more than 50 nodes")));
    }

    /// Asserts that `text`, read with the policy, gives the trees and problems of `expected`.
    fn assert_pruned_reads_as(text: &str, expected: (Vec<Node>, StreamOutcome), case: &str) {
        let ((p, po), (w, wo)) = (pruned(text), expected);
        assert_eq!(format!("{p:?}"), format!("{w:?}"), "{case}");
        assert_eq!((po.problems, po.fatal), (wo.problems, wo.fatal), "{case}");
    }

    /// The whole parse of `text`, without the `skipped` entries whose value is a collection (a
    /// scalar is not worth reading past) of `metadata` mappings and of the items of `containers`
    /// lists, except in Secrets.
    fn whole_without_skipped(text: &str) -> (Vec<Node>, StreamOutcome) {
        /// Where a mapping is: the value of `key`, or an item of the list under `key`.
        #[derive(Clone, Copy)]
        enum At<'a> {
            Value(Option<&'a str>),
            Item(Option<&'a str>),
        }
        fn drop_skipped(node: &mut Node, at: At) {
            match &mut node.kind {
                crate::yaml::NodeKind::Scalar(_) => {}
                crate::yaml::NodeKind::Seq(items) => {
                    let list = match at {
                        At::Value(key) => key.map(str::to_owned),
                        At::Item(_) => None,
                    };
                    items.iter_mut().for_each(|n| drop_skipped(n, At::Item(list.as_deref())));
                }
                crate::yaml::NodeKind::Map(entries) => {
                    if matches!(at, At::Value(Some("metadata")) | At::Item(Some("containers"))) {
                        entries.retain(|(k, v)| k.as_str() != Some("skipped") || v.as_scalar().is_some());
                    }
                    for (k, v) in entries.iter_mut() {
                        let key = k.as_str().map(str::to_owned);
                        drop_skipped(v, At::Value(key.as_deref()));
                    }
                }
            }
        }
        let (mut docs, outcome) = whole(text);
        for doc in docs.iter_mut().filter(|d| d.get("kind").and_then(Node::as_str) != Some("Secret")) {
            drop_skipped(doc, At::Value(None));
        }
        (docs, outcome)
    }

    #[test]
    fn values_no_reader_looks_at_are_read_past_and_checked_as_the_whole_tree_checks_them() {
        for text in [
            "kind: A\nmetadata:\n  name: a\n  skipped:\n  - manager: m\n    fields: {f:a: {}, f:b: {.: {}}}\n  uid: u\nspec: 1\n",
            "kind: A\nmetadata:\n  skipped:\n    a: [1, 2, {b: c}]\n    a: again\n    b: {a: 1, a: 2}\n  skipped: {}\n",
            "{\"kind\": \"List\", \"items\": [{\"metadata\": {\"name\": \"p\", \"skipped\": [{\"m\": \"x\"}]}}, {\"metadata\": {\"skipped\": []}}]}",
            "metadata:\n  name: a\n  skipped:\n  - x\n  # last\nnext: 1\n",
            "metadata:\n  skipped: [a, b]   # comment\n",
            "metadata:\n  skipped: scalar\nspec:\n  skipped: [kept: under another parent]\n",
            "metadata:\n  skipped:\n  - !!str tagged\n  - 'quoted'\n",
            "spec:\n  containers:\n  - name: app\n    skipped: {a: [1]}\n  - skipped: []\n    name: b\n",
            "spec:\n  containers:\n  - - skipped: [nested list]\n  other:\n  - skipped: [another list]\n",
            "containers:\n- {skipped: [x], skipped: [y]}\n",
        ] {
            assert_pruned_reads_as(text, whole_without_skipped(text), text);
        }
        let (docs, outcome) = pruned("metadata:\n  skipped:\n    a: 1\n    a: 2\n  skipped: []\n");
        assert!(docs[0].get("metadata").unwrap().as_map().unwrap().is_empty());
        let lines: Vec<u32> = outcome.problems.iter().map(|p| p.pos.line).collect();
        assert_eq!(lines, [4, 5], "a duplicate inside the value, and the value's own key repeated");
    }

    /// Every manifest of `testdata/`, with a value read past under each `metadata:` key, reads as
    /// the whole tree without it: same nodes, positions and problems.
    #[test]
    fn testdata_with_values_read_past_reads_as_the_whole_tree_without_them() {
        fn yaml_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    yaml_files(&path, out);
                } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                    out.push(path);
                }
            }
        }
        let mut files = Vec::new();
        yaml_files(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata"), &mut files);
        let mut injected = 0;
        for file in &files {
            let Ok(text) = std::fs::read_to_string(file) else { continue };
            let mut with = String::new();
            for line in text.lines() {
                with.push_str(line);
                with.push('\n');
                if let Some(indent) = line.strip_suffix("metadata:").filter(|i| i.trim().is_empty()) {
                    let block =
                        ["skipped:", "- manager: m", "  fieldsV1: {f:a: {.: {}}, 'k:{\"x\":1}': {}}", "  time: t"];
                    block.iter().for_each(|l| with.push_str(&format!("{indent}  {l}\n")));
                    injected += 1;
                }
            }
            assert_pruned_reads_as(&with, whole_without_skipped(&with), &file.display().to_string());
        }
        assert!(files.len() > 400 && injected > 400, "{} files, {injected} values", files.len());
    }

    #[test]
    fn what_the_policy_cannot_vouch_for_inside_a_skipped_value_has_the_stream_read_whole() {
        for text in [
            "metadata:\n  skipped:\n    a: &x 1\n    b: *x\n",
            "base: &b {x: 1}\nmetadata:\n  skipped:\n    <<: *b\n",
            "metadata:\n  skipped:\n    <<: {x: 1}\n    y: 2\n",
            "metadata:\n  skipped:\n    keep_me: value\n",
            "metadata:\n  skipped:\n  - ? [complex, key]\n    : value\n",
            "metadata:\n  skipped: &s [1]\nother: *s\n",
            "a: 1\n---\nmetadata:\n  skipped:\n  - {keep: 1}\n---\nmetadata:\n  skipped: [1]\n",
            "kind: Secret\nmetadata:\n  skipped: [1]\n",
            "metadata:\n  skipped: [1]\nkind: Secret\n",
            "kind: A\nmetadata:\n  skipped: [1]\nkind: B\n",
        ] {
            assert_pruned_reads_as(text, whole(text), text);
        }
    }

    #[test]
    fn a_skipped_value_counts_towards_the_budgets_and_fails_where_the_whole_tree_fails() {
        let deep = format!("metadata:\n  skipped: {}{}\n", "[".repeat(20), "]".repeat(20));
        let wide = format!("metadata:\n  skipped: [{}]\n", vec!["1"; 60].join(", "));
        let anchored =
            format!("metadata: &m\n  skipped: [{}]\ncopies: [{}]\n", vec!["x"; 30].join(", "), ["*m"; 4].join(", "));
        let limits = Limits { max_depth: 12, max_nodes: 50, max_alias_nodes: 100, ..Limits::default() };
        for text in [deep.as_str(), wide.as_str(), anchored.as_str(), "metadata:\n  skipped: [1, {a: [2\n"] {
            let mut pruned_docs = Vec::new();
            let po = parse_stream_pruned(text, &limits, Some(&KeepPrefixed), |d| pruned_docs.push(d));
            let mut whole_docs = Vec::new();
            let wo = parse_stream(text, &limits, |d| whole_docs.push(d));
            assert!(wo.fatal.is_some(), "the case fails whole: {text}");
            assert_eq!((po.fatal, po.problems), (wo.fatal, wo.problems), "{text}");
        }
    }

    #[test]
    fn a_later_kind_that_contradicts_the_pruning_has_the_stream_read_whole() {
        let text = "kind: A\n---\nkind: Settings\ndata:\n  a: 1\nkind: Secret\n---\nkind: Settings\ndata:\n  b: 2\n";
        let ((p, po), (w, wo)) = (pruned(text), whole(text));
        assert_eq!(format!("{p:?}"), format!("{w:?}"), "each document once, the later ones whole");
        assert_eq!(p.len(), 3);
        assert_eq!(po.problems, wo.problems);
        assert_eq!(keys(p[1].get("data").unwrap()), ["a"]);
        // The same kind again changes nothing: the pruning stands.
        let (p, _) = pruned("kind: Settings\ndata:\n  a: 1\nkind: Settings\n");
        assert!(keys(p[0].get("data").unwrap()).is_empty());
    }
}
