//! A PowerShell lexer: `'…'` and `"…"` strings (with `` ` `` escapes and `$var`, `${var}`,
//! `$env:NAME`, `$(…)` inside), here-strings, comments (`#`, `<# … #>`), backtick line
//! continuations, hashtable literals `@{ Key = value }` (for splatting), `@name` splats, and
//! subexpressions `$(…)`, `@(…)`, `(…)`, `{ … }` whose statements are lexed too.

use super::words::{end_of, span_of, Chars, Command, Lit, Part, Word};

/// How deep subexpressions and hashtables may nest before their contents are unknown.
const MAX_DEPTH: usize = 16;

/// The statements of a script, in the order they run (subexpressions first).
pub(super) fn commands(chars: &Chars) -> Vec<Command> {
    let mut lx = Lexer { chars, i: 0, out: Vec::new(), depth: 0 };
    lx.run();
    lx.out
}

struct Lexer<'a> {
    chars: &'a Chars,
    i: usize,
    out: Vec<Command>,
    depth: usize,
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == ':' || c == '?'
}

impl Lexer<'_> {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.i + ahead).map(|c| c.0)
    }

    fn run(&mut self) {
        let mut current = Command::default();
        while let Some(c) = self.peek(0) {
            match c {
                '\n' | ';' | '|' | '{' | '}' | ')' => {
                    self.i += 1;
                    self.finish(&mut current);
                }
                '&' if self.peek(1) == Some('&') => {
                    self.i += 2;
                    self.finish(&mut current);
                }
                ' ' | '\t' | '\r' => self.i += 1,
                '`' if matches!(self.peek(1), Some('\n' | '\r')) => {
                    self.i += 1;
                    while matches!(self.peek(0), Some('\r' | '\n')) {
                        self.i += 1;
                        if self.chars.get(self.i - 1).is_some_and(|c| c.0 == '\n') {
                            break;
                        }
                    }
                }
                '#' => self.skip_line(),
                '<' if self.peek(1) == Some('#') => self.block_comment(),
                '>' => {
                    // A redirection: its target is not an argument.
                    while matches!(self.peek(0), Some('>' | '&')) {
                        self.i += 1;
                    }
                    while matches!(self.peek(0), Some(' ' | '\t')) {
                        self.i += 1;
                    }
                    if self.peek(0).is_some_and(|c| c != '\n') {
                        let target = self.word();
                        current.redirects.push((">".into(), target));
                    }
                }
                _ => {
                    let before = self.i;
                    let word = self.word();
                    if self.i == before {
                        self.i += 1; // a character no rule takes: skipped, so the loop always moves on
                    } else {
                        current.words.push(word);
                    }
                }
            }
        }
        self.finish(&mut current);
    }

    fn finish(&mut self, current: &mut Command) {
        if !current.words.is_empty() {
            self.out.push(std::mem::take(current));
        }
    }

    fn skip_line(&mut self) {
        while self.peek(0).is_some_and(|c| c != '\n') {
            self.i += 1;
        }
    }

    fn block_comment(&mut self) {
        self.i += 2;
        while self.i < self.chars.len() && !(self.peek(0) == Some('#') && self.peek(1) == Some('>')) {
            self.i += 1;
        }
        self.i += 2;
    }

    /// One word (an argument, a value, an operator), up to a blank or a statement end.
    fn word(&mut self) -> Word {
        let start = self.i;
        let pos = self.chars.get(self.i).map(|c| c.1).unwrap_or_default();
        let mut parts = Vec::new();
        let mut lit = Lit::default();
        while let Some(c) = self.peek(0) {
            match c {
                ' ' | '\t' | '\r' | '\n' | ';' | '|' | '{' | '}' | ')' => break,
                '>' if !lit.is_empty() || !parts.is_empty() => break,
                '`' if matches!(self.peek(1), Some('\n' | '\r')) => break,
                '`' => {
                    lit.push(self.i + 1, escape(self.peek(1).unwrap_or('`')));
                    self.i += 2;
                }
                '\'' => {
                    self.i += 1;
                    self.single_quoted(&mut lit);
                }
                '"' => {
                    self.i += 1;
                    self.double_quoted(&mut parts, &mut lit, '"');
                }
                '@' if self.peek(1) == Some('{') => {
                    lit.flush(self.chars, &mut parts);
                    parts.push(self.hashtable());
                }
                '@' if matches!(self.peek(1), Some('\'' | '"')) => {
                    self.i += 1;
                    let q = self.peek(0).unwrap_or('"');
                    self.here_string(q, &mut parts, &mut lit);
                }
                '@' if self.peek(1) == Some('(') => {
                    lit.flush(self.chars, &mut parts);
                    self.i += 1;
                    self.subexpression();
                    parts.push(Part::Unknown);
                }
                '@' if self.peek(1).is_some_and(|c| c.is_alphabetic() || c == '_')
                    && lit.is_empty()
                    && parts.is_empty() =>
                {
                    self.i += 1;
                    let name = self.name();
                    parts.push(Part::Splat(name));
                }
                '(' => {
                    lit.flush(self.chars, &mut parts);
                    self.subexpression();
                    parts.push(Part::Unknown);
                }
                '$' => {
                    lit.flush(self.chars, &mut parts);
                    self.dollar(&mut parts);
                }
                _ => {
                    lit.push(self.i, c);
                    self.i += 1;
                }
            }
        }
        lit.flush(self.chars, &mut parts);
        let end = end_of(self.chars, start, self.i.min(self.chars.len()));
        let quoted = self.chars[start..self.i.min(self.chars.len())].iter().any(|c| matches!(c.0, '\'' | '"' | '$'));
        Word { parts, pos, end, quoted }
    }

    fn name(&mut self) -> String {
        let from = self.i;
        while self.peek(0).is_some_and(is_name_char) {
            self.i += 1;
        }
        self.chars[from..self.i].iter().map(|c| c.0).collect::<String>().to_ascii_lowercase()
    }

    /// `'…'` where `''` is a quote.
    fn single_quoted(&mut self, lit: &mut Lit) {
        while let Some(c) = self.peek(0) {
            self.i += 1;
            if c == '\'' {
                if self.peek(0) == Some('\'') {
                    lit.push(self.i, '\'');
                    self.i += 1;
                    continue;
                }
                return;
            }
            lit.push(self.i - 1, c);
        }
    }

    /// `"…"` (or a here-string's body, ended by `end`): escapes and expansions.
    fn double_quoted(&mut self, parts: &mut Vec<Part>, lit: &mut Lit, end: char) {
        while let Some(c) = self.peek(0) {
            match c {
                '"' if end == '"' && self.peek(1) == Some('"') => {
                    lit.push(self.i, '"');
                    self.i += 2;
                }
                c if c == end => {
                    self.i += 1;
                    return;
                }
                '`' => {
                    lit.push(self.i + 1, escape(self.peek(1).unwrap_or('`')));
                    self.i += 2;
                }
                '$' => {
                    lit.flush(self.chars, parts);
                    self.dollar(parts);
                }
                _ => {
                    lit.push(self.i, c);
                    self.i += 1;
                }
            }
        }
    }

    /// `@'…'@` or `@"…"@` (the `@` consumed): the body runs to a line starting with the closing
    /// quote and `@`.
    fn here_string(&mut self, q: char, parts: &mut Vec<Part>, lit: &mut Lit) {
        self.i += 1;
        while self.peek(0).is_some_and(|c| c != '\n') {
            self.i += 1;
        }
        self.i += 1;
        let body_start = self.i;
        let mut end = self.chars.len();
        let mut at = self.i;
        while at < self.chars.len() {
            let line_start = at == body_start || self.chars.get(at - 1).is_some_and(|c| c.0 == '\n');
            if line_start
                && self.chars.get(at).is_some_and(|c| c.0 == q)
                && self.chars.get(at + 1).is_some_and(|c| c.0 == '@')
            {
                end = at;
                break;
            }
            at += 1;
        }
        let body_end =
            if end > body_start && self.chars.get(end - 1).is_some_and(|c| c.0 == '\n') { end - 1 } else { end };
        if q == '\'' {
            for k in body_start..body_end {
                lit.push(k, self.chars[k].0);
            }
        } else {
            let mut sub = Lexer { chars: &self.chars[..body_end], i: body_start, out: Vec::new(), depth: self.depth };
            sub.double_quoted(parts, lit, '\u{0}');
            self.out.extend(sub.out);
        }
        self.i = (end + 2).min(self.chars.len());
    }

    /// At `$`: `$name`, `${name}`, `$env:NAME`, `$(…)`, or a lone `$`.
    fn dollar(&mut self, parts: &mut Vec<Part>) {
        let start = self.i;
        match self.peek(1) {
            Some('(') => {
                self.i += 1;
                let (from, to) = self.subexpression();
                // `$($name)` is the variable; anything else is known only when it runs.
                let inner: String = self.chars[from..to].iter().map(|c| c.0).collect();
                let inner = inner.trim();
                match inner.strip_prefix('$').filter(|n| !n.is_empty() && n.chars().all(is_name_char)) {
                    Some(name) => parts.push(Part::Var { name: name.to_ascii_lowercase(), default: None }),
                    None => parts.push(Part::Unknown),
                }
            }
            Some('{') if self.peek(2) == Some('{') => {
                // A GitHub expression in a workflow's PowerShell step.
                self.i += 3;
                let from = self.i;
                while self.i < self.chars.len() && !(self.peek(0) == Some('}') && self.peek(1) == Some('}')) {
                    self.i += 1;
                }
                let text: String = self.chars[from..self.i.min(self.chars.len())].iter().map(|c| c.0).collect();
                self.i += 2;
                parts.push(Part::Expression(text.trim().to_string()));
            }
            Some('{') => {
                self.i += 2;
                let from = self.i;
                while self.peek(0).is_some_and(|c| c != '}') {
                    self.i += 1;
                }
                let name: String = self.chars[from..self.i].iter().map(|c| c.0).collect();
                self.i += 1;
                parts.push(Part::Var { name: name.to_ascii_lowercase(), default: None });
            }
            Some(c) if c.is_alphabetic() || c == '_' => {
                self.i += 1;
                let name = self.name();
                parts.push(Part::Var { name, default: None });
            }
            _ => {
                self.i += 1;
                parts.push(Part::Lit("$".into(), span_of(self.chars, start, start + 1)));
            }
        }
    }

    /// At `(`: the statements inside run first; returns the inner range.
    fn subexpression(&mut self) -> (usize, usize) {
        self.i += 1;
        let from = self.i;
        let mut depth = 1usize;
        let mut quote: Option<char> = None;
        while let Some(c) = self.peek(0) {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), '`') => self.i += 1,
                (Some(_), _) => {}
                (None, '`') => self.i += 1,
                (None, '\'' | '"') => quote = Some(c),
                (None, '(') => depth += 1,
                (None, ')') => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            self.i += 1;
        }
        let to = self.i.min(self.chars.len());
        self.i += 1;
        if self.depth < MAX_DEPTH && from < to {
            let mut sub = Lexer { chars: &self.chars[from..to], i: 0, out: Vec::new(), depth: self.depth + 1 };
            sub.run();
            self.out.extend(sub.out);
        }
        (from, to)
    }

    /// `@{ Key = value; Other = value }` (entries on lines of their own too).
    fn hashtable(&mut self) -> Part {
        if self.depth >= MAX_DEPTH {
            self.i += 1;
            self.skip_braces();
            return Part::Unknown;
        }
        self.i += 2;
        let mut entries = Vec::new();
        self.depth += 1;
        loop {
            while matches!(self.peek(0), Some(' ' | '\t' | '\r' | '\n' | ';')) {
                self.i += 1;
            }
            match self.peek(0) {
                None => break,
                Some('}') => {
                    self.i += 1;
                    break;
                }
                Some('#') => self.skip_line(),
                Some('<') if self.peek(1) == Some('#') => self.block_comment(),
                Some(_) => {
                    let key = self.word();
                    while matches!(self.peek(0), Some(' ' | '\t')) {
                        self.i += 1;
                    }
                    if self.peek(0) != Some('=') {
                        self.i += usize::from(self.peek(0).is_some_and(|c| c != '}'));
                        continue;
                    }
                    self.i += 1;
                    while matches!(self.peek(0), Some(' ' | '\t')) {
                        self.i += 1;
                    }
                    let value = self.word();
                    if let Some(k) = key.literal() {
                        entries.push((k, value));
                    }
                }
            }
        }
        self.depth -= 1;
        Part::Table(entries)
    }

    /// At `{`: skips to its match, without looking inside.
    fn skip_braces(&mut self) {
        let mut depth = 0usize;
        while let Some(c) = self.peek(0) {
            self.i += 1;
            match c {
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return;
                    }
                }
                _ => {}
            }
        }
    }
}

/// The character a backtick escape stands for.
fn escape(c: char) -> char {
    match c {
        'n' => '\n',
        't' => '\t',
        'r' => '\r',
        '0' => '\0',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::super::words::positioned;
    use super::*;

    fn lex(text: &str) -> Vec<Command> {
        commands(&positioned(text, 0, 0))
    }

    #[test]
    fn assignments_strings_and_splats() {
        let c = lex("$p = @{\n  Name = 'aks-identity-binding'   # managed\n  IdentityName = \"$id\"\n}\nRemove-AzFederatedIdentityCredential @p -Confirm:$false\n");
        assert_eq!(c.len(), 2, "{c:#?}");
        assert_eq!(c[0].words[0].variable(), Some("p"));
        assert_eq!(c[0].words[1].literal().as_deref(), Some("="));
        let [Part::Table(entries)] = c[0].words[2].parts.as_slice() else { panic!("{:?}", c[0].words[2]) };
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].0, "Name");
        assert_eq!(entries[0].1.literal().as_deref(), Some("aks-identity-binding"));
        assert_eq!(entries[1].1.variable(), Some("id"));
        assert_eq!(c[1].words[1].parts, [Part::Splat("p".into())]);
    }

    #[test]
    fn quotes_escapes_comments_and_continuations() {
        let c = lex("<# block\n#> $n = 'it''s'  # comment\nNew-AzFederatedIdentityCredential `\n  -Name \"x-$($env:SUFFIX)`\"\" -Issuer:$i\n");
        assert_eq!(c[0].words[2].literal().as_deref(), Some("it's"));
        let new = c.last().expect("the cmdlet");
        assert_eq!(new.words.len(), 4, "{new:#?}");
        assert_eq!(new.words[2].parts.len(), 3);
        assert_eq!(new.words[2].parts[1], Part::Var { name: "env:suffix".into(), default: None });
    }

    #[test]
    fn subexpressions_run_first() {
        let c = lex("$r = (Invoke-RestMethod -Method Delete -Uri $u).value\n");
        assert_eq!(c[0].words[0].literal().as_deref(), Some("Invoke-RestMethod"));
        assert_eq!(c[1].words[0].variable(), Some("r"));
    }

    #[test]
    fn unterminated_input_ends() {
        for text in
            [")", "a ) b", "@{ ) }", "$x = )", "'open", "\"open", "@{ a = ", "$(open", "<# open", "@'\nnever", "${open"]
        {
            let _ = lex(text);
        }
        let _ = lex(&"@{a=".repeat(100_000));
        let _ = lex(&"$p = @{a=\"$(".repeat(20_000));
        let _ = lex(&"$(".repeat(5_000));
    }
}
