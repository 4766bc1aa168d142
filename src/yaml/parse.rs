use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};

use saphyr_parser::{Event, Parser, ScalarStyle, Span as YSpan, StrInput};

use super::children::{Children, Open};
use super::node::{Node, NodeKind, Scalar, ScalarType};
use super::prune::{all_keys, Left, Unread};
use crate::span::{Pos, Span};
use block_lines::{BlockLines, Declined};
use skip::Skipping;
use source::Source;

/// Budgets that keep hostile input bounded.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Nodes that alias expansion may create in one file ("billion laughs" guard).
    pub max_alias_nodes: usize,
    /// Bytes of scalar text that alias expansion may copy in one file: a few aliases of one long
    /// scalar cost as much as many nodes.
    pub max_alias_bytes: usize,
    /// Maximum nesting of sequences and mappings.
    pub max_depth: usize,
    /// Nodes one document may hold (anchored and aliased copies included). A document's tree is
    /// in memory while it is linted (~80 bytes a node): this bounds it, whatever the file size.
    pub max_nodes: usize,
    /// Non-fatal problems (duplicate keys) reported per file; the rest are counted in one more.
    pub max_problems: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_alias_nodes: 200_000,
            max_alias_bytes: 32 << 20,
            max_depth: 512,
            max_nodes: 2_500_000,
            max_problems: 100,
        }
    }
}

/// A problem at a position in the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub pos: Pos,
}

/// What a stream produced besides its documents.
#[derive(Debug, Default)]
pub struct StreamOutcome {
    /// The error that stopped the parse, if any. Documents before it were delivered.
    pub fatal: Option<ParseError>,
    /// Problems that do not stop parsing (duplicate keys).
    pub problems: Vec<ParseError>,
}

/// Parses a YAML (or JSON) stream, handing each document's root to `on_doc` as soon as it is
/// complete so that memory stays proportional to one document.
pub fn parse_stream(text: &str, limits: &Limits, on_doc: impl FnMut(Node)) -> StreamOutcome {
    parse_stream_pruned(text, limits, None, on_doc)
}

/// [`parse_stream`], leaving out of each tree the entries `unread` says no reader looks at (see
/// [`super::prune`]).
pub fn parse_stream_pruned(
    text: &str,
    limits: &Limits,
    unread: Option<&dyn Unread>,
    mut on_doc: impl FnMut(Node),
) -> StreamOutcome {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut how = How { unread, by_lines: true };
    let mut delivered = 0;
    loop {
        // Documents before the one a read stopped at were right, and were delivered: the next
        // read hands on only those after them.
        match read(text, limits, how, delivered, &mut on_doc) {
            Ok(outcome) => return outcome,
            // A document turned out not to be of the kind it was pruned for: it and those after
            // it are read again, whole.
            Err(Stop::Misjudged { delivered: d }) if how.unread.is_some() => {
                delivered = d;
                how.unread = None;
            }
            // The text holds what the line scanner does not read: saphyr-parser reads it.
            Err(Stop::Declined { delivered: d }) if how.by_lines => {
                delivered = d;
                how.by_lines = false;
            }
            Err(_) => return StreamOutcome::default(),
        }
    }
}

/// How a stream is read: with which pruning policy, and whether by the line scanner first.
#[derive(Clone, Copy)]
struct How<'a> {
    unread: Option<&'a dyn Unread>,
    by_lines: bool,
}

/// Why a read stopped before the end of the stream, after `delivered` documents were handed on.
enum Stop {
    /// A pruned document's later `kind` key contradicted the kind it was pruned for.
    Misjudged { delivered: usize },
    /// The line scanner met what it does not read ([`block_lines`]).
    Declined { delivered: usize },
}

/// Reads the stream, handing on each document after the first `skip`.
fn read(
    text: &str,
    limits: &Limits,
    how: How,
    skip: usize,
    on_doc: &mut impl FnMut(Node),
) -> Result<StreamOutcome, Stop> {
    // A flow collection that opens a document might still turn out to be a mapping key, and the
    // scanner queues every token until it knows: the whole of a JSON document (~15 times its
    // size: 400 MB for 5 MB of JSON). Nothing after `--- ` can be a key, so such a document is
    // scanned behind one; `Source` takes the prefix off every first-line position it makes.
    let shifted = (text.starts_with('{') && !text.starts_with("{{")) || text.starts_with('[');
    let prefixed;
    let (scanned, shift) = if shifted {
        prefixed = format!("{JSON_DOC_START}{text}");
        (prefixed.as_str(), JSON_DOC_START.len() as u32)
    } else {
        (text, 0)
    };
    let mut builder = Builder::new(*limits, Source::new(scanned, shift), how.unread);
    let mut outcome = StreamOutcome::default();
    let lines = (how.by_lines && !shifted).then(|| BlockLines::new(scanned));
    if let Some(None) = lines {
        STREAMS.declined.fetch_add(1, Ordering::Relaxed);
    }
    let mut events = match lines.flatten() {
        Some(lines) => Events::Lines(lines),
        None => Events::Parser(Box::new(Parser::new_from_str(scanned))),
    };
    let mut documents = 0;
    while let Some(next) = events.next_event() {
        match next {
            Ok((event, span)) => match builder.event(event, span) {
                Ok(Some(root)) => {
                    documents += 1;
                    if documents > skip {
                        on_doc(root);
                    }
                }
                Ok(None) if builder.misjudged => return Err(Stop::Misjudged { delivered: documents }),
                Ok(None) => {}
                // The line scanner gives a line's events before it reads the next, which may
                // show them wrong (and be declined): what stops the builder is for saphyr-parser's
                // events to decide. (Only hostile input comes near the builder's budgets.)
                Err(_) if matches!(events, Events::Lines(_)) => {
                    STREAMS.declined.fetch_add(1, Ordering::Relaxed);
                    return Err(Stop::Declined { delivered: documents });
                }
                Err(e) => {
                    outcome.fatal = Some(e);
                    break;
                }
            },
            Err(Failed::Declined) => {
                STREAMS.declined.fetch_add(1, Ordering::Relaxed);
                return Err(Stop::Declined { delivered: documents });
            }
            Err(Failed::Scan(e)) => {
                let error = ParseError { message: e.info().to_string(), pos: builder.source.pos(*e.marker()) };
                outcome.fatal = Some(place_end_of_input_error(text, &builder, error));
                break;
            }
        }
    }
    if matches!(events, Events::Lines(_)) {
        STREAMS.by_lines.fetch_add(1, Ordering::Relaxed);
    }
    outcome.problems = builder.problems;
    if builder.unlisted_problems > 0 {
        let pos = outcome.problems.last().map_or(Pos { line: 1, col: 1 }, |p| p.pos);
        outcome.problems.push(ParseError {
            message: format!("{} more problems like these in this file are not listed", builder.unlisted_problems),
            pos,
        });
    }
    Ok(outcome)
}

/// Where a stream's events come from: the line scanner, which reads most manifests at a fraction
/// of the cost, or saphyr-parser, which reads all of YAML.
enum Events<'a> {
    Lines(BlockLines<'a>),
    Parser(Box<Parser<'a, StrInput<'a>>>),
}

/// How many streams of this process the line scanner read whole, and how many it declined (for
/// `IBLINT_TIMINGS` and the benchmark: the share of a tree it reads is most of how fast a run is).
struct StreamCounts {
    by_lines: AtomicUsize,
    declined: AtomicUsize,
}

static STREAMS: StreamCounts = StreamCounts { by_lines: AtomicUsize::new(0), declined: AtomicUsize::new(0) };

/// Streams read whole by the line scanner, and streams it declined, so far in this process.
pub fn streams_read_by_lines() -> (usize, usize) {
    (STREAMS.by_lines.load(Ordering::Relaxed), STREAMS.declined.load(Ordering::Relaxed))
}

/// Why no event came.
enum Failed {
    Declined,
    Scan(saphyr_parser::ScanError),
}

impl<'a> Events<'a> {
    fn next_event(&mut self) -> Option<Result<(Event<'a>, YSpan), Failed>> {
        match self {
            Events::Lines(lines) => Some(lines.next_event()?.map_err(|Declined| Failed::Declined)),
            Events::Parser(parser) => Some(parser.next_event()?.map_err(Failed::Scan)),
        }
    }
}

/// What a document that opens with `{` or `[` is scanned behind (see [`parse_stream`]).
const JSON_DOC_START: &str = "--- ";

/// An error found only at the end of the input is reported where the user can act on it: at the
/// flow collection (`{`, `[`) still open, else on the last line (never past the end of the file).
fn place_end_of_input_error(text: &str, builder: &Builder, mut error: ParseError) -> ParseError {
    let last_line = text.lines().count().max(1) as u32;
    let last_len = text.lines().last().map_or(0, |l| l.chars().count()) as u32;
    let at_end = error.pos.line > last_line || (error.pos.line == last_line && error.pos.col > last_len);
    if !at_end {
        return error;
    }
    // The open collections, outermost first: the tree's, then those of a value read past.
    let starts: Vec<Pos> = (builder.stack.iter())
        .map(|frame| match frame {
            Frame::Seq { start, .. } | Frame::Map { start, .. } => *start,
        })
        .chain(builder.skipping.open_starts())
        .collect();
    let open_flow = starts.into_iter().rev().find_map(|start| {
        let line = text.lines().nth(start.line.checked_sub(1)? as usize)?;
        let c = line.chars().nth(start.col.checked_sub(1)? as usize)?;
        matches!(c, '{' | '[').then_some((start, c))
    });
    match open_flow {
        Some((start, c)) => {
            error.message = format!("{} (the `{c}` here is never closed)", error.message);
            error.pos = start;
        }
        None => error.pos = Pos { line: last_line, col: last_len + 1 },
    }
    error
}

/// An open collection; its children so far are in the builder's `items` or `entries`.
enum Frame {
    Seq {
        start: Pos,
        anchor: usize,
        items: Open<Node>,
        cost: Cost,
    },
    Map {
        start: Pos,
        anchor: usize,
        entries: Open<(Node, Node)>,
        key: Option<Node>,
        cost: Cost,
        /// Whether the mapping is a section an [`Unread`] policy prunes.
        pruned: bool,
        /// What the mapping left out: entries of a pruned section, values read past.
        left: Left,
    },
}

struct Builder<'a> {
    source: Source<'a>,
    limits: Limits,
    unread: Option<&'a dyn Unread>,
    /// The value of the document's top-level `kind` key, as far as it was read.
    kind: Option<compact_str::CompactString>,
    /// The kind the document's entries were left out for, if any were.
    pruned_for: Option<compact_str::CompactString>,
    /// A value was read past before the document's `kind` key: a later `kind: Secret` has the
    /// stream read whole (see [`skip`]).
    read_past_before_kind: bool,
    /// A later `kind` key contradicted `pruned_for`, or a value read past held what the policy
    /// cannot vouch for: the stream must be read again whole.
    misjudged: bool,
    stack: Vec<Frame>,
    /// The value being read past without a tree, if any ([`skip`]).
    skipping: Skipping,
    /// The items of the open sequences.
    items: Children<Node>,
    /// The entries of the open mappings.
    entries: Children<(Node, Node)>,
    anchors: HashMap<usize, (Node, Cost)>,
    /// What alias expansion has copied in this file.
    aliased: Cost,
    /// Nodes of the current document.
    nodes: usize,
    problems: Vec<ParseError>,
    /// Problems past `max_problems`, counted only.
    unlisted_problems: usize,
    root: Option<Node>,
}

/// What copying a node costs: its nodes and the bytes of its scalars. Summed as the tree is
/// built (each collection adds up its children), so no subtree is walked twice.
#[derive(Clone, Copy, Debug, Default)]
struct Cost {
    nodes: usize,
    bytes: usize,
}

impl Cost {
    const ONE: Cost = Cost { nodes: 1, bytes: 0 };

    fn add(&mut self, other: Cost) {
        self.nodes += other.nodes;
        self.bytes += other.bytes;
    }
}

impl<'a> Builder<'a> {
    fn new(limits: Limits, source: Source<'a>, unread: Option<&'a dyn Unread>) -> Self {
        Builder {
            source,
            limits,
            unread,
            kind: None,
            pruned_for: None,
            read_past_before_kind: false,
            misjudged: false,
            stack: Vec::new(),
            skipping: Skipping::default(),
            items: Children::new(),
            entries: Children::new(),
            anchors: HashMap::new(),
            aliased: Cost::default(),
            nodes: 0,
            problems: Vec::new(),
            unlisted_problems: 0,
            root: None,
        }
    }

    fn event(&mut self, event: Event<'_>, ys: YSpan) -> Result<Option<Node>, ParseError> {
        // Positions stay unpacked until a node is made: some are mended first.
        let (start, mut end) = (self.source.pos(ys.start), self.source.pos(ys.end));
        if self.skipping.active() {
            return self.skip(event, start).map(|()| None);
        }
        match event {
            Event::DocumentStart(_) => {
                self.anchors.clear();
                self.root = None;
                self.nodes = 0;
                self.kind = None;
                self.pruned_for = None;
                self.read_past_before_kind = false;
            }
            Event::DocumentEnd => return Ok(self.root.take()),
            Event::Scalar(value, style, anchor, tag) => {
                let tag = tag.map(|t| tagged_type(&t));
                if anchor == 0 && tag.is_none() && self.leaves_out(&value, start)? {
                    return Ok(None);
                }
                if matches!(style, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted) {
                    end = self.source.quoted_end(start).unwrap_or(end);
                }
                // Short texts are stored inline; a longer one keeps only its text (the scanner's
                // buffer has room to spare, or a file of long scalars costs several times its size).
                let value = match value {
                    std::borrow::Cow::Borrowed(text) => compact_str::CompactString::from(text),
                    std::borrow::Cow::Owned(mut text) => {
                        if text.len() > 24 {
                            text.shrink_to_fit();
                        }
                        compact_str::CompactString::from(text)
                    }
                };
                let scalar = Scalar { value, quoted: !matches!(style, ScalarStyle::Plain), tag };
                let cost = Cost { nodes: 1, bytes: scalar.value.len() };
                self.complete(Node { span: Span::new(start, end), kind: NodeKind::Scalar(scalar) }, cost, anchor, 1)?;
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _)
                if anchor == 0 && self.skips_next_value() =>
            {
                self.start_skipping(matches!(event, Event::MappingStart(..)), start)?;
            }
            Event::SequenceStart(anchor, _) => {
                self.open(Frame::Seq { start, anchor, items: self.items.open(), cost: Cost::ONE })?;
            }
            Event::MappingStart(anchor, _) => {
                let pruned = anchor == 0 && self.prunes_next_mapping();
                let entries = self.entries.open();
                let frame =
                    Frame::Map { start, anchor, entries, key: None, cost: Cost::ONE, pruned, left: Left::new() };
                self.open(frame)?;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                // A flow collection ends at its `]`/`}`; the event's own end runs on over comments.
                if self.source.char_at(start).is_some_and(|c| matches!(c, ']' | '}')) {
                    end = Pos { line: start.line, col: start.col + 1 };
                }
                let (node, cost, anchor) = match self.stack.pop() {
                    Some(Frame::Seq { start, anchor, items, cost }) => {
                        let items = self.items.close(items);
                        let end = items.last().map_or(end, |n| n.span.end().max(end));
                        (Node { span: Span::new(start, end), kind: NodeKind::Seq(items) }, cost, anchor)
                    }
                    Some(Frame::Map { start, anchor, entries, cost, left, .. }) => {
                        let entries = self.entries.close(entries);
                        let kept = || entries.iter().map(|(k, _)| (k.as_str(), k.span.start()));
                        if left.is_empty() {
                            self.check_duplicates(kept(), entries.len());
                        } else {
                            let keys = all_keys(kept(), &left);
                            self.check_duplicates(keys.iter().copied(), keys.len());
                        }
                        let entries = self.resolve_merge_keys(entries);
                        // (A mapping's end event comes after its last value, left out or not.)
                        let end = entries.last().map_or(end, |(_, v)| v.span.end().max(end));
                        (Node { span: Span::new(start, end), kind: NodeKind::Map(entries) }, cost, anchor)
                    }
                    None => return Ok(None),
                };
                self.complete(node, cost, anchor, 1)?;
            }
            Event::Alias(id) => self.alias(id, start, end)?,
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
        Ok(None)
    }

    /// A copy of an anchored node where an alias names it, within the alias budgets. Rare in
    /// manifests: out of line, away from the code that runs for every event.
    #[cold]
    #[inline(never)]
    fn alias(&mut self, id: usize, start: Pos, end: Pos) -> Result<(), ParseError> {
        let Some((node, copied)) = self.anchors.get(&id) else {
            return Err(ParseError { message: "alias to an unknown anchor".into(), pos: start });
        };
        let copied = *copied;
        self.aliased.add(copied);
        let over = if self.aliased.nodes > self.limits.max_alias_nodes {
            Some(format!("{} nodes", self.limits.max_alias_nodes))
        } else if self.aliased.bytes > self.limits.max_alias_bytes {
            Some(format!("{} bytes of text", self.limits.max_alias_bytes))
        } else {
            None
        };
        if let Some(budget) = over {
            return Err(ParseError {
                message: format!("alias expansion exceeds the budget of {budget} (an alias bomb?)"),
                pos: start,
            });
        }
        let mut node = node.clone();
        node.span = Span::new(start, end);
        self.complete(node, copied, 0, copied.nodes)?;
        Ok(())
    }

    fn open(&mut self, frame: Frame) -> Result<(), ParseError> {
        let start = match &frame {
            Frame::Seq { start, .. } | Frame::Map { start, .. } => *start,
        };
        self.check_depth(self.stack.len(), start)?;
        self.stack.push(frame);
        Ok(())
    }

    /// Errs when a collection opening at `start` inside `open` others nests too deep.
    fn check_depth(&self, open: usize, start: Pos) -> Result<(), ParseError> {
        if open >= self.limits.max_depth {
            return Err(ParseError {
                message: format!("nesting deeper than {} levels", self.limits.max_depth),
                pos: start,
            });
        }
        Ok(())
    }

    /// Places a finished node (whose subtree costs `cost`) in its parent, and keeps a copy of
    /// anchored nodes for their aliases. `new_nodes` of it were not in the document before (a
    /// scalar or a collection itself: one; an alias: its whole copy).
    fn complete(&mut self, node: Node, cost: Cost, anchor: usize, new_nodes: usize) -> Result<(), ParseError> {
        self.nodes += new_nodes;
        if anchor > 0 {
            self.nodes += cost.nodes; // the anchor table keeps a copy
            self.anchors.insert(anchor, (node.clone(), cost));
        }
        self.check_node_budget(node.span.start())?;
        if self.unread.is_some() && self.stack.len() == 1 {
            self.note_kind(&node);
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, cost: total, .. }) => {
                total.add(cost);
                self.items.push(items, node);
            }
            Some(Frame::Map { entries, key, cost: total, .. }) => {
                total.add(cost);
                match key.take() {
                    None => *key = Some(node),
                    Some(k) => self.entries.push(entries, (k, node)),
                }
            }
        }
        Ok(())
    }

    /// Errs once the document holds more nodes than its budget.
    fn check_node_budget(&self, at: Pos) -> Result<(), ParseError> {
        if self.nodes <= self.limits.max_nodes {
            return Ok(());
        }
        Err(ParseError {
            message: format!(
                "this document has more than {} nodes: too large to lint (split it into several documents)",
                self.limits.max_nodes
            ),
            pos: at,
        })
    }

    /// Follows the document's top-level `kind` key as `node`, a top-level value or key, completes.
    fn note_kind(&mut self, node: &Node) {
        let Some(Frame::Map { key: Some(key), .. }) = self.stack.last() else { return };
        if key.as_str() != Some("kind") {
            return;
        }
        let kind = node.as_str().map(compact_str::CompactString::from);
        if (self.pruned_for.is_some() && kind != self.pruned_for)
            || (self.read_past_before_kind && kind.as_deref() == Some("Secret"))
        {
            self.misjudged = true;
        }
        self.kind = kind;
    }

    /// Whether the mapping about to open is a top-level section the policy prunes for the
    /// document's kind.
    fn prunes_next_mapping(&self) -> bool {
        let (Some(unread), Some(kind), [Frame::Map { key: Some(key), .. }]) =
            (self.unread, &self.kind, self.stack.as_slice())
        else {
            return false;
        };
        key.as_str().is_some_and(|section| unread.prunes(kind, section))
    }

    /// Leaves out the entry whose value is the scalar `value` (starting at `start`), when it
    /// completes an entry of a pruned mapping that the policy says is not read.
    fn leaves_out(&mut self, value: &str, start: Pos) -> Result<bool, ParseError> {
        let Some(unread) = self.unread else { return Ok(false) };
        let Some(Frame::Map { key, pruned: true, left, cost, .. }) = self.stack.last_mut() else { return Ok(false) };
        match key.take() {
            Some(Node { span, kind: NodeKind::Scalar(name) })
                if name.value != "<<" && !unread.keeps(&name.value, value) =>
            {
                left.push((name.value, span.start()));
            }
            // A key that stays (or a complex one) goes back where it was.
            kept => {
                *key = kept;
                return Ok(false);
            }
        }
        cost.add(Cost { nodes: 1, bytes: value.len() });
        self.pruned_for.clone_from(&self.kind);
        // Left out, the value still counts: the budget bounds the document, not the tree.
        self.nodes += 1;
        self.check_node_budget(start)?;
        Ok(true)
    }

    /// Applies YAML merge keys (`<<: *base`, `<<: [*a, *b]`) as the Kubernetes decoders do:
    /// keys written in the mapping win, then earlier merged mappings over later ones. Merged
    /// entries keep the spans of the text they came from. Linear in the entries: a merge of
    /// 100,000 keys must not compare each with every key taken before it.
    fn resolve_merge_keys(&mut self, entries: Vec<(Node, Node)>) -> Vec<(Node, Node)> {
        if !entries.iter().any(|(k, _)| is_merge_key(k)) {
            return entries;
        }
        self.merge(entries)
    }

    /// [`Builder::resolve_merge_keys`] for a mapping that has merge keys (rare: out of line).
    #[cold]
    #[inline(never)]
    fn merge(&mut self, entries: Vec<(Node, Node)>) -> Vec<(Node, Node)> {
        let (merges, mut out): (Vec<_>, Vec<_>) = entries.into_iter().partition(|(k, _)| is_merge_key(k));
        let mut taken: HashSet<String> = out.iter().filter_map(|(k, _)| k.as_str().map(str::to_owned)).collect();
        for (key, value) in merges {
            let sources: Vec<Node> = match value.kind {
                NodeKind::Map(_) => vec![value],
                NodeKind::Seq(items) => items,
                NodeKind::Scalar(_) => Vec::new(),
            };
            if sources.is_empty() || sources.iter().any(|n| n.as_map().is_none()) {
                self.problem(key.span.start(), || "the merge key `<<` needs a mapping or a list of mappings".into());
            }
            for source in sources {
                let NodeKind::Map(merged) = source.kind else { continue };
                for (k, v) in merged {
                    match k.as_str() {
                        Some(name) if !taken.insert(name.to_owned()) => {}
                        _ => out.push((k, v)),
                    }
                }
            }
        }
        tight(out)
    }

    /// Records a non-fatal problem; past the budget, only counts it (a file of a million
    /// duplicate keys is one finding's worth of news, not a million).
    #[cold]
    fn problem(&mut self, pos: Pos, message: impl FnOnce() -> String) {
        if self.problems.len() < self.limits.max_problems {
            self.problems.push(ParseError { message: message(), pos });
        } else {
            self.unlisted_problems += 1;
        }
    }

    /// Reports each repeated key of a mapping, given as `count` pairs of its text (`None`: not a
    /// scalar) and where it starts, in source order.
    fn check_duplicates<'k>(&mut self, keys: impl Iterator<Item = (Option<&'k str>, Pos)> + Clone, count: usize) {
        // Most mappings hold a handful of keys: comparing each with those before it costs less
        // than hashing them (this runs on every mapping of every file).
        const FEW: usize = 16;
        // A longer one's keys go into a set sized for them all at once (growing it rehashed each
        // key several times).
        let mut seen: foldhash::HashSet<&str> = if count > FEW {
            foldhash::HashSet::with_capacity_and_hasher(count, Default::default())
        } else {
            foldhash::HashSet::default()
        };
        for (i, (key, at)) in keys.clone().enumerate() {
            // `<<` merge keys may legitimately repeat.
            let Some(name) = key.filter(|n| *n != "<<") else { continue };
            let repeated = if count <= FEW {
                keys.clone().take(i).any(|(earlier, _)| earlier == Some(name))
            } else {
                !seen.insert(name)
            };
            if repeated {
                // No line number in the message: findings' fingerprints hash it.
                self.problem(at, || {
                    format!(
                        "duplicate key `{}` in this mapping: strict decoding rejects it, lenient tools keep the \
                         last value",
                        shortened(name)
                    )
                });
            }
        }
    }
}

/// A merged mapping's entries without the room their growth left (up to half of it): the tree of
/// a whole document is in memory at once.
fn tight<T>(mut items: Vec<T>) -> Vec<T> {
    items.shrink_to_fit();
    items
}

/// A key as a message quotes it: the first 60 characters of a long one.
fn shortened(name: &str) -> String {
    match name.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &name[..cut]),
        None => name.to_string(),
    }
}

/// The type an explicit tag gives a scalar, as the Kubernetes decoders resolve it: the YAML core
/// schema's `!!str`, `!!bool`, `!!int`, `!!float` and `!!null`, also written out in full
/// (`!<tag:yaml.org,2002:int>`); any other tag (`!!binary`, a custom `!Ref`) leaves a string.
/// Rare: out of line.
#[cold]
#[inline(never)]
fn tagged_type(t: &saphyr_parser::Tag) -> ScalarType {
    const CORE: &str = "tag:yaml.org,2002:";
    let core_type = if t.is_yaml_core_schema() {
        Some(t.suffix.as_str())
    } else if t.handle.is_empty() {
        t.suffix.strip_prefix(CORE) // a verbatim tag: no handle, the whole tag as its suffix
    } else {
        None
    };
    match core_type.unwrap_or_default() {
        "bool" => ScalarType::Bool,
        "int" => ScalarType::Int,
        "float" => ScalarType::Float,
        "null" => ScalarType::Null,
        _ => ScalarType::String,
    }
}

/// A plain `<<` key (a quoted `"<<"` is an ordinary key).
fn is_merge_key(key: &Node) -> bool {
    matches!(key.as_scalar(), Some(s) if !s.quoted && s.value == "<<")
}

mod block_lines;
mod skip;
mod source;

#[cfg(test)]
mod tests;
