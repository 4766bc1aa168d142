//! ARM template expressions: the text between `[` and `]` of a JSON string —
//! `concat(parameters('id'), '/aks-identity-binding')`, `variables('names')[copyIndex()]`,
//! `reference(x).outputs.y.value`. Nesting is bounded; what does not parse is unknown.

/// How deep calls, indexes and arguments may nest.
const MAX_DEPTH: usize = 64;

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Expr {
    Str(String),
    Int(i64),
    /// `name(args)` (a user-defined function `ns.name(args)` has `namespace`).
    Call {
        namespace: Option<String>,
        name: String,
        args: Vec<Expr>,
    },
    Member(Box<Expr>, String),
    Index(Box<Expr>, Box<Expr>),
    /// `true`, `false`, `null` written as names.
    Literal(&'static str),
}

/// The expression of a JSON string value, if the string is one: `[…]`, but not `[[…` (a
/// literal string starting with `[`). `Some(None)`: an expression that does not parse.
pub(super) fn of_string(s: &str) -> Option<Option<Expr>> {
    let trimmed = s.trim();
    if !trimmed.starts_with('[') || trimmed.starts_with("[[") || !trimmed.ends_with(']') {
        return None;
    }
    let inner = &trimmed[1..trimmed.len() - 1];
    let mut p = Parser { chars: inner.chars().collect(), i: 0, depth: 0 };
    let e = p.expr();
    p.skip_ws();
    Some(e.filter(|_| p.i == p.chars.len()))
}

/// The literal text of a JSON string that is not an expression (`[[x]` means `[x]`).
pub(super) fn literal_text(s: &str) -> &str {
    if s.trim_start().starts_with("[[") {
        s.trim_start().strip_prefix('[').unwrap_or(s)
    } else {
        s
    }
}

struct Parser {
    chars: Vec<char>,
    i: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.i).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: char) -> bool {
        self.skip_ws();
        let yes = self.peek() == Some(c);
        if yes {
            self.i += 1;
        }
        yes
    }

    fn expr(&mut self) -> Option<Expr> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        let mut e = self.primary()?;
        loop {
            if self.eat('.') {
                let name = self.name()?;
                e = Expr::Member(Box::new(e), name);
            } else if self.eat('[') {
                let index = self.expr()?;
                if !self.eat(']') {
                    return None;
                }
                e = Expr::Index(Box::new(e), Box::new(index));
            } else {
                break;
            }
        }
        self.depth -= 1;
        Some(e)
    }

    fn name(&mut self) -> Option<String> {
        self.skip_ws();
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            self.i += 1;
        }
        (self.i > start).then(|| self.chars[start..self.i].iter().collect())
    }

    fn primary(&mut self) -> Option<Expr> {
        self.skip_ws();
        match self.peek()? {
            '\'' => self.string(),
            c if c.is_ascii_digit() || c == '-' => {
                let start = self.i;
                self.i += 1;
                while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    self.i += 1;
                }
                let text: String = self.chars[start..self.i].iter().collect();
                text.parse().ok().map(Expr::Int)
            }
            _ => {
                let mut name = self.name()?;
                let mut namespace = None;
                if self.peek() == Some('.') && self.chars.get(self.i + 1).is_some_and(|c| c.is_alphabetic()) {
                    // `ns.fn(…)`: a user-defined function (or a property of a call result,
                    // which cannot follow a bare name).
                    self.i += 1;
                    namespace = Some(name);
                    name = self.name()?;
                }
                if !self.eat('(') {
                    return match (namespace, name.to_ascii_lowercase().as_str()) {
                        (None, "true") => Some(Expr::Literal("true")),
                        (None, "false") => Some(Expr::Literal("false")),
                        (None, "null") => Some(Expr::Literal("null")),
                        _ => None,
                    };
                }
                let mut args = Vec::new();
                if !self.eat(')') {
                    loop {
                        args.push(self.expr()?);
                        if self.eat(')') {
                            break;
                        }
                        if !self.eat(',') {
                            return None;
                        }
                    }
                }
                Some(Expr::Call { namespace, name, args })
            }
        }
    }

    /// `'…'` with `''` for a quote.
    fn string(&mut self) -> Option<Expr> {
        self.i += 1;
        let mut out = String::new();
        loop {
            match self.peek()? {
                '\'' if self.chars.get(self.i + 1) == Some(&'\'') => {
                    out.push('\'');
                    self.i += 2;
                }
                '\'' => {
                    self.i += 1;
                    return Some(Expr::Str(out));
                }
                c => {
                    out.push(c);
                    self.i += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, args: Vec<Expr>) -> Expr {
        Expr::Call { namespace: None, name: name.into(), args }
    }

    #[test]
    fn calls_members_indexes_and_strings() {
        let e = of_string("[concat(parameters('id'), '/it''s')]").expect("expression").expect("parses");
        assert_eq!(
            e,
            call("concat", vec![call("parameters", vec![Expr::Str("id".into())]), Expr::Str("/it's".into())])
        );
        let e = of_string("[variables('names')[copyIndex(1)].name]").expect("expression").expect("parses");
        let Expr::Member(inner, name) = e else { panic!("{e:?}") };
        assert_eq!(name, "name");
        assert!(matches!(*inner, Expr::Index(..)));
        assert_eq!(of_string("[[not an expression]"), None);
        assert_eq!(literal_text("[[x]"), "[x]");
        assert_eq!(of_string("plain"), None);
        assert_eq!(of_string("[concat('a']"), Some(None));
    }

    #[test]
    fn deep_nesting_does_not_parse() {
        let deep = format!("[{}'x'{}]", "concat(".repeat(10_000), ")".repeat(10_000));
        assert_eq!(of_string(&deep), Some(None));
    }
}
