//! One parsed Bicep file, arranged for evaluation: declarations by kind, nested resources
//! flattened next to their parents, and a symbol table.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::ast::{Decl, Expr, ExprKind, File, Resource};
use super::lexer::tokenize;
use super::parse::parse;
use crate::model::ParseFailure;
use crate::span::{FileId, Span};

/// A resource declaration with the resource it is nested in, if any.
#[derive(Debug)]
pub(super) struct FlatResource {
    pub res: Resource,
    pub parent: Option<usize>,
}

#[derive(Debug)]
pub(super) struct ModuleDecl {
    pub symbol: String,
    pub path: String,
    pub body: Expr,
    /// The `module` keyword.
    pub span: Span,
}

/// What a name in a file refers to.
#[derive(Clone, Copy, Debug)]
pub(super) enum Symbol {
    Param(usize),
    Var(usize),
    Resource(usize),
    Module(usize),
}

#[derive(Debug)]
pub(super) struct Unit {
    pub path: PathBuf,
    pub display: Arc<str>,
    pub params: Vec<(String, Option<Expr>)>,
    pub vars: Vec<(String, Expr)>,
    pub resources: Vec<FlatResource>,
    pub modules: Vec<ModuleDecl>,
    pub outputs: Vec<(String, Expr)>,
    /// `using` of a `.bicepparam` file.
    pub using: Option<(String, Span)>,
    /// Declarations the parser skipped.
    pub skipped: Vec<String>,
    symbols: HashMap<String, Symbol>,
}

impl Unit {
    /// Parses `text`; a text that is not Bicep is a `ParseFailure` (IB001).
    pub(super) fn parse(path: &Path, display: Arc<str>, text: &str) -> Result<Unit, ParseFailure> {
        let file_id = FileId::of(&display);
        let failure = |pos, message| ParseFailure { path: display.clone(), pos, message, cause: Default::default() };
        let tokens = tokenize(text, file_id).map_err(|e| failure(e.pos, e.message))?;
        let file = parse(&tokens).map_err(|e| failure(e.pos, e.message))?;
        Ok(Unit::from_file(path.to_path_buf(), display, file))
    }

    fn from_file(path: PathBuf, display: Arc<str>, file: File) -> Unit {
        let mut unit = Unit {
            path,
            display,
            params: Vec::new(),
            vars: Vec::new(),
            resources: Vec::new(),
            modules: Vec::new(),
            outputs: Vec::new(),
            using: file.using,
            skipped: file.skipped,
            symbols: HashMap::new(),
        };
        for decl in file.decls {
            match decl {
                Decl::Param { name, default } => {
                    unit.symbols.insert(name.clone(), Symbol::Param(unit.params.len()));
                    unit.params.push((name, default));
                }
                Decl::Var { name, value } => {
                    unit.symbols.insert(name.clone(), Symbol::Var(unit.vars.len()));
                    unit.vars.push((name, value));
                }
                Decl::Resource(res) => {
                    let at = unit.flatten(res, None);
                    unit.symbols.insert(unit.resources[at].res.symbol.clone(), Symbol::Resource(at));
                }
                Decl::Module { symbol, path, body, span } => {
                    unit.symbols.insert(symbol.clone(), Symbol::Module(unit.modules.len()));
                    unit.modules.push(ModuleDecl { symbol, path, body, span });
                }
                Decl::Output { name, value } => unit.outputs.push((name, value)),
            }
        }
        unit
    }

    /// Moves `res` and the resources nested in its body into the flat list; returns its index.
    fn flatten(&mut self, mut res: Resource, parent: Option<usize>) -> usize {
        let nested = body_object_mut(&mut res.body).map(|o| std::mem::take(&mut o.resources)).unwrap_or_default();
        let at = self.resources.len();
        self.resources.push(FlatResource { res, parent });
        for child in nested {
            self.flatten(child, Some(at));
        }
        at
    }

    pub(super) fn symbol(&self, name: &str) -> Option<Symbol> {
        self.symbols.get(name).copied()
    }

    /// The nested resource `name` of the resource at `parent` (`parent::name`).
    pub(super) fn nested(&self, parent: usize, name: &str) -> Option<usize> {
        self.resources.iter().position(|r| r.parent == Some(parent) && r.res.symbol == name)
    }

    /// The full type of the resource at `at`: a nested resource's relative type is appended to
    /// its parent's.
    pub(super) fn full_type(&self, at: usize) -> String {
        let r = &self.resources[at];
        match r.parent {
            Some(p) if !r.res.ty.split('/').next().unwrap_or_default().contains('.') => {
                format!("{}/{}", self.full_type(p), r.res.ty)
            }
            _ => r.res.ty.clone(),
        }
    }

    /// Module paths this file calls that are local files (not registries or template specs),
    /// resolved against its directory.
    pub(super) fn local_module_paths(&self) -> impl Iterator<Item = (usize, PathBuf)> + '_ {
        self.modules.iter().enumerate().filter_map(|(i, m)| Some((i, self.resolve(&m.path)?)))
    }

    /// `path` relative to this file's directory, when it names a local file.
    pub(super) fn resolve(&self, path: &str) -> Option<PathBuf> {
        let remote = path.contains(':') && !path.starts_with('.') && !path.starts_with('/');
        if remote || path.is_empty() {
            return None;
        }
        Some(normalize(&self.path.parent().unwrap_or(Path::new("/")).join(path)))
    }
}

fn body_object_mut(e: &mut Expr) -> Option<&mut super::ast::Object> {
    match &mut e.kind {
        ExprKind::Object(o) => Some(o),
        ExprKind::For { body, .. } | ExprKind::If { body, .. } => body_object_mut(body),
        _ => None,
    }
}

/// `a/./b/../c` → `a/c`, without touching the file system (the memory loader has none).
pub(super) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
