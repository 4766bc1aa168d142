//! Bicep (`.bicep`): a small tokenizer and parser for the subset credentials need — strings,
//! identifiers, objects, arrays, comments and `resource` declarations (nested ones too). It
//! never guesses: what it cannot follow is reported as a note and the rest of the file is kept.

use std::sync::Arc;

use crate::model::{FederatedCredential, FicAction, Origin, ParseFailure, Str};
use crate::span::{Pos, Span};

const FIC_TYPE: &str = "federatedidentitycredentials";

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    /// A string literal; `interpolated` when it contains `${…}`.
    Str {
        value: String,
        interpolated: bool,
    },
    Ident(String),
    Punct(char),
    Newline,
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    pos: Pos,
}

/// What a scan found.
pub struct Scanned {
    pub credentials: Vec<FederatedCredential>,
    /// Constructs the parser could not follow.
    pub notes: Vec<String>,
}

/// Scans a Bicep file; an unterminated string or comment is a `ParseFailure`.
pub fn scan(text: &str, path: &Arc<str>) -> Result<Scanned, ParseFailure> {
    let tokens = tokenize(text).map_err(|(pos, message)| ParseFailure { path: path.clone(), pos, message })?;
    let mut p = Parser { tokens, i: 0, path, out: Vec::new(), notes: Vec::new() };
    while p.i < p.tokens.len() {
        if p.is_ident("resource") {
            p.resource(None);
        } else {
            p.i += 1;
        }
    }
    Ok(Scanned { credentials: p.out, notes: p.notes })
}

fn tokenize(text: &str) -> Result<Vec<Token>, (Pos, String)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line, mut col) = (0usize, 1u32, 1u32);
    let advance = |i: &mut usize, line: &mut u32, col: &mut u32, c: char| {
        *i += 1;
        if c == '\n' {
            *line += 1;
            *col = 1;
        } else {
            *col += 1;
        }
    };
    while i < chars.len() {
        let c = chars[i];
        let pos = Pos { line, col };
        if c == '\n' {
            out.push(Token { tok: Tok::Newline, pos });
            advance(&mut i, &mut line, &mut col, c);
        } else if c.is_whitespace() {
            advance(&mut i, &mut line, &mut col, c);
        } else if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                {
                    let ch = chars[i];
                    advance(&mut i, &mut line, &mut col, ch);
                }
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            let start = pos;
            loop {
                if i + 1 >= chars.len() {
                    return Err((start, "unterminated /* comment".into()));
                }
                if chars[i] == '*' && chars[i + 1] == '/' {
                    advance(&mut i, &mut line, &mut col, '*');
                    advance(&mut i, &mut line, &mut col, '/');
                    break;
                }
                {
                    let ch = chars[i];
                    advance(&mut i, &mut line, &mut col, ch);
                }
            }
        } else if c == '\'' {
            let multi = chars.get(i + 1) == Some(&'\'') && chars.get(i + 2) == Some(&'\'');
            let mut value = String::new();
            let mut interpolated = false;
            let n = if multi { 3 } else { 1 };
            for _ in 0..n {
                advance(&mut i, &mut line, &mut col, '\'');
            }
            loop {
                let Some(&ch) = chars.get(i) else { return Err((pos, "unterminated string".into())) };
                if multi && ch == '\'' && chars.get(i + 1) == Some(&'\'') && chars.get(i + 2) == Some(&'\'') {
                    for _ in 0..3 {
                        advance(&mut i, &mut line, &mut col, '\'');
                    }
                    break;
                }
                if !multi && ch == '\'' {
                    advance(&mut i, &mut line, &mut col, ch);
                    break;
                }
                if !multi && ch == '\n' {
                    return Err((pos, "unterminated string".into()));
                }
                if !multi && ch == '\\' {
                    advance(&mut i, &mut line, &mut col, ch);
                    if let Some(&esc) = chars.get(i) {
                        value.push(esc);
                        advance(&mut i, &mut line, &mut col, esc);
                    }
                    continue;
                }
                if ch == '$' && chars.get(i + 1) == Some(&'{') {
                    interpolated = true;
                }
                value.push(ch);
                advance(&mut i, &mut line, &mut col, ch);
            }
            out.push(Token { tok: Tok::Str { value, interpolated }, pos });
        } else if c.is_alphanumeric() || c == '_' {
            let mut s = String::new();
            while let Some(&ch) = chars.get(i).filter(|ch| ch.is_alphanumeric() || **ch == '_' || **ch == '.') {
                s.push(ch);
                advance(&mut i, &mut line, &mut col, ch);
            }
            out.push(Token { tok: Tok::Ident(s), pos });
        } else {
            out.push(Token { tok: Tok::Punct(c), pos });
            advance(&mut i, &mut line, &mut col, c);
        }
    }
    Ok(out)
}

/// A parsed value: what credentials need, the rest skipped.
enum Value {
    Str(String, bool, Pos),
    Ident(String),
    Object(Vec<(String, Value, Pos)>),
    Array(Vec<Value>),
    Other,
}

struct Parser<'a> {
    tokens: Vec<Token>,
    i: usize,
    path: &'a Arc<str>,
    out: Vec<FederatedCredential>,
    notes: Vec<String>,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.i).map(|t| &t.tok)
    }

    fn is_ident(&self, s: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(x)) if x == s)
    }

    fn skip_newlines(&mut self) {
        while self.peek() == Some(&Tok::Newline) {
            self.i += 1;
        }
    }

    /// `resource sym 'type@version' [existing] = [for … :] [if (…)] { … }`
    fn resource(&mut self, parent: Option<String>) {
        let start = self.tokens[self.i].pos;
        self.i += 1;
        let symbol = match self.peek() {
            Some(Tok::Ident(s)) => s.clone(),
            _ => return,
        };
        self.i += 1;
        let ty = match self.peek() {
            Some(Tok::Str { value, .. }) => value.to_ascii_lowercase(),
            _ => return,
        };
        self.i += 1;
        let mut repeated = false;
        while let Some(t) = self.peek() {
            match t {
                Tok::Punct('{') => break,
                Tok::Ident(s) if s == "for" => {
                    repeated = true;
                    self.i += 1;
                }
                Tok::Punct('}') => {
                    self.notes.push(format!("resource `{symbol}`: declaration not understood"));
                    return;
                }
                Tok::Ident(s) if s == "resource" => {
                    self.notes.push(format!("resource `{symbol}`: declaration not understood"));
                    return;
                }
                _ => self.i += 1,
            }
        }
        let Value::Object(fields) = self.object(Some(&symbol)) else { return };
        if !ty.split('@').next().unwrap_or("").ends_with(FIC_TYPE) {
            return;
        }
        self.credential(&symbol, fields, parent, start, repeated);
    }

    fn credential(
        &mut self,
        symbol: &str,
        fields: Vec<(String, Value, Pos)>,
        parent: Option<String>,
        start: Pos,
        repeated: bool,
    ) {
        let field = |k: &str| fields.iter().find(|(key, ..)| key == k).map(|(_, v, _)| v);
        let mut identity = match field("parent") {
            Some(Value::Ident(p)) => Some(p.clone()),
            _ => parent,
        };
        let name = match field("name") {
            Some(Value::Str(v, interpolated, pos)) => {
                let (owner, last) = v.rsplit_once('/').map_or((None, v.as_str()), |(o, l)| (Some(o), l));
                if owner.is_some() && identity.is_none() {
                    identity = owner.map(str::to_string);
                }
                let literal = !last.contains("${") && (!interpolated || owner.is_some());
                literal.then(|| Str { value: last.into(), span: Span::new(*pos, *pos) })
            }
            _ => None,
        };
        let props = match field("properties") {
            Some(Value::Object(p)) => Some(p),
            _ => None,
        };
        let prop_str = |k: &str| match props.and_then(|p| p.iter().find(|(key, ..)| key == k)) {
            Some((_, Value::Str(v, false, pos), _)) => {
                Some(Str { value: v.as_str().into(), span: Span::new(*pos, *pos) })
            }
            _ => None,
        };
        let audiences = match props.and_then(|p| p.iter().find(|(key, ..)| key == "audiences")) {
            Some((_, Value::Array(items), _)) => items
                .iter()
                .filter_map(|v| match v {
                    Value::Str(s, false, pos) => Some(Str { value: s.as_str().into(), span: Span::new(*pos, *pos) }),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        self.out.push(FederatedCredential {
            display: format!("Bicep resource {symbol}"),
            origin: Origin::File(self.path.clone()),
            meta: None,
            action: FicAction::Declare,
            name,
            name_source: None,
            unresolved_name: None,
            anchor: Span::new(start, start),
            identity,
            issuer: prop_str("issuer"),
            subject: prop_str("subject"),
            audiences,
            reconcile_skip: false,
            repeated,
        });
    }

    /// At `{`: an object's fields until the matching `}`; nested `resource`s get `owner` as parent.
    fn object(&mut self, owner: Option<&str>) -> Value {
        self.i += 1; // `{`
        let mut fields = Vec::new();
        loop {
            self.skip_newlines();
            match self.peek().cloned() {
                None => return Value::Other,
                Some(Tok::Punct('}')) => {
                    self.i += 1;
                    return Value::Object(fields);
                }
                Some(Tok::Ident(s)) if s == "resource" => self.resource(owner.map(str::to_string)),
                Some(Tok::Ident(key)) | Some(Tok::Str { value: key, .. }) => {
                    let pos = self.tokens[self.i].pos;
                    self.i += 1;
                    if self.peek() != Some(&Tok::Punct(':')) {
                        continue;
                    }
                    self.i += 1;
                    let v = self.value(owner);
                    fields.push((key, v, pos));
                }
                Some(_) => self.i += 1,
            }
        }
    }

    fn value(&mut self, owner: Option<&str>) -> Value {
        let Some(t) = self.tokens.get(self.i).cloned() else { return Value::Other };
        let single = match &t.tok {
            Tok::Str { value, interpolated } => Some(Value::Str(value.clone(), *interpolated, t.pos)),
            Tok::Ident(s) => Some(Value::Ident(s.clone())),
            Tok::Punct('{') => return self.object(owner),
            Tok::Punct('[') => return self.array(owner),
            _ => None,
        };
        self.i += 1;
        // A lone token ends the value at the end of the line; anything longer is an expression.
        if matches!(
            self.peek(),
            Some(Tok::Newline) | Some(Tok::Punct('}')) | Some(Tok::Punct(',')) | Some(Tok::Punct(']')) | None
        ) {
            return single.unwrap_or(Value::Other);
        }
        self.skip_expression();
        Value::Other
    }

    fn array(&mut self, owner: Option<&str>) -> Value {
        self.i += 1; // `[`
        let mut items = Vec::new();
        loop {
            self.skip_newlines();
            match self.peek() {
                None => return Value::Other,
                Some(Tok::Punct(']')) => {
                    self.i += 1;
                    return Value::Array(items);
                }
                Some(Tok::Punct(',')) => self.i += 1,
                Some(Tok::Ident(s)) if s == "for" => {
                    // `[for x in xs: { … }]`: the body is one templated item.
                    while !matches!(self.peek(), Some(Tok::Punct(':')) | None) {
                        self.i += 1;
                    }
                    self.i += 1;
                }
                _ => items.push(self.value(owner)),
            }
        }
    }

    /// Skips tokens to the end of the current expression (newline at bracket depth zero).
    fn skip_expression(&mut self) {
        let mut depth = 0i32;
        while let Some(t) = self.peek() {
            match t {
                Tok::Punct('(' | '[' | '{') => depth += 1,
                Tok::Punct(')' | ']' | '}') if depth == 0 => return,
                Tok::Punct(')' | ']' | '}') => depth -= 1,
                Tok::Newline if depth == 0 => return,
                _ => {}
            }
            self.i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_and_top_level_credentials() {
        let text = "param id string\n// resource x 'federatedIdentityCredentials' = {}\nresource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {\n  name: 'app'\n  location: resourceGroup().location\n  resource fic 'federatedIdentityCredentials' = {\n    name: 'aks-identity-binding'\n    properties: {\n      issuer: 'https://ib.oic.prod-aks.azure.com/t/c'\n      subject: 'system:serviceaccount:a:b'\n      audiences: [\n        'api://AzureADTokenExchange'\n      ]\n    }\n  }\n}\nresource other 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = {\n  name: '${uami.name}/aks-identity-binding'\n}\n";
        let s = scan(text, &Arc::from("x.bicep")).unwrap();
        assert_eq!(s.credentials.len(), 2);
        let a = &s.credentials[0];
        assert_eq!(a.name.as_ref().unwrap().value, "aks-identity-binding");
        assert_eq!(a.name.as_ref().unwrap().span.start, Pos { line: 7, col: 11 });
        assert_eq!(a.identity.as_deref(), Some("uami"));
        assert_eq!(a.issuer.as_ref().unwrap().value, "https://ib.oic.prod-aks.azure.com/t/c");
        assert_eq!(a.audiences.len(), 1);
        assert_eq!(s.credentials[1].name.as_ref().unwrap().value, "aks-identity-binding");
    }

    #[test]
    fn unterminated_strings_are_errors() {
        assert!(scan("var x = 'abc\n", &Arc::from("x.bicep")).is_err());
    }
}
