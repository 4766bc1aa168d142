//! A POSIX shell / bash lexer: quoting (`'…'`, `"…"`, `$'…'`, `\`), line continuations,
//! comments, here-documents (their bodies are data, not commands), redirections, `$VAR`,
//! `${VAR}`, `${VAR:-default}`, GitHub `${{ … }}` expressions, and command substitutions
//! (`$(…)`, backquotes) whose commands are lexed too, ahead of the command holding them.

use super::words::{end_of, span_of, Chars, Command, Lit, Part, Word};

/// How deep command substitutions may nest before their contents are treated as unknown.
const MAX_DEPTH: usize = 16;

/// The commands of a script, in the order they run.
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

impl Lexer<'_> {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.i + ahead).map(|c| c.0)
    }

    fn run(&mut self) {
        let mut current = Command::default();
        let mut heredocs: Vec<(String, bool)> = Vec::new();
        while let Some(c) = self.peek(0) {
            match c {
                '\n' => {
                    self.i += 1;
                    self.finish(&mut current);
                    for (delimiter, strip_tabs) in heredocs.drain(..) {
                        self.skip_heredoc(&delimiter, strip_tabs);
                    }
                }
                ' ' | '\t' | '\r' => self.i += 1,
                '\\' if self.peek(1) == Some('\n') => self.i += 2,
                '#' => {
                    while self.peek(0).is_some_and(|c| c != '\n') {
                        self.i += 1;
                    }
                }
                ';' | '&' | '|' | '(' | ')' => {
                    self.i += 1;
                    if c != '(' && c != ')' && self.peek(0) == Some(c) {
                        self.i += 1; // `;;`, `&&`, `||`
                    }
                    self.finish(&mut current);
                }
                '<' | '>' => self.redirect(&mut current, &mut heredocs),
                c if c.is_ascii_digit() && matches!(self.peek(1), Some('<' | '>')) => {
                    self.i += 1; // `2>`: the descriptor belongs to the redirection
                    self.redirect(&mut current, &mut heredocs);
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
        if !current.words.is_empty() || !current.redirects.is_empty() {
            self.out.push(std::mem::take(current));
        }
    }

    /// `>`, `>>`, `<`, `<<`/`<<-` (a here-document), `>&`, `&>`.
    fn redirect(&mut self, current: &mut Command, heredocs: &mut Vec<(String, bool)>) {
        let mut op = String::new();
        while let Some(c) = self.peek(0).filter(|c| matches!(c, '<' | '>' | '&' | '-')) {
            op.push(c);
            self.i += 1;
            if op.len() >= 3 {
                break;
            }
        }
        while matches!(self.peek(0), Some(' ' | '\t')) {
            self.i += 1;
        }
        if op.starts_with("<<<") || self.peek(0).is_none_or(|c| c == '\n') {
            return; // a here-string, or nothing to redirect to
        }
        let target = self.word();
        if op.starts_with("<<") {
            let delimiter: String = target
                .parts
                .iter()
                .filter_map(|p| if let Part::Lit(s, _) = p { Some(s.as_str()) } else { None })
                .collect();
            heredocs.push((delimiter, op == "<<-"));
        }
        current.redirects.push((op, target));
    }

    /// Skips a here-document's body up to the line holding only its delimiter.
    fn skip_heredoc(&mut self, delimiter: &str, strip_tabs: bool) {
        while self.i < self.chars.len() {
            let start = self.i;
            while self.peek(0).is_some_and(|c| c != '\n') {
                self.i += 1;
            }
            let line: String = self.chars[start..self.i].iter().map(|c| c.0).collect();
            self.i += 1;
            let line = line.trim_end_matches('\r');
            let line = if strip_tabs { line.trim_start_matches('\t') } else { line };
            if line == delimiter {
                return;
            }
        }
    }

    /// One word, up to an unquoted blank or operator.
    fn word(&mut self) -> Word {
        let start = self.i;
        let pos = self.chars.get(self.i).map(|c| c.1).unwrap_or_default();
        let mut parts = Vec::new();
        let mut lit = Lit::default();
        while let Some(c) = self.peek(0) {
            match c {
                ' ' | '\t' | '\r' | '\n' | ';' | '&' | '|' | '(' | ')' | '<' | '>' => break,
                '\\' if self.peek(1) == Some('\n') => self.i += 2,
                '\\' => {
                    lit.push(self.i + 1, self.peek(1).unwrap_or('\\'));
                    self.i += 2;
                }
                '\'' => {
                    self.i += 1;
                    while let Some(q) = self.peek(0) {
                        self.i += 1;
                        if q == '\'' {
                            break;
                        }
                        lit.push(self.i - 1, q);
                    }
                }
                '"' => {
                    self.i += 1;
                    self.double_quoted(&mut parts, &mut lit);
                }
                '$' if self.peek(1) == Some('\'') => {
                    self.i += 2;
                    self.ansi_c(&mut lit);
                }
                '$' => {
                    lit.flush(self.chars, &mut parts);
                    self.dollar(&mut parts);
                }
                '`' => {
                    lit.flush(self.chars, &mut parts);
                    self.backquote(&mut parts);
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

    /// Inside `"…"`: `\` escapes only `$`, `` ` ``, `"`, `\` and newlines; expansions apply.
    fn double_quoted(&mut self, parts: &mut Vec<Part>, lit: &mut Lit) {
        while let Some(c) = self.peek(0) {
            match c {
                '"' => {
                    self.i += 1;
                    return;
                }
                '\\' if matches!(self.peek(1), Some('$' | '`' | '"' | '\\')) => {
                    lit.push(self.i + 1, self.peek(1).unwrap_or('\\'));
                    self.i += 2;
                }
                '\\' if self.peek(1) == Some('\n') => self.i += 2,
                '$' => {
                    lit.flush(self.chars, parts);
                    self.dollar(parts);
                }
                '`' => {
                    lit.flush(self.chars, parts);
                    self.backquote(parts);
                }
                _ => {
                    lit.push(self.i, c);
                    self.i += 1;
                }
            }
        }
    }

    /// `$'…'` with backslash escapes.
    fn ansi_c(&mut self, lit: &mut Lit) {
        while let Some(c) = self.peek(0) {
            self.i += 1;
            match c {
                '\'' => return,
                '\\' => {
                    let escaped = match self.peek(0) {
                        Some('n') => '\n',
                        Some('t') => '\t',
                        Some(other) => other,
                        None => return,
                    };
                    lit.push(self.i, escaped);
                    self.i += 1;
                }
                _ => lit.push(self.i - 1, c),
            }
        }
    }

    /// At `$`: a variable, a parameter expansion, a GitHub expression, a command substitution,
    /// arithmetic, or a lone `$`.
    fn dollar(&mut self, parts: &mut Vec<Part>) {
        let start = self.i;
        match (self.peek(1), self.peek(2)) {
            (Some('('), Some('(')) => {
                self.i += 1;
                self.balanced('(', ')');
                parts.push(Part::Unknown);
            }
            (Some('('), _) => {
                self.i += 1;
                let (from, to) = self.balanced('(', ')');
                self.substitution(from, to);
                parts.push(Part::Unknown);
            }
            (Some('{'), Some('{')) => {
                self.i += 3;
                let from = self.i;
                while self.i < self.chars.len() && !(self.peek(0) == Some('}') && self.peek(1) == Some('}')) {
                    self.i += 1;
                }
                let text: String = self.chars[from..self.i.min(self.chars.len())].iter().map(|c| c.0).collect();
                self.i += 2;
                parts.push(Part::Expression(text.trim().to_string()));
            }
            (Some('{'), _) => {
                self.i += 1;
                let (from, to) = self.balanced('{', '}');
                parts.push(self.parameter(from, to));
            }
            (Some(c), _) if c.is_ascii_alphabetic() || c == '_' => {
                self.i += 1;
                let from = self.i;
                while self.peek(0).is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                    self.i += 1;
                }
                let name = self.chars[from..self.i].iter().map(|c| c.0).collect();
                parts.push(Part::Var { name, default: None });
            }
            (Some(c), _) if c.is_ascii_digit() || "@*#?$!-".contains(c) => {
                self.i += 2;
                parts.push(Part::Unknown);
            }
            _ => {
                self.i += 1;
                parts.push(Part::Lit("$".into(), span_of(self.chars, start, start + 1)));
            }
        }
    }

    /// `${NAME}`, `${NAME:-word}`, `${NAME-word}`; any other expansion is unknown.
    fn parameter(&self, from: usize, to: usize) -> Part {
        let inner: String = self.chars[from..to].iter().map(|c| c.0).collect();
        let name_len = inner.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').count();
        let (name, rest) = inner.split_at(name_len);
        if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
            return Part::Unknown;
        }
        let op_len = if rest.starts_with(":-") {
            2
        } else if rest.starts_with('-') {
            1
        } else {
            0
        };
        match (rest.is_empty(), op_len) {
            (true, _) => Part::Var { name: name.into(), default: None },
            (false, 0) => Part::Unknown,
            (false, _) if self.depth >= MAX_DEPTH => Part::Unknown,
            (false, n) => {
                let start = from + name_len + n;
                let mut sub = Lexer { chars: &self.chars[start..to], i: 0, out: Vec::new(), depth: self.depth + 1 };
                let word = sub.word();
                Part::Var { name: name.into(), default: Some(word.parts) }
            }
        }
    }

    /// At an opening bracket: skips to its match (quotes respected); returns the inner range.
    fn balanced(&mut self, open: char, close: char) -> (usize, usize) {
        self.i += 1;
        let from = self.i;
        let mut depth = 1usize;
        let mut quote: Option<char> = None;
        while let Some(c) = self.peek(0) {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), '\\') => self.i += 1,
                (Some(_), _) => {}
                (None, '\\') => self.i += 1,
                (None, '\'' | '"') => quote = Some(c),
                (None, c) if c == open => depth += 1,
                (None, c) if c == close => {
                    depth -= 1;
                    if depth == 0 {
                        self.i += 1;
                        return (from, self.i - 1);
                    }
                }
                _ => {}
            }
            self.i += 1;
        }
        (from, self.chars.len())
    }

    /// `` `…` ``: a command substitution.
    fn backquote(&mut self, parts: &mut Vec<Part>) {
        self.i += 1;
        let from = self.i;
        while self.peek(0).is_some_and(|c| c != '`') {
            if self.peek(0) == Some('\\') {
                self.i += 1;
            }
            self.i += 1;
        }
        let to = self.i.min(self.chars.len());
        self.i += 1;
        self.substitution(from, to);
        parts.push(Part::Unknown);
    }

    /// The commands inside a substitution run before the command that holds it.
    fn substitution(&mut self, from: usize, to: usize) {
        if self.depth >= MAX_DEPTH || from >= to {
            return;
        }
        let mut sub = Lexer { chars: &self.chars[from..to], i: 0, out: Vec::new(), depth: self.depth + 1 };
        sub.run();
        self.out.extend(sub.out);
    }
}

#[cfg(test)]
mod tests {
    use super::super::words::positioned;
    use super::*;

    fn texts(script: &str) -> Vec<Vec<String>> {
        commands(&positioned(script, 0, 0))
            .iter()
            .map(|c| {
                c.words
                    .iter()
                    .map(|w| {
                        w.parts
                            .iter()
                            .map(|p| match p {
                                Part::Lit(s, _) => s.clone(),
                                Part::Var { name, default: None } => format!("${name}"),
                                Part::Var { name, default: Some(_) } => format!("${name}:-"),
                                Part::Expression(e) => format!("{{{{{e}}}}}"),
                                _ => "?".into(),
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn quoting_continuations_and_separators() {
        let t = texts("A=\"x $B\"'y' ; az rest \\\n  --url \"${C:-d}/$D\" && echo ok # az x\n");
        assert_eq!(t, [vec!["A=x $By"], vec!["az", "rest", "--url", "$C:-/$D"], vec!["echo", "ok"]]);
    }

    #[test]
    fn substitutions_run_first_and_heredocs_are_data() {
        let t = texts("X=$(az identity federated-credential list -o tsv)\ncat <<-EOF >out\naz identity federated-credential delete --name aks-identity-binding\n\tEOF\necho ${{ env.NAME }}\n");
        assert_eq!(
            t,
            [
                vec!["az", "identity", "federated-credential", "list", "-o", "tsv"],
                vec!["X=?"],
                vec!["cat"],
                vec!["echo", "{{env.NAME}}"]
            ]
        );
    }

    #[test]
    fn positions_are_the_files() {
        let cmds = commands(&positioned("run:\n  az x --name n\n", 10, 4));
        let w = &cmds[1].words[3];
        assert_eq!((w.pos.line, w.pos.col), (12, 19));
        let Part::Lit(_, span) = &w.parts[0] else { panic!("{w:?}") };
        assert_eq!((span.start().col, span.end().col), (19, 20));
    }

    #[test]
    fn unterminated_input_ends() {
        for text in ["echo \"open", "echo $(open", "echo 'open", "echo ${{ open", "cat <<EOF\nnever closed", "`open"] {
            let _ = commands(&positioned(text, 0, 0));
        }
        for deep in ["$(".repeat(100_000), "${A:-".repeat(100_000), "\"$(".repeat(100_000)] {
            let _ = commands(&positioned(&deep, 0, 0));
        }
    }
}
