//! The `## Example` and `## Fix` blocks of the live rules' documents (IB6xx, tag `live`) are
//! cluster state: each `yaml` block is loaded into the fake API server and audited by
//! `kubectl-iblint` on its own. Every Example block must produce exactly its rule, every Fix block
//! nothing at all. Commands to run belong in the text around the blocks, so every block is checked.
//! (`tests/rule_examples.rs` lints the other rules' blocks as files.)
//!
//! The fleet rules (tag `fleet`) compare clusters: their blocks are split into clusters by lines
//! `# cluster: NAME`, each served by its own fake API server and audited together with
//! `--contexts`. A Fix block holds what changes: its objects replace the Example's objects of the
//! same kind, namespace and name in that cluster, or are added to it.
//!
//! So that a block shows what matters, the cluster also holds what a block leaves out:
//! - the AKS add-on's webhook, installed and ready (its MutatingWebhookConfiguration unless the
//!   block has one, its Deployment unless the block has a webhook Deployment);
//! - an API server that allows identity use in access reviews the block does not answer itself
//!   (its own `SubjectAccessReview` answers come first). Where the RBAC objects of a block do not
//!   grant the identity, that disagreement is itself a finding (IB607), so a block that needs a
//!   grant must show it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking
#![cfg(feature = "live")]

#[path = "support/fake_apiserver.rs"]
mod fake_apiserver;

#[path = "audit/harness.rs"]
mod harness;

#[path = "support/live_fixture.rs"]
mod live_fixture;

#[path = "support/rule_docs.rs"]
mod rule_docs;

use iblint::docs;
use rule_docs::{blocks, doc_line, section, verdict};
use serde_json::{json, Value};

const WEBHOOK_CONFIGURATION: &str = "azure-wi-webhook-mutating-webhook-configuration";
const WEBHOOK_DEPLOYMENT: &str = "azure-wi-webhook-controller-manager";

/// What the cluster holds besides the objects of `block` (see the module docs).
fn surroundings(block: &[Value]) -> Vec<Value> {
    let has = |kind: &str, name: &str| block.iter().any(|o| o["kind"] == kind && o["metadata"]["name"] == name);
    let mut out = Vec::new();
    if !has("MutatingWebhookConfiguration", WEBHOOK_CONFIGURATION) {
        out.push(json!({
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "MutatingWebhookConfiguration",
            "metadata": {"name": WEBHOOK_CONFIGURATION, "labels": {"azure-workload-identity.io/system": "true"}},
            "webhooks": [{"name": "mutation.azure-workload-identity.io",
                          "objectSelector": {"matchLabels": {"azure.workload.identity/use": "true"}}}],
        }));
    }
    if !has("Deployment", WEBHOOK_DEPLOYMENT) {
        out.push(json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": WEBHOOK_DEPLOYMENT, "namespace": "kube-system",
                         "labels": {"azure-workload-identity.io/system": "true"}},
            "spec": {"replicas": 2, "template": {"spec": {"containers": [{"name": "manager",
                "image": "mcr.microsoft.com/oss/v2/azure/workload-identity/webhook:v1.6.0-alpha.1"}]}}},
            "status": {"replicas": 2, "readyReplicas": 2},
        }));
    }
    out.push(json!({
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SubjectAccessReview",
        "spec": {"user": "*", "resourceAttributes": {"verb": "use-managed-identity", "group": "cid.wi.aks.azure.com", "resource": "*"}},
        "status": {"allowed": true, "reason": "RBAC: allowed by the ClusterRoleBinding shown"},
    }));
    out
}

fn section_problems(id: &str, heading: &str, body: &str, must_produce: Option<&str>) -> Vec<String> {
    let all = blocks(section(body, heading));
    if all.is_empty() {
        return vec![format!("rules/{id}.md {heading}: no fenced block")];
    }
    let mut problems = Vec::new();
    for block in all {
        let at = format!("rules/{id}.md line {} ({heading})", doc_line(id, body, block.line));
        if block.lang != "yaml" {
            problems.push(format!("{at}: a live rule's blocks are cluster state (```yaml); put commands in the text"));
            continue;
        }
        let values: Vec<Value> = live_fixture::objects(&block.text).into_iter().map(|d| d.value).collect();
        let found: Vec<String> = live_fixture::audit(&block.text, &surroundings(&values))
            .into_iter()
            .map(|(rule, at, finding)| format!("{rule} at {at:?}: {}", finding["message"].as_str().unwrap_or_default()))
            .collect();
        problems.extend(verdict(&found, must_produce).map(|wrong| format!("{at}: {wrong}")));
    }
    problems
}

/// A fleet block's clusters: (name, YAML text) in the order the block names them.
fn clusters_of(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("# cluster:") {
            out.push((name.trim().to_string(), String::new()));
        } else if let Some((_, body)) = out.last_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    out
}

fn same_object(a: &Value, b: &Value) -> bool {
    a["kind"] == b["kind"]
        && a["metadata"]["name"] == b["metadata"]["name"]
        && a["metadata"]["namespace"] == b["metadata"]["namespace"]
}

/// The findings of a fleet audit of `clusters` (name, objects, each with the surroundings):
/// `IBxxx in CONTEXT at OBJECT: message`.
fn fleet_findings(clusters: &[(String, Vec<Value>)]) -> Vec<String> {
    let served: Vec<(String, Vec<Value>)> = clusters
        .iter()
        .map(|(name, objects)| (name.clone(), objects.iter().cloned().chain(surroundings(objects)).collect()))
        .collect();
    let json = live_fixture::audit_fleet(&served);
    let mut found = Vec::new();
    for (context, _) in clusters {
        for f in json["clusters"][context]["findings"].as_array().expect("findings") {
            let rule = f["rule"].as_str().unwrap_or_default();
            let at = f["location"]["logical"].as_str().unwrap_or_default();
            found.push(format!("{rule} in {context} at {at}: {}", f["message"].as_str().unwrap_or_default()));
        }
    }
    found
}

/// A fleet rule's Example (must produce only `id`) and Fix (applied to the Example: nothing).
fn fleet_problems(id: &str, body: &str) -> Vec<String> {
    let parse = |text: &str| -> Vec<(String, Vec<Value>)> {
        clusters_of(text)
            .into_iter()
            .map(|(name, yaml)| (name, live_fixture::objects(&yaml).into_iter().map(|d| d.value).collect()))
            .collect()
    };
    let example = blocks(section(body, "## Example"));
    let fix = blocks(section(body, "## Fix"));
    let (Some(example), Some(fix)) = (example.first(), fix.first()) else {
        return vec![format!("rules/{id}.md: a fleet rule needs an Example and a Fix block")];
    };
    let before = parse(&example.text);
    if before.len() < 2 {
        return vec![format!("rules/{id}.md Example: a fleet needs two or more `# cluster: NAME` sections")];
    }
    let mut after = before.clone();
    for (name, objects) in parse(&fix.text) {
        let Some((_, cluster)) = after.iter_mut().find(|(n, _)| *n == name) else {
            return vec![format!("rules/{id}.md Fix: cluster {name} is not in the Example")];
        };
        for object in objects {
            match cluster.iter_mut().find(|o| same_object(o, &object)) {
                Some(old) => *old = object,
                None => cluster.push(object),
            }
        }
    }
    let mut problems = Vec::new();
    let at = |heading: &str, line| format!("rules/{id}.md line {} ({heading})", doc_line(id, body, line));
    if let Some(wrong) = verdict(&fleet_findings(&before), Some(id)) {
        problems.push(format!("{}: {wrong}", at("## Example", example.line)));
    }
    if let Some(wrong) = verdict(&fleet_findings(&after), None) {
        problems.push(format!("{}: {wrong}", at("## Fix", fix.line)));
    }
    problems
}

#[test]
fn every_live_example_produces_exactly_its_rule_and_every_fix_nothing() {
    let mut problems = Vec::new();
    let live: Vec<_> = docs::all().iter().filter(|d| d.tags.iter().any(|t| t == "live")).collect();
    assert!(live.len() >= 7, "only {} live rule docs", live.len());
    for doc in live {
        if doc.tags.iter().any(|t| t == "fleet") {
            problems.extend(fleet_problems(doc.id, doc.body));
            continue;
        }
        problems.extend(section_problems(doc.id, "## Example", doc.body, Some(doc.id)));
        problems.extend(section_problems(doc.id, "## Fix", doc.body, None));
    }
    assert!(problems.is_empty(), "{} live rule doc blocks are wrong:\n  {}", problems.len(), problems.join("\n  "));
}
