use super::*;

fn docs(text: &str) -> (Vec<Node>, StreamOutcome) {
    let mut out = Vec::new();
    let outcome = parse_stream(text, &Limits::default(), |n| out.push(n));
    (out, outcome)
}

/// Positions far right on a line (a minified JSON manifest, an API server's page of
/// objects) are exact, and a one-line document's are all stored in place: an audit parses
/// megabytes of such lines, and a table entry for each value would stay for the whole run.
#[test]
fn far_columns_keep_their_exact_positions() {
    let padding = "x".repeat(5000);
    let stored = crate::span::far_stored_on_this_thread();
    let (d, _) = docs(&format!("{{\"pad\": \"{padding}\", \"kind\": \"Pod\"}}\n"));
    assert_eq!(crate::span::far_stored_on_this_thread(), stored, "no position went to the table");
    let (key, value) = d[0].entry("kind").unwrap();
    assert_eq!((key.span.start(), key.span.end()), (Pos { line: 1, col: 5013 }, Pos { line: 1, col: 5019 }));
    assert_eq!(value.span.start(), Pos { line: 1, col: 5021 });
    assert_eq!(d[0].get("pad").unwrap().span.end(), Pos { line: 1, col: 5011 });
}

#[test]
fn json_documents_keep_their_first_line_positions() {
    // A document opening with `{`/`[` is scanned behind `--- ` (see parse_stream). The same
    // text after a blank line is scanned as is: every position must be the same, one line down.
    fn collect(node: &Node, out: &mut Vec<Pos>) {
        out.extend([node.span.start(), node.span.end()]);
        match &node.kind {
            NodeKind::Scalar(_) => {}
            NodeKind::Seq(items) => items.iter().for_each(|n| collect(n, out)),
            NodeKind::Map(entries) => entries.iter().for_each(|(k, v)| {
                collect(k, out);
                collect(v, out);
            }),
        }
    }
    let positions = |text: &str| {
        let (d, o) = docs(text);
        let mut all = Vec::new();
        for doc in &d {
            collect(doc, &mut all);
        }
        all.extend(o.problems.iter().chain(&o.fatal).map(|e| e.pos));
        all
    };
    for text in [
        r#"{"a": [1, "x"], "b": {"c": true}, "a": 2}"#,
        "[\n  {\"k\": \"v\"}, [\"naïve\", \"café\"]\n]\n",
        r#"{"a": [1, 2}"#,
        r#"{"a": 1, "b" 2}"#,
        r#"{"é": "ü", "x": {"y": [null, 1.5, "z"]}}"#,
    ] {
        let down: Vec<Pos> =
            positions(&format!("\n{text}")).into_iter().map(|p| Pos { line: p.line - 1, ..p }).collect();
        assert_eq!(positions(text), down, "{text}");
    }
    let (d, o) = docs(r#"{"a": [1, "x"], "b": {"c": true}, "a": 2}"#);
    let c = d[0].get("b").and_then(|b| b.get("c")).map(|c| c.span);
    assert_eq!(c, Some(Span::new(Pos { line: 1, col: 28 }, Pos { line: 1, col: 32 })));
    assert_eq!(o.problems.iter().map(|p| p.pos.line).collect::<Vec<_>>(), [1]);
}

#[test]
fn keeps_positions_of_keys_and_values() {
    let (d, o) = docs("a: 1\nb:\n  c: \"x\"\n");
    assert!(o.fatal.is_none());
    let (k, v) = d[0].path(&["b"]).unwrap().entry("c").unwrap();
    assert_eq!((k.span.start().line, k.span.start().col), (3, 3));
    assert_eq!((v.span.start().line, v.span.start().col), (3, 6));
}

#[test]
fn multi_document_crlf_and_bom() {
    let (d, o) = docs("\u{feff}a: 1\r\n---\r\nb: 2\r\n");
    assert!(o.fatal.is_none());
    assert_eq!(d.len(), 2);
    assert_eq!(d[1].entry("b").unwrap().0.span.start().line, 3);
}

#[test]
fn alias_bomb_is_an_error_not_a_hang() {
    let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    let mut prev = 'a';
    for c in 'b'..='j' {
        text.push_str(&format!(
            "{c}: &{c} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
        ));
        prev = c;
    }
    let (_, o) = docs(&text);
    assert!(o.fatal.unwrap().message.contains("alias expansion"));
}

#[test]
fn aliases_of_one_long_scalar_are_bounded_by_bytes() {
    let text = format!("a: &a \"{}\"\nb: [{}]\n", "x".repeat(1 << 20), vec!["*a"; 40].join(", "));
    let (_, o) = docs(&text);
    let fatal = o.fatal.map(|e| e.message).unwrap_or_default();
    assert!(fatal.contains("alias expansion exceeds the budget of 33554432 bytes"), "{fatal}");
}

#[test]
fn documents_have_a_node_budget_counting_copies() {
    let limits = Limits { max_nodes: 1_000, ..Limits::default() };
    let parse = |text: &str| {
        let mut n = 0;
        let o = parse_stream(text, &limits, |_| n += 1);
        (n, o.fatal.map(|e| (e.message, e.pos.line)))
    };
    let big = format!("a: [{}]\n", vec!["x"; 1_000].join(","));
    let (n, fatal) = parse(&format!("ok: 1\n---\n{big}"));
    assert_eq!(n, 1, "the document before is still delivered");
    assert!(fatal.is_some_and(|(m, line)| m.contains("more than 1000 nodes") && line == 3));
    // 600 nodes anchored and aliased once: 1,800 nodes in memory.
    let (_, fatal) = parse(&format!("a: &a [{}]\nb: *a\n", vec!["x"; 600].join(",")));
    assert!(fatal.is_some());
    // The budget is per document.
    let small = format!("a: [{}]\n", vec!["x"; 600].join(","));
    assert_eq!(parse(&format!("{small}---\n{small}---\n{small}")), (3, None));
}

#[test]
fn problems_past_the_budget_are_counted_in_one() {
    let text = format!("a: {{{}}}\n", vec!["k: 1"; 500].join(", "));
    let (_, o) = docs(&text);
    assert_eq!(o.problems.len(), 101);
    assert_eq!(o.problems[100].message, "399 more problems like these in this file are not listed");
}

#[test]
fn duplicate_keys_are_quoted_shortened() {
    let key = "k".repeat(1000);
    let (_, o) = docs(&format!("{key}: 1\n{key}: 2\n"));
    assert!(o.problems[0].message.starts_with(&format!("duplicate key `{}…`", "k".repeat(60))));
}

#[test]
fn deep_nesting_is_an_error() {
    let text = "[".repeat(100_000);
    let (_, o) = docs(&text);
    assert!(o.fatal.is_some());
}

#[test]
fn duplicate_keys_are_reported_where_repeated() {
    let (d, o) = docs("a: 1\nb: 2\na: 3\n");
    assert_eq!(d.len(), 1);
    assert_eq!(o.problems.len(), 1);
    assert_eq!(o.problems[0].pos.line, 3);
    assert_eq!(d[0].get("a").unwrap().as_str(), Some("3"));
    // Large mappings are checked through a set, small ones key by key: both find them.
    let keys: String = (0..40).map(|i| format!("k{i}: {i}\n")).collect();
    let (_, o) = docs(&format!("{keys}k7: again\nk39: again\n"));
    let lines: Vec<u32> = o.problems.iter().map(|p| p.pos.line).collect();
    assert_eq!(lines, [41, 42]);
}

#[test]
fn merge_keys_are_applied_and_written_keys_win() {
    let (d, o) = docs("base: &b {team: x, app: base}\nm:\n  <<: *b\n  app: mine\n");
    assert!(o.problems.is_empty() && o.fatal.is_none());
    let m = d[0].get("m").unwrap();
    assert_eq!(m.get("app").unwrap().as_str(), Some("mine"));
    let team = m.get("team").unwrap();
    assert_eq!((team.as_str(), team.span.start().line), (Some("x"), 1));
    assert!(m.get("<<").is_none());
    let (_, o) = docs("m:\n  <<: scalar\n");
    assert_eq!(o.problems.len(), 1);
}

#[test]
fn an_unclosed_flow_collection_is_reported_where_it_opens() {
    for text in ["a: 1\nb: [x, y\n", "a: 1\nb: [x, y", "a: 1\nb:\n  c: {x: [1, 2]\n"] {
        let e = docs(text).1.fatal.unwrap();
        assert!(e.message.contains("never closed"), "{text:?}: {e:?}");
        assert_eq!(e.pos.line, text.lines().position(|l| l.contains(['[', '{'])).unwrap() as u32 + 1);
    }
    let e = docs("a: 1\nb: \"abc\n").1.fatal.unwrap();
    assert!(e.pos.line <= 2, "{e:?}");
}

#[test]
fn quoted_scalars_end_at_their_closing_quote() {
    let text = "a: \"order-api\"  # c\nb: 'it''s'  # c\nc: \"two\n  lines \\\" q\"\nd: plain  # c\ne: {\"k\": \"v\", \"n\": 1}\nf: 'x'''  # c\ng: \"a\\\\b\" # c\nh: '' # c\n";
    let (d, _) = docs(text);
    let end = |k: &str| d[0].get(k).map(|n| (n.span.end().line, n.span.end().col));
    assert_eq!(end("a"), Some((1, 15)));
    assert_eq!(end("b"), Some((2, 11)));
    assert_eq!(end("c"), Some((4, 14)));
    assert_eq!(end("d"), Some((5, 9)));
    let e = d[0].get("e").and_then(|m| m.get("k")).map(|n| (n.span.start().col, n.span.end().col));
    assert_eq!(e, Some((10, 13)));
    let flow = d[0].get("e").map(|n| (n.span.start().col, n.span.end().col));
    assert_eq!(flow, Some((4, 22)));
    // A single-quoted scalar ending in an escaped quote, an escaped backslash, an empty one.
    assert_eq!(end("f"), Some((7, 9)));
    assert_eq!(end("g"), Some((8, 10)));
    assert_eq!(end("h"), Some((9, 6)));
    // Outside ASCII, columns count characters.
    let (d, _) = docs("a: \"é\"  # c\n");
    assert_eq!(d[0].get("a").map(|n| n.span.end().col), Some(7));
}

#[test]
fn error_position_is_reported() {
    let (_, o) = docs("a: 1\nb: [unclosed\n");
    let e = o.fatal.unwrap();
    assert!(e.pos.line >= 2, "{e:?}");
}

/// An explicit tag decides the type as the Kubernetes decoders decide it: the core schema's
/// types by their tag, in any spelling of it; any other tag leaves a string.
#[test]
fn explicit_tags_give_the_types_kubectl_gives() {
    let text = "a: !!str true\nb: !!int \"3\"\nc: !!bool yes\nd: !!float 1\ne: !!null ''\nf: !!binary aGk=\n\
                g: !custom 1\nh: !<tag:yaml.org,2002:int> '7'\ni: !<!int> 7\nj: 1\n";
    let (d, outcome) = docs(text);
    assert!(outcome.fatal.is_none(), "{:?}", outcome.fatal);
    let types: Vec<(&str, ScalarType)> = d[0]
        .as_map()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.as_str().unwrap(), v.as_scalar().unwrap().resolved_type()))
        .collect();
    use ScalarType::*;
    assert_eq!(
        types,
        [
            ("a", String),
            ("b", Int),
            ("c", Bool),
            ("d", Float),
            ("e", Null),
            ("f", String),
            ("g", String),
            ("h", Int),
            ("i", String),
            ("j", Int)
        ]
    );
}
