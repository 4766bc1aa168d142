//! List pages read as the JSON they are.
//!
//! An API server's pages are compact JSON, and the YAML parser scans JSON as it scans any flow
//! collection, a character at a time through its token queue: on a cluster's pods that was more
//! than half the audit's processor time. This reader takes JSON alone and makes the tree the YAML
//! reader makes of it: the same nodes, spans, scalar styles and scalar texts (numbers, `true`,
//! `false` and `null` as plain scalars, as written; strings as quoted ones), reading past what an
//! [`Unread`] policy names exactly as the YAML reader does (see `yaml::parse::skip`).
//!
//! It takes only what it is sure to read as the YAML reader would. Anything else (text that is
//! not one JSON value, a carriage return, a control character, an escaped surrogate, a key
//! longer than a YAML key may be, more nodes or deeper nesting than the limits allow) is
//! declined, and the YAML reader reads the page: its errors and limits stay the only ones.

use compact_str::CompactString;

use crate::span::{Pos, Span};
use crate::yaml::{Limits, Node, NodeKind, Scalar, Unread};

/// The tree of `text`, or `None` when the YAML reader must read it (see the module's
/// documentation).
pub(super) fn read(text: &str, limits: &Limits, unread: Option<&dyn Unread>) -> Option<Node> {
    match Reader::new(text, limits, unread).document() {
        Ok(root) => Some(root),
        // What a value read past holds needs the whole tree, as the YAML reader decides too.
        Err(Stop::Whole) => Reader::new(text, limits, None).document().ok(),
        Err(Stop::Declined) => None,
    }
}

/// Whether what the JSON reader takes of `text`, with the audit's policy and without, is the
/// tree the YAML reader makes of it (what it declines, the YAML reader reads). For the fuzzers.
pub fn agrees_with_yaml(text: &str) -> bool {
    let limits = Limits::default();
    [None, Some(&super::objects::UnreadInLists as &dyn Unread)].into_iter().all(|unread| {
        let Some(json) = read(text, &limits, unread) else { return true };
        let mut docs = Vec::new();
        let outcome = crate::yaml::parse_stream_pruned(text, &limits, unread, |d| docs.push(d));
        outcome.fatal.is_none() && docs.len() == 1 && format!("{json:?}") == format!("{:?}", docs[0])
    })
}

/// Why reading stopped.
enum Stop {
    /// Not JSON this reader takes: the YAML reader reads it.
    Declined,
    /// A value read past holds what the policy must read: the page is read again whole.
    Whole,
}

type Read<T> = Result<T, Stop>;

/// Where a mapping is, for the policy: the value of a key, or an item of the list under a key.
#[derive(Clone, Copy)]
enum At<'k> {
    Value(Option<&'k str>),
    Item(Option<&'k str>),
}

/// YAML's limit on an implicit key (the YAML reader refuses a longer one).
const MAX_KEY_BYTES: usize = 1024;

struct Reader<'a> {
    bytes: &'a [u8],
    text: &'a str,
    at: usize,
    /// The 1-based line and character column of `at`.
    line: u32,
    col: u32,
    limits: &'a Limits,
    unread: Option<&'a dyn Unread>,
    /// Nodes so far, those read past included (the YAML reader counts them too).
    nodes: usize,
    /// The document's `kind`, as far as it was read, and what the YAML reader keeps beside it to
    /// know when what it read past must be read after all: the kind when a value was last read
    /// past, and whether one was read past before any kind.
    kind: Option<CompactString>,
    read_past_for: Option<CompactString>,
    read_past_before_kind: bool,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str, limits: &'a Limits, unread: Option<&'a dyn Unread>) -> Reader<'a> {
        Reader {
            bytes: text.as_bytes(),
            text,
            at: 0,
            line: 1,
            col: 1,
            limits,
            unread,
            nodes: 0,
            kind: None,
            read_past_for: None,
            read_past_before_kind: false,
        }
    }

    fn document(mut self) -> Read<Node> {
        self.blanks()?;
        let root = self.value(0, At::Value(None))?;
        self.blanks()?;
        if self.at != self.bytes.len() {
            return Err(Stop::Declined);
        }
        Ok(root)
    }

    fn pos(&self) -> Pos {
        Pos { line: self.line, col: self.col }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// Moves past one byte of a line (a character's first byte moves the column).
    fn bump(&mut self) {
        if self.bytes.get(self.at).is_some_and(|b| b & 0xC0 != 0x80) {
            self.col += 1;
        }
        self.at += 1;
    }

    /// Skips blanks and line feeds (JSON's whitespace, but a carriage return).
    fn blanks(&mut self) -> Read<()> {
        while let Some(b) = self.peek() {
            match b {
                b' ' | b'\t' => self.bump(),
                b'\n' => {
                    self.at += 1;
                    self.line += 1;
                    self.col = 1;
                }
                b'\r' => return Err(Stop::Declined),
                _ => break,
            }
        }
        Ok(())
    }

    fn expect(&mut self, b: u8) -> Read<()> {
        if self.peek() != Some(b) {
            return Err(Stop::Declined);
        }
        self.bump();
        Ok(())
    }

    fn count(&mut self, depth: usize) -> Read<()> {
        self.nodes += 1;
        if self.nodes > self.limits.max_nodes || depth >= self.limits.max_depth {
            return Err(Stop::Declined);
        }
        Ok(())
    }

    fn value(&mut self, depth: usize, at: At) -> Read<Node> {
        self.count(depth)?;
        let start = self.pos();
        match self.peek() {
            Some(b'{') => self.mapping(depth, at, start),
            Some(b'[') => self.sequence(depth, at, start),
            Some(b'"') => {
                let value = self.string()?;
                Ok(scalar(value, true, start, self.pos()))
            }
            Some(_) => {
                let text = self.plain()?;
                Ok(scalar(CompactString::from(text), false, start, self.pos()))
            }
            None => Err(Stop::Declined),
        }
    }

    /// Reads a collection's `open` and the blanks after it; whether `close` follows at once (and
    /// is read): an empty collection.
    fn opens_empty(&mut self, open: u8, close: u8) -> Read<bool> {
        self.expect(open)?;
        self.blanks()?;
        let empty = self.peek() == Some(close);
        if empty {
            self.bump();
        }
        Ok(empty)
    }

    fn mapping(&mut self, depth: usize, at: At, start: Pos) -> Read<Node> {
        let mut entries = Vec::new();
        if self.opens_empty(b'{', b'}')? {
            return Ok(Node { span: Span::new(start, self.pos()), kind: NodeKind::Map(entries) });
        }
        loop {
            self.count(depth + 1)?;
            let key_start = self.pos();
            let key = self.string()?;
            if key.len() > MAX_KEY_BYTES {
                return Err(Stop::Declined);
            }
            let key = scalar(key, true, key_start, self.pos());
            self.blanks()?;
            self.expect(b':')?;
            self.blanks()?;
            let name = key.as_str().unwrap_or("");
            // Never in a Secret: its data is taken whole, however it nests.
            let skips = matches!(self.peek(), Some(b'{' | b'['))
                && self.kind.as_deref() != Some("Secret")
                && self.unread.is_some_and(|unread| match at {
                    At::Value(Some(parent)) => unread.skips(parent, name),
                    At::Item(Some(list)) => unread.skips_in_item(list, name),
                    _ => false,
                });
            if skips {
                match &self.kind {
                    Some(_) => self.read_past_for.clone_from(&self.kind),
                    None => self.read_past_before_kind = true,
                }
                self.pass(depth + 1)?;
            } else {
                let value = self.value(depth + 1, At::Value(Some(name)))?;
                if depth == 0 && name == "kind" {
                    self.note_kind(&value)?;
                }
                entries.push((key, value));
            }
            if self.closes(b'}')? {
                break;
            }
        }
        entries.shrink_to_fit();
        Ok(Node { span: Span::new(start, self.pos()), kind: NodeKind::Map(entries) })
    }

    fn sequence(&mut self, depth: usize, at: At, start: Pos) -> Read<Node> {
        let list = match at {
            At::Value(key) => key,
            At::Item(_) => None,
        };
        let mut items = Vec::new();
        if self.opens_empty(b'[', b']')? {
            return Ok(Node { span: Span::new(start, self.pos()), kind: NodeKind::Seq(items) });
        }
        loop {
            items.push(self.value(depth + 1, At::Item(list))?);
            if self.closes(b']')? {
                break;
            }
        }
        items.shrink_to_fit();
        Ok(Node { span: Span::new(start, self.pos()), kind: NodeKind::Seq(items) })
    }

    /// Follows the document's `kind` as its value `node` is read: one that contradicts the kind
    /// a value was read past for, or a Secret after a value read past, has the page read whole.
    fn note_kind(&mut self, node: &Node) -> Read<()> {
        let kind = node.as_str().map(CompactString::from);
        if (self.read_past_for.is_some() && kind != self.read_past_for)
            || (self.read_past_before_kind && kind.as_deref() == Some("Secret"))
        {
            return Err(Stop::Whole);
        }
        self.kind = kind;
        Ok(())
    }

    /// Reads past a value (a mapping or a list), asking the policy of each scalar in it whether
    /// it must be read after all (with its key; an item of a list with none).
    fn pass(&mut self, depth: usize) -> Read<()> {
        self.count(depth)?;
        let mapping = self.peek() == Some(b'{');
        self.bump();
        self.blanks()?;
        let close = if mapping { b'}' } else { b']' };
        if self.peek() == Some(close) {
            self.bump();
            return Ok(());
        }
        loop {
            let entry_key;
            let key = if mapping {
                self.count(depth + 1)?;
                entry_key = self.string()?;
                self.blanks()?;
                self.expect(b':')?;
                self.blanks()?;
                entry_key.as_str()
            } else {
                ""
            };
            match self.peek() {
                Some(b'{' | b'[') => self.pass(depth + 1)?,
                _ => {
                    self.count(depth + 1)?;
                    let value = match self.peek() {
                        Some(b'"') => self.string()?,
                        _ => CompactString::from(self.plain()?),
                    };
                    if self.unread.is_some_and(|unread| unread.must_read(key, &value)) {
                        return Err(Stop::Whole);
                    }
                }
            }
            if self.closes(close)? {
                return Ok(());
            }
        }
    }

    /// After a collection's child: whether `close` ends the collection, or a `,` another child
    /// follows (blanks skipped either way).
    fn closes(&mut self, close: u8) -> Read<bool> {
        self.blanks()?;
        match self.peek() {
            Some(b',') => {
                self.bump();
                self.blanks()?;
                Ok(false)
            }
            Some(b) if b == close => {
                self.bump();
                Ok(true)
            }
            _ => Err(Stop::Declined),
        }
    }

    /// A number, `true`, `false` or `null`, as written.
    fn plain(&mut self) -> Read<&'a str> {
        let from = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.')) {
            self.bump();
        }
        let text = &self.text[from..self.at];
        if matches!(text, "true" | "false" | "null") || is_number(text) {
            Ok(text)
        } else {
            Err(Stop::Declined)
        }
    }

    /// A string's value, its escapes read.
    fn string(&mut self) -> Read<CompactString> {
        self.expect(b'"')?;
        let mut out = String::new();
        loop {
            let run = self.at;
            while self.peek().is_some_and(|b| b != b'"' && b != b'\\' && b >= 0x20) {
                self.bump();
            }
            out.push_str(&self.text[run..self.at]);
            match self.peek() {
                Some(b'"') => {
                    self.bump();
                    return Ok(CompactString::from(out));
                }
                Some(b'\\') => {
                    self.bump();
                    let escaped = match self.peek() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            let hex = self.text.get(self.at + 1..self.at + 5).ok_or(Stop::Declined)?;
                            let code = u32::from_str_radix(hex, 16).map_err(|_| Stop::Declined)?;
                            // A surrogate (half of a pair) is left to the YAML reader.
                            let c = char::from_u32(code).ok_or(Stop::Declined)?;
                            for _ in 0..4 {
                                self.bump();
                            }
                            c
                        }
                        _ => return Err(Stop::Declined),
                    };
                    self.bump();
                    out.push(escaped);
                }
                // A control character, or the end of the text.
                _ => return Err(Stop::Declined),
            }
        }
    }
}

fn scalar(value: CompactString, quoted: bool, start: Pos, end: Pos) -> Node {
    Node { span: Span::new(start, end), kind: NodeKind::Scalar(Scalar { value, quoted, tag: None }) }
}

/// Whether `text` is a JSON number: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
fn is_number(text: &str) -> bool {
    let digits = |s: &str| s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let rest = text.strip_prefix('-').unwrap_or(text);
    let int = digits(rest);
    if int == 0 || (int > 1 && rest.starts_with('0')) {
        return false;
    }
    let mut rest = &rest[int..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let n = digits(fraction);
        if n == 0 {
            return false;
        }
        rest = &fraction[n..];
    }
    if let Some(exponent) = rest.strip_prefix(['e', 'E']) {
        let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        let n = digits(exponent);
        if n == 0 {
            return false;
        }
        rest = &exponent[n..];
    }
    rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::super::objects::UnreadInLists as Lists;
    use super::{agrees_with_yaml, read};
    use crate::yaml::{parse_stream_pruned, Limits, Node, Unread};

    fn yaml_tree(text: &str, unread: Option<&dyn Unread>) -> Option<Node> {
        let mut docs = Vec::new();
        let outcome = parse_stream_pruned(text, &Limits::default(), unread, |d| docs.push(d));
        (outcome.fatal.is_none() && docs.len() == 1).then(|| docs.remove(0))
    }

    /// Reads `text` both ways, with the policy and without: the same trees, spans included.
    fn same_as_yaml(text: &str) {
        for unread in [None, Some(&Lists as &dyn Unread)] {
            let json = read(text, &Limits::default(), unread);
            let json = json.unwrap_or_else(|| panic!("declined: {text}"));
            let yaml = yaml_tree(text, unread).unwrap_or_else(|| panic!("not YAML: {text}"));
            assert_eq!(format!("{json:?}"), format!("{yaml:?}"), "{text}");
        }
        assert!(agrees_with_yaml(text));
    }

    const POD: &str = r#"{"metadata":{"name":"api-7c9d5b8f6d-4xk2p","namespace":"team-a","labels":{"app":"api","azure.workload.identity/use":"true"},"managedFields":[{"manager":"kubelet","operation":"Update","fieldsV1":{"f:status":{"f:phase":{}}}}]},"spec":{"volumes":[{"name":"kube-api-access-x","projected":{"sources":[{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}}],"defaultMode":420}}],"containers":[{"name":"app","image":"myregistry.azurecr.io/app:1.4.2","ports":[{"name":"http","containerPort":8080}],"env":[{"name":"AZURE_CLIENT_ID","value":"c"}],"resources":{"limits":{"cpu":"1","memory":"512Mi"}},"livenessProbe":{"httpGet":{"path":"/healthz","port":8080}},"terminationMessagePath":"/dev/termination-log"}],"serviceAccountName":"api","securityContext":{},"tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}],"priority":0,"enableServiceLinks":true},"status":{"phase":"Running","podIP":"10.244.1.5","conditions":[{"type":"Ready","status":"True","lastProbeTime":null}]}}"#;

    #[test]
    fn pages_read_as_the_yaml_reader_reads_them() {
        let page = format!(
            r#"{{"kind":"PodList","apiVersion":"v1","metadata":{{"resourceVersion":"9","continue":"abc"}},"items":[{POD},{POD}]}}"#
        );
        same_as_yaml(&page);
        let pretty =
            serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(&page).unwrap_or_default())
                .unwrap_or_default();
        same_as_yaml(&pretty);
        for text in [
            "{}",
            "[]",
            "  {\"a\" :  [ 1 , -2.5E-3 , 0 , 1e10 , true , false , null , \"\" ] }  \n",
            r#"{"s":"quote \" backslash \\ slash \/ tab \t newline \n \u00e9 \u65e5","é":"日本語 ü","k":{"":[[],{}]}}"#,
            r#"{"items":[{"metadata":{"managedFields":[]}}],"metadata":{"managedFields":{"a":[1,{"b":"c"}]}}}"#,
            r#"{"kind":"List","items":[{"spec":{"containers":[{"name":"a","resources":{},"ports":[[1],{"x":"y"}]}],"affinity":{"a":{"b":[]}}}}]}"#,
            r#"{"a":1,"a":2}"#,
        ] {
            same_as_yaml(text);
        }
    }

    /// What the policy cannot vouch for in a value read past, a Secret, a `kind` written twice:
    /// the page is read whole, as the YAML reader reads it.
    #[test]
    fn what_needs_the_whole_tree_is_read_whole() {
        for text in [
            r#"{"kind":"PodList","items":[{"spec":{"containers":[{"name":"a","livenessProbe":{"httpGet":{"httpHeaders":[{"name":"X-Api-Token","value":"s3cr3t-value"}]}}}]}}]}"#,
            r#"{"spec":{"containers":[{"resources":{"x":"Server=db;Password=s3cr3t-pw"}}]}}"#,
            r#"{"kind":"Secret","metadata":{"managedFields":[{"m":"x"}]},"data":{"metadata":{"managedFields":[{"m":"y"}]}}}"#,
            r#"{"metadata":{"managedFields":[{"m":"x"}]},"kind":"A","kind":"B"}"#,
            r#"{"kind":"A","metadata":{"managedFields":[{"m":"x"}]},"kind":"B"}"#,
            r#"{"kind":"A","metadata":{"managedFields":[{"m":"x"}]},"kind":"A"}"#,
            r#"{"kind":"A","metadata":{"managedFields":[{"m":"x"}]},"kind":"Secret"}"#,
            r#"{"metadata":{"managedFields":[{"m":"x"}]},"kind":"Secret"}"#,
            r#"{"kind":"Secret","metadata":{"managedFields":[{"m":"x"}]}}"#,
        ] {
            same_as_yaml(text);
        }
        // A secret inside a value read past: the tree holds it.
        let text = r#"{"spec":{"containers":[{"resources":{"x":"Server=db;Password=s3cr3t-pw"}}]}}"#;
        let whole = read(text, &Limits::default(), None).map(|n| format!("{n:?}"));
        assert_eq!(read(text, &Limits::default(), Some(&Lists)).map(|n| format!("{n:?}")), whole);
    }

    /// What the JSON reader is not sure to read as the YAML reader would is left to it.
    #[test]
    fn what_is_not_plain_json_is_declined() {
        let long_key = format!("{{\"{}\": 1}}", "k".repeat(1100));
        let deep = format!("{}{}", "[".repeat(600), "]".repeat(600));
        let wide = format!("[{}]", ["1"; 10].join(","));
        let small = Limits { max_nodes: 5, ..Limits::default() };
        for text in [
            "",
            "{\"a\": 1} {\"b\": 2}",
            "{\"a\": 1,}",
            "{a: 1}",
            "{\"a\": 'x'}",
            "{\"a\":\r\n1}",
            "{\"a\": \"tab\tinside\"}",
            "{\"a\": \"\\ud83d\\ude00\"}",
            "{\"a\": 01}",
            "{\"a\": .5}",
            "{\"a\": NaN}",
            "{\"a\": tru}",
            "{\"items\": [",
            "\u{feff}{}",
            "---\n{}",
            "# comment\n{}",
            long_key.as_str(),
            deep.as_str(),
        ] {
            assert!(read(text, &Limits::default(), Some(&Lists)).is_none(), "taken: {text:.80}");
        }
        assert!(read(&wide, &small, None).is_none(), "more nodes than the budget");
        assert!(read(&wide, &Limits::default(), None).is_some());
    }

    /// Every JSON file of the live fixtures (pages, objects, lists) reads as the YAML reader reads it.
    #[test]
    fn every_live_fixture_reads_as_yaml() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/live");
        let mut checked = 0;
        for entry in ignore::WalkBuilder::new(&root).standard_filters(false).build().filter_map(Result::ok) {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(path) else { continue };
            if yaml_tree(&text, None).is_some() {
                same_as_yaml(&text);
                checked += 1;
            }
        }
        assert!(checked > 20, "only {checked} fixtures");
    }
}
