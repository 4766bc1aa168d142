//! Never a silent pass: an audit that could not read what its rules need says so in every format
//! and exits 3 (unless `--allow-incomplete`); an answer that is not the list asked for — HTML, an
//! empty object, an empty body, a redirect, a `continue` token that comes back, a page over the
//! size limit — is an error for that list, not an empty list.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking
#![cfg(feature = "live")]

#[path = "support/fake_apiserver.rs"]
mod fake_apiserver;

#[path = "audit/harness.rs"]
mod harness;

#[path = "support/tools.rs"]
mod tools;

use fake_apiserver::{Fault, Response};
use harness::{assert_read_only, healthy, Fake};
use serde_json::{json, Value};

/// The `unavailable` entry of `resource` in a JSON report.
fn unavailable<'a>(json: &'a Value, resource: &str) -> &'a Value {
    json["audit"]["unavailable"]
        .as_array()
        .and_then(|all| all.iter().find(|u| u["resource"] == resource))
        .unwrap_or_else(|| panic!("{resource} is not reported as unavailable: {json}"))
}

fn every_list_forbidden() -> Fake {
    Fake::start(healthy().with_fault(Fault::all().forbidden()))
}

const HINT: &str = "audit it with -n NAMESPACE";

#[test]
fn every_list_forbidden_exits_3_with_the_namespace_hint_in_every_format() {
    let fake = every_list_forbidden();
    // Human, in full and with -q: the warning and the hint are the last thing said.
    for args in [&["--no-color"][..], &["--no-color", "-q"][..]] {
        let out = fake.plugin(args);
        assert_eq!(out.status.code(), Some(3), "{args:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        let last = text.lines().last().unwrap_or_default();
        assert!(last.starts_with("warning: the audit of context aks-prod is incomplete"), "{args:?}: {text}");
        assert!(last.contains("pods (forbidden)") && last.contains(HINT), "{args:?}: {last}");
    }
    // GitHub workflow commands: a ::warning annotation.
    let out = fake.plugin(&["--format", "github"]);
    assert_eq!(out.status.code(), Some(3));
    let text = String::from_utf8_lossy(&out.stdout);
    let warning = text.lines().find(|l| l.starts_with("::warning title=iblint audit incomplete::")).expect("::warning");
    assert!(warning.contains(HINT), "{warning}");
    // SARIF: the run did not succeed, and its notifications say why.
    let out = fake.plugin(&["--format", "sarif"]);
    assert_eq!(out.status.code(), Some(3));
    let sarif: Value = serde_json::from_slice(&out.stdout).expect("SARIF");
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notes: Vec<&str> = invocation["toolExecutionNotifications"]
        .as_array()
        .expect("notifications")
        .iter()
        .filter_map(|n| n["message"]["text"].as_str())
        .collect();
    assert!(notes.iter().any(|n| n.starts_with("could not list pods (forbidden)")), "{notes:?}");
    assert!(notes.iter().any(|n| n.contains(HINT)), "{notes:?}");
    // JSON: incomplete, with the hint and every list's cause.
    let (code, json, _) = fake.json(&[]);
    assert_eq!(code, Some(3));
    assert_eq!(json["audit"]["incomplete"], true);
    assert!(json["audit"]["hint"].as_str().is_some_and(|h| h.contains(HINT)), "{json}");
    assert_eq!(unavailable(&json, "clusterroles")["cause"], "forbidden");
    // Compact: one line per finding, and the incompleteness on a line of the same shape.
    let out = fake.plugin(&["--format", "compact"]);
    assert_eq!(out.status.code(), Some(3));
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("aks-prod: warning audit-incomplete the audit of context aks-prod is incomplete"),
        "{text}"
    );
    assert!(last.contains("pods (forbidden)") && last.contains(HINT), "{last}");
    // JUnit: a test case in error (the check did not run), valid against the JUnit schema.
    let out = fake.plugin(&["--format", "junit"]);
    assert_eq!(out.status.code(), Some(3));
    let xml = String::from_utf8_lossy(&out.stdout);
    assert!(xml.contains("<testsuites name=\"iblint\" tests=\"2\" failures=\"0\" errors=\"1\">"), "{xml}");
    assert!(
        xml.contains("<testsuite name=\"audit of context aks-prod\" tests=\"1\" failures=\"0\" errors=\"1\""),
        "{xml}"
    );
    let error = xml.lines().find(|l| l.contains("<error type=\"incomplete\"")).unwrap_or_else(|| panic!("{xml}"));
    assert!(error.contains("pods (forbidden)") && error.contains(HINT), "{error}");
    tools::assert_valid_junit("incomplete", &xml);
    // --allow-incomplete: the findings decide (there are none).
    assert_eq!(fake.plugin(&["--allow-incomplete"]).status.code(), Some(0));
    assert_read_only(&fake.requests());
}

#[test]
fn a_namespace_audit_is_complete_and_says_what_it_left_out() {
    let fake = Fake::start(healthy());
    let (code, json, _) = fake.json(&["-n", "team-a"]);
    assert_eq!(code, Some(0), "-n is a choice, not a failure: {json}");
    assert_eq!(json["audit"]["incomplete"], false);
    let other = unavailable(&json, "serviceaccounts of other namespaces");
    assert_eq!(other["cause"], "not asked for");
    assert_eq!(other["skippedRules"], json!(["IB308"]));
}

/// Audits with the pod list answered by `response`; returns the pods' `unavailable` reason.
fn pods_answered_with(response: Response) -> String {
    let fake = Fake::start(healthy().with_fault(Fault::resource("pods").respond(response)));
    let (code, json, stderr) = fake.json(&[]);
    assert_eq!(code, Some(3), "{stderr}{json}");
    assert_eq!(json["audit"]["pods"], 0);
    let pods = unavailable(&json, "pods");
    assert_eq!(pods["cause"], "failed", "{pods}");
    assert_read_only(&fake.requests());
    pods["reason"].as_str().unwrap_or_default().to_string()
}

#[test]
fn answers_that_are_not_the_list_asked_for_are_errors_not_empty_lists() {
    let html = Response::raw(200, "text/html; charset=utf-8", b"<html><body>Sign in</body></html>".to_vec());
    assert!(pods_answered_with(html).contains("not JSON (Content-Type text/html)"));
    let empty_object = Response::json(200, &json!({}));
    assert!(pods_answered_with(empty_object).contains("the answer is an object without a kind, not a PodList"));
    let empty_body = Response::raw(200, "application/json", Vec::new());
    assert!(pods_answered_with(empty_body).contains("the answer is empty, not a PodList"));
    let other_kind = Response::json(200, &json!({"kind": "ServiceList", "apiVersion": "v1", "items": []}));
    assert!(pods_answered_with(other_kind).contains("a ServiceList, not a PodList"));
    let redirect = Response::raw(302, "text/html", b"<a href=\"https://login.example/\">Found</a>".to_vec())
        .with_header("Location", "https://login.example/");
    assert!(pods_answered_with(redirect).contains("with a redirect (HTTP 302)"));
}

#[test]
fn a_continue_token_that_comes_back_ends_the_list_with_an_error() {
    let again = json!({"kind": "PodList", "apiVersion": "v1", "metadata": {"continue": "c2FtZQ"}, "items": []});
    let reason = pods_answered_with(Response::json(200, &again));
    assert!(reason.contains("the same continue token twice"), "{reason}");
}

#[test]
fn a_page_over_the_size_limit_is_refused_not_read_into_memory() {
    // 70 MiB of a list that never closes: more than the 64 MiB a page may hold.
    let fake = Fake::start(healthy().with_fault(Fault::resource("configmaps").oversized(70 << 20)));
    let (code, json, stderr) = fake.json(&[]);
    assert_eq!(code, Some(3), "{stderr}");
    let reason = unavailable(&json, "configmaps")["reason"].as_str().unwrap_or_default().to_string();
    assert!(reason.contains("larger than 64 MiB, even at 50 objects per page"), "{reason}");
    // Asked again with fewer objects per page before giving up; the other lists were read.
    let pages: Vec<_> = fake.requests().into_iter().filter(|r| r.path == "/api/v1/configmaps").collect();
    assert_eq!(pages.iter().filter_map(|r| r.param("limit")).collect::<Vec<_>>(), ["500", "50"]);
    assert_eq!(json["audit"]["pods"], 2);
}
