use std::sync::Arc;

use super::*;
use crate::yaml::{parse_stream, Limits};

fn run(text: &str, bound: Bound) -> Objects {
    let mut out = Objects::default();
    parse_stream(text, &Limits::default(), |root| {
        assert!(is_template(&root));
        evaluate(&root, &Origin::file(Arc::from("t.json")), bound.clone(), &mut out);
    });
    out
}

fn names(out: &Objects) -> Vec<String> {
    out.federated_credentials.iter().map(|f| f.name.as_ref().map_or("?".into(), |n| n.value.to_string())).collect()
}

const HEAD: &str = r#""$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0""#;

#[test]
fn parameters_variables_and_functions() {
    let text = format!(
        r#"{{{HEAD},
"parameters": {{"identityName": {{"type": "string", "defaultValue": "orders"}},
               "suffix": {{"type": "string", "defaultValue": "BINDING"}}}},
"variables": {{"ficName": "[toLower(format('aks-identity-{{0}}', parameters('suffix')))]"}},
"resources": [
  {{"type": "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
    "apiVersion": "2023-01-31",
    "name": "[concat(parameters('identityName'), '/', variables('ficName'))]"}}
]}}"#
    );
    let out = run(&text, Bound::new());
    assert_eq!(names(&out), ["aks-identity-binding"]);
    let fic = &out.federated_credentials[0];
    assert_eq!(fic.identity_text().as_deref(), Some("orders"));
    assert_eq!(fic.name.as_ref().map(|n| (n.span.start().line, n.span.start().col)), Some((8, 13)));
    // The name's text comes from the variable on line 4.
    assert_eq!(fic.name_source.map(|s| s.start().line), Some(4));
    let from_file = Bound::from([("suffix".to_string(), Value::str("westeurope", None))]);
    assert_eq!(names(&run(&text, from_file)), ["aks-identity-westeurope"]);
}

#[test]
fn copy_loops_conditions_and_existing() {
    let text = format!(
        r#"{{{HEAD},
"parameters": {{"names": {{"type": "array", "defaultValue": ["a", "aks-identity-binding", "c"]}}}},
"resources": [
  {{"type": "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
    "name": "[format('orders/{{0}}', parameters('names')[copyIndex()])]",
    "condition": "[not(equals(copyIndex(), 2))]",
    "copy": {{"name": "fics", "count": "[length(parameters('names'))]"}}}},
  {{"type": "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
    "name": "orders/aks-identity-binding", "existing": true}},
  {{"type": "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
    "name": "[concat('orders/', string(copyIndex(1)))]",
    "copy": {{"name": "unknown", "count": "[parameters('missing')]"}}}}
]}}"#
    );
    let out = run(&text, Bound::new());
    assert_eq!(names(&out), ["a", "aks-identity-binding", "?"]);
    assert!(out.federated_credentials[2].repeated);
    assert_eq!(out.federated_credentials[1].name_source.map(|s| s.start().line), Some(2));
}

#[test]
fn nested_deployments_bind_parameters_in_inner_scope() {
    let text = format!(
        r#"{{{HEAD},
"parameters": {{"credential": {{"type": "string", "defaultValue": "aks-identity-binding"}}}},
"resources": [{{
  "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "module",
  "properties": {{
    "expressionEvaluationOptions": {{"scope": "inner"}},
    "mode": "Incremental",
    "parameters": {{"ficName": {{"value": "[parameters('credential')]"}}, "credential": {{"value": "shadowed"}}}},
    "template": {{
      {HEAD},
      "parameters": {{"ficName": {{"type": "string"}}, "credential": {{"type": "string"}}}},
      "resources": [{{
        "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
        "name": "orders",
        "resources": [{{"type": "federatedIdentityCredentials", "name": "[parameters('ficName')]"}}]
      }}]
    }}
  }}
}}, {{
  "type": "Microsoft.Resources/deployments", "name": "outer",
  "properties": {{"template": {{"resources": [{{
    "type": "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
    "name": "[concat('billing/', parameters('credential'))]"
  }}]}}}}
}}]}}"#
    );
    let out = run(&text, Bound::new());
    assert_eq!(names(&out), ["aks-identity-binding", "aks-identity-binding"]);
    let inner = &out.federated_credentials[0];
    assert_eq!(inner.identity_text().as_deref(), Some("orders"));
    // Exact positions inside the nested template; the source is the outer default.
    assert_eq!(inner.name.as_ref().map(|n| (n.span.start().line, n.span.start().col)), Some((15, 72)));
    assert_eq!(inner.name_source.map(|s| s.start().line), Some(2));
    assert_eq!(out.federated_credentials[1].identity_text().as_deref(), Some("billing"));
}

#[test]
fn identity_bindings_and_symbolic_resources() {
    let text = format!(
        r#"{{{HEAD}, "languageVersion": "2.0",
"resources": {{
  "uami": {{"type": "Microsoft.ManagedIdentity/userAssignedIdentities", "name": "orders"}},
  "binding": {{"type": "Microsoft.ContainerService/managedClusters/identityBindings", "name": "aks/orders",
    "properties": {{"managedIdentity": {{"resourceId": "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'orders')]"}}}}}},
  "fic": {{"type": "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
    "name": "[format('{{0}}/{{1}}', 'orders', uniqueString(resourceGroup().id))]"}}
}}}}"#
    );
    let out = run(&text, Bound::new());
    assert_eq!(out.identity_bindings.len(), 1);
    assert_eq!(out.identity_bindings[0].identity.as_deref(), Some("orders"));
    assert_eq!(out.identity_bindings[0].cluster.as_deref(), Some("aks"));
    assert_eq!(names(&out), ["?"]);
    assert_eq!(out.federated_credentials[0].unresolved_name.map(|s| s.start().line), Some(7));
}

#[test]
fn deep_and_cyclic_templates_end() {
    let mut nested = String::from(r#"{"resources": [{"type": "x", "name": "leaf"}]}"#);
    for _ in 0..40 {
        nested = format!(
            r#"{{"resources": [{{"type": "Microsoft.Resources/deployments", "name": "d", "properties": {{"template": {nested}}}}}]}}"#
        );
    }
    let text = format!(
        r#"{{{HEAD}, "variables": {{"a": "[variables('b')]", "b": "[variables('a')]"}},
"resources": [{{"type": "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
  "name": "[concat('id/', variables('a'))]"}}, {{"type": "Microsoft.Resources/deployments", "name": "n", "properties": {{"template": {nested}}}}}]}}"#
    );
    let out = run(&text, Bound::new());
    assert_eq!(names(&out), ["?"]);
    assert!(out.notes.iter().any(|n| n.message.contains("nested deeper")), "{:?}", out.notes);
}
