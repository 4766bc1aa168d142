//! Bicep tokens: identifiers, numbers, strings (with `${…}` interpolation lexed into their own
//! tokens), multi-line strings, operators and newlines (which end statements), each with its span.

use crate::span::{FileId, Pos, Span};

/// How deep strings may nest inside interpolations (`'${'${…}'}'`); hostile input stops here.
pub(super) const MAX_DEPTH: usize = 64;

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Tok {
    Ident(String),
    Int(i64),
    /// A single-quoted string: literal pieces and interpolated expressions.
    Str(Vec<Part>),
    Punct(&'static str),
    Newline,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Part {
    Lit(String),
    /// The tokens of one `${…}`.
    Expr(Vec<Token>),
}

#[derive(Clone, Debug, PartialEq)]
pub(super) struct Token {
    pub tok: Tok,
    pub span: Span,
}

/// A text that is not Bicep: where and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct LexError {
    pub pos: Pos,
    pub message: String,
}

const PUNCTS: &[&str] = &[
    "...", "??", ".?", "==", "!=", "=~", "!~", "<=", ">=", "&&", "||", "=>", "::", "{", "}", "[", "]", "(", ")", ",",
    ":", ".", "?", "!", "=", "<", ">", "+", "-", "*", "/", "%", "@", "|",
];

/// The tokens of a whole file; spans carry `file`.
pub(super) fn tokenize(text: &str, file: FileId) -> Result<Vec<Token>, LexError> {
    let mut lx = Lexer { chars: text.chars().collect(), i: 0, line: 1, col: 1, file };
    lx.tokens(0, false)
}

struct Lexer {
    chars: Vec<char>,
    i: usize,
    line: u32,
    col: u32,
    file: FileId,
}

impl Lexer {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.i + ahead).copied()
    }

    fn pos(&self) -> Pos {
        Pos { line: self.line, col: self.col }
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek(0)?;
        self.i += 1;
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    fn error(&self, pos: Pos, message: &str) -> LexError {
        LexError { pos, message: message.into() }
    }

    fn span(&self, start: Pos) -> Span {
        Span::new(start, self.pos()).in_file(self.file)
    }

    fn starts_with(&self, s: &str) -> bool {
        s.chars().enumerate().all(|(k, c)| self.peek(k) == Some(c))
    }

    /// Tokens up to the end of the text, or (inside an interpolation) up to its closing `}`.
    fn tokens(&mut self, depth: usize, interpolation: bool) -> Result<Vec<Token>, LexError> {
        if depth > MAX_DEPTH {
            return Err(self.error(self.pos(), "strings nested too deeply in interpolations"));
        }
        let mut out = Vec::new();
        let mut braces = 0usize;
        while let Some(c) = self.peek(0) {
            let start = self.pos();
            if c == '\n' {
                self.bump();
                out.push(Token { tok: Tok::Newline, span: self.span(start) });
            } else if c.is_whitespace() {
                self.bump();
            } else if self.starts_with("//") || c == '#' {
                // `#disable-next-line BCP081` and friends are pragmas: comments to us.
                while self.peek(0).is_some_and(|c| c != '\n') {
                    self.bump();
                }
            } else if self.starts_with("/*") {
                self.block_comment(start)?;
            } else if self.starts_with("'''") {
                let text = self.multi_line_string(start)?;
                out.push(Token { tok: Tok::Str(vec![Part::Lit(text)]), span: self.span(start) });
            } else if c == '\'' {
                let parts = self.string(start, depth)?;
                out.push(Token { tok: Tok::Str(parts), span: self.span(start) });
            } else if c.is_ascii_digit() {
                let mut digits = String::new();
                while let Some(d) = self.peek(0).filter(char::is_ascii_digit) {
                    digits.push(d);
                    self.bump();
                }
                let tok = digits.parse().map_or(Tok::Ident(digits), Tok::Int);
                out.push(Token { tok, span: self.span(start) });
            } else if c.is_alphabetic() || c == '_' {
                let mut name = String::new();
                while let Some(d) = self.peek(0).filter(|d| d.is_alphanumeric() || *d == '_') {
                    name.push(d);
                    self.bump();
                }
                out.push(Token { tok: Tok::Ident(name), span: self.span(start) });
            } else if interpolation && c == '}' && braces == 0 {
                self.bump();
                return Ok(out);
            } else {
                // A character Bicep does not have is kept as one that matches no rule.
                let punct = PUNCTS.iter().find(|p| self.starts_with(p)).copied().unwrap_or("\u{fffd}");
                for _ in 0..punct.chars().count().max(1) {
                    self.bump();
                }
                match punct {
                    "{" => braces += 1,
                    "}" => braces = braces.saturating_sub(1),
                    _ => {}
                }
                out.push(Token { tok: Tok::Punct(punct), span: self.span(start) });
            }
        }
        if interpolation {
            return Err(self.error(self.pos(), "unterminated `${` interpolation"));
        }
        Ok(out)
    }

    fn block_comment(&mut self, start: Pos) -> Result<(), LexError> {
        self.bump();
        self.bump();
        loop {
            if self.starts_with("*/") {
                self.bump();
                self.bump();
                return Ok(());
            }
            if self.bump().is_none() {
                return Err(self.error(start, "unterminated /* comment"));
            }
        }
    }

    /// `'''…'''`: verbatim, no escapes, no interpolation.
    fn multi_line_string(&mut self, start: Pos) -> Result<String, LexError> {
        for _ in 0..3 {
            self.bump();
        }
        let mut text = String::new();
        loop {
            if self.starts_with("'''") && self.peek(3) != Some('\'') {
                for _ in 0..3 {
                    self.bump();
                }
                // A newline right after the opening quotes is not part of the string.
                return Ok(text.strip_prefix("\r\n").or_else(|| text.strip_prefix('\n')).unwrap_or(&text).to_string());
            }
            match self.bump() {
                Some(c) => text.push(c),
                None => return Err(self.error(start, "unterminated ''' string")),
            }
        }
    }

    /// `'…'` with escapes (`\'`, `\\`, `\n`, `\$`, …) and `${…}` interpolations.
    fn string(&mut self, start: Pos, depth: usize) -> Result<Vec<Part>, LexError> {
        self.bump();
        let mut parts = Vec::new();
        let mut lit = String::new();
        loop {
            let Some(c) = self.peek(0) else { return Err(self.error(start, "unterminated string")) };
            match c {
                '\'' => {
                    self.bump();
                    break;
                }
                '\n' => return Err(self.error(start, "unterminated string")),
                '\\' => {
                    self.bump();
                    let escaped = match self.bump() {
                        Some('n') => '\n',
                        Some('r') => '\r',
                        Some('t') => '\t',
                        Some(other) => other,
                        None => return Err(self.error(start, "unterminated string")),
                    };
                    lit.push(escaped);
                }
                '$' if self.peek(1) == Some('{') => {
                    self.bump();
                    self.bump();
                    if !lit.is_empty() {
                        parts.push(Part::Lit(std::mem::take(&mut lit)));
                    }
                    parts.push(Part::Expr(self.tokens(depth + 1, true)?));
                }
                _ => {
                    lit.push(c);
                    self.bump();
                }
            }
        }
        if !lit.is_empty() || parts.is_empty() {
            parts.push(Part::Lit(lit));
        }
        Ok(parts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(text: &str) -> Vec<Tok> {
        tokenize(text, FileId::HOLDER).expect("lexes").into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn strings_with_interpolation_and_escapes() {
        let t = toks("name: '${uami.name}/aks-\\'x\\''\n");
        assert_eq!(t[0], Tok::Ident("name".into()));
        assert_eq!(t[1], Tok::Punct(":"));
        let Tok::Str(parts) = &t[2] else { panic!("{t:?}") };
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[1], Part::Lit("/aks-'x'".into()));
        let Part::Expr(inner) = &parts[0] else { panic!("{parts:?}") };
        assert_eq!(inner.len(), 3);
        assert_eq!(t[3], Tok::Newline);
    }

    #[test]
    fn comments_multiline_strings_and_operators() {
        let t = toks("/* a */ x == '''\nraw ${x}''' // c\n#disable-next-line BCP081\n?? .? ...");
        assert_eq!(t[1], Tok::Punct("=="));
        assert_eq!(t[2], Tok::Str(vec![Part::Lit("raw ${x}".into())]));
        assert_eq!(&t[4..], &[Tok::Newline, Tok::Punct("??"), Tok::Punct(".?"), Tok::Punct("...")]);
    }

    #[test]
    fn positions_and_errors() {
        let t = tokenize("a\n  'b'", FileId::HOLDER).expect("lexes");
        assert_eq!(t[2].span.start(), Pos { line: 2, col: 3 });
        assert!(tokenize("x = 'abc\n", FileId::HOLDER).is_err());
        assert!(tokenize("/* open", FileId::HOLDER).is_err());
        assert!(tokenize("'${x'", FileId::HOLDER).is_err());
        let deep = "'${".repeat(10_000);
        assert!(tokenize(&deep, FileId::HOLDER).is_err());
    }
}
