//! The text being parsed, as the tree builder reads it: positions from the parser's markers, and
//! the few positions its events get wrong, mended from the text.

use crate::span::Pos;

/// The text being parsed: turns the parser's markers into positions, and mends the few positions
/// its events get wrong.
pub(super) struct Source<'a> {
    /// What the parser scans: the input, after `shift` characters of prefix on the first line.
    text: &'a str,
    shift: u32,
    line_starts: Vec<usize>,
    /// Every character is one byte: a column is a byte count.
    ascii: bool,
    /// The last position resolved (line, column, byte offset). Positions arrive in text order,
    /// so on long lines (machine-written JSON is one line) counting resumes from there instead
    /// of from the line start, which would make a line's scalars quadratic.
    last: std::cell::Cell<(u32, u32, usize)>,
}

impl<'a> Source<'a> {
    pub(super) fn new(text: &'a str, shift: u32) -> Self {
        let line_starts = crate::span::line_starts(text);
        Source { text, shift, line_starts, ascii: text.is_ascii(), last: std::cell::Cell::new((0, 0, 0)) }
    }

    /// The position (in the input, without the prefix) of a parser marker.
    pub(super) fn pos(&self, m: saphyr_parser::Marker) -> Pos {
        let line = m.line() as u32;
        let col = m.col() as u32 + 1;
        Pos { line, col: if line == 1 { col.saturating_sub(self.shift).max(1) } else { col } }
    }

    /// The byte offset in the scanned text of a 1-based line and character column of the input.
    fn offset(&self, pos: Pos) -> Option<usize> {
        let start = *self.line_starts.get((pos.line as usize).checked_sub(1)?)?;
        let prefix = if pos.line == 1 { self.shift as usize } else { 0 };
        let skip = (pos.col as usize).checked_sub(1)? + prefix;
        if self.ascii {
            return Some(start + skip).filter(|&o| o <= self.text.len());
        }
        let (line, col, byte) = self.last.get();
        let (from, skip) = if line == pos.line && col >= 1 && pos.col >= col {
            (byte, (pos.col - col) as usize)
        } else {
            (start, skip)
        };
        let offset = self.text.get(from..)?.char_indices().nth(skip).map(|(i, _)| from + i)?;
        self.last.set((pos.line, pos.col, offset));
        Some(offset)
    }

    pub(super) fn char_at(&self, pos: Pos) -> Option<char> {
        self.text.get(self.offset(pos)?..)?.chars().next()
    }

    /// Where a quoted scalar starting at `start` really ends (just after its closing quote): the
    /// parser's end marker runs on over trailing blanks and comments.
    pub(super) fn quoted_end(&self, start: Pos) -> Option<Pos> {
        let from = self.offset(start)?;
        if self.ascii {
            // Most quoted scalars are short, on one line and without escapes: one scan of bytes
            // finds their end (a column is then a byte count).
            let bytes = self.text.as_bytes().get(from..)?;
            let quote = *bytes.first().filter(|b| matches!(b, b'"' | b'\''))?;
            let stop = bytes[1..].iter().position(|&b| b == quote || b == b'\\' || b == b'\n');
            if let Some(i) = stop.filter(|&i| bytes[1 + i] == quote && bytes.get(2 + i) != Some(&b'\'')) {
                return Some(Pos { line: start.line, col: start.col + 2 + u32::try_from(i).ok()? });
            }
        }
        let mut chars = self.text.get(from..)?.chars();
        let quote = chars.next().filter(|c| matches!(c, '"' | '\''))?;
        let (mut line, mut col) = (start.line, start.col + 1);
        let advance = |c: char, line: &mut u32, col: &mut u32| {
            if c == '\n' {
                *line += 1;
                *col = 1;
            } else {
                *col += 1;
            }
        };
        while let Some(c) = chars.next() {
            if c == quote {
                // `''` inside a single-quoted scalar is an escaped quote.
                if quote == '\'' && chars.clone().next() == Some('\'') {
                    chars.next();
                    col += 2;
                    continue;
                }
                return Some(Pos { line, col: col + 1 });
            }
            advance(c, &mut line, &mut col);
            if c == '\\' && quote == '"' {
                let escaped = chars.next()?;
                advance(escaped, &mut line, &mut col);
            }
        }
        None
    }
}
