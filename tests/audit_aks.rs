//! No noise on what every AKS cluster has: a fake cluster holding the built-in objects of a real
//! AKS cluster (`testdata/live/aks`: Kubernetes' bootstrap roles and bindings, the aggregated
//! `admin`/`edit`/`view`, the `system:controller:*` roles, AKS's `aks-*` objects and add-ons in
//! `kube-system`, the workload identity webhook and the KEDA add-on using workload identity)
//! audits with no finding — and a problem planted among them is still found.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking
#![cfg(feature = "live")]

#[path = "support/fake_apiserver.rs"]
mod fake_apiserver;

#[path = "audit/harness.rs"]
mod harness;

use fake_apiserver::Cluster;
use harness::{assert_read_only, repo, Fake};
use serde_json::json;

fn aks() -> Cluster {
    Cluster::load(repo().join("testdata/live/aks")).expect("the AKS fixture")
}

#[test]
fn an_aks_cluster_with_only_its_built_ins_has_no_findings() {
    let cluster = aks();
    let kinds = |kind: &str| cluster.objects.iter().filter(|o| o["kind"] == kind).count();
    assert!(kinds("ClusterRole") > 60 && kinds("ClusterRoleBinding") > 50, "the full bootstrap policy");
    let fake = Fake::start(cluster);
    let (findings, json) = fake.findings(&[]);
    assert!(findings.is_empty(), "findings on built-ins: {findings:?}");
    assert_eq!(json["audit"]["incomplete"], false);
    assert!(json["audit"]["pods"].as_u64().is_some_and(|n| n >= 20), "{}", json["audit"]);
    assert_read_only(&fake.requests());
}

#[test]
fn a_wildcard_identity_grant_among_the_built_ins_is_still_found_once() {
    let grant = json!({"apiGroups": ["cid.wi.aks.azure.com"], "resources": ["*"], "verbs": ["use-managed-identity"]});
    let mut cluster = aks();
    // The aggregation controller copies the member's rule into `edit` and `admin`.
    for role in cluster
        .objects
        .iter_mut()
        .filter(|o| o["kind"] == "ClusterRole" && (o["metadata"]["name"] == "edit" || o["metadata"]["name"] == "admin"))
    {
        role["rules"].as_array_mut().expect("rules").push(grant.clone());
    }
    let cluster = cluster
        .with(json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": "alice-edit", "namespace": "team-a"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"},
            "subjects": [{"kind": "User", "name": "alice@example.com"}]
        }))
        .with(json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": "ci-identities", "labels": {"rbac.authorization.k8s.io/aggregate-to-edit": "true"}},
            "rules": [grant]
        }))
        .with(json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
            "metadata": {"name": "ci-identities"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "ci-identities"},
            "subjects": [{"kind": "ServiceAccount", "name": "deployer", "namespace": "ci"}]
        }));
    let fake = Fake::start(cluster);
    let (findings, _) = fake.findings(&[]);
    assert_eq!(
        findings,
        [("IB304".to_string(), format!("{}/ClusterRole/ci-identities", harness::CONTEXT))],
        "reported once, on the role that holds the rule — not again through `edit` and `admin`, which aggregate it"
    );
}
