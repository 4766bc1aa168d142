//! Leaving unread ConfigMap settings out of the tree ([`UnreadSettings`]) changes nothing the
//! linter reads: the same objects, the same secret values to mask, the same parse problems.

use std::path::Path;
use std::sync::Arc;

use super::manifest::{load_document, DocContext, UnreadSettings};
use super::{read_manifest, LoadOptions};
use crate::model::{Objects, Origin};
use crate::yaml::Unread;

/// Everything reading `text` yields, as text to compare.
fn read(display: &str, text: &str, unread: Option<&dyn Unread>) -> String {
    let display: Arc<str> = Arc::from(display);
    let opts = LoadOptions::default();
    let cx = DocContext {
        origin: Origin::file(display.clone()),
        default_namespace: "default",
        is_patch: false,
        build: None,
    };
    let (mut out, mut loaded) = (Objects::default(), Objects::default());
    let kept = read_manifest(&display, text, &opts, unread, &mut out, |root| load_document(&root, &cx, &mut loaded));
    out.secret_values.sort();
    format!("{kept}\n{out:?}\n{loaded:?}")
}

fn same_either_way(display: &str, text: &str) {
    let whole = read(display, text, None);
    let pruned = read(display, text, Some(&UnreadSettings));
    assert!(whole == pruned, "{display}: pruned reading differs\n--- whole\n{whole}\n--- pruned\n{pruned}");
}

#[test]
fn settings_that_matter_stay() {
    let text = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  LOG_LEVEL: debug
  AZURE_CLIENT_ID: 00000000-0000-0000-0000-000000000001
  token-path: /var/run/secrets/azure/tokens/azure-identity-token
  DB_PASSWORD: hunter22hunter
  connection: "Server=db;User Id=app;Password=s3cr3t-pw"
  url: postgres://app:pw1234@db:5432/x
  name: API_TOKEN
  value: the-token-value
  azure.json: '{"useWorkloadIdentityExtension": true, "aadClientId": "x"}'
  dup: 1
  dup: 2
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: contradicted
data:
  plain: value
kind: Secret
"#;
    same_either_way("settings.yaml", text);
    // What makes the comparison bite: the policy leaves out the plain settings, and only them.
    let mut data = Vec::new();
    crate::yaml::parse_stream_pruned(text, &LoadOptions::default().limits, Some(&UnreadSettings), |root| {
        let keys = root.get("data").and_then(|d| d.as_map()).unwrap_or_default().iter();
        data.push(keys.filter_map(|(k, _)| k.as_str().map(str::to_owned)).collect::<Vec<_>>());
    });
    let expected = ["AZURE_CLIENT_ID", "token-path", "DB_PASSWORD", "connection", "url", "name", "value", "azure.json"];
    assert_eq!(data, [expected.to_vec(), vec!["plain"]]);
}

/// Every manifest of the bundled example and of the real-world corpus (when present) reads the
/// same pruned or whole.
#[test]
fn every_known_manifest_reads_the_same_pruned() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = std::env::var_os("IBLINT_REALWORLD")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/realworld"));
    let mut checked = 0;
    for dir in [root.join("testdata"), corpus] {
        for entry in ignore::WalkBuilder::new(&dir).standard_filters(false).build().filter_map(Result::ok) {
            let path = entry.path();
            let is_manifest = path.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "json");
            let Some(text) = is_manifest.then(|| std::fs::read_to_string(path).ok()).flatten() else { continue };
            same_either_way(&path.display().to_string(), &text);
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} manifests found");
}

/// The keys of the mapping at `path` in `root` (an index for a sequence's item).
fn keys_at(root: &crate::yaml::Node, path: &[&str]) -> Vec<String> {
    let mut node = Some(root);
    for step in path {
        node = node.and_then(|n| match step.parse::<usize>() {
            Ok(i) => n.as_seq().and_then(|items| items.get(i)),
            Err(_) => n.get(step),
        });
    }
    let entries = node.and_then(|n| n.as_map()).unwrap_or_default();
    entries.iter().filter_map(|(k, _)| k.as_str().map(str::to_owned)).collect()
}

/// A pod's scheduling and security settings, a container's resources, ports, probes and hooks,
/// and a CRD's schema are read past ([`super::never_read`]): what the linter reads of the rest is
/// the same, and a secret inside one still has the stream read whole.
#[test]
fn values_no_reader_looks_at_are_read_past() {
    let deployment = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    metadata:
      labels:
        azure.workload.identity/use: "true"
    spec:
      serviceAccountName: api
      securityContext: {runAsNonRoot: true}
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
            - matchExpressions: [{key: pool, operator: In, values: [apps]}]
      tolerations: [{key: dedicated, operator: Exists}]
      containers:
      - name: app
        image: example.com/api:1.0
        ports:
        - name: http
          containerPort: 8080
        resources:
          requests: {cpu: 100m, memory: 128Mi}
        livenessProbe:
          httpGet: {path: /healthz, port: http}
        securityContext: {readOnlyRootFilesystem: true}
        env:
        - name: AZURE_CLIENT_ID
          value: 00000000-0000-0000-0000-000000000001
      initContainers:
      - name: init
        image: example.com/init:1.0
        lifecycle:
          preStop: {exec: {command: [sleep, "5"]}}
"#;
    same_either_way("deployment.yaml", deployment);
    let crd = r#"apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  versions:
  - name: v1
    served: true
    schema:
      openAPIV3Schema:
        type: object
        description: The Azure resource a widget manages.
        properties:
          spec:
            type: object
            properties:
              name: {type: string}
"#;
    same_either_way("crd.yaml", crd);
    // What makes the comparisons bite: those values are not in the tree read with the policy.
    let mut docs = Vec::new();
    let text = format!("{deployment}---\n{crd}");
    crate::yaml::parse_stream_pruned(&text, &LoadOptions::default().limits, Some(&UnreadSettings), |d| docs.push(d));
    let pod = ["spec", "template", "spec"];
    assert_eq!(keys_at(&docs[0], &pod), ["serviceAccountName", "containers", "initContainers"]);
    assert_eq!(keys_at(&docs[0], &[&pod[..], &["containers", "0"]].concat()), ["name", "image", "env"]);
    assert_eq!(keys_at(&docs[0], &[&pod[..], &["initContainers", "0"]].concat()), ["name", "image"]);
    assert_eq!(keys_at(&docs[1], &["spec", "versions", "0", "schema"]), Vec::<String>::new());

    // A secret in a value read past: the stream is read whole, and the secret is masked.
    let with_secret = deployment.replace(
        "httpGet: {path: /healthz, port: http}",
        "httpGet: {path: /healthz, port: http, httpHeaders: [{name: X-Api-Token, value: s3cr3t-header-value}]}",
    );
    same_either_way("secret-header.yaml", &with_secret);
    assert!(read("secret-header.yaml", &with_secret, Some(&UnreadSettings)).contains("s3cr3t-header-value"));

    // Nothing is read past in a Secret, whose data is taken whole however it nests, nor before a
    // `kind: Secret` that comes late.
    let secrets = r#"apiVersion: v1
kind: Secret
metadata: {name: early}
data:
  x:
    containers:
    - resources: {a: first-secret-value}
    metadata:
      managedFields: [{m: second-secret-value}]
---
apiVersion: v1
metadata:
  name: late
  managedFields: [{m: not-data}]
stringData:
  spec:
    affinity: {a: fourth-secret-value}
kind: Secret
"#;
    same_either_way("secrets.yaml", secrets);
    let read_with_policy = read("secrets.yaml", secrets, Some(&UnreadSettings));
    for value in ["first-secret-value", "second-secret-value", "fourth-secret-value"] {
        assert!(read_with_policy.contains(value), "{value} is masked");
    }
}
