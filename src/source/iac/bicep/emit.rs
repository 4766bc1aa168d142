//! From evaluated Bicep instances to model objects: every federated credential a deployment
//! writes (never an `existing` one: that only reads) and every identity binding, with the module
//! instances they call.

use std::collections::HashSet;

use super::ast::{Expr, ExprKind, Object};
use super::eval::{Eval, Iteration};
use crate::model::{FederatedCredential, FicAction, IdentityBindingResource, Objects, Origin, SharedStr, Str};
use crate::source::iac::resources::{self, identity_name, name_parts, BINDING_TYPE, FIC_TYPE};
use crate::source::iac::value::{SymbolKind, SymbolRef, Value};

/// Emits the objects of instance `inst` and of the modules it calls (each instance once).
pub(super) fn emit(ev: &mut Eval, inst: usize, out: &mut Objects, done: &mut HashSet<usize>) {
    if !done.insert(inst) {
        return;
    }
    let unit = ev.unit(inst);
    for (decl, flat) in unit.resources.iter().enumerate() {
        let ty = unit.full_type(decl).to_ascii_lowercase();
        let (fic, binding) = (ty == FIC_TYPE, ty == BINDING_TYPE);
        if !(fic || binding) || flat.res.existing {
            continue;
        }
        let Some(object) = flat.res.body.body_object() else { continue };
        for it in ev.iterations(inst, &flat.res.body, decl, false) {
            if it.condition == Some(false) {
                continue;
            }
            let s = SymbolRef { instance: inst, kind: SymbolKind::Resource, decl, index: it.index };
            if fic {
                let credential = credential(ev, s, object, &it);
                out.federated_credentials.push(credential);
            } else {
                let binding = identity_binding(ev, s, object, &it);
                out.identity_bindings.push(binding);
            }
        }
    }
    for (decl, m) in unit.modules.iter().enumerate() {
        for it in ev.iterations(inst, &m.body, decl, true) {
            if it.condition == Some(false) {
                continue;
            }
            if let Some(child) = ev.module_instance(inst, decl, it.index) {
                emit(ev, child, out, done);
            }
        }
    }
}

fn credential(ev: &mut Eval, s: SymbolRef, object: &Object, it: &Iteration) -> FederatedCredential {
    let unit = ev.unit(s.instance);
    let res = &unit.resources[s.decl].res;
    let parent = ev.parent_of(s, &it.locals);
    let (name_value, name_at) = match object.get("name") {
        Some(e) => (ev.eval(s.instance, e, &it.locals), e.span),
        None => (Value::Unknown, res.span),
    };
    // With a parent (nested, or `parent:` even when it cannot be evaluated) the name is the
    // credential's own; without, it is `'<identity>/<name>'`.
    let qualified = unit.resources[s.decl].parent.is_none() && object.get("parent").is_none();
    let parts = name_parts(&name_value, name_at, qualified);
    let identity = match parent {
        Some(p) => Some(identity_of_symbol(ev, p)),
        None => parts.parent.as_ref().and_then(|p| p.known()),
    };
    let properties = object.get("properties").and_then(object_of);
    let prop = |ev: &mut Eval, key: &str| -> Option<Str> {
        let e = properties?.get(key)?;
        let v = ev.eval(s.instance, e, &it.locals);
        resources::known_str(&v, e.span)
    };
    let issuer = prop(ev, "issuer");
    let subject = prop(ev, "subject");
    let audiences = match properties.and_then(|p| p.get("audiences")) {
        Some(e) => audiences(ev, s.instance, e, &it.locals),
        None => Vec::new(),
    };
    FederatedCredential {
        display: format!("Bicep resource {}", res.symbol).into(),
        origin: Origin::file(unit.display.clone()),
        meta: None,
        action: FicAction::Declare,
        name: parts.name,
        name_source: parts.source,
        unresolved_name: parts.unresolved,
        anchor: res.span,
        identity: identity.map(Into::into),
        issuer: issuer.map(SharedStr::from),
        subject,
        audiences: SharedStr::all(audiences).into(),
        reconcile_skip: false,
        repeated: it.repeated,
        trail: ev.instances[s.instance].trail.clone().into(),
        deployment: None,
    }
}

fn identity_binding(ev: &mut Eval, s: SymbolRef, object: &Object, it: &Iteration) -> IdentityBindingResource {
    let unit = ev.unit(s.instance);
    let res = &unit.resources[s.decl].res;
    let parent = ev.parent_of(s, &it.locals);
    let qualified = unit.resources[s.decl].parent.is_none() && object.get("parent").is_none();
    let parts = match object.get("name") {
        Some(e) => name_parts(&ev.eval(s.instance, e, &it.locals), e.span, qualified),
        None => resources::NameParts::default(),
    };
    let resource_id = object
        .get("properties")
        .and_then(object_of)
        .and_then(|p| p.get("managedIdentity"))
        .and_then(object_of)
        .and_then(|m| m.get("resourceId"));
    let identity = resource_id.and_then(|e| match ev.eval(s.instance, e, &it.locals) {
        Value::Symbol(r) if r.kind == SymbolKind::Resource => Some(identity_of_symbol(ev, r)),
        v => identity_name(&v),
    });
    let cluster = match parent {
        Some(p) => Some(identity_of_symbol(ev, p)),
        None => parts.parent.as_ref().and_then(|p| p.known()),
    };
    IdentityBindingResource {
        display: format!("Bicep resource {}", res.symbol),
        origin: Origin::file(unit.display.clone()),
        anchor: res.span,
        name: parts.name,
        identity,
        cluster,
    }
}

/// A resource a symbol names, for identities and clusters: its name when known, else its symbol.
fn identity_of_symbol(ev: &mut Eval, s: SymbolRef) -> String {
    ev.resource_name(s).known_str().unwrap_or_else(|| ev.unit(s.instance).resources[s.decl].res.symbol.clone())
}

fn object_of(e: &Expr) -> Option<&Object> {
    match &e.kind {
        ExprKind::Object(o) => Some(o),
        _ => None,
    }
}

/// Audiences: each literal item at its own position, else the evaluated list at the property.
fn audiences(ev: &mut Eval, inst: usize, e: &Expr, locals: &super::eval::Locals) -> Vec<Str> {
    match &e.kind {
        ExprKind::Array(items) => items
            .iter()
            .filter_map(|item| {
                let v = ev.eval(inst, item, locals);
                resources::known_str(&v, item.span)
            })
            .collect(),
        _ => match ev.eval(inst, e, locals) {
            Value::Array(items) => items.iter().filter_map(|v| resources::known_str(v, e.span)).collect(),
            _ => Vec::new(),
        },
    }
}
