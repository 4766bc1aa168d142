//! The build engine on trees held in memory.

use std::path::Path;

use serde_json::{json, Value};

use super::*;
use crate::source::loader::MemLoader;
use crate::span::FileId;
use crate::yaml::to_json;

fn build_of(files: &[(&str, &str)], root: &str) -> Built {
    let loader = MemLoader::new(files.iter().copied());
    build(&Path::new("/").join(root), &loader, &LoadOptions::default())
}

fn object<'a>(b: &'a Built, kind: &str, name: &str) -> &'a Node {
    b.objects
        .iter()
        .find(|o| {
            o.get("kind").and_then(Node::as_str) == Some(kind)
                && o.path(&["metadata", "name"]).and_then(Node::as_str) == Some(name)
        })
        .unwrap_or_else(|| panic!("no {kind} {name} in {:?}", b.objects.iter().map(to_json).collect::<Vec<_>>()))
}

const SA: &str = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n";
const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      serviceAccountName: api
      containers: [{name: api, image: api}]
";
const BINDING: &str = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: api-identity
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: use-identity}
subjects:
  - {kind: ServiceAccount, name: api, namespace: default}
";
const ROLE: &str = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: use-identity
rules: [{verbs: [use-managed-identity], apiGroups: [cid.wi.aks.azure.com], resources: [x]}]
";

fn base() -> Vec<(&'static str, &'static str)> {
    vec![
        ("base/kustomization.yaml", "resources: [sa.yaml, deployment.yaml, rbac.yaml]\n"),
        ("base/sa.yaml", SA),
        ("base/deployment.yaml", DEPLOYMENT),
        ("base/rbac.yaml", "---\n"),
    ]
}

#[test]
fn namespace_moves_objects_and_the_subjects_that_name_them() {
    let mut files = base();
    files[3] = ("base/rbac.yaml", "");
    let rbac = format!("{BINDING}---\n{ROLE}");
    files.push(("prod/rbac.yaml", &rbac));
    files.push(("prod/kustomization.yaml", "namespace: orders-prod\nresources: [../base, rbac.yaml]\n"));
    let b = build_of(&files, "prod");
    assert!(b.notes.is_empty() && b.failures.is_empty(), "{:?} {:?}", b.notes, b.failures);
    let sa = object(&b, "ServiceAccount", "api");
    assert_eq!(sa.path(&["metadata", "namespace"]).and_then(Node::as_str), Some("orders-prod"));
    let ns_span = sa.path(&["metadata", "namespace"]).map(|n| n.span).expect("namespace");
    assert_eq!(ns_span.file, FileId::of(&Arc::from("prod/kustomization.yaml")), "the kustomization wrote it");
    assert_eq!(ns_span.start().line, 1);
    let crb = to_json(object(&b, "ClusterRoleBinding", "api-identity"));
    assert_eq!(crb["subjects"], json!([{"kind": "ServiceAccount", "name": "api", "namespace": "orders-prod"}]));
    assert!(to_json(object(&b, "ClusterRoleBinding", "api-identity"))["metadata"].get("namespace").is_none());
}

#[test]
fn prefix_renames_accounts_and_roles_and_references_follow() {
    let mut files = base();
    let rbac = format!("{BINDING}---\n{ROLE}");
    files[3] = ("base/rbac.yaml", &rbac);
    files.push(("prod/kustomization.yaml", "namePrefix: prod-\nnameSuffix: -v2\nresources: [../base]\n"));
    let b = build_of(&files, "prod");
    let d = to_json(object(&b, "Deployment", "prod-api-v2"));
    assert_eq!(d["spec"]["template"]["spec"]["serviceAccountName"], "prod-api-v2");
    let crb = to_json(object(&b, "ClusterRoleBinding", "prod-api-identity-v2"));
    assert_eq!(crb["roleRef"]["name"], "prod-use-identity-v2");
    assert_eq!(crb["subjects"][0]["name"], "prod-api-v2");
    assert_eq!(crb["subjects"][0]["namespace"], "default");
}

#[test]
fn labels_reach_templates_only_when_asked() {
    let mut files = base();
    files.push((
        "a/kustomization.yaml",
        "resources: [../base]\nlabels:\n  - pairs: {azure.workload.identity/use: \"true\"}\n",
    ));
    files.push((
        "b/kustomization.yaml",
        "resources: [../base]\nlabels:\n  - pairs: {azure.workload.identity/use: \"true\"}\n    includeTemplates: true\n",
    ));
    files.push((
        "c/kustomization.yaml",
        "resources: [../base]\ncommonLabels: {team: orders}\ncommonAnnotations: {owner: x}\n",
    ));
    let key = "azure.workload.identity/use";
    let a = to_json(object(&build_of(&files, "a"), "Deployment", "api"));
    assert_eq!(a["metadata"]["labels"][key], "true");
    assert!(a["spec"]["template"]["metadata"]["labels"].get(key).is_none());
    let b = to_json(object(&build_of(&files, "b"), "Deployment", "api"));
    assert_eq!(b["spec"]["template"]["metadata"]["labels"][key], "true");
    assert!(b["spec"]["selector"]["matchLabels"].get(key).is_none());
    let c = to_json(object(&build_of(&files, "c"), "Deployment", "api"));
    assert_eq!(c["spec"]["selector"]["matchLabels"]["team"], "orders");
    assert_eq!(c["spec"]["template"]["metadata"]["annotations"]["owner"], "x");
}

#[test]
fn patches_keep_their_lines_and_types() {
    let mut files = base();
    files.push((
        "prod/kustomization.yaml",
        "resources: [../base]\npatches:\n  - path: label.yaml\n    target: {kind: Deployment, name: \"a.*\"}\n  - path: delete.yaml\n",
    ));
    files.push((
        "prod/label.yaml",
        "- op: add\n  path: /spec/template/metadata/labels/azure.workload.identity~1use\n  value: true\n",
    ));
    files.push((
        "prod/delete.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    metadata:\n      labels:\n        app: null\n",
    ));
    let b = build_of(&files, "prod");
    assert!(b.notes.is_empty(), "{:?}", b.notes);
    let d = object(&b, "Deployment", "api");
    let label = d.path(&["spec", "template", "metadata", "labels", "azure.workload.identity/use"]).expect("label");
    assert_eq!(label.as_scalar().map(|s| s.resolved_type()), Some(crate::yaml::ScalarType::Bool));
    assert_eq!((label.span.file.path().as_deref(), label.span.start().line), (Some("prod/label.yaml"), 3));
    assert!(d.path(&["spec", "template", "metadata", "labels", "app"]).is_none());
}

#[test]
fn inline_patches_point_into_the_kustomization() {
    let mut files = base();
    files.push((
        "prod/kustomization.yaml",
        "resources: [../base]\npatches:\n  - target: {kind: ServiceAccount}\n    patch: |-\n      - op: add\n        path: /metadata/annotations\n        value: {azure.workload.identity/client-id: abc}\n",
    ));
    let b = build_of(&files, "prod");
    let value = object(&b, "ServiceAccount", "api")
        .path(&["metadata", "annotations", "azure.workload.identity/client-id"])
        .map(|n| (n.span.file.path(), n.span.start().line, n.span.start().col))
        .expect("annotation");
    assert_eq!(value, (Some(Arc::from("prod/kustomization.yaml")), 7, 52));
}

#[test]
fn components_transform_what_includes_them() {
    let mut files = base();
    files.push(("prod/kustomization.yaml", "resources: [../base]\ncomponents: [../wi]\n"));
    files.push((
        "wi/kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n  - path: use.yaml\n",
    ));
    files.push((
        "wi/use.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    metadata:\n      labels:\n        azure.workload.identity/use: \"true\"\n",
    ));
    let b = build_of(&files, "prod");
    let d = to_json(object(&b, "Deployment", "api"));
    assert_eq!(
        d["spec"]["template"]["metadata"]["labels"],
        json!({"app": "api", "azure.workload.identity/use": "true"})
    );
}

#[test]
fn remote_bases_missing_files_and_unsupported_fields_are_notes() {
    let files = [
        ("k/kustomization.yaml", "resources:\n  - github.com/example/base?ref=v1\n  - missing.yaml\n  - sa.yaml\nconfigMapGenerator: [{name: x}]\nreplacements: [{source: {kind: X}}]\n"),
        ("k/sa.yaml", SA),
    ];
    let b = build_of(&files, "k");
    assert_eq!(b.objects.len(), 1, "the rest is built");
    let notes: Vec<&str> = b.notes.iter().map(|n| n.message.as_str()).collect();
    assert_eq!(notes.len(), 4, "{notes:?}");
    assert!(notes.iter().any(|n| n.starts_with("remote `github.com/example/base?ref=v1` is not fetched")));
    assert!(notes.iter().any(|n| n.starts_with("`missing.yaml` does not exist")));
    assert!(notes.iter().any(|n| n.contains("`configMapGenerator` is not evaluated")));
    assert!(notes.iter().any(|n| n.contains("replacement: a replacement needs a `source` and at least one target")));
}

#[test]
fn a_cycle_is_a_failure_on_its_entry_and_ends() {
    let files =
        [("a/kustomization.yaml", "resources:\n  - ../b\n"), ("b/kustomization.yaml", "resources:\n  - ../a\n")];
    let b = build_of(&files, "a");
    assert_eq!(b.failures.len(), 1, "{:?}", b.failures);
    let f = &b.failures[0];
    assert_eq!((f.path.as_ref(), f.pos.line), ("b/kustomization.yaml", 2));
    assert!(f.message.contains("cycle"), "{}", f.message);
}

#[test]
fn a_tree_nested_past_the_depth_budget_stops_with_a_note() {
    // Each level includes the next twice over: without the budget, 2^60 inclusions.
    let texts: Vec<(String, String)> = (0..60)
        .map(|i| (format!("l{i}/kustomization.yaml"), format!("resources: [../l{}, ../l{}/]\n", i + 1, i + 1)))
        .collect();
    let files: Vec<(&str, &str)> = texts
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .chain([("l60/kustomization.yaml", "resources: []\n")])
        .collect();
    let b = build_of(&files, "l0");
    assert!(b.notes.iter().any(|n| n.message.contains("more than")), "{:?}", b.notes);
}

#[test]
fn yaml_1_1_booleans_are_strings_in_a_build() {
    let files = [
        ("k/kustomization.yaml", "resources: [d.yaml]\n"),
        ("k/d.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels: {a: yes, b: true}\n"),
    ];
    let v: Value = to_json(object(&build_of(&files, "k"), "ConfigMap", "c"));
    assert_eq!(v["metadata"]["labels"], json!({"a": "yes", "b": true}));
}

const IDENTITY_CONFIG: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: identity
data:
  clientId: \"3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60\"
  port: \"8080\"
  images: a:1,b:2
";

const SA_ANNOTATED: &str = "apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  annotations:
    azure.workload.identity/client-id: placeholder
";

#[test]
fn an_object_s_own_annotations_are_strings_in_a_build() {
    let sa = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  annotations:\n    expiration: 7200\n    empty:\n  labels:\n    team: true\n";
    let b = build_of(&[("k/kustomization.yaml", "resources: [sa.yaml]\n"), ("k/sa.yaml", sa)], "k");
    let sa = to_json(object(&b, "ServiceAccount", "api"));
    assert_eq!(sa["metadata"]["annotations"], json!({"expiration": "7200", "empty": ""}));
    assert_eq!(sa["metadata"]["labels"], json!({"team": true}), "labels keep their types");
}

#[test]
fn replacements_copy_source_values_with_their_lines() {
    let deployment = DEPLOYMENT.replace("spec:\n  selector", "spec:\n  replicas: 1\n  selector");
    let files = [
        (
            "k/kustomization.yaml",
            "resources: [sa.yaml, identity.yaml, deployment.yaml]
replacements:
  - source: {kind: ConfigMap, name: identity, fieldPath: data.clientId}
    targets:
      - select: {kind: ServiceAccount}
        fieldPaths: ['metadata.annotations.[azure.workload.identity/client-id]']
      - select: {kind: Deployment}
        fieldPaths: [spec.template.metadata.labels.client]
        options: {create: true}
  - source: {kind: ConfigMap, name: identity, fieldPath: data.port}
    targets:
      - select: {kind: Deployment}
        fieldPaths: [spec.replicas]
  - source: {kind: ConfigMap, name: identity, fieldPath: data.images, options: {delimiter: ',', index: 1}}
    targets:
      - select: {kind: Deployment}
        fieldPaths: ['spec.template.spec.containers.[name=api].image']
        options: {delimiter: ':', index: 0}
      - select: {kind: Deployment}
        fieldPaths: ['spec.template.spec.containers.*.name']
",
        ),
        ("k/sa.yaml", SA_ANNOTATED),
        ("k/identity.yaml", IDENTITY_CONFIG),
        ("k/deployment.yaml", &deployment),
    ];
    let b = build_of(&files, "k");
    assert!(b.notes.is_empty(), "{:?}", b.notes);
    let sa = object(&b, "ServiceAccount", "api");
    let id = sa.path(&["metadata", "annotations", "azure.workload.identity/client-id"]).expect("client id");
    assert_eq!(id.as_str(), Some("3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60"));
    assert_eq!(
        (id.span.file.path().as_deref(), id.span.start().line),
        (Some("k/identity.yaml"), 6),
        "the source's line"
    );
    // A scalar target keeps its type: the integer takes the string's text and stays an integer.
    let replicas = object(&b, "Deployment", "api").path(&["spec", "replicas"]).and_then(Node::as_scalar);
    let replicas = replicas.expect("replicas");
    assert_eq!((replicas.value.as_str(), replicas.resolved_type()), ("8080", crate::yaml::ScalarType::Int));
    let d = to_json(object(&b, "Deployment", "api"));
    assert_eq!(d["spec"]["template"]["metadata"]["labels"]["client"], json!("3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60"));
    assert_eq!(d["spec"]["template"]["spec"]["containers"][0]["image"], json!("b:2"));
    assert_eq!(d["spec"]["template"]["spec"]["containers"][0]["name"], json!("b:2"));
}

#[test]
fn a_replacement_without_its_source_is_refused_unless_it_may_be_generated() {
    let spec = "replacements:
  - source: {kind: ConfigMap, name: identity, fieldPath: data.clientId}
    targets: [{select: {kind: ServiceAccount}, fieldPaths: ['metadata.annotations.[azure.workload.identity/client-id]']}]
";
    let plain = format!("resources: [sa.yaml]\n{spec}");
    let b = build_of(&[("k/kustomization.yaml", &plain), ("k/sa.yaml", SA_ANNOTATED)], "k");
    let notes: Vec<&str> = b.notes.iter().map(|n| n.message.as_str()).collect();
    assert_eq!(notes, ["replacement: nothing is selected by its source (kind ConfigMap, name identity): kustomize refuses this kustomization"]);
    let generated =
        format!("resources: [sa.yaml]\nconfigMapGenerator: [{{name: identity, literals: [clientId=x]}}]\n{spec}");
    let b = build_of(&[("k/kustomization.yaml", &generated), ("k/sa.yaml", SA_ANNOTATED)], "k");
    let notes: Vec<&str> = b.notes.iter().map(|n| n.message.as_str()).collect();
    assert!(notes.iter().any(|n| n.contains("it may be one the build leaves out")), "{notes:?}");
    assert!(!notes.iter().any(|n| n.contains("kustomize refuses")), "{notes:?}");
    let missing = "resources: [sa.yaml]\nreplacements:\n  - source: {kind: ServiceAccount, fieldPath: metadata.labels.team}\n    targets: [{select: {kind: ServiceAccount}}]\n";
    let b = build_of(&[("k/kustomization.yaml", missing), ("k/sa.yaml", SA_ANNOTATED)], "k");
    assert!(
        b.notes
            .iter()
            .any(|n| n.message.contains("field `metadata.labels.team` is missing in source ServiceAccount api")),
        "{:?}",
        b.notes
    );
}
