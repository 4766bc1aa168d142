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
    assert_eq!((n.span.start().line, n.span.start().col), (5, 15));
    let source = f[0].name_source.unwrap();
    assert_eq!((source.start().line, source.start().col), (2, 9));
    assert_eq!(f[0].identity_text().as_deref(), Some("azurerm_user_assigned_identity.app.id"));
    assert_eq!(f[1].name.as_ref().unwrap().value, "other");
}

#[test]
fn syntax_errors_have_positions() {
    let objects = eval(&[("x.tf", "resource \"a\" \"b\" {\n  name = \n")]);
    assert!(objects.parse_failures[0].pos.line >= 2, "{:?}", objects.parse_failures);
}

/// The HCL parser (vendor/hcl-edit, patched) finds a redefined object key through an index of
/// the keys: each kind of key is still caught where it is redefined, and only equal keys clash.
#[test]
fn redefined_object_keys_are_syntax_errors_at_the_redefinition() {
    let cases = [
        ("a = 1\n    b = 2\n    a = 3", (5, 5)),
        ("\"a\" = 1\n    b = 2\n    \"a\" = 3", (5, 5)),
        ("(x) = 1\n    (y) = 2\n    (x) = 3", (5, 5)),
        ("a = 1\n    \"b\" = 2\n    (b) = 3\n    \"a\" = 4\n    a = 5", (7, 5)),
    ];
    for (items, (line, col)) in cases {
        let tf = format!("locals {{\n  m = {{\n    {items}\n  }}\n}}\n");
        let failures = eval(&[("x.tf", &tf)]).parse_failures;
        assert_eq!(failures.len(), 1, "{tf}");
        assert!(failures[0].message.contains("redefined object key"), "{tf}: {failures:?}");
        assert_eq!((failures[0].pos.line, failures[0].pos.col), (line, col), "{tf}");
    }
    let distinct = "locals {\n  m = {\n    a = 1\n    \"a-b\" = 2\n    (a) = 3\n    \"${a}\" = 4\n  }\n}\n";
    let failures = eval(&[("x.tf", distinct)]).parse_failures;
    assert!(failures.is_empty(), "{distinct}: {failures:?}");
}

#[test]
fn manifests_from_templates_outside_the_run_point_at_the_call() {
    let main = "variable \"use\" {\n  default = \"True\"\n}\nresource \"kubernetes_manifest\" \"api\" {\n  manifest = yamldecode(templatefile(\"${path.module}/d.tftpl\", { use = var.use }))\n}\n";
    let template = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    metadata:\n      labels:\n        azure.workload.identity/use: \"${use}\"\n";
    let loader = crate::source::loader::MemLoader::new([("main.tf", main), ("d.tftpl", template)]);
    let entries = vec![FileEntry {
        path: Path::new("/main.tf").to_path_buf(),
        display: Arc::from("main.tf"),
        kind: FileKind::Terraform,
        reported: true,
    }];
    let scope = stage::Scope::new(&entries);
    let claimed: Vec<&FileEntry> = entries.iter().collect();
    let mut objects = Objects::default();
    objects.merge_all(MODULES.evaluate(&claimed, &scope, &loader, &LoadOptions::default()));
    assert_eq!(objects.workloads.len(), 1, "{:?}", objects.notes);
    let label = objects.workloads[0].pod.labels.get("azure.workload.identity/use").unwrap();
    assert_eq!(label.value, "True");
    assert_eq!((label.value_span.start().line, label.value_span.start().col), (5, 14));
    assert_eq!(label.value_span.file.path().as_deref(), Some("main.tf"));
}

/// Each instance of a `for_each` or `count` finds its own instance of another resource by key.
#[test]
fn instances_refer_to_the_instance_of_their_own_key() {
    let tf = "locals {\n  apps = { a = \"x\", b = \"y\", c = \"z\" }\n}\n\
resource \"azurerm_user_assigned_identity\" \"app\" {\n  for_each = local.apps\n  name     = \"id-${each.value}\"\n}\n\
resource \"azurerm_user_assigned_identity\" \"n\" {\n  count = 3\n  name  = \"n-${count.index}\"\n}\n\
resource \"azurerm_federated_identity_credential\" \"app\" {\n  for_each  = local.apps\n  name      = azurerm_user_assigned_identity.app[each.key].name\n  parent_id = azurerm_user_assigned_identity.app[each.key].id\n}\n\
resource \"azurerm_federated_identity_credential\" \"n\" {\n  count     = 3\n  name      = azurerm_user_assigned_identity.n[2 - count.index].name\n  parent_id = azurerm_user_assigned_identity.n[count.index].id\n}\n";
    let credentials = eval(&[("main.tf", tf)]).federated_credentials;
    let names: Vec<&str> = credentials.iter().map(|c| c.name.as_ref().map_or("?", |n| n.value.as_str())).collect();
    assert_eq!(names, ["id-x", "id-y", "id-z", "n-2", "n-1", "n-0"]);
}
