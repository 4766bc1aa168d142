//! Expression evaluation over a tree of module instances: variables (tfvars, module arguments,
//! defaults), locals, module outputs, configured arguments of resources, `each`/`count`, `for`
//! expressions, templates and conditionals. Lazy and memoized, so an expression costs what it
//! uses; every reference cycle, depth or size overrun ends in `Unknown` and a note.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use hcl_edit::expr::{BinaryOperator, Expression, ForExpr, TraversalOperator, UnaryOperator};
use hcl_edit::template::{Directive, Element, Template};
use hcl_edit::Span as _;

use super::module::{Call, Module, Src};
use super::value::{number_text, Key, Kind, Value};
use crate::model::Text;
use crate::source::loader::Loader;
use crate::span::Span;

/// Bounds that keep hostile or runaway configurations from hanging a run.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Nested evaluations (expressions inside expressions, references followed).
    pub depth: u32,
    /// Evaluation steps and value sizes, per root module.
    pub budget: u64,
    /// Instances of one `count`/`for_each`.
    pub instances: usize,
    /// Module calls inside module calls.
    pub module_depth: usize,
    /// Bytes of one string; elements of one collection.
    pub string: usize,
    pub collection: usize,
}

impl Limits {
    pub const DEFAULT: Limits = Limits {
        depth: 96,
        budget: 2_000_000,
        instances: 1000,
        module_depth: 16,
        string: 1 << 20,
        collection: 100_000,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// Names bound in a scope: `each`, `count`, a `for` expression's variables, a dynamic block's
/// iterator, a template's variables.
#[derive(Clone, Debug, Default)]
pub(super) struct Bindings(Vec<(Text, Value)>);

impl Bindings {
    pub(super) fn with(&self, name: &str, value: Value) -> Bindings {
        let mut out = self.clone();
        out.0.push((name.into(), value));
        out
    }

    pub(super) fn get(&self, name: &str) -> Option<&Value> {
        self.0.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v)
    }
}

pub(super) enum Memo {
    Busy,
    Done(Value),
}

/// One instance of a module: the root, or a module call (one per `count`/`for_each` key).
pub(super) struct Instance<'m> {
    pub module: usize,
    /// Terraform's address prefix: `""` for the root, `module.app["a"].` for a call.
    pub address: String,
    pub caller: Option<Caller<'m>>,
    /// The modules of this instance and its callers, for cycle detection.
    pub(super) chain: Vec<usize>,
    /// Variable values from `terraform.tfvars` / `*.auto.tfvars` (root only).
    pub tfvars: HashMap<String, Value>,
    pub(super) memo: RefCell<HashMap<String, Memo>>,
    pub(super) children: RefCell<HashMap<String, Option<Rc<Instance<'m>>>>>,
    /// The instances of each block's `count`/`for_each` (by the block body's address): every
    /// `azurerm_x.y[each.key]` of another `for_each` looks one up, and expanding them each time
    /// made a module of N instances referring to N others cost N².
    pub(super) expansions: RefCell<HashMap<usize, Rc<Expansion>>>,
}

/// How an instance was called.
pub(super) struct Caller<'m> {
    pub parent: Rc<Instance<'m>>,
    pub call: &'m Call<'m>,
    pub bindings: Bindings,
}

impl<'m> Instance<'m> {
    pub(super) fn root(module: usize, tfvars: HashMap<String, Value>) -> Rc<Instance<'m>> {
        Rc::new(Instance {
            module,
            address: String::new(),
            caller: None,
            chain: vec![module],
            tfvars,
            memo: RefCell::default(),
            children: RefCell::default(),
            expansions: RefCell::default(),
        })
    }

    /// The module calls that lead to this instance, outermost first.
    pub(super) fn calls(&self) -> Vec<(&Instance<'m>, &'m Call<'m>)> {
        let mut out = Vec::new();
        let mut at = self;
        while let Some(c) = &at.caller {
            out.push((c.parent.as_ref(), c.call));
            at = &c.parent;
        }
        out.reverse();
        out
    }
}

/// Where an expression is evaluated.
#[derive(Clone, Copy)]
pub(super) struct Scope<'a, 'm> {
    pub inst: &'a Rc<Instance<'m>>,
    pub src: &'a Src<'a>,
    pub bindings: &'a Bindings,
}

/// How many instances a `count`/`for_each` makes.
pub(super) enum Expansion {
    /// Neither: one instance, no key.
    Single,
    /// Known keys: the address suffix (`["a"]`, `[0]`) and the bindings of each.
    Keys(Instances),
    /// The collection is unknown: one instance stands for all of them.
    Unknown(Bindings),
}

/// The instances of a `count`/`for_each` whose keys are known, in order, found by their address
/// suffix in constant time: each of N instances of one resource commonly refers to its own
/// instance of another (`azurerm_x.y[each.key]`), and a search of the list made that N².
pub(super) struct Instances {
    list: Vec<(String, Bindings)>,
    by_suffix: foldhash::HashMap<String, usize>,
}

impl Instances {
    pub(super) fn new(list: Vec<(String, Bindings)>) -> Instances {
        let mut by_suffix = foldhash::HashMap::with_capacity_and_hasher(list.len(), Default::default());
        for (i, (suffix, _)) in list.iter().enumerate() {
            // The first of equal keys, as a search of the list would find.
            by_suffix.entry(suffix.clone()).or_insert(i);
        }
        Instances { list, by_suffix }
    }

    /// The instance whose address suffix is `suffix`.
    pub(super) fn get(&self, suffix: &str) -> Option<&(String, Bindings)> {
        self.by_suffix.get(suffix).map(|&i| &self.list[i])
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &(String, Bindings)> {
        self.list.iter()
    }
}

/// The evaluation of one root module and everything it calls.
pub(super) struct Run<'m> {
    pub modules: &'m [Module<'m>],
    pub loader: &'m dyn Loader,
    /// The root module's directory: `file()` paths are relative to it, as in Terraform.
    pub root_dir: PathBuf,
    pub limits: Limits,
    /// Whether the run lints a file on its own: only then do values read from it point into it
    /// (a finding in a file outside the run would not be shown).
    pub in_scope: &'m (dyn Fn(&Path) -> bool + Sync),
    budget: Cell<u64>,
    depth: Cell<u32>,
    pub notes: RefCell<Vec<String>>,
    /// Files read by `file()`/`templatefile()`.
    pub read: RefCell<Vec<PathBuf>>,
    pub(super) busy: RefCell<HashSet<String>>,
}

pub(super) const META_ARGUMENTS: &[&str] =
    &["count", "for_each", "depends_on", "provider", "lifecycle", "provisioner", "connection", "source", "version"];

impl<'m> Run<'m> {
    pub(super) fn new(
        modules: &'m [Module<'m>],
        loader: &'m dyn Loader,
        in_scope: &'m (dyn Fn(&Path) -> bool + Sync),
        root_dir: PathBuf,
        limits: Limits,
    ) -> Run<'m> {
        Run {
            modules,
            loader,
            root_dir,
            limits,
            in_scope,
            budget: Cell::new(limits.budget),
            depth: Cell::new(0),
            notes: RefCell::default(),
            read: RefCell::default(),
            busy: RefCell::default(),
        }
    }

    pub(super) fn module(&self, inst: &Instance) -> &'m Module<'m> {
        &self.modules[inst.module]
    }

    pub(super) fn note(&self, message: String) {
        let mut notes = self.notes.borrow_mut();
        if !notes.contains(&message) {
            notes.push(message);
        }
    }

    /// Charges `cost` against the budget; false (once noted) when it is spent.
    pub(super) fn charge(&self, cost: u64) -> bool {
        let left = self.budget.get();
        if left < cost {
            if left > 0 {
                self.note(format!(
                    "evaluation stopped after {} steps (a runaway expression or a very large configuration): the \
                     rest is treated as unknown",
                    self.limits.budget
                ));
            }
            self.budget.set(0);
            return false;
        }
        self.budget.set(left - cost);
        true
    }

    pub(super) fn eval(&self, expr: &Expression, sc: Scope<'_, 'm>) -> Value {
        let origin = sc.src.span(expr.span());
        if self.depth.get() >= self.limits.depth {
            self.note(format!(
                "expressions or references nest deeper than {} levels: the rest is treated as unknown",
                self.limits.depth
            ));
            return Value::failed(placeholder(sc.src, expr), origin);
        }
        if !self.charge(1) {
            return Value::failed(placeholder(sc.src, expr), origin);
        }
        self.depth.set(self.depth.get() + 1);
        let v = self.eval_inner(expr, sc, origin);
        self.depth.set(self.depth.get() - 1);
        if !self.charge(v.weight()) {
            return Value::failed(placeholder(sc.src, expr), origin);
        }
        v
    }

    fn eval_inner(&self, expr: &Expression, sc: Scope<'_, 'm>, origin: Span) -> Value {
        match expr {
            Expression::Null(_) => Value::new(Kind::Null, origin),
            Expression::Bool(b) => Value::new(Kind::Bool(*b.value()), origin),
            Expression::Number(n) => match n.value().as_f64() {
                Some(n) => Value::new(Kind::Number(n), origin),
                None => Value::failed(placeholder(sc.src, expr), origin),
            },
            Expression::String(s) => Value::string(s.value().as_str(), origin),
            Expression::Array(items) => {
                let items: Vec<Value> = items.iter().map(|e| self.eval(e, sc)).collect();
                Value::list(items, origin)
            }
            Expression::Object(object) => {
                let mut entries = Vec::new();
                for (key, value) in object.iter() {
                    let key_span = sc.src.span(key.span());
                    let text: Text = match key {
                        hcl_edit::expr::ObjectKey::Ident(id) => id.as_str().into(),
                        hcl_edit::expr::ObjectKey::Expression(e) => match self.eval(e, sc).to_text() {
                            Some(t) => t,
                            // A computed key: nothing about this object is certain.
                            None => return Value::unknown(placeholder(sc.src, expr), None, origin),
                        },
                    };
                    entries.push((Key { text, span: key_span }, self.eval(value.expr(), sc)));
                }
                Value::map(entries, origin)
            }
            Expression::StringTemplate(t) => self.template(t, sc, origin),
            Expression::HeredocTemplate(h) => self.template(&h.template, sc, origin),
            Expression::Parenthesis(p) => self.eval(p.inner(), sc),
            Expression::Variable(v) => self.reference(v.as_str(), &[], sc, expr),
            Expression::Traversal(t) => match &t.expr {
                Expression::Variable(v) => {
                    let ops: Vec<&TraversalOperator> = t.operators.iter().map(|o| o.value()).collect();
                    self.reference(v.as_str(), &ops, sc, expr)
                }
                inner => {
                    let base = self.eval(inner, sc);
                    let ops: Vec<&TraversalOperator> = t.operators.iter().map(|o| o.value()).collect();
                    self.apply(base, &ops, sc)
                }
            },
            Expression::Conditional(c) => {
                let cond = self.eval(&c.cond_expr, sc);
                match cond.as_bool() {
                    Some(true) => self.eval(&c.true_expr, sc),
                    Some(false) => self.eval(&c.false_expr, sc),
                    None => unknown_like(&cond, sc.src, expr, origin),
                }
            }
            Expression::FuncCall(call) => super::functions::call(self, call, sc, expr, origin),
            Expression::UnaryOp(op) => {
                let v = self.eval(&op.expr, sc);
                match (op.operator.value(), &v.kind) {
                    (UnaryOperator::Not, Kind::Bool(b)) => Value::new(Kind::Bool(!b), origin),
                    (UnaryOperator::Neg, Kind::Number(n)) => Value::new(Kind::Number(-n), origin),
                    _ => unknown_like(&v, sc.src, expr, origin),
                }
            }
            Expression::BinaryOp(op) => {
                let lhs = self.eval(&op.lhs_expr, sc);
                let rhs = self.eval(&op.rhs_expr, sc);
                binary(*op.operator.value(), &lhs, &rhs, origin)
                    .unwrap_or_else(|| unknown_like2(&lhs, &rhs, sc.src, expr, origin))
            }
            Expression::ForExpr(f) => self.for_expr(f, sc, expr, origin),
        }
    }

    /// A template: literal text and interpolations; unknown parts keep their text as written.
    pub(super) fn template(&self, t: &Template, sc: Scope<'_, 'm>, origin: Span) -> Value {
        if let Some(Element::Interpolation(i)) = t.as_single_element() {
            // `"${x}"` is `x` itself, as in Terraform.
            return self.eval(&i.expr, sc);
        }
        let mut out = String::new();
        let mut unknown = false;
        let mut failed = false;
        self.render(t, sc, &mut out, &mut unknown, &mut failed);
        if out.len() > self.limits.string {
            self.note(format!("a string longer than {} bytes: treated as unknown", self.limits.string));
            return Value::failed("${…}", origin);
        }
        if failed {
            Value::failed(out, origin)
        } else if unknown {
            Value::unknown(out, None, origin)
        } else {
            Value::string(out, origin)
        }
    }

    fn render(&self, t: &Template, sc: Scope<'_, 'm>, out: &mut String, unknown: &mut bool, failed: &mut bool) {
        for element in t.iter() {
            if out.len() > self.limits.string || !self.charge(1) {
                *failed = true;
                return;
            }
            match element {
                Element::Literal(s) => out.push_str(s.value()),
                Element::Interpolation(i) => {
                    let v = self.eval(&i.expr, sc);
                    match (&v.kind, v.to_text()) {
                        (_, Some(text)) => out.push_str(&text),
                        (Kind::Unknown(u), _) => {
                            *unknown = true;
                            *failed |= u.failed;
                            out.push_str(&u.text);
                        }
                        _ => {
                            *failed = true;
                            out.push_str(&placeholder(sc.src, &i.expr));
                        }
                    }
                }
                Element::Directive(d) => match d.as_ref() {
                    Directive::If(d) => match self.eval(&d.if_expr.cond_expr, sc).as_bool() {
                        Some(true) => self.render(&d.if_expr.template, sc, out, unknown, failed),
                        Some(false) => {
                            if let Some(e) = &d.else_expr {
                                self.render(&e.template, sc, out, unknown, failed);
                            }
                        }
                        None => {
                            *unknown = true;
                            out.push_str("${…}");
                        }
                    },
                    Directive::For(d) => {
                        let f = &d.for_expr;
                        let coll = self.eval(&f.collection_expr, sc);
                        let Some(items) = iterate(&coll) else {
                            *unknown = true;
                            out.push_str("${…}");
                            continue;
                        };
                        for (k, v) in items {
                            let mut b = sc.bindings.with(f.value_var.as_str(), v);
                            if let Some(kv) = &f.key_var {
                                b = b.with(kv.as_str(), k);
                            }
                            self.render(&f.template, Scope { bindings: &b, ..sc }, out, unknown, failed);
                        }
                    }
                },
            }
        }
    }

    fn for_expr(&self, f: &ForExpr, sc: Scope<'_, 'm>, expr: &Expression, origin: Span) -> Value {
        let coll = self.eval(&f.intro.collection_expr, sc);
        let Some(items) = iterate(&coll) else { return unknown_like(&coll, sc.src, expr, origin) };
        let mut list = Vec::new();
        let mut map: Vec<(Key, Value)> = Vec::new();
        for (k, v) in items {
            if !self.charge(1) {
                return Value::failed(placeholder(sc.src, expr), origin);
            }
            let mut b = sc.bindings.with(f.intro.value_var.as_str(), v);
            if let Some(kv) = &f.intro.key_var {
                b = b.with(kv.as_str(), k);
            }
            let inner = Scope { bindings: &b, ..sc };
            if let Some(cond) = &f.cond {
                let c = self.eval(&cond.expr, inner);
                match c.as_bool() {
                    Some(true) => {}
                    Some(false) => continue,
                    None => return unknown_like(&c, sc.src, expr, origin),
                }
            }
            let value = self.eval(&f.value_expr, inner);
            match &f.key_expr {
                None => list.push(value),
                Some(key_expr) => {
                    let key = self.eval(key_expr, inner);
                    let Some(text) = key.to_text() else { return unknown_like(&key, sc.src, expr, origin) };
                    let key = Key { text, span: key.origin };
                    if f.grouping {
                        match map.iter_mut().find(|(k, _)| k.text == key.text) {
                            Some((_, Value { kind: Kind::List(items), .. })) => {
                                std::sync::Arc::make_mut(items).push(value);
                            }
                            _ => map.push((key, Value::list(vec![value], origin))),
                        }
                    } else {
                        map.push((key, value));
                    }
                }
            }
        }
        match f.key_expr {
            None => Value::list(list, origin),
            Some(_) => Value::map(map, origin),
        }
    }

    /// A reference: `var.x`, `local.x`, `module.m.out`, `each.key`, `path.module`, a resource's
    /// attribute, a data source.
    fn reference(&self, root: &str, ops: &[&TraversalOperator], sc: Scope<'_, 'm>, expr: &Expression) -> Value {
        let origin = sc.src.span(expr.span());
        if let Some(bound) = sc.bindings.get(root) {
            return self.apply(bound.clone(), ops, sc);
        }
        let attr = |i: usize| match ops.get(i) {
            Some(TraversalOperator::GetAttr(name)) => Some(name.as_str()),
            _ => None,
        };
        let inst = sc.inst;
        let unknown_ref = || {
            let (reference, exact) = self.reference_text(root, ops, sc);
            let reference = format!("{}{reference}", inst.address);
            Value::unknown(format!("${{{reference}}}"), exact.then(|| reference.as_str().into()), origin)
        };
        match root {
            "var" => match attr(0) {
                Some(name) => self.apply(self.variable(inst, name, origin), &ops[1..], sc),
                None => Value::failed(placeholder(sc.src, expr), origin),
            },
            "local" => match attr(0) {
                Some(name) => self.apply(self.local(inst, name, origin), &ops[1..], sc),
                None => Value::failed(placeholder(sc.src, expr), origin),
            },
            "module" => match attr(0) {
                Some(name) => self.module_ref(inst, name, &ops[1..], sc, origin).unwrap_or_else(unknown_ref),
                None => Value::failed(placeholder(sc.src, expr), origin),
            },
            "path" => {
                let module = self.module(inst);
                let text = match attr(0) {
                    Some("module") => relative(&self.root_dir, &module.dir),
                    Some("root") | Some("cwd") => ".".into(),
                    _ => return Value::failed(placeholder(sc.src, expr), origin),
                };
                self.apply(Value::string(text, origin), &ops[1..], sc)
            }
            "each" | "count" | "self" => Value::failed(placeholder(sc.src, expr), origin),
            "data" | "terraform" => unknown_ref(),
            kind => match attr(0) {
                Some(name) => self.resource_ref(inst, kind, name, &ops[1..], sc, origin).unwrap_or_else(unknown_ref),
                None => Value::failed(placeholder(sc.src, expr), origin),
            },
        }
    }

    /// The text of a reference with its index keys evaluated, and whether it names exactly one
    /// value (no splat, no unknown key).
    pub(super) fn reference_text(&self, root: &str, ops: &[&TraversalOperator], sc: Scope<'_, 'm>) -> (String, bool) {
        let mut out = root.to_string();
        let mut exact = true;
        for op in ops {
            match op {
                TraversalOperator::GetAttr(name) => {
                    out.push('.');
                    out.push_str(name.as_str());
                }
                TraversalOperator::LegacyIndex(i) => out.push_str(&format!("[{}]", i.value())),
                TraversalOperator::Index(e) => {
                    let key = self.eval(e, sc);
                    match &key.kind {
                        Kind::String(s) => out.push_str(&format!("[{s:?}]")),
                        Kind::Number(n) => out.push_str(&format!("[{}]", number_text(*n))),
                        _ => {
                            exact = false;
                            out.push_str(&format!("[{}]", sc.src.slice(e.span())));
                        }
                    }
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    exact = false;
                    out.push_str("[*]");
                }
            }
        }
        (out, exact)
    }

    /// Applies traversal operators to a value. Unknowns stay unknown (their reference grows).
    pub(super) fn apply(&self, mut value: Value, ops: &[&TraversalOperator], sc: Scope<'_, 'm>) -> Value {
        for (i, op) in ops.iter().enumerate() {
            if let Kind::Unknown(u) = &value.kind {
                if u.failed {
                    return value;
                }
                let (tail, exact) = self.reference_text("", &ops[i..], sc);
                let reference = u.reference.as_ref().filter(|_| exact).map(|r| Text::from(format!("{r}{tail}")));
                let base =
                    u.reference.as_deref().unwrap_or_else(|| u.text.trim_start_matches("${").trim_end_matches('}'));
                let text = format!("${{{base}{tail}}}");
                return Value::unknown(text, reference, value.origin);
            }
            value = match op {
                TraversalOperator::GetAttr(name) => match value.get(name.as_str()) {
                    Some(v) => v.clone(),
                    None => return Value::failed(format!("${{….{}}}", name.as_str()), value.origin),
                },
                TraversalOperator::LegacyIndex(n) => {
                    index(&value, &Value::new(Kind::Number(*n.value() as f64), value.origin))
                }
                TraversalOperator::Index(e) => {
                    let key = self.eval(e, sc);
                    index(&value, &key)
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    let items: Vec<Value> = match &value.kind {
                        Kind::List(items) => items.iter().cloned().collect(),
                        Kind::Null => Vec::new(),
                        _ => vec![value.clone()],
                    };
                    let rest = &ops[i + 1..];
                    let origin = value.origin;
                    return Value::list(items.into_iter().map(|v| self.apply(v, rest, sc)).collect(), origin);
                }
            };
        }
        value
    }

    /// Reads a file for `file()`/`templatefile()`, relative to the root module as Terraform does.
    pub(super) fn read_file(&self, path: &str) -> Option<(PathBuf, std::sync::Arc<str>)> {
        let path = super::module::normalize(&self.root_dir.join(path));
        match self.loader.read(&path) {
            Ok(text) => {
                self.read.borrow_mut().push(path.clone());
                Some((path, text))
            }
            Err(e) => {
                self.note(format!("cannot read `{}` for a Terraform file function: {e}", self.loader.display(&path)));
                None
            }
        }
    }
}

/// `path` relative to `base`, `/`-separated, as Terraform's `path.module` is.
fn relative(base: &Path, path: &Path) -> String {
    let text = crate::source::files::display_path(path, base);
    text.to_string()
}

/// The address suffix of an instance key: `["a"]` or `[0]`.
pub(super) fn instance_suffix(key: &Value) -> Option<String> {
    match &key.kind {
        Kind::String(s) => Some(format!("[{:?}]", s.as_str())),
        Kind::Number(n) => Some(format!("[{}]", number_text(*n))),
        _ => None,
    }
}

/// `${expression}` as written: how an unknown value reads.
pub(super) fn placeholder(src: &Src, expr: &Expression) -> String {
    format!("${{{}}}", src.slice(expr.span()))
}

/// The result of an operation on `input` that could not be computed: failed when the input
/// failed, else unknown.
pub(super) fn unknown_like(input: &Value, src: &Src, expr: &Expression, origin: Span) -> Value {
    if input.is_failed() || !input.is_unknown() {
        Value::failed(placeholder(src, expr), origin)
    } else {
        Value::unknown(placeholder(src, expr), None, origin)
    }
}

fn unknown_like2(a: &Value, b: &Value, src: &Src, expr: &Expression, origin: Span) -> Value {
    if a.is_failed() || b.is_failed() || (!a.is_unknown() && !b.is_unknown()) {
        Value::failed(placeholder(src, expr), origin)
    } else {
        Value::unknown(placeholder(src, expr), None, origin)
    }
}

/// The (key, value) pairs a `for` iterates: index and element of a list, key and value of a map.
pub(super) fn iterate(coll: &Value) -> Option<Vec<(Value, Value)>> {
    match &coll.kind {
        Kind::List(items) => Some(
            items.iter().enumerate().map(|(i, v)| (Value::new(Kind::Number(i as f64), v.origin), v.clone())).collect(),
        ),
        Kind::Map(entries) => {
            Some(entries.iter().map(|(k, v)| (Value::string(k.text.clone(), k.span), v.clone())).collect())
        }
        _ => None,
    }
}

fn index(value: &Value, key: &Value) -> Value {
    match (&value.kind, &key.kind) {
        (_, Kind::Unknown(_)) => Value::unknown(format!("${{…[{}]}}", key.display()), None, value.origin),
        (Kind::List(items), _) => match key.as_number().filter(|n| *n >= 0.0 && n.fract() == 0.0) {
            Some(i) => items.get(i as usize).cloned().unwrap_or_else(|| Value::failed("${…}", value.origin)),
            None => Value::failed("${…}", value.origin),
        },
        (Kind::Map(_), _) => match key.to_text() {
            Some(k) => value.get(&k).cloned().unwrap_or_else(|| Value::failed("${…}", value.origin)),
            None => Value::failed("${…}", value.origin),
        },
        _ => Value::failed("${…}", value.origin),
    }
}

fn binary(op: BinaryOperator, a: &Value, b: &Value, origin: Span) -> Option<Value> {
    use BinaryOperator::*;
    if a.is_unknown() || b.is_unknown() {
        return None;
    }
    let bool_of = |v: bool| Some(Value::new(Kind::Bool(v), origin));
    let num = |v: f64| Some(Value::new(Kind::Number(v), origin));
    match op {
        // Only same-typed values are equal: `"1" == 1` is false in Terraform.
        Eq => bool_of(a.same(b)),
        NotEq => bool_of(!a.same(b)),
        And => bool_of(a.as_bool()? && b.as_bool()?),
        Or => bool_of(a.as_bool()? || b.as_bool()?),
        _ => {
            let (x, y) = (a.as_number()?, b.as_number()?);
            match op {
                Less => bool_of(x < y),
                LessEq => bool_of(x <= y),
                Greater => bool_of(x > y),
                GreaterEq => bool_of(x >= y),
                Plus => num(x + y),
                Minus => num(x - y),
                Mul => num(x * y),
                Div if y != 0.0 => num(x / y),
                Mod if y != 0.0 => num(x % y),
                _ => None,
            }
        }
    }
}
