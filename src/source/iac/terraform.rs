//! Terraform (`.tf`, parsed with hcl-edit, which keeps spans): `azurerm_federated_identity_credential`
//! and `azapi_resource` of the credential type. Literal names, and `var.x`/`local.x` that the
//! same file sets to a literal, are resolved; anything else stays unknown.

use std::collections::HashMap;
use std::sync::Arc;

use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body};
use hcl_edit::Span as _;

use crate::model::{FederatedCredential, FicAction, Origin, ParseFailure, Str};
use crate::span::{LineIndex, Pos, Span};

const AZURERM_FIC: &str = "azurerm_federated_identity_credential";
const AZAPI: &str = "azapi_resource";
const FIC_TYPE_PREFIX: &str = "microsoft.managedidentity/userassignedidentities/federatedidentitycredentials";

/// Parses a Terraform file; a syntax error is a `ParseFailure` at its position.
pub fn scan(text: &str, path: &Arc<str>) -> Result<Vec<FederatedCredential>, ParseFailure> {
    let body = hcl_edit::parser::parse_body(text).map_err(|e| ParseFailure {
        path: path.clone(),
        pos: Pos { line: e.location().line() as u32, col: e.location().column() as u32 },
        message: format!("invalid HCL: {}", e.message()),
    })?;
    let index = LineIndex::new(text);
    let known = literals(&body);
    let mut out = Vec::new();
    for block in body.get_blocks("resource") {
        let labels: Vec<&str> = block.labels.iter().map(|l| l.as_str()).collect();
        let (Some(kind), Some(name)) = (labels.first(), labels.get(1)) else { continue };
        let is_fic = *kind == AZURERM_FIC
            || (*kind == AZAPI
                && literal(&block.body, "type", &known)
                    .is_some_and(|t| t.to_ascii_lowercase().starts_with(FIC_TYPE_PREFIX)));
        if is_fic {
            out.push(credential(block, kind, name, path, &index, &known));
        }
    }
    Ok(out)
}

fn credential(
    block: &Block,
    kind: &str,
    name: &str,
    path: &Arc<str>,
    index: &LineIndex,
    known: &HashMap<String, String>,
) -> FederatedCredential {
    let body = &block.body;
    let str_attr = |key: &str| -> Option<Str> {
        let attr = body.get_attribute(key)?;
        let value = resolve(&attr.value, known)?;
        let span = attr.value.span().map(|r| index.span(r)).unwrap_or_default();
        Some(Str { value: value.into(), span })
    };
    let expr_text = |key: &str| body.get_attribute(key).map(|a| a.value.to_string().trim().to_string());
    let anchor = block.span().map(|r| index.span(r)).unwrap_or_default();
    FederatedCredential {
        display: format!("Terraform resource {kind}.{name}"),
        origin: Origin::File(path.clone()),
        meta: None,
        action: FicAction::Declare,
        name: str_attr("name"),
        name_source: None,
        unresolved_name: None,
        anchor: Span::new(anchor.start, anchor.start),
        identity: expr_text("parent_id").or_else(|| expr_text("user_assigned_identity_id")),
        issuer: str_attr("issuer"),
        subject: str_attr("subject"),
        audiences: body
            .get_attribute("audience")
            .and_then(|a| match &a.value {
                Expression::Array(items) => Some(
                    items
                        .iter()
                        .filter_map(|e| {
                            Some(Str {
                                value: resolve(e, known)?.into(),
                                span: e.span().map(|r| index.span(r)).unwrap_or_default(),
                            })
                        })
                        .collect(),
                ),
                _ => None,
            })
            .unwrap_or_default(),
        reconcile_skip: false,
        repeated: body.has_attribute("for_each") || body.has_attribute("count"),
    }
}

fn literal(body: &Body, key: &str, known: &HashMap<String, String>) -> Option<String> {
    resolve(&body.get_attribute(key)?.value, known)
}

/// A string literal, or `var.x`/`local.x` set to one in this file.
fn resolve(expr: &Expression, known: &HashMap<String, String>) -> Option<String> {
    match expr {
        Expression::String(s) => Some(s.value().clone()),
        _ => known.get(expr.to_string().trim()).cloned(),
    }
}

/// `local.x` and `var.x` (defaults) that this file sets to string literals.
fn literals(body: &Body) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for block in body.get_blocks("locals") {
        for attr in block.body.attributes() {
            if let Expression::String(s) = &attr.value {
                out.insert(format!("local.{}", attr.key.as_str()), s.value().clone());
            }
        }
    }
    for block in body.get_blocks("variable") {
        let Some(name) = block.labels.first() else { continue };
        if let Some(Expression::String(s)) = block.body.get_attribute("default").map(|a| &a.value) {
            out.insert(format!("var.{}", name.as_str()), s.value().clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_names_and_positions() {
        let tf = "locals {\n  fic = \"aks-identity-binding\"\n}\nresource \"azurerm_federated_identity_credential\" \"ib\" {\n  name      = local.fic\n  parent_id = azurerm_user_assigned_identity.app.id\n  issuer    = \"https://x\"\n}\nresource \"azapi_resource\" \"fic\" {\n  type = \"Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31\"\n  name = \"other\"\n}\n";
        let f = scan(tf, &Arc::from("main.tf")).unwrap();
        assert_eq!(f.len(), 2);
        let n = f[0].name.as_ref().unwrap();
        assert_eq!(n.value, "aks-identity-binding");
        assert_eq!((n.span.start.line, n.span.start.col), (5, 15));
        assert_eq!(f[0].identity.as_deref(), Some("azurerm_user_assigned_identity.app.id"));
        assert_eq!(f[1].name.as_ref().unwrap().value, "other");
    }

    #[test]
    fn syntax_errors_have_positions() {
        let e = scan("resource \"a\" \"b\" {\n  name = \n", &Arc::from("x.tf")).unwrap_err();
        assert!(e.pos.line >= 2, "{e:?}");
    }
}
