//! The scope ARM expressions are evaluated in: one template's parameters (the values it is
//! deployed with, else their defaults), its variables (evaluated when first used, cycles
//! unknown) and the `copy` loops around the expression.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use super::expr::{self, Expr};
use crate::source::iac::functions;
use crate::source::iac::params::Bound;
use crate::source::iac::value::{Budget, Text, Value, MAX_ITEMS};
use crate::span::Span;
use crate::yaml::{Node, NodeKind, ScalarType};

/// How deep JSON values nest inside a template (the YAML reader bounds the document already).
const MAX_NODE_DEPTH: usize = 128;

/// The `copy` loops around an expression, innermost last: (loop name in lower case, index).
pub(super) type Copies = Vec<(String, Value)>;

pub(super) struct Scope<'n> {
    template: &'n Node,
    /// `None`: the deployment's parameter values are unknown as a whole.
    bound: Option<Bound>,
    pub budget: &'n Budget,
    memo: RefCell<HashMap<String, Value>>,
    visiting: RefCell<HashSet<String>>,
}

impl<'n> Scope<'n> {
    pub(super) fn new(template: &'n Node, bound: Option<Bound>, budget: &'n Budget) -> Scope<'n> {
        Scope { template, bound, budget, memo: RefCell::default(), visiting: RefCell::default() }
    }

    /// The value of a JSON node: strings that are expressions are evaluated, literal strings
    /// keep their span.
    pub(super) fn node(&self, node: &Node, copies: &Copies) -> Value {
        self.node_at(node, copies, 0)
    }

    fn node_at(&self, node: &Node, copies: &Copies, depth: usize) -> Value {
        if depth > MAX_NODE_DEPTH || !self.budget.step() {
            return Value::Unknown;
        }
        match &node.kind {
            NodeKind::Scalar(s) => match s.resolved_type() {
                ScalarType::String => match expr::of_string(&s.value) {
                    Some(Some(e)) => self.expr(&e, node.span, copies),
                    Some(None) => Value::Unknown,
                    None => Value::Str(Text::literal(expr::literal_text(&s.value), Some(node.span))),
                },
                ScalarType::Bool => Value::Bool(s.value.eq_ignore_ascii_case("true")),
                ScalarType::Int => s.value.parse().map_or(Value::Unknown, Value::Int),
                ScalarType::Float => Value::Unknown,
                ScalarType::Null => Value::Null,
            },
            NodeKind::Seq(items) if items.len() <= MAX_ITEMS => {
                Value::array(items.iter().map(|i| self.node_at(i, copies, depth + 1)).collect())
            }
            NodeKind::Map(entries) if entries.len() <= MAX_ITEMS => Value::object(
                entries
                    .iter()
                    .filter_map(|(k, v)| Some((k.as_str()?.to_string(), self.node_at(v, copies, depth + 1))))
                    .collect(),
            ),
            _ => Value::Unknown,
        }
    }

    /// An expression written in the JSON string at `at`.
    pub(super) fn expr(&self, e: &Expr, at: Span, copies: &Copies) -> Value {
        if !self.budget.step() {
            return Value::Unknown;
        }
        match e {
            Expr::Str(s) => Value::str(s, Some(at)),
            Expr::Int(i) => Value::Int(*i),
            Expr::Literal("true") => Value::Bool(true),
            Expr::Literal("false") => Value::Bool(false),
            Expr::Literal(_) => Value::Null,
            Expr::Member(obj, name) => self.expr(obj, at, copies).get(name),
            Expr::Index(obj, index) => {
                let v = self.expr(obj, at, copies);
                v.index(&self.expr(index, at, copies))
            }
            Expr::Call { namespace: Some(_), .. } => Value::Unknown, // user-defined functions
            Expr::Call { namespace: None, name, args } => {
                let args: Vec<Value> = args.iter().map(|a| self.expr(a, at, copies)).collect();
                self.call(name, &args, copies)
            }
        }
    }

    fn call(&self, name: &str, args: &[Value], copies: &Copies) -> Value {
        let first = || args.first().and_then(Value::known_str);
        match name.to_ascii_lowercase().as_str() {
            "parameters" => first().map_or(Value::Unknown, |p| self.parameter(&p)),
            "variables" => first().map_or(Value::Unknown, |v| self.variable(&v)),
            "copyindex" => copy_index(args, copies),
            _ => functions::call(name, args, self.budget),
        }
    }

    /// A parameter: the deployment's value, else its `defaultValue`.
    pub(super) fn parameter(&self, name: &str) -> Value {
        let key = name.to_ascii_lowercase();
        match &self.bound {
            None => return Value::Unknown,
            Some(bound) => {
                if let Some(v) = bound.get(&key) {
                    return v.clone();
                }
            }
        }
        let Some(decl) = entry_ignoring_case(self.template.get("parameters"), name) else { return Value::Unknown };
        match decl.get("defaultValue") {
            Some(default) => self.memoized(format!("p:{key}"), || self.node(default, &Vec::new())),
            None => Value::Unknown,
        }
    }

    /// A variable, or a variable built by a `copy` loop in `variables.copy`.
    pub(super) fn variable(&self, name: &str) -> Value {
        let key = name.to_ascii_lowercase();
        self.memoized(format!("v:{key}"), || {
            let vars = self.template.get("variables");
            if let Some(node) = entry_ignoring_case(vars, name).filter(|_| !name.eq_ignore_ascii_case("copy")) {
                return self.node(node, &Vec::new());
            }
            let loops = vars.and_then(|v| v.get("copy")).and_then(Node::as_seq).unwrap_or_default();
            match loops
                .iter()
                .find(|l| l.get("name").and_then(Node::as_str).is_some_and(|n| n.eq_ignore_ascii_case(name)))
            {
                Some(l) => self.variable_copy(l, &key),
                None => Value::Unknown,
            }
        })
    }

    fn variable_copy(&self, l: &Node, key: &str) -> Value {
        let (Some(count), Some(input)) = (l.get("count"), l.get("input")) else { return Value::Unknown };
        let Some(n) = self.node(count, &Vec::new()).as_int().and_then(|n| usize::try_from(n).ok()) else {
            return Value::Unknown;
        };
        if n > MAX_ITEMS || !self.budget.take(n as u64) {
            return Value::Unknown;
        }
        Value::array((0..n).map(|i| self.node(input, &vec![(key.to_string(), Value::Int(i as i64))])).collect())
    }

    fn memoized(&self, key: String, f: impl FnOnce() -> Value) -> Value {
        if let Some(v) = self.memo.borrow().get(&key) {
            return v.clone();
        }
        if !self.visiting.borrow_mut().insert(key.clone()) {
            return Value::Unknown; // a cycle
        }
        let v = f();
        self.visiting.borrow_mut().remove(&key);
        self.memo.borrow_mut().insert(key, v.clone());
        v
    }
}

/// `copyIndex()`, `copyIndex(offset)`, `copyIndex('loop')`, `copyIndex('loop', offset)`.
fn copy_index(args: &[Value], copies: &Copies) -> Value {
    let (name, offset) = match args {
        [] => (None, Value::Int(0)),
        [Value::Str(t)] => (t.known(), Value::Int(0)),
        [offset] => (None, offset.clone()),
        [name, offset, ..] => (name.known_str(), offset.clone()),
    };
    let index = match name {
        Some(n) => copies.iter().rev().find(|(loop_name, _)| loop_name.eq_ignore_ascii_case(&n)).map(|(_, i)| i),
        None => copies.last().map(|(_, i)| i),
    };
    match (index, offset) {
        (Some(Value::Int(i)), Value::Int(o)) => i.checked_add(o).map_or(Value::Unknown, Value::Int),
        _ => Value::Unknown,
    }
}

/// The value of `key` in a mapping, ignoring case (ARM names do).
pub(super) fn entry_ignoring_case<'n>(map: Option<&'n Node>, key: &str) -> Option<&'n Node> {
    map?.as_map()?.iter().rev().find(|(k, _)| k.as_str().is_some_and(|k| k.eq_ignore_ascii_case(key))).map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse_stream, Limits};

    fn root(text: &str) -> Node {
        let mut out = None;
        parse_stream(text, &Limits::default(), |n| out = Some(n));
        out.expect("a document")
    }

    #[test]
    fn parameters_variables_and_copy_loops() {
        let t = root(
            r#"{"parameters": {"Id": {"type": "string", "defaultValue": "orders"}, "unset": {"type": "string"}},
"variables": {"names": ["a", "[concat(parameters('id'), '-b')]"], "self": "[variables('self')]",
  "copy": [{"name": "fics", "count": 2, "input": "[concat('fic-', string(copyIndex('fics')))]"}]}}"#,
        );
        let budget = Budget::new(10_000);
        let scope = Scope::new(&t, Some(Bound::new()), &budget);
        let names = scope.variable("names");
        assert_eq!(names.index(&Value::Int(1)).known_str().as_deref(), Some("orders-b"));
        assert_eq!(scope.parameter("unset"), Value::Unknown);
        assert_eq!(scope.variable("self"), Value::Unknown);
        assert_eq!(scope.variable("fics").index(&Value::Int(1)).known_str().as_deref(), Some("fic-1"));
        let e = expr::of_string("[copyIndex(1)]").flatten().expect("parses");
        assert_eq!(scope.expr(&e, Span::default(), &vec![("x".into(), Value::Int(2))]), Value::Int(3));
        let bound = Bound::from([("id".to_string(), Value::str("from-file", None))]);
        let scope = Scope::new(&t, Some(bound), &budget);
        assert_eq!(scope.parameter("ID").known_str().as_deref(), Some("from-file"));
    }
}
