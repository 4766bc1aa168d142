use std::path::PathBuf;

use super::*;
use crate::model::FederatedCredential;
use crate::span::{FileId, Pos};

/// Evaluates the Bicep files among `files` (all in memory) as a run would.
fn run(files: &[(&str, &str)]) -> Objects {
    let loader = MemLoader::new(files.iter().copied());
    let paths = |ext: &str| -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> =
            files.iter().filter(|(p, _)| p.ends_with(ext)).map(|(p, _)| Path::new("/").join(p)).collect();
        v.sort();
        v
    };
    let all: Vec<PathBuf> = files.iter().map(|(p, _)| Path::new("/").join(p)).collect();
    evaluate_files(&paths(".bicep"), &paths(".bicepparam"), &paths(".json"), &loader, |p| all.iter().any(|a| a == p))
}

fn names(objects: &Objects) -> Vec<String> {
    objects.federated_credentials.iter().map(|f| f.name.as_ref().map_or("?".into(), |n| n.value.to_string())).collect()
}

/// `path:line:col` of a span (its own file, else `holder`).
fn at(span: crate::span::Span, holder: &str) -> String {
    let path = span.file.path().map_or(holder.to_string(), |p| p.to_string());
    format!("{path}:{}:{}", span.start().line, span.start().col)
}

fn only(objects: &Objects) -> &FederatedCredential {
    assert_eq!(objects.federated_credentials.len(), 1, "{:#?}", objects.federated_credentials);
    &objects.federated_credentials[0]
}

const UAMI: &str = "resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {\n  name: identityName\n  location: 'westeurope'\n}\n";

#[test]
fn parameter_defaults_name_the_credential_and_are_its_source() {
    let main = format!(
        "param identityName string = 'orders'\nparam ficName string = 'aks-identity-binding'\n{UAMI}\
         resource fic 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = {{\n  \
         parent: uami\n  name: ficName\n}}\n"
    );
    let out = run(&[("main.bicep", &main)]);
    let fic = only(&out);
    let name = fic.name.as_ref().expect("name");
    assert_eq!(name.value, "aks-identity-binding");
    assert_eq!(at(name.span, "?"), "main.bicep:9:9");
    assert_eq!(fic.name_source.map(|s| at(s, "?")).as_deref(), Some("main.bicep:2:24"));
    assert_eq!(fic.identity_text().as_deref(), Some("orders"));
}

#[test]
fn bicepparam_and_json_parameter_files_override_defaults() {
    let main = format!(
        "param identityName string = 'orders'\nparam ficName string = 'orders-fic'\n{UAMI}\
         resource fic 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = {{\n  \
         parent: uami\n  name: ficName\n}}\n"
    );
    let out = run(&[
        ("infra/main.bicep", &main),
        ("infra/prod.bicepparam", "using './main.bicep'\nvar prefix = 'aks-identity'\nparam ficName = '${prefix}-binding'\n"),
        (
            "infra/main.parameters.json",
            "{\"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#\",\n\"parameters\": {\"ficName\": {\"value\": \"dev-fic\"}}}\n",
        ),
    ]);
    let mut got = names(&out);
    got.sort();
    // With parameter files present, the defaults alone are not a deployment.
    assert_eq!(got, ["aks-identity-binding", "dev-fic"]);
    let managed = out.federated_credentials.iter().find(|f| f.is_managed_name()).expect("managed");
    let source = managed.name_source.expect("source");
    assert_eq!(at(source, "?"), "infra/prod.bicepparam:2:14");
}

#[test]
fn module_parameters_bind_two_levels_deep() {
    let main = "module ids './modules/ids.bicep' = {\n  name: 'ids'\n  params: {\n    credential: 'aks-identity-binding'\n  }\n}\n";
    let ids = "param credential string\nmodule fic 'fic.bicep' = {\n  name: 'fic'\n  params: {\n    identityName: 'orders'\n    ficName: credential\n  }\n}\n";
    let fic = format!(
        "param identityName string\nparam ficName string = 'default-name'\n{}\
         resource fic 'federatedIdentityCredentials' existing = {{\n  name: 'other'\n}}\n",
        UAMI.replace(
            "  location: 'westeurope'\n",
            "  location: 'westeurope'\n  resource cred 'federatedIdentityCredentials' = {\n    name: ficName\n  }\n"
        )
    );
    let out = run(&[("main.bicep", main), ("modules/ids.bicep", ids), ("modules/fic.bicep", &fic)]);
    let fic = only(&out);
    assert_eq!(fic.name.as_ref().map(|n| n.value.as_str()), Some("aks-identity-binding"));
    assert_eq!(fic.origin.path().map(|p| p.as_ref()), Some("modules/fic.bicep"));
    assert_eq!(fic.name.as_ref().map(|n| at(n.span, "?")).as_deref(), Some("modules/fic.bicep:7:11"));
    assert_eq!(fic.name_source.map(|s| at(s, "?")).as_deref(), Some("main.bicep:4:17"));
    assert_eq!(fic.identity_text().as_deref(), Some("orders"));
}

#[test]
fn existing_resources_only_read() {
    let main = "resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {\n  name: 'orders'\n  \
                resource managed 'federatedIdentityCredentials' existing = {\n    name: 'aks-identity-binding'\n  }\n  \
                resource own 'federatedIdentityCredentials' = {\n    name: 'orders-fic'\n  }\n}\n";
    let out = run(&[("main.bicep", main)]);
    assert_eq!(names(&out), ["orders-fic"]);
    assert_eq!(only(&out).identity_text().as_deref(), Some("orders"));
}

#[test]
fn loops_over_literal_arrays_and_ranges() {
    let main = "var names = ['a', 'aks-identity-binding']\n\
                resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {\n  name: 'orders'\n}\n\
                resource fics 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = [for n in names: {\n  \
                parent: uami\n  name: n\n}]\n\
                resource more 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = [for i in range(0, 3): if (i != 1) {\n  \
                name: 'orders/fic-${i}'\n}]\n";
    let out = run(&[("main.bicep", main)]);
    assert_eq!(names(&out), ["a", "aks-identity-binding", "fic-0", "fic-2"]);
    let managed = &out.federated_credentials[1];
    assert_eq!(managed.name_source.map(|s| (s.start().line, s.start().col)), Some((1, 19)));
    assert!(out.federated_credentials.iter().all(|f| f.identity_text().as_deref() == Some("orders")));
}

#[test]
fn qualified_names_keep_a_known_tail() {
    let main = "param id string\nresource fic 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = {\n  \
                name: '${id}/aks-identity-binding'\n}\nresource graph 'Microsoft.Graph/applications/federatedIdentityCredentials@v1.0' = {\n  \
                name: 'app/aks-identity-binding'\n}\n";
    let out = run(&[("main.bicep", main)]);
    let fic = only(&out);
    assert_eq!(fic.name.as_ref().map(|n| n.value.as_str()), Some("aks-identity-binding"));
    assert_eq!(fic.name_source, None);
    assert_eq!(fic.identity, None);
}

#[test]
fn identity_bindings_name_their_identity() {
    let main = "resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {\n  name: 'orders'\n}\n\
                resource aks 'Microsoft.ContainerService/managedClusters@2025-06-02-preview' existing = {\n  name: 'aks'\n  \
                resource ib 'identityBindings' = {\n    name: 'orders'\n    properties: {\n      managedIdentity: {\n        \
                resourceId: uami.id\n      }\n    }\n  }\n}\n\
                resource fic 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = {\n  \
                parent: uami\n  name: uniqueString(resourceGroup().id)\n}\n";
    let out = run(&[("main.bicep", main)]);
    assert_eq!(out.identity_bindings.len(), 1);
    let b = &out.identity_bindings[0];
    assert_eq!(b.identity.as_deref(), Some("orders"));
    assert_eq!(b.cluster.as_deref(), Some("aks"));
    let fic = only(&out);
    assert!(fic.name.is_none());
    assert_eq!(fic.unresolved_name.map(|s| (s.start().line, s.start().col)), Some((17, 9)));
    assert_eq!(fic.identity_text().as_deref(), Some("orders"));
}

#[test]
fn module_outputs_flow_into_other_modules() {
    let main =
        "module names 'names.bicep' = {\n  name: 'n'\n}\nmodule fic 'fic.bicep' = {\n  name: 'f'\n  params: {\n    \
                ficName: names.outputs.managed\n  }\n}\n";
    let names_file = "output managed string = 'aks-identity-binding'\n";
    let fic = "param ficName string\nresource fic 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = {\n  \
               name: 'orders/${ficName}'\n}\n";
    let out = run(&[("main.bicep", main), ("names.bicep", names_file), ("fic.bicep", fic)]);
    assert_eq!(names(&out), ["aks-identity-binding"]);
}

#[test]
fn module_cycles_and_self_references_end() {
    let a = "module b 'b.bicep' = {\n  name: 'b'\n}\nvar x = y\nvar y = x\n\
             resource fic 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = {\n  \
             name: 'id/${x}'\n}\n";
    let b = "module a 'a.bicep' = {\n  name: 'a'\n}\n";
    let out = run(&[("a.bicep", a), ("b.bicep", b)]);
    assert_eq!(names(&out), ["?"]);
    assert!(out.notes.iter().any(|n| n.message.contains("module cycle")), "{:?}", out.notes);
}

#[test]
fn hostile_loops_stay_within_budget() {
    let main = "var big = range(0, 10000)\nresource fics 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = [for i in big: {\n  \
                name: 'id/${[for j in big: [for k in big: k]]}'\n}]\n";
    let out = run(&[("main.bicep", main)]);
    assert!(out.notes.iter().any(|n| n.message.contains("budget")), "{:?}", out.notes);
}

#[test]
fn broken_and_deep_files_are_parse_failures() {
    let deep = format!("var x = {}", "[".repeat(100_000));
    let out = run(&[("deep.bicep", &deep), ("broken.bicep", "var x = 'open\n")]);
    assert_eq!(out.parse_failures.len(), 2, "{:?}", out.parse_failures);
    assert!(out.parse_failures.iter().any(|f| f.message.contains("nested deeper")));
    let _ = (FileId::HOLDER, Pos::default());
}
