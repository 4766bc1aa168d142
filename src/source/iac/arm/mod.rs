//! ARM templates, evaluated as a deployment would: parameters (the values of a parameter file,
//! else `defaultValue`), `variables` (also `copy` variables), the template functions on
//! literals, `condition`, `copy` loops with `copyIndex()`, child resources, and nested
//! deployments (`Microsoft.Resources/deployments` with an inline `template`: what
//! `az bicep build` makes of a module) with their parameters bound, in `inner` or `outer`
//! expression scope. Positions are the template's own, nested templates included.

mod expr;
mod files;
mod scope;

pub use files::ParameterFiles;

use super::params::Bound;
use super::resources::{self, identity_name, name_parts, BINDING_TYPE, FIC_TYPE};
use super::value::{Budget, Text, Value, MAX_ITEMS};
use crate::model::{
    FederatedCredential, FicAction, IdentityBindingResource, Objects, Origin, SharedStr, SkipNote, Str,
};
use crate::yaml::Node;
use scope::{entry_ignoring_case, Copies, Scope};

/// Steps one template's evaluation may take.
const STEPS: u64 = 1_000_000;
/// How deep deployments may nest in one another.
const MAX_NESTING: usize = 16;
const DEPLOYMENTS_TYPE: &str = "microsoft.resources/deployments";

/// Is this JSON/YAML root an ARM deployment template?
pub fn is_template(root: &Node) -> bool {
    root.get("$schema").and_then(Node::as_str).is_some_and(|s| s.contains("deploymentTemplate"))
        || (root.get("apiVersion").is_none() && root.get("resources").is_some() && root.get("contentVersion").is_some())
}

/// The credentials and identity bindings a template deploys with the parameter values `bound`
/// (names in lower case; missing ones take their defaults).
pub fn evaluate(root: &Node, origin: &Origin, bound: Bound, out: &mut Objects) {
    let budget = Budget::new(STEPS);
    let scope = Scope::new(root, Some(bound), &budget);
    let mut walk = Walk { origin, out, depth: 0 };
    walk.resources(&scope, root, None, &Vec::new());
    if budget.exhausted() {
        walk.note("evaluation budget spent: later values are unknown");
    }
}

/// The resource a child resource is declared in.
struct Parent {
    full_type: String,
    name: Text,
    /// The parent's `name` as written (for an identity whose name is unknown).
    raw_name: Option<String>,
}

struct Walk<'a> {
    origin: &'a Origin,
    out: &'a mut Objects,
    depth: usize,
}

impl Walk<'_> {
    fn note(&mut self, message: &str) {
        if let Some(path) = self.origin.path() {
            self.out.notes.push(SkipNote { path: path.to_string(), message: message.into() });
        }
    }

    /// The `resources` of `template` (an array, or an object of symbolic names).
    fn resources(&mut self, scope: &Scope, template: &Node, parent: Option<&Parent>, copies: &Copies) {
        let Some(list) = template.get("resources") else { return };
        let items: Vec<&Node> = match (list.as_seq(), list.as_map()) {
            (Some(seq), _) => seq.iter().collect(),
            (_, Some(map)) => map.iter().map(|(_, v)| v).collect(),
            _ => return,
        };
        for r in items {
            self.resource(scope, r, parent, copies);
        }
    }

    fn resource(&mut self, scope: &Scope, r: &Node, parent: Option<&Parent>, copies: &Copies) {
        if r.get("existing").is_some_and(|e| scope.node(e, copies) == Value::Bool(true)) {
            return; // `existing` only reads
        }
        for (copies, repeated) in self.iterations(scope, r, copies) {
            if r.get("condition").is_some_and(|c| scope.node(c, &copies) == Value::Bool(false)) {
                continue;
            }
            let ty = r.get("type").map(|t| scope.node(t, &copies).known_str().unwrap_or_default()).unwrap_or_default();
            let relative = parent.is_some() && !ty.split('/').next().unwrap_or_default().contains('.');
            let full_type = match parent {
                Some(p) if relative => format!("{}/{ty}", p.full_type),
                _ => ty,
            };
            let name = r.get("name").map_or(Value::Unknown, |n| scope.node(n, &copies));
            match full_type.to_ascii_lowercase().as_str() {
                FIC_TYPE => self.credential(scope, r, &name, parent.filter(|_| relative), &copies, repeated),
                BINDING_TYPE => self.binding(scope, r, &name, parent.filter(|_| relative), &copies),
                DEPLOYMENTS_TYPE => self.deployment(scope, r, &copies),
                _ => {}
            }
            let me = Parent {
                full_type,
                name: name.to_text(),
                raw_name: r.get("name").and_then(Node::as_str).map(str::to_string),
            };
            self.resources(scope, r, Some(&me), &copies);
        }
    }

    /// The copies of a resource: one per `copy` index, or itself once. `true`: a loop over an
    /// unknown count (one copy stands for all).
    fn iterations(&self, scope: &Scope, r: &Node, copies: &Copies) -> Vec<(Copies, bool)> {
        let Some(copy) = r.get("copy") else { return vec![(copies.clone(), false)] };
        let name = copy.get("name").and_then(Node::as_str).unwrap_or_default().to_ascii_lowercase();
        let with = |index: Value| {
            let mut c = copies.clone();
            c.push((name.clone(), index));
            c
        };
        let count = copy.get("count").map_or(Value::Unknown, |c| scope.node(c, copies));
        match count.as_int().and_then(|n| usize::try_from(n).ok()) {
            Some(n) if n <= MAX_ITEMS && scope.budget.take(n as u64) => {
                (0..n).map(|i| (with(Value::Int(i as i64)), false)).collect()
            }
            _ => vec![(with(Value::Unknown), true)],
        }
    }

    fn credential(
        &mut self,
        scope: &Scope,
        r: &Node,
        name: &Value,
        parent: Option<&Parent>,
        copies: &Copies,
        repeated: bool,
    ) {
        let name_at = r.get("name").map_or(r.span, |n| n.span);
        let parts = name_parts(name, name_at, parent.is_none());
        let identity = match parent {
            Some(p) => p.name.known().or_else(|| p.raw_name.clone()),
            None => parts.parent.as_ref().and_then(Text::known),
        };
        let props = r.get("properties");
        let prop = |key: &str| -> Option<Str> {
            let node = entry_ignoring_case(props, key)?;
            resources::known_str(&scope.node(node, copies), node.span)
        };
        let audiences = match entry_ignoring_case(props, "audiences") {
            Some(node) => match node.as_seq() {
                Some(items) => {
                    items.iter().filter_map(|i| resources::known_str(&scope.node(i, copies), i.span)).collect()
                }
                None => match scope.node(node, copies) {
                    Value::Array(items) => items.iter().filter_map(|v| resources::known_str(v, node.span)).collect(),
                    _ => Vec::new(),
                },
            },
            None => Vec::new(),
        };
        self.out.federated_credentials.push(FederatedCredential {
            display: display(r, name, parent).into(),
            origin: self.origin.clone(),
            meta: None,
            action: FicAction::Declare,
            name: parts.name,
            name_source: parts.source,
            unresolved_name: parts.unresolved,
            anchor: r.span,
            identity: identity.map(Into::into),
            issuer: prop("issuer").map(SharedStr::from),
            subject: prop("subject"),
            audiences: SharedStr::all(audiences).into(),
            reconcile_skip: false,
            repeated,
            trail: Box::default(),
            deployment: None,
        });
    }

    fn binding(&mut self, scope: &Scope, r: &Node, name: &Value, parent: Option<&Parent>, copies: &Copies) {
        let name_at = r.get("name").map_or(r.span, |n| n.span);
        let parts = name_parts(name, name_at, parent.is_none());
        let resource_id = r.path(&["properties", "managedIdentity", "resourceId"]);
        self.out.identity_bindings.push(IdentityBindingResource {
            display: display(r, name, parent),
            origin: self.origin.clone(),
            anchor: r.span,
            name: parts.name,
            identity: resource_id.and_then(|n| identity_name(&scope.node(n, copies))),
            cluster: match parent {
                Some(p) => p.name.known(),
                None => parts.parent.as_ref().and_then(Text::known),
            },
        });
    }

    /// A nested deployment with an inline template. `inner` scope: the template's own
    /// parameters, bound from `properties.parameters`; `outer` (the default): the parent's.
    fn deployment(&mut self, scope: &Scope, r: &Node, copies: &Copies) {
        let Some(props) = r.get("properties") else { return };
        let Some(template) = props.get("template").filter(|t| t.as_map().is_some()) else { return };
        if self.depth >= MAX_NESTING {
            self.note(&format!("deployments nested deeper than {MAX_NESTING}: the innermost are not evaluated"));
            return;
        }
        let inner = props
            .path(&["expressionEvaluationOptions", "scope"])
            .and_then(Node::as_str)
            .is_some_and(|s| s.eq_ignore_ascii_case("inner"));
        self.depth += 1;
        if inner {
            let mut bound = Bound::new();
            for (k, v) in props.get("parameters").and_then(Node::as_map).unwrap_or_default() {
                let Some(name) = k.as_str() else { continue };
                let value = v.get("value").map_or(Value::Unknown, |n| scope.node(n, copies));
                bound.insert(name.to_ascii_lowercase(), value);
            }
            let nested = Scope::new(template, Some(bound), scope.budget);
            self.resources(&nested, template, None, &Vec::new());
        } else {
            self.resources(scope, template, None, copies);
        }
        self.depth -= 1;
    }
}

/// How a finding names a resource: `ARM resource <identity>/<name>` as evaluated, else as written.
fn display(r: &Node, name: &Value, parent: Option<&Parent>) -> String {
    let evaluated = match parent {
        Some(p) => p.name.known().zip(name.known_str()).map(|(p, n)| format!("{p}/{n}")),
        None => name.known_str(),
    };
    let written = || r.get("name").and_then(Node::as_str).unwrap_or("(unnamed)").to_string();
    format!("ARM resource {}", evaluated.unwrap_or_else(written))
}

#[cfg(test)]
mod tests;
