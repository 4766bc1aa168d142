use super::*;

/// Every event of `text`, or `None` where the line scanner declines it. (In test builds the
/// scanner checks each event against saphyr-parser's as it gives it.)
fn events(text: &str) -> Option<Vec<Scanned<'_>>> {
    let mut lines = BlockLines::new(text)?;
    let mut out = Vec::new();
    while let Some(next) = lines.next_event() {
        out.push(next.ok()?);
    }
    Some(out)
}

#[test]
fn reads_the_block_yaml_manifests_are_written_in() {
    for text in [
        "a: b\nc:\n  d: \"x y\"\n  e: [1, \"2\"]\n  f:\n  - g\n  - h: i\n    j: k # c\n\nl: m\n---\nz: 1\n",
        "# head\n\n---\na:\n  - x\n  - y: 1\n    z:\n  -   w\nb:\nc: []\nd: {}\n# mid\ne: \n  # inner\n  f: g  \n",
        "# c\n\na: b   \nk: \"q\"  # z\nl: 's'\nm: [ a , \"b\" ]\nn: [x]   # t\n\n# end\n\n",
        "a: b\n---\n",
        "---\n# only\n---\na: 1\n",
        "kind: Pod\nspec:\n  containers:\n    - name: app\n      env:\n        - name: X\n          value: \"1\"\n",
        "a:\n- name: x\n  value: y\n- name: z\nb: c",
        "- - p\n  - q\n- r\n",
        "a: 1\n---   \nb: 2\n",
        "a: -1\nb: http://x/y?z=1#f\nc: x#y\nd: { }\ne: ~\n",
        "a:\n  \"k.io/os\": linux\n  'b': c\n  \"d\":\n    e: f\n",
        "a: |\n  x\n    y\n\n  z\nb: |-\n  q\n\nc: >-\n  r\n  s\n\n  t\nd: x\n",
        "a:\n  b: |+\n    x\n\n# c\n  d: >\n    y\n---\nk:\n- |\n  x\n",
        "args:\n- --leader-elect\n- -v=2\ncommand: [/bin/sh, -c, sleep 10]\n",
        "",
        "# nothing\n\n",
    ] {
        assert!(events(text).is_some(), "declined:\n{text}");
    }
}

#[test]
fn declines_what_it_does_not_read() {
    for text in [
        "a: |2\n  text\n",
        "a: |\n\n  text\n",
        "a: >\n  text\n    more\n",
        "a: |\n  text",
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "\"a\" : 1\n",
        "\"a\\\"b\": 1\n",
        "a: \"x\\ny\"\n",
        "a: 'it''s'\n",
        "a: b\n  c\n",
        "a: {b: 1}\n",
        "a:\tb\n",
        "a: b\r\n",
        "a: caf\u{e9}\n",
        "%YAML 1.2\n---\na: 1\n",
        "--- a\n",
        "a: 1\n...\n",
        "-\n  a: 1\n",
        "a: [b, ]\n",
        &format!("{}x\n", "- ".repeat(100_000)),
        "a: b: c\n",
        "? a\n: b\n",
        "a\n",
    ] {
        assert!(events(text).is_none(), "accepted:\n{text}");
    }
}

/// Positions the tree's spans come from: a block collection starts at its first key or dash and
/// ends at the next line's first token; a key left without a value is null at its colon.
#[test]
fn gives_saphyr_parsers_positions() {
    let all = events("a:\n  b: 1\nc:\n").expect("read");
    let place = |i: usize| {
        let (_, span): &Scanned = &all[i];
        ((span.start.line(), span.start.col()), (span.end.line(), span.end.col()))
    };
    assert!(matches!(all[4].0, Event::MappingStart(..)));
    assert_eq!(place(4), ((2, 2), (2, 2)));
    assert!(matches!(all[7].0, Event::MappingEnd));
    assert_eq!(place(7), ((3, 0), (3, 0)));
    assert!(matches!(&all[9].0, Event::Scalar(v, ..) if v.is_empty()));
    assert_eq!(place(9), ((3, 1), (3, 1)));
}

/// The YAML files under `dir` (and below), with their texts.
fn yaml_files(dir: &std::path::Path, out: &mut Vec<(std::path::PathBuf, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            if let Ok(text) = std::fs::read_to_string(&path) {
                out.push((path, text));
            }
        }
    }
}

/// Lines dropped, indented, joined and cut short, one at a time: text near the subset's edges.
fn variants(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for i in 0..lines.len().min(200) {
        let with = |line: String| {
            let mut copy: Vec<String> = lines.iter().map(|l| (*l).to_string()).collect();
            copy[i] = line;
            copy.join("\n") + "\n"
        };
        out.push(with(String::new()));
        out.push(with(format!(" {}", lines[i])));
        out.push(with(lines[i].trim_start().to_string()));
        out.push(with(format!("{}:", lines[i])));
        out.push(with(format!("{} #", lines[i])));
        out.push(with(lines[i][..lines[i].len() / 2].to_string()));
    }
    out
}

/// Every file of `testdata/` and of the corpus `IBLINT_REALWORLD` names, and variants of each
/// near the edges of what the scanner reads: the scanner checks each event it gives against
/// saphyr-parser's (see `BlockLines::check`), so any difference fails here.
#[test]
fn gives_saphyr_parsers_events_on_every_file_and_variant() {
    let mut files = Vec::new();
    yaml_files(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata").as_path(), &mut files);
    if let Some(corpus) = std::env::var_os("IBLINT_REALWORLD") {
        yaml_files(std::path::Path::new(&corpus), &mut files);
    }
    assert!(files.len() > 100, "{} files", files.len());
    let (mut read, mut variants_read) = (0, 0);
    for (_, text) in &files {
        read += usize::from(events(text).is_some());
        for variant in variants(text) {
            variants_read += usize::from(events(&variant).is_some());
        }
    }
    assert!(read > files.len() / 2, "{read} of {} files read", files.len());
    assert!(variants_read > 0);
}

/// Texts made of the pieces block manifests are made of, at random indentations, and of pieces
/// just outside the subset: each is compared with saphyr-parser's events as it is read. The
/// generator is seeded, so a failure is the same on every run; `IBLINT_SCANNER_TEXTS` and
/// `IBLINT_SCANNER_SEED` make a longer or another run (3,000,000 texts take ~30 s).
#[test]
fn gives_saphyr_parsers_events_on_generated_texts() {
    const STARTS: &[&str] =
        &["", "- ", "- - ", "-", "key: ", "key:", "- key: ", "\"q\": ", "'s': ", "k-1: ", "a.b/c: "];
    const VALUES: &[&str] = &[
        "",
        "x",
        "x y",
        "-x",
        "--x",
        "x:y",
        "x: y",
        "x #c",
        "x#c",
        "#c",
        "\"q\"",
        "\"q\"  # c",
        "'s'",
        "\"a\\\"b\"",
        "'it''s'",
        "[]",
        "[a, b]",
        "[ a , \"b\" ]",
        "[a,]",
        "[-c, sleep 1]",
        "{}",
        "{ }",
        "{a: 1}",
        "|",
        "|-",
        "|+",
        ">",
        ">-",
        "|2",
        "&a x",
        "*a",
        "!!str x",
        "~",
        "x:",
        "\"unclosed",
        "[a",
        "? x",
        "%x",
        "@x",
        "`x`",
    ];
    const LINES: &[&str] = &["---", "--- x", "...", "# comment", "", "   ", "  # indented comment", "%YAML 1.2"];
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    if let Some(chosen) = std::env::var("IBLINT_SCANNER_SEED").ok().and_then(|v| v.parse::<u64>().ok()) {
        seed = chosen.max(1); // xorshift stays at 0
    }
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let mut read = 0;
    let texts: usize = std::env::var("IBLINT_SCANNER_TEXTS").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000);
    for _ in 0..texts {
        let mut text = String::new();
        for _ in 0..1 + next(10) {
            if next(5) == 0 {
                text.push_str(LINES[next(LINES.len())]);
            } else {
                text.push_str(&" ".repeat(next(4) * 2 + next(2) * next(2)));
                text.push_str(STARTS[next(STARTS.len())]);
                text.push_str(VALUES[next(VALUES.len())]);
            }
            if next(20) > 0 {
                text.push('\n');
            }
        }
        read += usize::from(events(&text).is_some());
    }
    assert!(read > texts / 50, "only {read} of {texts} texts read");
}
