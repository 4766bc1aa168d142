//! The parsed form of a Bicep (or `.bicepparam`) file: the declarations evaluation needs, with
//! expressions kept whole and spans on everything a finding can point at.

use crate::span::Span;

/// A parsed file.
#[derive(Debug, Default)]
pub(super) struct File {
    pub decls: Vec<Decl>,
    /// `using './main.bicep'` of a `.bicepparam` file.
    pub using: Option<(String, Span)>,
    /// Declarations not understood (skipped): what a note tells the user.
    pub skipped: Vec<String>,
}

#[derive(Debug)]
pub(super) enum Decl {
    /// `param name type = default` (a `.bicepparam` file: `param name = value`).
    Param {
        name: String,
        default: Option<Expr>,
    },
    Var {
        name: String,
        value: Expr,
    },
    Resource(Resource),
    /// `module symbol 'path' = body`; `span` is the `module` keyword's.
    Module {
        symbol: String,
        path: String,
        body: Expr,
        span: Span,
    },
    Output {
        name: String,
        value: Expr,
    },
}

/// `resource symbol 'type@version' [existing] = body`; nested resources sit in their parent's
/// body object.
#[derive(Debug)]
pub(super) struct Resource {
    pub symbol: String,
    /// The type without its `@version` (a nested resource's type may be relative:
    /// `federatedIdentityCredentials`).
    pub ty: String,
    pub existing: bool,
    pub body: Expr,
    /// The `resource` keyword.
    pub span: Span,
}

#[derive(Debug)]
pub(super) struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug)]
pub(super) enum ExprKind {
    Str(Vec<StrPart>),
    Int(i64),
    Bool(bool),
    Null,
    Ident(String),
    /// `a.b` and `a.?b`.
    Member(Box<Expr>, String),
    /// `a[i]`, `a[?i]`.
    Index(Box<Expr>, Box<Expr>),
    /// `a::b`: a nested resource of `a`.
    Nested(Box<Expr>, String),
    /// `f(args)` or `ns.f(args)` (`sys.concat`, `az.resourceGroup`).
    Call {
        namespace: Option<String>,
        name: String,
        args: Vec<Expr>,
    },
    Object(Object),
    Array(Vec<Expr>),
    /// `[for item in iterable: body]`, `[for (item, index) in iterable: body]`.
    For {
        item: String,
        index: Option<String>,
        iterable: Box<Expr>,
        body: Box<Expr>,
    },
    /// `if (condition) body` (resources, modules and loop bodies).
    If {
        condition: Box<Expr>,
        body: Box<Expr>,
    },
    Ternary(Box<Expr>, Box<Expr>, Box<Expr>),
    Binary(&'static str, Box<Expr>, Box<Expr>),
    Unary(&'static str, Box<Expr>),
    /// Syntax evaluation does not follow (lambdas, spreads into unknown keys): unknown.
    Unknown,
}

#[derive(Debug)]
pub(super) enum StrPart {
    Lit(String),
    Expr(Expr),
}

#[derive(Debug, Default)]
pub(super) struct Object {
    pub props: Vec<Prop>,
    pub resources: Vec<Resource>,
    /// `...other`: properties only known at evaluation.
    pub spreads: Vec<Expr>,
}

#[derive(Debug)]
pub(super) struct Prop {
    pub key: String,
    /// An interpolated key (`'${uami.id}': {}`), evaluated with the object.
    pub key_expr: Option<Expr>,
    pub value: Expr,
}

impl Object {
    /// The value of property `key` (the last one, as in ARM).
    pub(super) fn get(&self, key: &str) -> Option<&Expr> {
        self.props.iter().rev().find(|p| p.key_expr.is_none() && p.key.eq_ignore_ascii_case(key)).map(|p| &p.value)
    }
}

impl Expr {
    pub(super) fn unknown(span: Span) -> Expr {
        Expr { kind: ExprKind::Unknown, span }
    }

    /// The object of a resource or module body, through its loop and condition.
    pub(super) fn body_object(&self) -> Option<&Object> {
        match &self.kind {
            ExprKind::Object(o) => Some(o),
            ExprKind::For { body, .. } | ExprKind::If { body, .. } => body.body_object(),
            _ => None,
        }
    }
}
