#![allow(dead_code)] // each test crate uses what it needs
//! Fixtures of the live rules (IB6xx): a fake cluster's objects as one YAML stream,
//! `testdata/<ID>/{pass,fail}.<case>.yaml`, audited through the fake API server.
//!
//! Markers say which findings the audit must give, like the `# expect:` markers of
//! `tests/fixtures.rs`:
//! - `# expect: IB603` on the `name:` line of an object's `metadata`: a finding about that object
//!   (several ids separated by commas);
//! - `# expect: IB601 at MutatingWebhookConfiguration/azure-wi-webhook-mutating-webhook-configuration`
//!   anywhere: a finding about an object the cluster does not hold, named `[namespace/]Kind/name`.
//!
//! A `SubjectAccessReview` in the stream is how the fake API server answers that review; a review
//! it holds no answer for is denied with no opinion, as RBAC does.
//!
//! The fleet rules compare clusters: their cases are directories, `testdata/<ID>/{pass,fail}.<case>/`,
//! with one `<context>.yaml` per cluster, each served by its own fake API server and audited
//! together with `--contexts` (kubeconfigs merged through `KUBECONFIG`). Markers are per file.
//!
//! Include after `fake_apiserver` and `harness`.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::fake_apiserver::{yaml, Cluster, FakeApiServer};
use crate::harness::{assert_read_only, Fake, CONTEXT};

/// Where a finding is: a line of the fixture, or an object the fixture does not hold.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum At {
    Line(u32),
    Object(String),
}

pub type Expect = BTreeSet<(String, At)>;

/// The `[namespace/]Kind/name` of an object, as the audit's logical locations name it.
fn object_key(object: &Value) -> Option<String> {
    let kind = object["kind"].as_str()?;
    let name = object["metadata"]["name"].as_str()?;
    Some(match object["metadata"]["namespace"].as_str() {
        Some(ns) => format!("{ns}/{kind}/{name}"),
        None => format!("{kind}/{name}"),
    })
}

/// The markers of a fixture's text.
pub fn markers(text: &str) -> Expect {
    let mut out = Expect::new();
    for (i, line) in text.lines().enumerate() {
        let Some(at) = line.find("# expect:") else { continue };
        let list = line[at + "# expect:".len()..].trim();
        match list.split_once(" at ") {
            Some((rule, object)) => {
                out.insert((rule.trim().to_string(), At::Object(object.trim().to_string())));
            }
            None => out.extend(
                list.split(',')
                    .map(str::trim)
                    .filter(|r| !r.is_empty())
                    .map(|r| (r.to_string(), At::Line(i as u32 + 1))),
            ),
        }
    }
    out
}

/// The objects of a cluster written as YAML.
pub fn objects(text: &str) -> Vec<yaml::Document> {
    yaml::documents(text).unwrap_or_else(|e| panic!("the cluster YAML does not parse: {e}"))
}

/// The audit's findings about a cluster loaded from `text` (a fixture or a rule doc's block),
/// plus `surroundings` (objects findings are not expected on): each as its rule, where it is in
/// `text`, and the finding as the JSON report gives it.
pub fn audit(text: &str, surroundings: &[Value]) -> Vec<(String, At, Value)> {
    let documents = objects(text);
    let mut cluster = Cluster::new();
    for value in documents.iter().map(|d| &d.value).chain(surroundings) {
        cluster.add_all(value.clone()).unwrap_or_else(|e| panic!("not a cluster object: {e}"));
    }
    let lines: Vec<(String, u32)> =
        documents.iter().filter_map(|d| Some((object_key(&d.value)?, d.name_line?))).collect();
    let fake = Fake::start(cluster);
    let (_, json) = fake.findings(&[]);
    assert_read_only(&fake.requests());
    let prefix = format!("{CONTEXT}/");
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let logical = f["location"]["logical"].as_str().unwrap_or_default();
            let key = logical.strip_prefix(&prefix).unwrap_or(logical);
            let at =
                lines.iter().find(|(k, _)| k == key).map_or_else(|| At::Object(key.to_string()), |(_, l)| At::Line(*l));
            (f["rule"].as_str().unwrap_or_default().to_string(), at, f.clone())
        })
        .collect()
}

/// `kubectl-iblint audit --contexts … ARGS` over `clusters`, each a context name and the objects
/// its fake API server serves (kubeconfigs merged through `KUBECONFIG`). The audit must only read.
pub fn run_fleet(clusters: &[(String, Vec<Value>)], args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut servers = Vec::new();
    let mut kubeconfigs = Vec::new();
    for (context, objects) in clusters {
        let mut cluster = Cluster::new();
        for value in objects {
            cluster.add_all(value.clone()).unwrap_or_else(|e| panic!("not a cluster object: {e}"));
        }
        let server = FakeApiServer::start(cluster).expect("start the fake API server");
        let path = dir.path().join(format!("kubeconfig-{}", kubeconfigs.len()));
        server.write_kubeconfig(&path, context).expect("write kubeconfig");
        kubeconfigs.push(path);
        servers.push(server);
    }
    let contexts: Vec<&str> = clusters.iter().map(|(context, _)| context.as_str()).collect();
    let out = Command::new(env!("CARGO_BIN_EXE_kubectl-iblint"))
        .args(["audit", "--contexts", &contexts.join(",")])
        .args(args)
        .current_dir(crate::harness::repo())
        .env("KUBECONFIG", std::env::join_paths(&kubeconfigs).expect("KUBECONFIG"))
        .env("HOME", dir.path())
        .envs(env.iter().copied())
        .output()
        .expect("run kubectl-iblint");
    for server in &servers {
        assert_read_only(&server.requests());
    }
    out
}

/// The JSON report of a fleet audit of `clusters` (see [`run_fleet`]); the audit must succeed.
pub fn audit_fleet(clusters: &[(String, Vec<Value>)]) -> Value {
    let out = run_fleet(clusters, &["--format", "json", "--fail-on", "never"], &[]);
    assert_eq!(out.status.code(), Some(0), "fleet audit failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

/// One cluster of a fleet case: `<context>.yaml`'s objects and the lines of their `name:`.
pub struct FleetCluster {
    pub context: String,
    pub objects: Vec<Value>,
    pub lines: Vec<(String, u32)>,
}

/// A fleet case directory's clusters, one per `<context>.yaml`, in name order.
pub fn fleet_case(case: &Path) -> Vec<FleetCluster> {
    let mut files: Vec<_> = std::fs::read_dir(case)
        .unwrap_or_else(|e| panic!("{}: {e}", case.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|file| {
            let context = file.file_stem().and_then(|s| s.to_str()).expect("a context name").to_string();
            let documents = objects(&read(file));
            let lines = documents.iter().filter_map(|d| Some((object_key(&d.value)?, d.name_line?))).collect();
            FleetCluster { context, objects: documents.into_iter().map(|d| d.value).collect(), lines }
        })
        .collect()
}

/// A fleet case directory's findings: (rule, `<context>.yaml`, where in that file, finding).
pub fn audit_fleet_case(case: &Path) -> Vec<(String, String, At, Value)> {
    let case = fleet_case(case);
    let clusters: Vec<(String, Vec<Value>)> = case.iter().map(|c| (c.context.clone(), c.objects.clone())).collect();
    let json = audit_fleet(&clusters);
    let mut out = Vec::new();
    for FleetCluster { context, lines, .. } in &case {
        let prefix = format!("{context}/");
        for f in json["clusters"][context]["findings"].as_array().expect("findings") {
            let logical = f["location"]["logical"].as_str().unwrap_or_default();
            let key = logical.strip_prefix(&prefix).unwrap_or(logical);
            let at =
                lines.iter().find(|(k, _)| k == key).map_or_else(|| At::Object(key.to_string()), |(_, l)| At::Line(*l));
            out.push((f["rule"].as_str().unwrap_or_default().to_string(), format!("{context}.yaml"), at, f.clone()));
        }
    }
    out
}

/// The fixture file's text.
pub fn read(case: &Path) -> String {
    std::fs::read_to_string(case).unwrap_or_else(|e| panic!("{}: {e}", case.display()))
}
