//! Block scalars (`|`, `>`) as the line scanner reads them: the lines below their header, and
//! the value those lines make.

use super::Declined;

/// What a block scalar's header says of its final line breaks.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Chomp {
    /// One line break after the text.
    Clip,
    /// `-`: none.
    Strip,
    /// `+`: every one, those of the empty lines after it too.
    Keep,
}

impl Chomp {
    pub(super) fn apply(self, mut value: String, trailing_empty: usize) -> String {
        match self {
            Chomp::Strip => {}
            Chomp::Clip => value.push('\n'),
            Chomp::Keep => value.extend(std::iter::repeat_n('\n', 1 + trailing_empty)),
        }
        value
    }
}

/// The lines of a block scalar, without their indentation.
pub(super) struct Body<'a> {
    /// Its lines up to the last that is not empty; an empty line is "".
    pub(super) lines: Vec<&'a str>,
    /// Empty lines after the last that is not.
    pub(super) trailing_empty: usize,
    /// The column its text starts at, and where its first line starts.
    pub(super) indent: usize,
    pub(super) first_start: usize,
    /// The line after it: where it starts, its number, and its indentation (saphyr-parser ends
    /// the scalar where that line's text starts).
    pub(super) next_line: usize,
    pub(super) next_number: usize,
    pub(super) next_indent: usize,
}

impl<'a> Body<'a> {
    /// The body of a block scalar from the line starting at `from` (numbered `number`), inside a
    /// collection at column `parent`. Declined: a first line that is empty or not indented
    /// beyond `parent` (an empty scalar), a line of blanks beyond the indentation (saphyr-parser
    /// keeps or drops their blanks by rules of its own), and a body that runs to the end of a
    /// text without a final newline.
    pub(super) fn read(text: &'a str, from: usize, number: usize, parent: usize) -> Result<Body<'a>, Declined> {
        let mut body = Body {
            lines: Vec::new(),
            trailing_empty: 0,
            indent: 0,
            first_start: from,
            next_line: from,
            next_number: number,
            next_indent: 0,
        };
        loop {
            let rest = &text[body.next_line..];
            if rest.is_empty() {
                break;
            }
            let len = memchr::memchr(b'\n', rest.as_bytes()).ok_or(Declined)?; // no final newline
            let line = &rest[..len];
            let blanks = line.bytes().take_while(|&b| b == b' ').count();
            if blanks == line.len() {
                if body.lines.is_empty() || blanks > body.indent {
                    return Err(Declined);
                }
                body.trailing_empty += 1;
            } else {
                if body.lines.is_empty() {
                    if blanks <= parent {
                        return Err(Declined);
                    }
                    body.indent = blanks;
                } else if blanks < body.indent {
                    body.next_indent = blanks;
                    break;
                }
                body.lines.extend(std::iter::repeat_n("", body.trailing_empty));
                body.trailing_empty = 0;
                body.lines.push(&line[body.indent..]);
            }
            body.next_line += len + 1;
            body.next_number += 1;
        }
        if body.lines.is_empty() {
            return Err(Declined);
        }
        Ok(body)
    }

    /// The lines as they are, a line break between each two.
    pub(super) fn literal(&self) -> String {
        self.lines.join("\n")
    }

    /// Lines folded into one where they meet (each run of empty lines between two is a line
    /// break each). Declined where folding has more rules: a line indented beyond the others,
    /// or one with blanks at its end.
    pub(super) fn folded(&self) -> Result<String, Declined> {
        let mut value = String::new();
        let mut breaks = 0;
        for (i, line) in self.lines.iter().enumerate() {
            if line.starts_with(' ') || line.ends_with(' ') {
                return Err(Declined);
            }
            if line.is_empty() {
                breaks += 1;
                continue;
            }
            if i > 0 {
                if breaks == 0 {
                    value.push(' ');
                }
                value.extend(std::iter::repeat_n('\n', breaks));
            }
            breaks = 0;
            value.push_str(line);
        }
        Ok(value)
    }
}
