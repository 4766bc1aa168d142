//! Evaluates Bicep expressions in file instances: a root file with its parameter values, and the
//! module instances it calls. Names resolve lazily (a `var` may use one declared below it),
//! cycles and everything past the budget are unknown.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use super::ast::{Expr, ExprKind, Object, StrPart};
use super::unit::{Symbol, Unit};
use super::units::Units;
use crate::source::iac::functions;
use crate::source::iac::value::{Budget, ResourceId, SymbolKind, SymbolRef, Text, Value, MAX_ITEMS};

/// Steps one root evaluation may take (each evaluated expression is one).
const STEPS: u64 = 1_000_000;
/// Module instances one root evaluation may create.
const MAX_INSTANCES: usize = 1_000;
/// How deep module calls may nest.
pub(super) const MAX_MODULE_DEPTH: usize = 16;

/// Loop variables in scope.
pub(super) type Locals = Vec<(String, Value)>;

/// One evaluated copy of a file: the root, or one call of a module.
pub(super) struct Instance {
    pub unit: Rc<Unit>,
    /// Parameter values given by the caller (names in lower case); `None`: the caller's
    /// parameters are unknown as a whole (`params: union(…)`), so no default applies either.
    bound: Option<HashMap<String, Value>>,
    memo: HashMap<Memo, Value>,
    visiting: HashSet<Memo>,
    /// Module calls already instantiated: (module, iteration) → instance.
    modules: HashMap<(usize, Option<usize>), Option<usize>>,
    /// The files from the root down to this one (cycle detection).
    pub chain: Vec<std::path::PathBuf>,
    /// The module calls that made this instance, outermost first: where, and what.
    pub trail: Vec<(crate::span::Span, String)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Memo {
    Param(usize),
    Var(usize),
    Output(usize),
    Iterable(usize),
    ModuleIterable(usize),
    ResourceName(usize, Option<usize>),
}

/// One iteration of a resource or module declaration.
pub(super) struct Iteration {
    pub locals: Locals,
    pub index: Option<usize>,
    /// The `if` condition: `Some(false)` means not deployed.
    pub condition: Option<bool>,
    /// Stands for an unknown number of copies (a loop over an unknown collection).
    pub repeated: bool,
}

pub(super) struct Eval<'a> {
    pub units: &'a Units<'a>,
    pub budget: Budget,
    pub instances: Vec<Instance>,
    /// Problems worth telling the user (per file): module cycles, depth, budget.
    pub notes: Vec<(std::sync::Arc<str>, String)>,
}

impl<'a> Eval<'a> {
    pub(super) fn new(units: &'a Units<'a>) -> Eval<'a> {
        Eval { units, budget: Budget::new(STEPS), instances: Vec::new(), notes: Vec::new() }
    }

    /// Adds the root instance of `unit` with `bound` parameter values.
    pub(super) fn root(&mut self, unit: Rc<Unit>, bound: HashMap<String, Value>) -> usize {
        let chain = vec![unit.path.clone()];
        self.push_instance(unit, Some(bound), chain, Vec::new())
    }

    fn push_instance(
        &mut self,
        unit: Rc<Unit>,
        bound: Option<HashMap<String, Value>>,
        chain: Vec<std::path::PathBuf>,
        trail: Vec<(crate::span::Span, String)>,
    ) -> usize {
        self.instances.push(Instance {
            unit,
            bound,
            memo: HashMap::new(),
            visiting: HashSet::new(),
            modules: HashMap::new(),
            chain,
            trail,
        });
        self.instances.len() - 1
    }

    pub(super) fn unit(&self, inst: usize) -> Rc<Unit> {
        self.instances[inst].unit.clone()
    }

    /// Evaluates `key` once per instance; a cycle through it is unknown.
    fn memo(&mut self, inst: usize, key: Memo, f: impl FnOnce(&mut Self) -> Value) -> Value {
        if let Some(v) = self.instances[inst].memo.get(&key) {
            return v.clone();
        }
        if !self.instances[inst].visiting.insert(key) {
            return Value::Unknown;
        }
        let v = f(self);
        self.instances[inst].visiting.remove(&key);
        self.instances[inst].memo.insert(key, v.clone());
        v
    }

    pub(super) fn eval(&mut self, inst: usize, e: &Expr, locals: &Locals) -> Value {
        if !self.budget.step() {
            return Value::Unknown;
        }
        match &e.kind {
            ExprKind::Str(parts) => {
                let mut text = Text::default();
                for part in parts {
                    match part {
                        StrPart::Lit(s) => text.push_str(s, Some(e.span)),
                        StrPart::Expr(x) => text.push(&self.eval(inst, x, locals).to_text()),
                    }
                }
                Value::Str(text)
            }
            ExprKind::Int(i) => Value::Int(*i),
            ExprKind::Bool(b) => Value::Bool(*b),
            ExprKind::Null => Value::Null,
            ExprKind::Ident(name) => match locals.iter().rev().find(|(n, _)| n == name) {
                Some((_, v)) => v.clone(),
                None => self.symbol(inst, name),
            },
            ExprKind::Member(obj, name) => {
                let v = self.eval(inst, obj, locals);
                self.member(v, name)
            }
            ExprKind::Index(obj, at) => {
                let v = self.eval(inst, obj, locals);
                let at = self.eval(inst, at, locals);
                match (v, at) {
                    (Value::Symbol(s), Value::Int(i)) if s.index.is_none() => {
                        Value::Symbol(SymbolRef { index: usize::try_from(i).ok(), ..s })
                    }
                    (Value::Symbol(_), _) => Value::Unknown,
                    (v, at) => v.index(&at),
                }
            }
            ExprKind::Nested(obj, name) => match self.eval(inst, obj, locals) {
                Value::Symbol(s) if s.kind == SymbolKind::Resource => {
                    let unit = self.unit(s.instance);
                    unit.nested(s.decl, name)
                        .map_or(Value::Unknown, |child| Value::Symbol(SymbolRef { decl: child, index: None, ..s }))
                }
                _ => Value::Unknown,
            },
            ExprKind::Call { namespace, name, args } => {
                let args: Vec<Value> = args.iter().map(|a| self.eval(inst, a, locals)).collect();
                call(namespace.as_deref(), name, &args, &self.budget)
            }
            ExprKind::Object(o) => self.object(inst, o, locals),
            ExprKind::Array(items) => {
                if items.len() > MAX_ITEMS {
                    return Value::Unknown;
                }
                Value::array(items.iter().map(|i| self.eval(inst, i, locals)).collect())
            }
            ExprKind::For { .. } => self.for_value(inst, e, locals),
            ExprKind::If { condition, body } => match self.eval(inst, condition, locals) {
                Value::Bool(true) => self.eval(inst, body, locals),
                Value::Bool(false) => Value::Null,
                _ => Value::Unknown,
            },
            ExprKind::Ternary(c, yes, no) => match self.eval(inst, c, locals) {
                Value::Bool(true) => self.eval(inst, yes, locals),
                Value::Bool(false) => self.eval(inst, no, locals),
                _ => Value::Unknown,
            },
            ExprKind::Binary(op, a, b) => {
                let a = self.eval(inst, a, locals);
                if *op == "??" && !matches!(a, Value::Null) {
                    return a;
                }
                let b = self.eval(inst, b, locals);
                binary(op, a, b, &self.budget)
            }
            ExprKind::Unary(op, a) => match (*op, self.eval(inst, a, locals)) {
                ("!", Value::Bool(b)) => Value::Bool(!b),
                ("-", Value::Int(i)) => i.checked_neg().map_or(Value::Unknown, Value::Int),
                _ => Value::Unknown,
            },
            ExprKind::Unknown => Value::Unknown,
        }
    }

    fn object(&mut self, inst: usize, o: &Object, locals: &Locals) -> Value {
        let mut props: Vec<(String, Value)> = Vec::new();
        for spread in &o.spreads {
            match self.eval(inst, spread, locals) {
                Value::Object(more) => props.extend(more.iter().cloned()),
                _ => return Value::Unknown,
            }
        }
        for p in &o.props {
            let key = match &p.key_expr {
                None => p.key.clone(),
                Some(e) => match self.eval(inst, e, locals).known_str() {
                    Some(k) => k,
                    None => return Value::Unknown, // which property it sets is not known
                },
            };
            let v = self.eval(inst, &p.value, locals);
            props.retain(|(k, _)| !k.eq_ignore_ascii_case(&key));
            props.push((key, v));
        }
        Value::object(props)
    }

    /// `[for x in xs: body]` as a value.
    fn for_value(&mut self, inst: usize, e: &Expr, locals: &Locals) -> Value {
        let ExprKind::For { item, index, iterable, body } = &e.kind else { return Value::Unknown };
        let Value::Array(items) = self.eval(inst, iterable, locals) else { return Value::Unknown };
        if !self.budget.take(items.len() as u64) {
            return Value::Unknown;
        }
        let mut out = Vec::new();
        for (i, v) in items.iter().cloned().enumerate() {
            let mut scope = locals.clone();
            scope.push((item.clone(), v));
            if let Some(index) = index {
                scope.push((index.clone(), Value::Int(i as i64)));
            }
            match &body.kind {
                ExprKind::If { condition, body } => match self.eval(inst, condition, &scope) {
                    Value::Bool(true) => out.push(self.eval(inst, body, &scope)),
                    Value::Bool(false) => {}
                    _ => return Value::Unknown,
                },
                _ => out.push(self.eval(inst, body, &scope)),
            }
        }
        Value::array(out)
    }

    fn symbol(&mut self, inst: usize, name: &str) -> Value {
        let unit = self.unit(inst);
        match unit.symbol(name) {
            Some(Symbol::Param(i)) => self.param(inst, i),
            Some(Symbol::Var(i)) => self.memo(inst, Memo::Var(i), |ev| ev.eval(inst, &unit.vars[i].1, &Vec::new())),
            Some(Symbol::Resource(decl)) => {
                Value::Symbol(SymbolRef { instance: inst, kind: SymbolKind::Resource, decl, index: None })
            }
            Some(Symbol::Module(decl)) => {
                Value::Symbol(SymbolRef { instance: inst, kind: SymbolKind::Module, decl, index: None })
            }
            None => Value::Unknown,
        }
    }

    /// A parameter: the caller's value, else its default.
    fn param(&mut self, inst: usize, i: usize) -> Value {
        let unit = self.unit(inst);
        let (name, default) = &unit.params[i];
        match &self.instances[inst].bound {
            None => return Value::Unknown,
            Some(bound) => {
                if let Some(v) = bound.get(&name.to_ascii_lowercase()) {
                    return v.clone();
                }
            }
        }
        match default {
            Some(d) => self.memo(inst, Memo::Param(i), |ev| ev.eval(inst, d, &Vec::new())),
            None => Value::Unknown,
        }
    }

    fn member(&mut self, v: Value, name: &str) -> Value {
        match v {
            Value::Symbol(s) if s.kind == SymbolKind::Resource => match name.to_ascii_lowercase().as_str() {
                "name" => self.resource_name(s),
                "id" => self.resource_id(s).map_or(Value::Unknown, Value::ResourceId),
                "type" => Value::str(&self.unit(s.instance).full_type(s.decl), None),
                _ => Value::Unknown,
            },
            Value::Symbol(s) if name.eq_ignore_ascii_case("outputs") => self.module_outputs(s),
            Value::Symbol(_) => Value::Unknown,
            Value::ResourceId(id) if name.eq_ignore_ascii_case("name") => {
                id.name().cloned().map_or(Value::Unknown, Value::Str)
            }
            other => other.get(name),
        }
    }

    /// The iterations of resource `decl` (or module, when `module` is set).
    pub(super) fn iterations(&mut self, inst: usize, body: &Expr, key: usize, module: bool) -> Vec<Iteration> {
        let single = |locals: Locals, condition: Option<bool>, repeated: bool| Iteration {
            locals,
            index: None,
            condition,
            repeated,
        };
        match &body.kind {
            ExprKind::For { item, index, iterable, body: inner } => {
                let memo_key = if module { Memo::ModuleIterable(key) } else { Memo::Iterable(key) };
                let items = self.memo(inst, memo_key, |ev| ev.eval(inst, iterable, &Vec::new()));
                let Value::Array(items) = items else {
                    let mut locals = vec![(item.clone(), Value::Unknown)];
                    locals.extend(index.iter().map(|i| (i.clone(), Value::Unknown)));
                    let condition = self.condition(inst, inner, &locals);
                    return vec![single(locals, condition, true)];
                };
                let mut out = Vec::new();
                if !self.budget.take(items.len() as u64) {
                    return out;
                }
                for (i, v) in items.iter().cloned().enumerate() {
                    let mut locals = vec![(item.clone(), v)];
                    locals.extend(index.iter().map(|n| (n.clone(), Value::Int(i as i64))));
                    let condition = self.condition(inst, inner, &locals);
                    out.push(Iteration { locals, index: Some(i), condition, repeated: false });
                }
                out
            }
            _ => {
                let condition = self.condition(inst, body, &Vec::new());
                vec![single(Vec::new(), condition, false)]
            }
        }
    }

    fn condition(&mut self, inst: usize, body: &Expr, locals: &Locals) -> Option<bool> {
        match &body.kind {
            ExprKind::If { condition, .. } => self.eval(inst, condition, locals).as_bool(),
            _ => Some(true),
        }
    }

    /// The iteration a symbol reference means: its index, or the only one (a declaration
    /// without a loop, or a loop over an unknown collection).
    fn iteration_of(&mut self, s: SymbolRef) -> Option<Iteration> {
        let unit = self.unit(s.instance);
        let body = &unit.resources[s.decl].res.body;
        self.iterations(s.instance, body, s.decl, false).into_iter().find(|it| it.index == s.index)
    }

    /// The `name` a resource declares (for `sym.name`, parents and ids).
    pub(super) fn resource_name(&mut self, s: SymbolRef) -> Value {
        self.memo(s.instance, Memo::ResourceName(s.decl, s.index), |ev| {
            let Some(it) = ev.iteration_of(s) else { return Value::Unknown };
            let unit = ev.unit(s.instance);
            match unit.resources[s.decl].res.body.body_object().and_then(|o| o.get("name")) {
                Some(name) => ev.eval(s.instance, name, &it.locals),
                None => Value::Unknown,
            }
        })
    }

    /// The resource a symbol's `parent:` property or nesting names.
    pub(super) fn parent_of(&mut self, s: SymbolRef, locals: &Locals) -> Option<SymbolRef> {
        let unit = self.unit(s.instance);
        let r = &unit.resources[s.decl];
        if let Some(p) = r.parent {
            return Some(SymbolRef { decl: p, index: None, ..s });
        }
        let parent = r.res.body.body_object().and_then(|o| o.get("parent"))?;
        match self.eval(s.instance, parent, locals) {
            Value::Symbol(p) if p.kind == SymbolKind::Resource => Some(p),
            _ => None,
        }
    }

    /// `sym.id`: the type and the name of every resource up the parent chain.
    fn resource_id(&mut self, s: SymbolRef) -> Option<ResourceId> {
        let unit = self.unit(s.instance);
        let ty = unit.full_type(s.decl);
        let locals = self.iteration_of(s).map(|it| it.locals).unwrap_or_default();
        let own = self.resource_name(s).to_text();
        let mut names = match self.parent_of(s, &locals) {
            Some(p) if p != s => self.resource_id(p).map(|id| id.names).unwrap_or_else(|| vec![Text::unknown()]),
            _ => Vec::new(),
        };
        names.push(own);
        Some(ResourceId { ty, names, symbol: Some(unit.resources[s.decl].res.symbol.clone()) })
    }

    /// `m.outputs`: the outputs of a module call, evaluated in its instance.
    fn module_outputs(&mut self, s: SymbolRef) -> Value {
        let Some(child) = self.module_instance(s.instance, s.decl, s.index) else { return Value::Unknown };
        let unit = self.unit(child);
        let mut props = Vec::new();
        for (i, (name, value)) in unit.outputs.iter().enumerate() {
            let v = self.memo(child, Memo::Output(i), |ev| ev.eval(child, value, &Vec::new()));
            props.push((name.clone(), v));
        }
        Value::object(props)
    }

    /// The instance of module `decl`'s iteration `index` (created on first use); `None` for a
    /// module that cannot be followed (remote, missing, a cycle, too deep, over budget).
    pub(super) fn module_instance(&mut self, inst: usize, decl: usize, index: Option<usize>) -> Option<usize> {
        if let Some(known) = self.instances[inst].modules.get(&(decl, index)) {
            return *known;
        }
        self.instances[inst].modules.insert((decl, index), None);
        let made = self.make_module_instance(inst, decl, index);
        self.instances[inst].modules.insert((decl, index), made);
        made
    }

    fn make_module_instance(&mut self, inst: usize, decl: usize, index: Option<usize>) -> Option<usize> {
        let unit = self.unit(inst);
        let m = &unit.modules[decl];
        let path = unit.resolve(&m.path)?;
        let chain = &self.instances[inst].chain;
        if chain.contains(&path) {
            let cycle: Vec<String> = chain.iter().chain([&path]).map(|p| self.units.display(p).to_string()).collect();
            self.notes.push((unit.display.clone(), format!("module cycle not followed: {}", cycle.join(" -> "))));
            return None;
        }
        if chain.len() >= MAX_MODULE_DEPTH || self.instances.len() >= MAX_INSTANCES {
            self.notes.push((
                unit.display.clone(),
                format!(
                    "module `{}` not evaluated: modules nest deeper than {MAX_MODULE_DEPTH} or make more than \
                     {MAX_INSTANCES} calls",
                    m.symbol
                ),
            ));
            return None;
        }
        let child_unit = self.units.bicep(&path)?;
        let iterations = self.iterations(inst, &m.body, decl, true);
        let it = iterations.into_iter().find(|it| it.index == index)?;
        let params = m.body.body_object().and_then(|o| o.get("params"));
        let bound = match params.map(|p| self.eval(inst, p, &it.locals)) {
            None => Some(HashMap::new()),
            Some(Value::Object(props)) => {
                Some(props.iter().map(|(k, v)| (k.to_ascii_lowercase(), v.clone())).collect())
            }
            Some(_) => None,
        };
        let mut chain = self.instances[inst].chain.clone();
        chain.push(path);
        let mut trail = self.instances[inst].trail.clone();
        let index = index.map_or(String::new(), |i| format!("[{i}]"));
        trail.push((m.span, format!("declared through the module call `{}{index}` of {}", m.symbol, unit.display)));
        Some(self.push_instance(child_unit, bound, chain, trail))
    }
}

/// A function call; namespaces (`sys.`, `az.`) name the same functions.
fn call(namespace: Option<&str>, name: &str, args: &[Value], budget: &Budget) -> Value {
    if namespace.is_some_and(|ns| !matches!(ns, "sys" | "az")) {
        return Value::Unknown; // a user-defined function imported from another file
    }
    match name.to_ascii_lowercase().as_str() {
        "any" => args.first().cloned().unwrap_or(Value::Unknown),
        "items" => match args.first() {
            Some(Value::Object(props)) => Value::array(
                props
                    .iter()
                    .map(|(k, v)| Value::object(vec![("key".into(), Value::str(k, None)), ("value".into(), v.clone())]))
                    .collect(),
            ),
            _ => Value::Unknown,
        },
        "objectkeys" => match args.first() {
            Some(Value::Object(props)) => Value::array(props.iter().map(|(k, _)| Value::str(k, None)).collect()),
            _ => Value::Unknown,
        },
        _ => functions::call(name, args, budget),
    }
}

/// Bicep's binary operators.
fn binary(op: &str, a: Value, b: Value, budget: &Budget) -> Value {
    let f = |name: &str| functions::call(name, &[a.clone(), b.clone()], budget);
    match op {
        "??" => b,
        "||" => f("or"),
        "&&" => f("and"),
        "==" => f("equals"),
        "!=" => f("equals").as_bool().map_or(Value::Unknown, |b| Value::Bool(!b)),
        "=~" | "!~" => match (a.known_str(), b.known_str()) {
            (Some(x), Some(y)) => Value::Bool(x.eq_ignore_ascii_case(&y) == (op == "=~")),
            _ => Value::Unknown,
        },
        "<" => f("less"),
        "<=" => f("lessOrEquals"),
        ">" => f("greater"),
        ">=" => f("greaterOrEquals"),
        "+" => f("add"),
        "-" => f("sub"),
        "*" => f("mul"),
        "/" => f("div"),
        "%" => f("mod"),
        _ => Value::Unknown,
    }
}
