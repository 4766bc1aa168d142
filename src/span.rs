//! Positions in source text. Lines and columns are 1-based; columns count Unicode characters.

/// A point in a source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

/// A range in a source file: `start` inclusive, `end` exclusive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

impl Span {
    pub fn new(start: Pos, end: Pos) -> Self {
        Span { start, end }
    }

    /// A zero-width span at the start of `line`, for objects that have no better anchor.
    pub fn line(line: u32) -> Self {
        let p = Pos { line, col: 1 };
        Span { start: p, end: p }
    }
}
