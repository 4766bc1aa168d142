//! What references resolve to: variables (module arguments, tfvars, defaults), locals, outputs
//! of local modules, the instances of module calls, the `count`/`for_each` expansion of a block,
//! and the configured arguments of resources. Memoized per module instance; a reference to
//! itself ends in `Unknown` and a note.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure::Body;
use hcl_edit::Span as _;

use super::eval::{instance_suffix, Bindings, Caller, Expansion, Instance, Instances, Memo, Run, Scope};
use super::module::{Call, Src, Target};
use super::value::{Key, Kind, Value};
use crate::span::Span;

impl<'m> Run<'m> {
    pub(super) fn memoized(
        &self,
        inst: &Instance,
        key: String,
        origin: Span,
        compute: impl FnOnce() -> Value,
    ) -> Value {
        match inst.memo.borrow().get(&key) {
            Some(Memo::Done(v)) => return v.clone(),
            Some(Memo::Busy) => {
                self.note(format!("`{}{key}` refers to itself: treated as unknown", inst.address));
                return Value::failed(format!("${{{key}}}"), origin);
            }
            None => {}
        }
        inst.memo.borrow_mut().insert(key.clone(), Memo::Busy);
        let v = compute();
        inst.memo.borrow_mut().insert(key, Memo::Done(v.clone()));
        v
    }

    /// `var.name`: the module argument, else tfvars (root), else the default, else unknown.
    pub(super) fn variable(&self, inst: &Rc<Instance<'m>>, name: &str, origin: Span) -> Value {
        self.memoized(inst, format!("var.{name}"), origin, || {
            let module = self.module(inst);
            let Some(decl) = module.variables.get(name) else {
                return Value::failed(format!("${{var.{name}}}"), origin);
            };
            let given = match &inst.caller {
                Some(c) => c.call.decl.item.body.get_attribute(name).map(|a| {
                    let caller_module = self.module(&c.parent);
                    let src = &caller_module.files[c.call.decl.file];
                    self.eval(&a.value, Scope { inst: &c.parent, src, bindings: &c.bindings })
                }),
                None => inst.tfvars.get(name).cloned(),
            };
            let value = given.filter(|v| !v.is_null()).or_else(|| {
                decl.item.body.get_attribute("default").map(|d| {
                    let src = &module.files[decl.file];
                    self.eval(&d.value, Scope { inst, src, bindings: &Bindings::default() })
                })
            });
            let value = value.unwrap_or_else(|| {
                let reference = format!("{}var.{name}", inst.address);
                Value::unknown(format!("${{{reference}}}"), Some(reference.into()), origin)
            });
            convert_to_declared(value, decl.item.body.get_attribute("type").map(|t| &t.value))
        })
    }

    pub(super) fn local(&self, inst: &Rc<Instance<'m>>, name: &str, origin: Span) -> Value {
        self.memoized(inst, format!("local.{name}"), origin, || {
            let module = self.module(inst);
            match module.locals.get(name) {
                Some(decl) => {
                    let src = &module.files[decl.file];
                    self.eval(&decl.item.value, Scope { inst, src, bindings: &Bindings::default() })
                }
                None => Value::failed(format!("${{local.{name}}}"), origin),
            }
        })
    }

    pub(super) fn output(&self, inst: &Rc<Instance<'m>>, name: &str, origin: Span) -> Value {
        self.memoized(inst, format!("output.{name}"), origin, || {
            let module = self.module(inst);
            match module.outputs.get(name).and_then(|d| Some((d, d.item.body.get_attribute("value")?))) {
                Some((decl, attr)) => {
                    let src = &module.files[decl.file];
                    self.eval(&attr.value, Scope { inst, src, bindings: &Bindings::default() })
                }
                None => Value::failed(format!("${{module.….{name}}}"), origin),
            }
        })
    }

    /// `module.name[key].output...`; `None` when the call or its instance cannot be known.
    pub(super) fn module_ref(
        &self,
        inst: &Rc<Instance<'m>>,
        name: &str,
        ops: &[&TraversalOperator],
        sc: Scope<'_, 'm>,
        origin: Span,
    ) -> Option<Value> {
        let module = self.module(inst);
        let call = module.call(name)?;
        let repeated = call.decl.item.body.has_attribute("count") || call.decl.item.body.has_attribute("for_each");
        let (key, rest) = match (repeated, ops.first()) {
            (true, Some(TraversalOperator::Index(e))) => (Some(self.eval(e, sc)), &ops[1..]),
            (true, Some(TraversalOperator::LegacyIndex(n))) => {
                (Some(Value::new(Kind::Number(*n.value() as f64), origin)), &ops[1..])
            }
            (true, _) => return None,
            (false, _) => (None, ops),
        };
        let (suffix, bindings) = match (&*self.expand(inst, &call.decl.item.body, call.decl.file), key) {
            (Expansion::Single, None) => (String::new(), Bindings::default()),
            (Expansion::Keys(keys), Some(key)) => {
                let suffix = instance_suffix(&key)?;
                keys.get(&suffix)?.clone()
            }
            _ => return None,
        };
        let child = self.child(inst, call, &suffix, bindings)?;
        let Some(TraversalOperator::GetAttr(output)) = rest.first() else { return None };
        let v = self.output(&child, output.as_str(), origin);
        Some(self.apply(v, &rest[1..], sc))
    }

    /// The instance of `call` with the address suffix and bindings of one of its keys (`None`:
    /// a remote module, too deep, a cycle).
    pub(super) fn child(
        &self,
        inst: &Rc<Instance<'m>>,
        call: &'m Call<'m>,
        suffix: &str,
        bindings: Bindings,
    ) -> Option<Rc<Instance<'m>>> {
        let Target::Local(target) = call.target else { return None };
        let memo_key = format!("{}{suffix}", call.name);
        if let Some(hit) = inst.children.borrow().get(&memo_key) {
            return hit.clone();
        }
        let child = if inst.chain.contains(&target) {
            self.note(format!(
                "module `{}module.{}` calls a module that is already being evaluated (a cycle): not followed",
                inst.address, call.name
            ));
            None
        } else if inst.chain.len() > self.limits.module_depth {
            self.note(format!(
                "module calls nest deeper than {} levels at `{}module.{}`: not followed",
                self.limits.module_depth, inst.address, call.name
            ));
            None
        } else {
            let mut chain = inst.chain.clone();
            chain.push(target);
            Some(Rc::new(Instance {
                module: target,
                address: format!("{}module.{}{suffix}.", inst.address, call.name),
                caller: Some(Caller { parent: inst.clone(), call, bindings }),
                chain,
                tfvars: HashMap::new(),
                memo: RefCell::default(),
                children: RefCell::default(),
                expansions: RefCell::default(),
            }))
        };
        inst.children.borrow_mut().insert(memo_key, child.clone());
        child
    }

    /// The instances a block's `count` or `for_each` makes (computed once per instance).
    pub(super) fn expand(&self, inst: &Rc<Instance<'m>>, body: &Body, file: usize) -> Rc<Expansion> {
        let id = body as *const Body as usize;
        if let Some(known) = inst.expansions.borrow().get(&id) {
            return known.clone();
        }
        let expansion = Rc::new(self.expand_uncached(inst, body, file));
        inst.expansions.borrow_mut().insert(id, expansion.clone());
        expansion
    }

    fn expand_uncached(&self, inst: &Rc<Instance<'m>>, body: &Body, file: usize) -> Expansion {
        let module = self.module(inst);
        let src = &module.files[file];
        let sc = Scope { inst, src, bindings: &Bindings::default() };
        let unknown = |name: &str, fields: &[&str]| {
            let entries = fields
                .iter()
                .map(|f| {
                    let text = format!("${{{name}.{f}}}");
                    (Key { text: (*f).into(), span: Span::default() }, Value::unknown(text, None, Span::default()))
                })
                .collect();
            Expansion::Unknown(Bindings::default().with(name, Value::map(entries, Span::default())))
        };
        if let Some(attr) = body.get_attribute("for_each") {
            let coll = self.eval(&attr.value, sc);
            let entries: Vec<(Key, Value)> = match &coll.kind {
                Kind::Map(entries) => entries.iter().cloned().collect(),
                Kind::List(items) if items.iter().all(|i| i.as_str().is_some()) => items
                    .iter()
                    .map(|i| (Key { text: i.as_str().unwrap_or("").into(), span: i.origin }, i.clone()))
                    .collect(),
                _ => return unknown("each", &["key", "value"]),
            };
            let keys = self
                .bounded(entries, &attr.value, src)
                .into_iter()
                .map(|(k, v)| {
                    let key = Value::string(k.text.clone(), k.span);
                    let each = Value::map(
                        vec![
                            (Key { text: "key".into(), span: k.span }, key),
                            (Key { text: "value".into(), span: v.origin }, v),
                        ],
                        k.span,
                    );
                    (format!("[{:?}]", k.text.as_str()), Bindings::default().with("each", each))
                })
                .collect();
            return Expansion::Keys(Instances::new(keys));
        }
        if let Some(attr) = body.get_attribute("count") {
            let n = self.eval(&attr.value, sc);
            let Some(n) = n.as_number().filter(|n| *n >= 0.0 && n.fract() == 0.0) else {
                return unknown("count", &["index"]);
            };
            let indexes: Vec<usize> = (0..(n as usize).min(self.limits.instances + 1)).collect();
            let origin = sc.src.span(attr.value.span());
            let keys = self
                .bounded(indexes, &attr.value, src)
                .into_iter()
                .map(|i| {
                    let index = Value::new(Kind::Number(i as f64), origin);
                    let count = Value::map(vec![(Key { text: "index".into(), span: origin }, index)], origin);
                    (format!("[{i}]"), Bindings::default().with("count", count))
                })
                .collect();
            return Expansion::Keys(Instances::new(keys));
        }
        Expansion::Single
    }

    pub(super) fn bounded<T>(&self, mut items: Vec<T>, expr: &Expression, src: &Src) -> Vec<T> {
        if items.len() > self.limits.instances {
            self.note(format!(
                "`{}` makes more than {} instances: only the first {} are evaluated",
                src.slice(expr.span()),
                self.limits.instances,
                self.limits.instances
            ));
            items.truncate(self.limits.instances);
        }
        items
    }

    /// `type.name[key].attr...`: an argument the resource's configuration sets is known (as
    /// `terraform plan` shows it); computed attributes are not. `None`: unknown.
    pub(super) fn resource_ref(
        &self,
        inst: &Rc<Instance<'m>>,
        kind: &str,
        name: &str,
        ops: &[&TraversalOperator],
        sc: Scope<'_, 'm>,
        origin: Span,
    ) -> Option<Value> {
        let module = self.module(inst);
        let resource = module.resource(kind, name, false)?;
        let body = &resource.decl.item.body;
        let (bindings, rest) = match &*self.expand(inst, body, resource.decl.file) {
            Expansion::Single => (Bindings::default(), ops),
            Expansion::Unknown(_) => return None,
            // The whole resource of a `for_each`: its instance keys are known at plan time, their
            // attributes are not (`for_each = azurerm_x.y` is common).
            Expansion::Keys(keys) if ops.is_empty() && body.has_attribute("for_each") => {
                let entries = keys
                    .iter()
                    .filter_map(|(suffix, b)| {
                        let key = b.get("each")?.get("key")?;
                        let reference = format!("{}{kind}.{name}{suffix}", inst.address);
                        let value = Value::unknown(format!("${{{reference}}}"), Some(reference.into()), origin);
                        Some((Key { text: key.as_str()?.into(), span: key.origin }, value))
                    })
                    .collect();
                return Some(Value::map(entries, origin));
            }
            Expansion::Keys(keys) => {
                let key = match ops.first()? {
                    TraversalOperator::Index(e) => self.eval(e, sc),
                    TraversalOperator::LegacyIndex(n) => Value::new(Kind::Number(*n.value() as f64), origin),
                    _ => return None,
                };
                let suffix = instance_suffix(&key)?;
                (keys.get(&suffix)?.1.clone(), &ops[1..])
            }
        };
        let Some(TraversalOperator::GetAttr(attr)) = rest.first() else { return None };
        let attr = attr.as_str();
        let busy_key = format!("{}{kind}.{name}.{attr}", inst.address);
        if !self.busy.borrow_mut().insert(busy_key.clone()) {
            return None;
        }
        let src = &module.files[resource.decl.file];
        let scope = Scope { inst, src, bindings: &bindings };
        let value = if let Some(a) = body.get_attribute(attr) {
            Some(self.eval(&a.value, scope)).filter(|v| !v.is_null() && !v.is_unknown())
        } else if body.get_blocks(attr).next().is_some() {
            Some(self.block_list(body, attr, scope))
        } else {
            None
        };
        self.busy.borrow_mut().remove(&busy_key);
        // The value belongs to the other resource; in this one, the reference produced it.
        Some(self.apply(value?, &rest[1..], sc).with_origin(origin))
    }
}

/// A variable's value converted to its declared primitive type, as Terraform does
/// (`type = string` turns `3` into `"3"`).
fn convert_to_declared(value: Value, ty: Option<&Expression>) -> Value {
    match (ty, &value.kind) {
        (Some(Expression::Variable(t)), Kind::Number(_) | Kind::Bool(_)) if t.as_str() == "string" => {
            let origin = value.origin;
            value.to_text().map_or(value, |t| Value::string(t, origin))
        }
        (Some(Expression::Variable(t)), Kind::String(s)) if t.as_str() == "number" => match s.trim().parse() {
            Ok(n) => Value::new(Kind::Number(n), value.origin),
            Err(_) => value,
        },
        (Some(Expression::Variable(t)), Kind::String(s)) if t.as_str() == "bool" => match s.as_str() {
            "true" => Value::new(Kind::Bool(true), value.origin),
            "false" => Value::new(Kind::Bool(false), value.origin),
            _ => value,
        },
        _ => value,
    }
}
