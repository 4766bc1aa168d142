//! Federated identity credentials declared in Terraform: `azurerm_federated_identity_credential`,
//! and `azapi_resource` / `azapi_update_resource` of the credential type, one per instance.

use std::rc::Rc;
use std::sync::Arc;

use hcl_edit::expr::{Expression, FuncCall};
use hcl_edit::Span as _;

use super::eval::{Bindings, Instance, Run, Scope};
use super::module::Resource;
use super::value::{Kind, Value};
use crate::model::{FederatedCredential, FicAction, IdentityBindingResource, Origin, PrefixedText, SharedStr, Str};
use crate::span::Span;

const AZURERM_FIC: &str = "azurerm_federated_identity_credential";
const FIC_TYPE: &str = "microsoft.managedidentity/userassignedidentities/federatedidentitycredentials";
const BINDING_TYPE: &str = "microsoft.containerservice/managedclusters/identitybindings";

/// One instance of a resource, and how it was reached.
pub(super) struct At<'a, 'm> {
    pub run: &'a Run<'m>,
    pub inst: &'a Rc<Instance<'m>>,
    pub resource: &'a Resource<'m>,
    /// The instance key as Terraform writes it (`["a"]`, `[0]`), empty without `count`/`for_each`.
    pub suffix: &'a str,
    pub bindings: &'a Bindings,
    /// `count`/`for_each` over something unknown: this instance stands for all of them.
    pub repeated: bool,
    /// The root module's directory as users see it.
    pub root: &'a Arc<str>,
}

impl<'a, 'm> At<'a, 'm> {
    pub(super) fn scope(&self) -> Scope<'a, 'm> {
        let module = self.run.module(self.inst);
        Scope { inst: self.inst, src: &module.files[self.resource.decl.file], bindings: self.bindings }
    }

    fn attr(&self, name: &str) -> Option<(&'m Expression, Value)> {
        let attr = self.resource.decl.item.body.get_attribute(name)?;
        Some((&attr.value, self.run.eval(&attr.value, self.scope())))
    }

    /// `Terraform resource module.app["a"].azurerm_federated_identity_credential.this[0]`.
    pub(super) fn display(&self) -> String {
        format!("{}{}", self.address(), self.suffix)
    }

    /// [`Self::display`] for a credential: its address interned, shared by every instance of the
    /// resource (identity bindings are few, and keep theirs as a `String`).
    pub(super) fn display_name(&self) -> PrefixedText {
        PrefixedText::new(&self.address(), self.suffix)
    }

    /// `Terraform resource module.app["a"].azurerm_federated_identity_credential.this`.
    fn address(&self) -> String {
        format!("Terraform resource {}{}.{}", self.inst.address, self.resource.kind, self.resource.name)
    }

    /// The module calls through which this instance is declared.
    pub(super) fn trail(&self) -> Vec<(Span, String)> {
        self.inst
            .calls()
            .into_iter()
            .map(|(parent, call)| {
                let src = &self.run.module(parent).files[call.decl.file];
                let header = call.decl.item.ident.span();
                (src.span(header), format!("declared through the module call `{}module.{}`", parent.address, call.name))
            })
            .collect()
    }

    pub(super) fn file(&self) -> Arc<str> {
        self.run.module(self.inst).files[self.resource.decl.file].display.clone()
    }
}

/// The credential an instance declares, if it is one.
pub(super) fn credential(at: &At) -> Option<FederatedCredential> {
    let kind = at.resource.kind;
    let action = match kind {
        AZURERM_FIC => FicAction::Declare,
        "azapi_resource" | "azapi_update_resource" => {
            let (_, ty) = at.attr("type")?;
            if !ty.as_str()?.to_ascii_lowercase().starts_with(FIC_TYPE) {
                return None;
            }
            if kind == "azapi_resource" {
                FicAction::Declare
            } else {
                FicAction::Update
            }
        }
        _ => return None,
    };
    let sc = at.scope();
    let body = if kind == AZURERM_FIC { None } else { azapi_body(at) };
    let from_body = |path: &[&str]| body.as_ref().and_then(|b| path.iter().try_fold(b, |v, k| v.get(k))).cloned();
    let known = |v: Value| -> Option<Str> { Some(Str { value: v.as_str()?.into(), span: v.origin }) };

    let name_attr = at.attr("name");
    let (name, name_source, unresolved_name) = match &name_attr {
        Some((expr, v)) if v.as_str().is_some() => {
            let write = sc.src.span(expr.span());
            // A name written inside the write itself (a conditional's branch) needs no pointer.
            let inside =
                v.origin.file == write.file && v.origin.start() >= write.start() && v.origin.end() <= write.end();
            let source = (!inside).then_some(v.origin);
            (Some(Str { value: v.as_str().unwrap_or_default().into(), span: write }), source, None)
        }
        Some((expr, _)) => (None, None, Some(sc.src.span(expr.span()))),
        None => (None, None, None),
    };
    let parent = at.attr("parent_id").or_else(|| at.attr("user_assigned_identity_id")).map(|(_, v)| v);
    let audiences = match kind {
        AZURERM_FIC => at.attr("audience").map(|(_, v)| v),
        _ => from_body(&["properties", "audiences"]),
    };
    let anchor = sc.src.span(at.resource.decl.item.span());
    Some(FederatedCredential {
        display: at.display_name(),
        origin: Origin::file(at.file()),
        meta: None,
        action,
        name,
        anchor: anchor.with_end(anchor.start()),
        identity: parent.and_then(|p| identity(&p, at.root)).map(|i| PrefixedText::shared_before_key(&i)),
        issuer: match kind {
            AZURERM_FIC => at.attr("issuer").map(|(_, v)| v),
            _ => from_body(&["properties", "issuer"]),
        }
        .and_then(known)
        .map(SharedStr::from),
        subject: match kind {
            AZURERM_FIC => at.attr("subject").map(|(_, v)| v),
            _ => from_body(&["properties", "subject"]),
        }
        .and_then(known),
        audiences: audiences
            .as_ref()
            .and_then(Value::as_list)
            .map(|items| items.iter().cloned().filter_map(known).map(SharedStr::from).collect())
            .unwrap_or_default(),
        reconcile_skip: false,
        repeated: at.repeated,
        name_source,
        unresolved_name,
        trail: at.trail().into(),
        deployment: None,
    })
}

/// The AKS identity binding an instance declares (`azapi_resource` of type
/// `Microsoft.ContainerService/managedClusters/identityBindings`), if it is one.
pub(super) fn identity_binding(at: &At) -> Option<IdentityBindingResource> {
    if at.resource.kind != "azapi_resource" {
        return None;
    }
    let (_, ty) = at.attr("type")?;
    if !ty.as_str()?.to_ascii_lowercase().starts_with(BINDING_TYPE) {
        return None;
    }
    let sc = at.scope();
    let body = azapi_body(at);
    let resource_id =
        ["properties", "managedIdentity", "resourceId"].iter().try_fold(body.as_ref()?, |v, k| v.get(k)).cloned();
    let anchor = sc.src.span(at.resource.decl.item.span());
    Some(IdentityBindingResource {
        display: at.display(),
        origin: Origin::file(at.file()),
        anchor: anchor.with_end(anchor.start()),
        name: at
            .attr("name")
            .and_then(|(expr, v)| Some(Str { value: v.as_str()?.into(), span: sc.src.span(expr.span()) })),
        identity: resource_id.and_then(|v| identity(&v, at.root)),
        cluster: at.attr("parent_id").and_then(|(_, v)| identity(&v, at.root)),
    })
}

/// The azapi `body`: an object, `jsonencode({...})` of one (read before it became a string, so
/// positions are kept), or a JSON string.
fn azapi_body(at: &At) -> Option<Value> {
    let attr = at.resource.decl.item.body.get_attribute("body")?;
    let sc = at.scope();
    if let Expression::FuncCall(call) = &attr.value {
        if let Some(inner) = jsonencode_argument(call) {
            return Some(at.run.eval(inner, sc));
        }
    }
    let v = at.run.eval(&attr.value, sc);
    match &v.kind {
        Kind::Map(_) => Some(v),
        Kind::String(text) => {
            let json: serde_json::Value = serde_json::from_str(text).ok()?;
            Some(from_json(&json, v.origin))
        }
        _ => None,
    }
}

fn jsonencode_argument(call: &FuncCall) -> Option<&Expression> {
    (call.name.name.as_str() == "jsonencode" && !call.name.is_namespaced() && call.args.len() == 1)
        .then(|| call.args.iter().next())
        .flatten()
}

fn from_json(json: &serde_json::Value, origin: Span) -> Value {
    use super::value::Key;
    match json {
        serde_json::Value::Null => Value::new(Kind::Null, origin),
        serde_json::Value::Bool(b) => Value::new(Kind::Bool(*b), origin),
        serde_json::Value::Number(n) => Value::new(Kind::Number(n.as_f64().unwrap_or(0.0)), origin),
        serde_json::Value::String(s) => Value::string(s.as_str(), origin),
        serde_json::Value::Array(items) => Value::list(items.iter().map(|i| from_json(i, origin)).collect(), origin),
        serde_json::Value::Object(entries) => Value::map(
            entries
                .iter()
                .map(|(k, v)| (Key { text: k.as_str().into(), span: origin }, from_json(v, origin)))
                .collect(),
            origin,
        ),
    }
}

/// The identity a credential belongs to, as IB402 groups them: a literal resource id as written;
/// an unknown one by its reference under its root module's directory
/// (`infra/prod/azurerm_user_assigned_identity.shared.id`): two roots are two deployments.
fn identity(parent: &Value, root: &str) -> Option<String> {
    match &parent.kind {
        Kind::String(s) => Some(s.to_string()),
        Kind::Unknown(u) if !u.failed => {
            let text = u.reference.as_deref().unwrap_or(u.text.as_str()).trim_start_matches("${").trim_end_matches('}');
            Some(if root.is_empty() || root == "." { text.to_string() } else { format!("{root}/{text}") })
        }
        _ => None,
    }
}
