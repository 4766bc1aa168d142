use super::*;

fn eval(files: &[(&str, &str)]) -> Objects {
    evaluate_texts(files, &LoadOptions::default())
}

#[test]
fn finds_names_and_positions() {
    let tf = "locals {\n  fic = \"aks-identity-binding\"\n}\nresource \"azurerm_federated_identity_credential\" \"ib\" {\n  name      = local.fic\n  parent_id = azurerm_user_assigned_identity.app.id\n  issuer    = \"https://x\"\n}\nresource \"azapi_resource\" \"fic\" {\n  type = \"Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31\"\n  name = \"other\"\n}\n";
    let f = eval(&[("main.tf", tf)]).federated_credentials;
    assert_eq!(f.len(), 2);
    let n = f[0].name.as_ref().unwrap();
    assert_eq!(n.value, "aks-identity-binding");
    assert_eq!((n.span.start.line, n.span.start.col), (5, 15));
    let source = f[0].name_source.unwrap();
    assert_eq!((source.start.line, source.start.col), (2, 9));
    assert_eq!(f[0].identity.as_deref(), Some("azurerm_user_assigned_identity.app.id"));
    assert_eq!(f[1].name.as_ref().unwrap().value, "other");
}

#[test]
fn syntax_errors_have_positions() {
    let objects = eval(&[("x.tf", "resource \"a\" \"b\" {\n  name = \n")]);
    assert!(objects.parse_failures[0].pos.line >= 2, "{:?}", objects.parse_failures);
}
