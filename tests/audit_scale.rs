//! A large cluster with the audit's default options: 50,000 pods are listed page by page within
//! the default per-request time limit and read in full. (How fast, and in how much memory next to
//! `kubectl get pods -A -o json` on the same cluster, is the benchmark's business: `bench/run.sh`.)

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking
#![cfg(feature = "live")]

#[path = "support/fake_apiserver.rs"]
mod fake_apiserver;

#[path = "audit/harness.rs"]
mod harness;

use fake_apiserver::synthetic;
use harness::{assert_read_only, Fake};

#[test]
fn fifty_thousand_pods_are_audited_with_the_default_options() {
    let fake = Fake::start(synthetic::cluster(50_000, 500, 100));
    let (code, json, stderr) = fake.json(&[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(json["audit"]["pods"], 50_000);
    assert_eq!(json["audit"]["incomplete"], false);
    assert!(json["audit"]["accessReviews"].as_u64().is_some_and(|n| n > 0), "{}", json["audit"]);
    let requests = fake.requests();
    let pages = requests.iter().filter(|r| r.path == "/api/v1/pods").count();
    assert_eq!(pages, 100, "50,000 pods in pages of 500");
    assert_read_only(&requests);
}
