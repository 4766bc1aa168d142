//! A scanner for the block YAML most manifests are written in: block mappings and sequences whose
//! keys are plain words or one-line quoted texts, and whose values are one-line scalars, one-line
//! flow sequences of them, or block scalars, with comments and blank lines between. It gives
//! exactly the events `saphyr-parser` gives for such text, with the same positions, at a fraction
//! of its cost: it reads a line at a time, and a scalar's text is borrowed from the input, not
//! copied.
//!
//! Whatever is outside that subset it declines, and the caller reads the stream again with
//! `saphyr-parser`: anchors, aliases, tags, multi-line and escaped scalars, flow mappings with
//! entries, folded scalars with lines of different indentation, directives, any character but
//! printable ASCII and newlines. Declining is never wrong, only slower; accepting is right only
//! where the events are saphyr-parser's own, which the tests check on every text they parse (in
//! test builds each accepted stream is also read by saphyr-parser and compared, event by event).

use std::borrow::Cow;
use std::collections::VecDeque;

use saphyr_parser::{Event, Marker, ScalarStyle, Span};

use block_scalar::{Body, Chomp};
use tokens::{after_dash, flow_plain_end, is_dash, key_at, plain_end, skip_spaces, Key};

/// The text holds something outside the subset this scanner reads.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Declined;

type Scanned<'a> = (Event<'a>, Span);

/// Events of one stream, a line at a time (see the module's documentation).
pub(super) struct BlockLines<'a> {
    text: &'a str,
    /// Where the next line starts, and its number (from 1).
    next_line: usize,
    line: usize,
    /// Events made from lines read but not yet taken.
    queue: VecDeque<Scanned<'a>>,
    /// The open block collections, outermost first.
    open: Vec<Open>,
    /// What the next content line may complete.
    pending: Pending,
    in_document: bool,
    finished: bool,
    /// Collections opened on the line being read (`- - - x`): each is a call deeper.
    opened_on_line: usize,
    /// In test and debug builds, saphyr-parser reads the same text, and each event given is
    /// checked against its own (see [`BlockLines::check`]).
    #[cfg(debug_assertions)]
    reference: Box<saphyr_parser::Parser<'a, saphyr_parser::StrInput<'a>>>,
    /// The first event that was not saphyr-parser's. A line's events are given before the next
    /// line is read, and the next line may be what makes them wrong (a plain scalar continued
    /// on it); the scanner then declines before the document ends, and the caller drops all of
    /// the document's events. Only an event that was not saphyr-parser's in a document that
    /// ends is a fault.
    #[cfg(debug_assertions)]
    diverged: Option<String>,
}

/// An open block collection.
#[derive(Clone, Copy)]
struct Open {
    sequence: bool,
    /// Its column: a mapping's keys', a sequence's dashes'.
    indent: usize,
    /// A sequence whose dashes are in its parent mapping's column (`key:` then `- item` below it,
    /// not indented): it ends at the next line in that column that is not an item.
    indentless: bool,
}

#[derive(Clone, Copy)]
enum Pending {
    Nothing,
    /// A document has begun and has no content yet.
    Root,
    /// A key with nothing after its colon: its value is the collection on the lines below, or
    /// null (an empty scalar at the colon).
    Value {
        colon: Marker,
        indent: usize,
    },
}

/// The most items a one-line flow sequence may hold here: the events of a line wait in a queue.
const MAX_FLOW_ITEMS: usize = 256;
/// The most collections one line may open here (`- - - x`): each is a call deeper.
const MAX_OPENED_ON_LINE: usize = 16;

impl<'a> BlockLines<'a> {
    /// A scanner for `text`, or `None` when a character in it is one this scanner never reads.
    pub(super) fn new(text: &'a str) -> Option<Self> {
        // Printable ASCII and newlines only: no tabs, carriage returns or control characters.
        let foreign = |b: &u8| !(matches!(b, b' '..=b'~') || *b == b'\n');
        if text.as_bytes().iter().any(foreign) {
            return None;
        }
        // A last line of blanks or a comment with no newline after it ends blocks where its
        // text ends, not on the next line: rare enough to leave to saphyr-parser.
        let last = text.rsplit('\n').next().unwrap_or_default().trim_start_matches(' ');
        if !text.is_empty() && !text.ends_with('\n') && (last.is_empty() || last.starts_with('#')) {
            return None;
        }
        let origin = Marker::new(0, 1, 0);
        let mut queue = VecDeque::with_capacity(16);
        queue.push_back((Event::StreamStart, Span::new(origin, origin)));
        Some(BlockLines {
            text,
            next_line: 0,
            line: 1,
            queue,
            open: Vec::new(),
            pending: Pending::Nothing,
            in_document: false,
            finished: false,
            opened_on_line: 0,
            #[cfg(debug_assertions)]
            reference: Box::new(saphyr_parser::Parser::new_from_str(text)),
            #[cfg(debug_assertions)]
            diverged: None,
        })
    }

    /// The next event, as `saphyr_parser::Parser::next_event` gives it; `Err` once the text turns
    /// out to hold what this scanner does not read.
    pub(super) fn next_event(&mut self) -> Option<Result<Scanned<'a>, Declined>> {
        loop {
            if let Some(event) = self.queue.pop_front() {
                #[cfg(debug_assertions)]
                self.check(&event);
                return Some(Ok(event));
            }
            if self.finished {
                return None;
            }
            if let Err(declined) = self.read_line() {
                self.finished = true;
                self.queue.clear();
                #[cfg(debug_assertions)]
                {
                    self.diverged = None;
                }
                return Some(Err(declined));
            }
        }
    }

    /// Turns the next line (or the end of the text) into events.
    fn read_line(&mut self) -> Result<(), Declined> {
        let start = self.next_line;
        let Some(rest) = self.text.get(start..).filter(|r| !r.is_empty()) else {
            self.finish();
            return Ok(());
        };
        let len = memchr::memchr(b'\n', rest.as_bytes()).unwrap_or(rest.len());
        let line = &rest[..len];
        let number = self.line;
        self.next_line = (start + len + 1).min(self.text.len());
        self.line += 1;
        let indent = line.bytes().take_while(|&b| b == b' ').count();
        let Some(&first) = line.as_bytes().get(indent) else { return Ok(()) }; // blank
        if first == b'#' {
            return Ok(());
        }
        if indent == 0 && matches!(first, b'-' | b'.' | b'%') && !is_dash(line) {
            if line.trim_end() != "---" {
                return Err(Declined); // `...`, a directive, or `---` with content after it
            }
            let at = |col| Marker::new(start + col, number, col);
            self.end_document(Span::new(at(0), at(3)));
            self.push(Event::DocumentStart(true), Span::new(at(0), at(3)));
            self.in_document = true;
            self.pending = Pending::Root;
            return Ok(());
        }
        let content = Line { text: line, start, number };
        self.opened_on_line = 0;
        self.content(&content, indent)
    }

    /// A line with content whose first character is at column `indent`.
    fn content(&mut self, line: &Line<'a>, indent: usize) -> Result<(), Declined> {
        let here = line.at(indent);
        if !self.in_document {
            self.push(Event::DocumentStart(false), Span::new(here, here));
            self.in_document = true;
            self.pending = Pending::Root;
        }
        let dash = is_dash(&line.text[indent..]);
        let nested = match self.pending {
            Pending::Root => true,
            Pending::Value { indent: key_indent, .. } if indent > key_indent => true,
            Pending::Value { indent: key_indent, .. } if indent == key_indent && dash => {
                self.pending = Pending::Nothing;
                return self.indentless_sequence(line, indent);
            }
            Pending::Value { colon, .. } => {
                self.push(Event::Scalar(Cow::Borrowed(""), ScalarStyle::Plain, 0, None), Span::new(colon, colon));
                false
            }
            Pending::Nothing => false,
        };
        self.pending = Pending::Nothing;
        if nested {
            return self.node(line, indent);
        }
        self.unroll(indent, dash, Span::new(here, here));
        match self.open.last() {
            Some(top) if top.indent == indent && top.sequence == dash => {}
            _ => return Err(Declined), // a column no open collection has, or a stray item or key
        }
        if dash {
            self.item(line, indent)
        } else {
            self.entry(line, key_at(line.text, indent).ok_or(Declined)?)
        }
    }

    /// Closes the collections a line at column `indent` ends, at that line's first token.
    fn unroll(&mut self, indent: usize, dash: bool, at: Span) {
        while let Some(top) = self.open.last().copied() {
            let ends = top.indent > indent || (top.indentless && top.indent == indent && !dash);
            if !ends {
                break;
            }
            self.open.pop();
            self.push(if top.sequence { Event::SequenceEnd } else { Event::MappingEnd }, at);
        }
    }

    /// A new collection (or a document's root) starting at column `col` of the line.
    fn node(&mut self, line: &Line<'a>, col: usize) -> Result<(), Declined> {
        if is_dash(&line.text[col..]) {
            self.opens()?;
            let here = line.at(col);
            self.push(Event::SequenceStart(0, None), Span::new(here, here));
            self.open.push(Open { sequence: true, indent: col, indentless: false });
            return self.item(line, col);
        }
        // A scalar on its own line (a root scalar, or a value below its key) is declined.
        let key = key_at(line.text, col).ok_or(Declined)?;
        self.mapping(line, key)
    }

    /// A new mapping whose first key is `key`.
    fn mapping(&mut self, line: &Line<'a>, key: Key) -> Result<(), Declined> {
        self.opens()?;
        let here = line.at(key.start);
        self.push(Event::MappingStart(0, None), Span::new(here, here));
        self.open.push(Open { sequence: false, indent: key.start, indentless: false });
        self.entry(line, key)
    }

    /// Counts a collection the line opens; declines past [`MAX_OPENED_ON_LINE`].
    fn opens(&mut self) -> Result<(), Declined> {
        self.opened_on_line += 1;
        if self.opened_on_line > MAX_OPENED_ON_LINE {
            return Err(Declined);
        }
        Ok(())
    }

    /// `key:` then `- item` in the key's column: saphyr-parser starts such a sequence where its
    /// first item's content starts.
    fn indentless_sequence(&mut self, line: &Line<'a>, dash: usize) -> Result<(), Declined> {
        let content = after_dash(line.text, dash).ok_or(Declined)?;
        let here = line.at(content);
        self.push(Event::SequenceStart(0, None), Span::new(here, here));
        self.open.push(Open { sequence: true, indent: dash, indentless: true });
        self.item(line, dash)
    }

    /// A sequence item whose dash is at column `dash`.
    fn item(&mut self, line: &Line<'a>, dash: usize) -> Result<(), Declined> {
        // An item with nothing after its dash (null, or a collection on the lines below) is rare
        // in manifests: declined.
        let content = after_dash(line.text, dash).ok_or(Declined)?;
        if is_dash(&line.text[content..]) {
            return self.node(line, content);
        }
        match key_at(line.text, content) {
            Some(key) => self.mapping(line, key),
            None => self.value(line, content),
        }
    }

    /// A mapping entry: `key`, then its value on the line or the lines below.
    fn entry(&mut self, line: &Line<'a>, key: Key) -> Result<(), Declined> {
        let Key { start, from, to, style, colon } = key;
        self.push(Event::Scalar(Cow::Borrowed(&line.text[from..to]), style, 0, None), line.span(start, colon));
        let value = skip_spaces(line.text, colon + 1);
        // (A `#` after the colon follows a blank: the colon ends a key only before one.)
        if value == line.text.len() || line.text.as_bytes()[value] == b'#' {
            let indent = self.open.last().map_or(0, |o| o.indent);
            self.pending = Pending::Value { colon: line.at(colon), indent };
            return Ok(());
        }
        self.value(line, value)
    }

    /// A value starting at column `col`: one that runs to the end of the line, or a block
    /// scalar, which takes the lines below too.
    fn value(&mut self, line: &Line<'a>, col: usize) -> Result<(), Declined> {
        let bytes = line.text.as_bytes();
        match bytes[col] {
            b'"' | b'\'' => {
                let end = self.quoted(line, col)?;
                line.only_comment_after(end)
            }
            b'[' => self.flow_sequence(line, col),
            b'{' => self.empty_flow_mapping(line, col),
            b'|' | b'>' => self.block_scalar(line, col),
            _ => {
                let end = plain_end(line.text, col)?;
                self.push(
                    Event::Scalar(Cow::Borrowed(&line.text[col..end]), ScalarStyle::Plain, 0, None),
                    line.span(col, end),
                );
                Ok(())
            }
        }
    }

    /// A one-line quoted scalar without escapes at column `col`; where its closing quote ends.
    fn quoted(&mut self, line: &Line<'a>, col: usize) -> Result<usize, Declined> {
        let bytes = line.text.as_bytes();
        let quote = bytes[col];
        let inner = col + 1;
        let close =
            inner + bytes[inner..].iter().position(|&b| b == quote || (quote == b'"' && b == b'\\')).ok_or(Declined)?;
        if bytes[close] != quote || bytes.get(close + 1) == Some(&quote) {
            return Err(Declined); // an escape: `\` in double quotes, `''` in single quotes
        }
        let style = if quote == b'"' { ScalarStyle::DoubleQuoted } else { ScalarStyle::SingleQuoted };
        // saphyr-parser's end of a quoted scalar runs on over the blanks (and a comment) after it.
        let end = line.blanks_after(close + 1);
        self.push(Event::Scalar(Cow::Borrowed(&line.text[inner..close]), style, 0, None), line.span(col, end));
        Ok(close + 1)
    }

    /// A literal (`|`) or folded (`>`) scalar whose header is at column `col`: it takes the lines
    /// below that are more indented than its parent collection (and the blank lines among them).
    fn block_scalar(&mut self, line: &Line<'a>, col: usize) -> Result<(), Declined> {
        let bytes = line.text.as_bytes();
        let literal = bytes[col] == b'|';
        let chomp = match bytes.get(col + 1) {
            Some(b'-') => Chomp::Strip,
            Some(b'+') => Chomp::Keep,
            _ => Chomp::Clip,
        };
        let header_end = col + 1 + usize::from(chomp != Chomp::Clip);
        line.only_comment_after(header_end)?; // an indentation indicator, or text after it
        let parent = self.open.last().map_or(0, |o| o.indent);
        let body = Body::read(self.text, self.next_line, self.line, parent)?;
        let value = if literal { body.literal() } else { body.folded()? };
        let value = chomp.apply(value, body.trailing_empty);
        let start = Marker::new(body.first_start + body.indent, self.line, body.indent);
        self.next_line = body.next_line;
        self.line = body.next_number;
        let end = Marker::new(body.next_line + body.next_indent, body.next_number, body.next_indent);
        let style = if literal { ScalarStyle::Literal } else { ScalarStyle::Folded };
        self.push(Event::Scalar(Cow::Owned(value), style, 0, None), Span::new(start, end));
        Ok(())
    }

    /// `[a, "b", c]` on one line, at column `col`, running to the end of the line.
    fn flow_sequence(&mut self, line: &Line<'a>, col: usize) -> Result<(), Declined> {
        let bytes = line.text.as_bytes();
        let mut at = skip_spaces(line.text, col + 1);
        self.push(Event::SequenceStart(0, None), line.span(col, at));
        if bytes.get(at) == Some(&b']') {
            return self.flow_end(line, at, Event::SequenceEnd);
        }
        for _ in 0..MAX_FLOW_ITEMS {
            let end = match bytes.get(at).ok_or(Declined)? {
                b'"' | b'\'' => self.quoted(line, at)?,
                _ => {
                    let end = flow_plain_end(line.text, at)?;
                    let value = Cow::Borrowed(&line.text[at..end]);
                    self.push(Event::Scalar(value, ScalarStyle::Plain, 0, None), line.span(at, end));
                    end
                }
            };
            let next = skip_spaces(line.text, end);
            match bytes.get(next) {
                Some(b']') => return self.flow_end(line, next, Event::SequenceEnd),
                Some(b',') => {
                    at = skip_spaces(line.text, next + 1);
                    if matches!(bytes.get(at), None | Some(b']' | b',')) {
                        return Err(Declined); // a trailing or doubled comma
                    }
                }
                _ => return Err(Declined),
            }
        }
        Err(Declined)
    }

    /// `{}` at column `col`: a flow mapping with entries is declined.
    fn empty_flow_mapping(&mut self, line: &Line<'a>, col: usize) -> Result<(), Declined> {
        let close = skip_spaces(line.text, col + 1);
        if line.text.as_bytes().get(close) != Some(&b'}') {
            return Err(Declined);
        }
        self.push(Event::MappingStart(0, None), line.span(col, close));
        self.flow_end(line, close, Event::MappingEnd)
    }

    /// The `]` or `}` at column `close`, which only blanks and a comment may follow.
    fn flow_end(&mut self, line: &Line<'a>, close: usize, end: Event<'a>) -> Result<(), Declined> {
        line.only_comment_after(close + 1)?;
        self.push(end, line.span(close, line.blanks_after(close + 1)));
        Ok(())
    }

    /// Ends the open document before the token at `next` (`---`, or the end of the text).
    fn end_document(&mut self, next: Span) {
        if !self.in_document {
            return;
        }
        let empty = || Event::Scalar(Cow::Borrowed(""), ScalarStyle::Plain, 0, None);
        match self.pending {
            Pending::Root => self.push(empty(), next),
            Pending::Value { colon, .. } => self.push(empty(), Span::new(colon, colon)),
            Pending::Nothing => {}
        }
        self.pending = Pending::Nothing;
        while let Some(top) = self.open.pop() {
            let end = if top.sequence { Event::SequenceEnd } else { Event::MappingEnd };
            self.push(end, Span::new(next.start, next.start));
        }
        self.push(Event::DocumentEnd, next);
        self.in_document = false;
    }

    /// The end of the text: saphyr-parser places it at the start of the line after the last.
    fn finish(&mut self) {
        let end = Marker::new(self.text.len(), self.line, 0);
        let at = Span::new(end, end);
        self.end_document(at);
        self.push(Event::StreamEnd, at);
        self.finished = true;
    }

    /// Compares `event` with saphyr-parser's, and panics at the end of a document (or of the
    /// stream) that held one that was not the same (see [`BlockLines::diverged`]).
    #[cfg(debug_assertions)]
    fn check(&mut self, event: &Scanned<'a>) {
        if self.diverged.is_none() {
            let reference = self.reference.next_event();
            if !matches!(&reference, Some(Ok(r)) if r == event) {
                self.diverged = Some(format!("line scanner: {event:?}, saphyr-parser: {reference:?}"));
            }
        }
        if matches!(event.0, Event::DocumentEnd | Event::StreamEnd) {
            if let Some(diverged) = &self.diverged {
                panic!("{diverged}, in:\n{}", self.text);
            }
        }
    }

    fn push(&mut self, event: Event<'a>, span: Span) {
        self.queue.push_back((event, span));
    }
}

/// A line being read: its text (without the newline), where it starts, its number.
struct Line<'a> {
    text: &'a str,
    start: usize,
    number: usize,
}

impl Line<'_> {
    fn at(&self, col: usize) -> Marker {
        Marker::new(self.start + col, self.number, col)
    }

    fn span(&self, from: usize, to: usize) -> Span {
        Span::new(self.at(from), self.at(to))
    }

    /// Where the blanks after column `col` end, and a comment after them (the end of the line).
    fn blanks_after(&self, col: usize) -> usize {
        let next = skip_spaces(self.text, col);
        if next > col && self.text.as_bytes().get(next) == Some(&b'#') {
            self.text.len()
        } else {
            next
        }
    }

    /// Only blanks, then perhaps a comment, from column `col` to the end of the line.
    fn only_comment_after(&self, col: usize) -> Result<(), Declined> {
        if self.blanks_after(col) == self.text.len() {
            Ok(())
        } else {
            Err(Declined)
        }
    }
}

mod block_scalar;
mod tokens;

#[cfg(test)]
mod tests;
