//! A recursive-descent parser from Bicep tokens to [`ast`](super::ast). Nesting is bounded
//! ([`MAX_DEPTH`]): deeper input is an error, never a stack overflow. Syntax the evaluator does not
//! need (types, lambdas, decorators, imports) is skipped, never an error.

use super::ast::{Decl, Expr, ExprKind, File, Object, Prop, Resource, StrPart};
use super::lexer::{Part, Tok, Token};
use crate::span::{Pos, Span};

/// How deep expressions may nest; deeper input is not something a person wrote.
pub(super) const MAX_DEPTH: usize = 64;

/// Why a file could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct ParseError {
    pub pos: Pos,
    pub message: String,
}

/// Parses the tokens of one file.
pub(super) fn parse(tokens: &[Token]) -> Result<File, ParseError> {
    let mut p = Parser { tokens, i: 0, depth: 0, parens: 0 };
    let mut file = File::default();
    while p.i < tokens.len() {
        p.skip_newlines();
        if p.i >= tokens.len() {
            break;
        }
        let start = p.i;
        // A failed statement may leave these counted up; each statement starts afresh.
        (p.depth, p.parens) = (0, 0);
        match p.statement(&mut file) {
            Ok(()) => {}
            Err(Failure::TooDeep(pos)) => {
                return Err(ParseError { pos, message: format!("nested deeper than {MAX_DEPTH} levels") })
            }
            Err(Failure::Syntax) => {
                if let Some(what) = p.declaration_name(start) {
                    file.skipped.push(what);
                }
                p.i = start;
                p.skip_statement();
            }
        }
    }
    Ok(file)
}

enum Failure {
    TooDeep(Pos),
    Syntax,
}

type Parsed<T> = Result<T, Failure>;

struct Parser<'a> {
    tokens: &'a [Token],
    i: usize,
    depth: usize,
    /// Inside parentheses newlines do not end an expression.
    parens: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&'a Tok> {
        self.tokens.get(self.i).map(|t| &t.tok)
    }

    fn peek_at(&self, ahead: usize) -> Option<&'a Tok> {
        self.tokens.get(self.i + ahead).map(|t| &t.tok)
    }

    fn span(&self) -> Span {
        self.tokens.get(self.i).or(self.tokens.last()).map(|t| t.span).unwrap_or_default()
    }

    fn prev_end(&self) -> Span {
        self.i.checked_sub(1).and_then(|i| self.tokens.get(i)).map(|t| t.span).unwrap_or_default()
    }

    fn is_punct(&self, p: &str) -> bool {
        matches!(self.peek(), Some(Tok::Punct(x)) if *x == p)
    }

    fn is_ident(&self, s: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(x)) if x == s)
    }

    fn eat_punct(&mut self, p: &str) -> bool {
        let yes = self.is_punct(p);
        if yes {
            self.i += 1;
        }
        yes
    }

    fn expect_punct(&mut self, p: &str) -> Parsed<()> {
        if self.eat_punct(p) {
            Ok(())
        } else {
            Err(Failure::Syntax)
        }
    }

    fn ident(&mut self) -> Parsed<String> {
        match self.peek() {
            Some(Tok::Ident(s)) => {
                self.i += 1;
                Ok(s.clone())
            }
            _ => Err(Failure::Syntax),
        }
    }

    fn skip_newlines(&mut self) {
        while self.peek() == Some(&Tok::Newline) {
            self.i += 1;
        }
    }

    /// A literal string without interpolation (module paths, resource types).
    fn plain_string(&mut self) -> Parsed<(String, Span)> {
        let span = self.span();
        match self.peek() {
            Some(Tok::Str(parts)) => {
                self.i += 1;
                let mut out = String::new();
                for part in parts {
                    match part {
                        Part::Lit(s) => out.push_str(s),
                        Part::Expr(_) => return Err(Failure::Syntax),
                    }
                }
                Ok((out, span))
            }
            _ => Err(Failure::Syntax),
        }
    }

    /// Skips to the end of the statement: a newline outside brackets.
    fn skip_statement(&mut self) {
        let mut depth = 0usize;
        while let Some(t) = self.peek() {
            match t {
                Tok::Punct("{" | "[" | "(") => depth += 1,
                Tok::Punct("}" | "]" | ")") => depth = depth.saturating_sub(1),
                Tok::Newline if depth == 0 => return,
                _ => {}
            }
            self.i += 1;
        }
    }

    /// `resource x` or `module x` at `start`, for the note about a skipped declaration.
    fn declaration_name(&self, start: usize) -> Option<String> {
        match (self.tokens.get(start).map(|t| &t.tok), self.tokens.get(start + 1).map(|t| &t.tok)) {
            (Some(Tok::Ident(k)), Some(Tok::Ident(name))) if k == "resource" || k == "module" => {
                Some(format!("{k} `{name}`"))
            }
            _ => None,
        }
    }

    fn statement(&mut self, file: &mut File) -> Parsed<()> {
        let keyword = match self.peek() {
            Some(Tok::Ident(k)) => k.as_str(),
            Some(Tok::Punct("@")) => {
                self.decorator()?;
                return Ok(());
            }
            _ => {
                self.skip_statement();
                return Ok(());
            }
        };
        match keyword {
            "param" => {
                self.i += 1;
                let name = self.ident()?;
                let default = if self.skip_type_until_assign() { Some(self.expr()?) } else { None };
                file.decls.push(Decl::Param { name, default });
            }
            "var" => {
                self.i += 1;
                let name = self.ident()?;
                if !self.skip_type_until_assign() {
                    return Err(Failure::Syntax);
                }
                file.decls.push(Decl::Var { name, value: self.expr()? });
            }
            "output" => {
                self.i += 1;
                let name = self.ident()?;
                if !self.skip_type_until_assign() {
                    return Err(Failure::Syntax);
                }
                file.decls.push(Decl::Output { name, value: self.expr()? });
            }
            "resource" => {
                let resource = self.resource()?;
                file.decls.push(Decl::Resource(resource));
            }
            "module" => {
                let span = self.span();
                self.i += 1;
                let symbol = self.ident()?;
                let (path, _) = self.plain_string()?;
                self.expect_punct("=")?;
                let body = self.expr()?;
                file.decls.push(Decl::Module { symbol, path, body, span });
            }
            "using" => {
                self.i += 1;
                if let Ok(target) = self.plain_string() {
                    file.using = Some(target);
                }
                self.skip_statement();
            }
            _ => self.skip_statement(),
        }
        Ok(())
    }

    /// `@name`, `@ns.name(args)`: skipped.
    fn decorator(&mut self) -> Parsed<()> {
        self.i += 1;
        self.ident()?;
        while self.eat_punct(".") {
            self.ident()?;
        }
        if self.is_punct("(") {
            self.call_args()?;
        }
        Ok(())
    }

    /// Skips a declaration's type up to `=` (consumed: `true`) or the end of the line (`false`).
    fn skip_type_until_assign(&mut self) -> bool {
        let mut depth = 0usize;
        while let Some(t) = self.peek() {
            match t {
                Tok::Punct("=") if depth == 0 => {
                    self.i += 1;
                    return true;
                }
                Tok::Punct("{" | "[" | "(") => depth += 1,
                Tok::Punct("}" | "]" | ")") => depth = depth.saturating_sub(1),
                Tok::Newline if depth == 0 => return false,
                _ => {}
            }
            self.i += 1;
        }
        false
    }

    /// `resource symbol 'type@version' [existing] = body`.
    fn resource(&mut self) -> Parsed<Resource> {
        let span = self.span();
        self.i += 1;
        let symbol = self.ident()?;
        let (ty, _) = self.plain_string()?;
        let ty = ty.split('@').next().unwrap_or_default().to_string();
        let existing = self.is_ident("existing");
        if existing {
            self.i += 1;
        }
        self.expect_punct("=")?;
        let body = self.expr()?;
        Ok(Resource { symbol, ty, existing, body, span })
    }

    fn enter(&mut self) -> Parsed<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Failure::TooDeep(self.span().start()));
        }
        Ok(())
    }

    fn expr(&mut self) -> Parsed<Expr> {
        self.enter()?;
        let e = self.ternary();
        self.depth -= 1;
        e
    }

    fn skip_newlines_in_parens(&mut self) {
        if self.parens > 0 {
            self.skip_newlines();
        }
    }

    fn ternary(&mut self) -> Parsed<Expr> {
        let condition = self.binary(0)?;
        // A line starting with `?` continues the expression (multi-line ternaries).
        let save = self.i;
        self.skip_newlines();
        if !self.eat_punct("?") {
            self.i = save;
            return Ok(condition);
        }
        self.skip_newlines();
        let yes = self.expr()?;
        self.skip_newlines();
        self.expect_punct(":")?;
        self.skip_newlines();
        let no = self.expr()?;
        let span = condition.span.with_end(no.span.end());
        Ok(Expr { kind: ExprKind::Ternary(Box::new(condition), Box::new(yes), Box::new(no)), span })
    }

    /// Binary operators by precedence level, loosest first.
    fn binary(&mut self, level: usize) -> Parsed<Expr> {
        const LEVELS: &[&[&str]] = &[
            &["??"],
            &["||"],
            &["&&"],
            &["==", "!=", "=~", "!~"],
            &["<", "<=", ">", ">="],
            &["+", "-"],
            &["*", "/", "%"],
        ];
        let Some(ops) = LEVELS.get(level) else { return self.unary() };
        let mut left = self.binary(level + 1)?;
        loop {
            let save = self.i;
            self.skip_newlines_in_parens();
            let op = match self.peek() {
                Some(Tok::Punct(p)) => ops.iter().find(|o| **o == *p).copied(),
                _ => None,
            };
            let Some(op) = op else {
                self.i = save;
                break;
            };
            self.i += 1;
            self.skip_newlines_in_parens();
            let right = self.binary(level + 1)?;
            let span = left.span.with_end(right.span.end());
            left = Expr { kind: ExprKind::Binary(op, Box::new(left), Box::new(right)), span };
        }
        Ok(left)
    }

    fn unary(&mut self) -> Parsed<Expr> {
        let span = self.span();
        for op in ["!", "-"] {
            if self.eat_punct(op) {
                self.enter()?;
                let operand = self.unary()?;
                self.depth -= 1;
                let span = span.with_end(operand.span.end());
                return Ok(Expr { kind: ExprKind::Unary(op, Box::new(operand)), span });
            }
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Parsed<Expr> {
        let mut e = self.primary()?;
        loop {
            let start = e.span;
            if self.eat_punct(".") || self.eat_punct(".?") {
                let name = self.ident()?;
                if self.is_punct("(") {
                    // `ns.f(args)`: a namespaced function.
                    let namespace = match &e.kind {
                        ExprKind::Ident(ns) => Some(ns.clone()),
                        _ => None,
                    };
                    let args = self.call_args()?;
                    e = match namespace {
                        Some(ns) => Expr {
                            kind: ExprKind::Call { namespace: Some(ns), name, args },
                            span: start.with_end(self.prev_end().end()),
                        },
                        // A method on a value (`x.f()`): not in the language we follow.
                        None => Expr::unknown(start.with_end(self.prev_end().end())),
                    };
                } else {
                    e = Expr { kind: ExprKind::Member(Box::new(e), name), span: start.with_end(self.prev_end().end()) };
                }
            } else if self.eat_punct("::") {
                let name = self.ident()?;
                e = Expr { kind: ExprKind::Nested(Box::new(e), name), span: start.with_end(self.prev_end().end()) };
            } else if self.is_punct("[") {
                self.i += 1;
                self.eat_punct("?");
                self.enter()?;
                self.parens += 1;
                let index = self.expr();
                self.parens -= 1;
                self.depth -= 1;
                let index = index?;
                self.expect_punct("]")?;
                e = Expr {
                    kind: ExprKind::Index(Box::new(e), Box::new(index)),
                    span: start.with_end(self.prev_end().end()),
                };
            } else if self.is_punct("!") && !matches!(self.peek_at(1), Some(Tok::Punct("="))) {
                self.i += 1; // non-null assertion: no effect on the value
            } else {
                return Ok(e);
            }
        }
    }

    /// `( args )`.
    fn call_args(&mut self) -> Parsed<Vec<Expr>> {
        self.expect_punct("(")?;
        self.enter()?;
        self.parens += 1;
        let mut args = Vec::new();
        let result = loop {
            self.skip_newlines();
            if self.eat_punct(")") {
                break Ok(());
            }
            match self.expr() {
                Ok(a) => args.push(a),
                Err(e) => break Err(e),
            }
            self.skip_newlines();
            if !self.eat_punct(",") && !self.is_punct(")") {
                break Err(Failure::Syntax);
            }
        };
        self.parens -= 1;
        self.depth -= 1;
        result.map(|()| args)
    }

    fn primary(&mut self) -> Parsed<Expr> {
        let span = self.span();
        let Some(tok) = self.peek() else { return Err(Failure::Syntax) };
        let kind = match tok {
            Tok::Int(i) => {
                self.i += 1;
                ExprKind::Int(*i)
            }
            Tok::Str(parts) => {
                self.i += 1;
                ExprKind::Str(self.string_parts(parts)?)
            }
            Tok::Ident(name) => {
                self.i += 1;
                match name.as_str() {
                    "true" => ExprKind::Bool(true),
                    "false" => ExprKind::Bool(false),
                    "null" => ExprKind::Null,
                    _ if self.is_punct("=>") => {
                        self.skip_lambda_body();
                        ExprKind::Unknown
                    }
                    "if" if self.is_punct("(") => return self.condition(span),
                    _ if self.is_punct("(") => {
                        let args = self.call_args()?;
                        ExprKind::Call { namespace: None, name: name.clone(), args }
                    }
                    _ => ExprKind::Ident(name.clone()),
                }
            }
            Tok::Punct("(") => {
                self.i += 1;
                self.enter()?;
                self.parens += 1;
                self.skip_newlines();
                let inner = self.expr_or_lambda_params();
                self.parens -= 1;
                self.depth -= 1;
                let inner = inner?;
                if self.is_punct("=>") {
                    self.skip_lambda_body();
                    ExprKind::Unknown
                } else {
                    return Ok(Expr { span: span.with_end(self.prev_end().end()), ..inner });
                }
            }
            Tok::Punct("{") => ExprKind::Object(self.object()?),
            Tok::Punct("[") => return self.array(span),
            _ => return Err(Failure::Syntax),
        };
        Ok(Expr { kind, span: span.with_end(self.prev_end().end()) })
    }

    /// Inside `( … )`: an expression, or a lambda's parameter list `(a, b)`.
    fn expr_or_lambda_params(&mut self) -> Parsed<Expr> {
        let inner = self.expr()?;
        loop {
            self.skip_newlines();
            if self.eat_punct(")") {
                return Ok(inner);
            }
            if !self.eat_punct(",") {
                return Err(Failure::Syntax);
            }
            self.skip_newlines();
            self.expr()?;
        }
    }

    fn skip_lambda_body(&mut self) {
        self.i += 1; // `=>`
        let mut depth = 0usize;
        while let Some(t) = self.peek() {
            match t {
                Tok::Punct("{" | "[" | "(") => depth += 1,
                Tok::Punct("}" | "]" | ")") if depth == 0 => return,
                Tok::Punct("}" | "]" | ")") => depth -= 1,
                Tok::Punct(",") | Tok::Newline if depth == 0 => return,
                _ => {}
            }
            self.i += 1;
        }
    }

    /// `if (condition) body`.
    fn condition(&mut self, span: Span) -> Parsed<Expr> {
        self.expect_punct("(")?;
        self.enter()?;
        self.parens += 1;
        self.skip_newlines();
        let condition = self.expr();
        self.skip_newlines();
        self.parens -= 1;
        self.depth -= 1;
        let condition = condition?;
        self.expect_punct(")")?;
        let body = self.expr()?;
        let span = span.with_end(body.span.end());
        Ok(Expr { kind: ExprKind::If { condition: Box::new(condition), body: Box::new(body) }, span })
    }

    fn string_parts(&mut self, parts: &[Part]) -> Parsed<Vec<StrPart>> {
        let mut out = Vec::new();
        for part in parts {
            match part {
                Part::Lit(s) => out.push(StrPart::Lit(s.clone())),
                Part::Expr(tokens) => {
                    self.enter()?;
                    let mut inner = Parser { tokens, i: 0, depth: self.depth, parens: 1 };
                    inner.skip_newlines();
                    let e = inner.expr();
                    self.depth -= 1;
                    out.push(StrPart::Expr(match e {
                        Ok(e) => e,
                        Err(Failure::TooDeep(pos)) => return Err(Failure::TooDeep(pos)),
                        Err(Failure::Syntax) => Expr::unknown(tokens.first().map(|t| t.span).unwrap_or_default()),
                    }));
                }
            }
        }
        Ok(out)
    }

    /// `{ key: value … }` with nested `resource` declarations, decorators and spreads.
    fn object(&mut self) -> Parsed<Object> {
        self.i += 1;
        self.enter()?;
        let saved_parens = std::mem::replace(&mut self.parens, 0);
        let result = self.object_body();
        self.parens = saved_parens;
        self.depth -= 1;
        result
    }

    fn object_body(&mut self) -> Parsed<Object> {
        let mut object = Object::default();
        loop {
            self.skip_newlines();
            match self.peek() {
                None => return Err(Failure::Syntax),
                Some(Tok::Punct("}")) => {
                    self.i += 1;
                    return Ok(object);
                }
                Some(Tok::Punct(",")) => self.i += 1,
                Some(Tok::Punct("@")) => self.decorator()?,
                Some(Tok::Punct("...")) => {
                    self.i += 1;
                    object.spreads.push(self.expr()?);
                }
                Some(Tok::Ident(k)) if k == "resource" && matches!(self.peek_at(1), Some(Tok::Ident(_))) => {
                    object.resources.push(self.resource()?);
                }
                Some(Tok::Ident(key)) => {
                    self.i += 1;
                    self.expect_punct(":")?;
                    let value = self.expr()?;
                    object.props.push(Prop { key: key.clone(), key_expr: None, value });
                }
                Some(Tok::Str(parts)) => {
                    let span = self.span();
                    self.i += 1;
                    let parts = self.string_parts(parts)?;
                    let (key, key_expr) = match parts.as_slice() {
                        [] => (String::new(), None),
                        [StrPart::Lit(s)] => (s.clone(), None),
                        _ => (String::new(), Some(Expr { kind: ExprKind::Str(parts), span })),
                    };
                    self.expect_punct(":")?;
                    let value = self.expr()?;
                    object.props.push(Prop { key, key_expr, value });
                }
                Some(Tok::Int(n)) => {
                    self.i += 1;
                    self.expect_punct(":")?;
                    let value = self.expr()?;
                    object.props.push(Prop { key: n.to_string(), key_expr: None, value });
                }
                Some(_) => return Err(Failure::Syntax),
            }
        }
    }

    /// `[ items ]` or `[for … in …: body]`.
    fn array(&mut self, span: Span) -> Parsed<Expr> {
        self.i += 1;
        self.enter()?;
        let saved_parens = std::mem::replace(&mut self.parens, 0);
        self.skip_newlines();
        let result = if self.is_ident("for") { self.for_body() } else { self.array_items() };
        self.parens = saved_parens;
        self.depth -= 1;
        Ok(Expr { kind: result?, span: span.with_end(self.prev_end().end()) })
    }

    fn array_items(&mut self) -> Parsed<ExprKind> {
        let mut items = Vec::new();
        loop {
            self.skip_newlines();
            if self.eat_punct("]") {
                return Ok(ExprKind::Array(items));
            }
            if self.eat_punct(",") {
                continue;
            }
            items.push(self.expr()?);
        }
    }

    fn for_body(&mut self) -> Parsed<ExprKind> {
        self.i += 1; // `for`
        let (item, index) = if self.eat_punct("(") {
            let item = self.ident()?;
            self.expect_punct(",")?;
            let index = self.ident()?;
            self.expect_punct(")")?;
            (item, Some(index))
        } else {
            (self.ident()?, None)
        };
        if !self.is_ident("in") {
            return Err(Failure::Syntax);
        }
        self.i += 1;
        let iterable = self.expr()?;
        self.expect_punct(":")?;
        self.skip_newlines();
        let body = self.expr()?;
        self.skip_newlines();
        self.expect_punct("]")?;
        Ok(ExprKind::For { item, index, iterable: Box::new(iterable), body: Box::new(body) })
    }
}

#[cfg(test)]
mod tests {
    use super::super::lexer::tokenize;
    use super::*;
    use crate::span::FileId;

    fn file(text: &str) -> File {
        parse(&tokenize(text, FileId::HOLDER).expect("lexes")).expect("parses")
    }

    #[test]
    fn declarations_and_nested_resources() {
        let f = file(
            "@description('x')\nparam name string = 'a'\nparam other object\nvar v = '${name}-b'\n\
             resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {\n  name: v\n  \
             resource fic 'federatedIdentityCredentials' = {\n    name: 'x'\n  }\n}\n\
             module m './mod.bicep' = [for (x, i) in range(0, 2): if (i > 0) {\n  name: 'm${i}'\n  params: { a: x }\n}]\n\
             output o string = m[0].outputs.x\n",
        );
        assert_eq!(f.decls.len(), 6, "{:#?}", f.decls);
        let Decl::Resource(r) = &f.decls[3] else { panic!("{:?}", f.decls[3]) };
        assert!(r.existing);
        assert_eq!(r.ty, "Microsoft.ManagedIdentity/userAssignedIdentities");
        assert_eq!(r.body.body_object().expect("object").resources[0].ty, "federatedIdentityCredentials");
        let Decl::Module { body, .. } = &f.decls[4] else { panic!() };
        assert!(matches!(body.kind, ExprKind::For { .. }));
        assert!(body.body_object().expect("object").get("params").is_some());
        assert!(f.skipped.is_empty());
    }

    #[test]
    fn multi_line_ternaries_and_interpolated_keys() {
        let f = file("var x = (a)\n  ? {\n    '${k}': {}\n  }\n  : null\nvar y = 1\n");
        assert_eq!(f.decls.len(), 2, "{:#?}", f.decls);
        assert!(matches!(f.decls[0], Decl::Var { value: Expr { kind: ExprKind::Ternary(..), .. }, .. }));
    }

    #[test]
    fn unknown_syntax_is_skipped_not_an_error() {
        let f = file(
            "import * as x from 'y.bicep'\ntype t = { a: string }\nvar f = map([1], i => i + 1)\nvar g = {\n  ...x\n  \
             b: 'c'\n}\nfunc h(a string) string => a\n",
        );
        assert_eq!(f.decls.len(), 2);
    }

    #[test]
    fn deep_nesting_is_an_error() {
        let text = format!("var x = {}", "[".repeat(100_000));
        let err = parse(&tokenize(&text, FileId::HOLDER).expect("lexes")).expect_err("too deep");
        assert!(err.message.contains("nested deeper"), "{err:?}");
        let parens = format!("var x = {}1", "(".repeat(100_000));
        assert!(parse(&tokenize(&parens, FileId::HOLDER).expect("lexes")).is_err());
        let minus = format!("var x = {}1", "-".repeat(100_000));
        assert!(parse(&tokenize(&minus, FileId::HOLDER).expect("lexes")).is_err());
    }
}
