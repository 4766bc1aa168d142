//! What the shell and PowerShell lexers produce: commands of words whose parts are literal text
//! (with the span it was written at), variables to expand, and parts only known when the script
//! runs. Expansion happens later, in order, so an assignment applies to the commands after it.

use crate::span::{Pos, Span};

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Part {
    /// Literal text and where it was written.
    Lit(String, Span),
    /// `$NAME`, `${NAME}`, `$env:NAME` (PowerShell names in lower case); `default`:
    /// `${NAME:-default}` when `NAME` is empty or unset.
    Var { name: String, default: Option<Vec<Part>> },
    /// A GitHub Actions expression `${{ … }}` (its text, trimmed).
    Expression(String),
    /// A PowerShell hashtable literal `@{ Key = value; … }`: keys with their value words.
    Table(Vec<(String, Word)>),
    /// PowerShell splatting `@name`: the hashtable's entries as `-Key value` arguments.
    Splat(String),
    /// Known only when the script runs: `$(…)`, `$1`, `$RANDOM`, arithmetic.
    Unknown,
}

/// One word of a command as written, with where it starts and ends.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Word {
    pub parts: Vec<Part>,
    pub pos: Pos,
    pub end: Pos,
    /// Written with quotes or expansions (in PowerShell a bare word is a command name).
    pub quoted: bool,
}

impl Word {
    /// Where the word is written.
    pub(super) fn span(&self) -> Span {
        Span::new(self.pos, self.end)
    }

    /// The word's text when it is one literal (operators, flags, keywords).
    pub(super) fn literal(&self) -> Option<String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Lit(s, _) => out.push_str(s),
                _ => return None,
            }
        }
        Some(out)
    }

    /// A word that is exactly one variable (`$x`).
    pub(super) fn variable(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [Part::Var { name, default: None }] => Some(name),
            _ => None,
        }
    }
}

/// A simple command: its words and its redirections (`>> "$GITHUB_ENV"`).
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Command {
    pub words: Vec<Word>,
    pub redirects: Vec<(String, Word)>,
}

/// A script's characters with their positions in the file.
pub(super) type Chars = [(char, Pos)];

/// The position just after the character before `i` (where a word that ends at `i` ends).
pub(super) fn end_of(chars: &Chars, start: usize, i: usize) -> Pos {
    match i.checked_sub(1).and_then(|k| chars.get(k)).filter(|_| i > start) {
        Some((_, p)) => Pos { line: p.line, col: p.col + 1 },
        None => chars.get(start).map(|c| c.1).unwrap_or_default(),
    }
}

/// The span from `start` up to (not including) the character at `end` of `chars`.
pub(super) fn span_of(chars: &Chars, start: usize, end: usize) -> Span {
    let from = chars.get(start).map(|c| c.1).unwrap_or_default();
    let to = match end.checked_sub(1).and_then(|i| chars.get(i)) {
        Some((_, p)) if end > start => Pos { line: p.line, col: p.col + 1 },
        _ => from,
    };
    Span::new(from, to)
}

/// Where each character of `text` sits in its file: the script starts `lines` lines and `cols`
/// columns into it (a `run:` block in a workflow); every line keeps the column shift.
pub(super) fn positioned(text: &str, lines: u32, cols: u32) -> Vec<(char, Pos)> {
    let mut out = Vec::with_capacity(text.len());
    let (mut line, mut col) = (lines + 1, cols + 1);
    for c in text.chars() {
        out.push((c, Pos { line, col }));
        if c == '\n' {
            line += 1;
            col = cols + 1;
        } else {
            col += 1;
        }
    }
    out
}

/// Literal characters a lexer collects for the current part, with where they start.
#[derive(Default)]
pub(super) struct Lit {
    text: String,
    first: Option<usize>,
    last: usize,
}

impl Lit {
    pub(super) fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    pub(super) fn push(&mut self, at: usize, c: char) {
        self.first.get_or_insert(at);
        self.last = at;
        self.text.push(c);
    }

    pub(super) fn flush(&mut self, chars: &Chars, parts: &mut Vec<Part>) {
        if let Some(first) = self.first.take() {
            parts.push(Part::Lit(std::mem::take(&mut self.text), span_of(chars, first, self.last + 1)));
        }
    }
}
