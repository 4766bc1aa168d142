//! Connections like kubectl's: a time limit per request and an optional one per audit, retries
//! on dropped connections, a list whose `continue` token expired started over once, errors that
//! name the cause and the host (never a credential), `KUBECONFIG` merged as kubectl merges it,
//! malformed kubeconfigs reported without their contents, exec credential plugins run once, a
//! `User-Agent`, and custom resources found through legacy discovery too.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking
#![cfg(feature = "live")]

#[path = "support/fake_apiserver.rs"]
mod fake_apiserver;

#[path = "audit/harness.rs"]
mod harness;

#[path = "support/tls_server.rs"]
mod tls_server;

use std::time::Duration;

use fake_apiserver::{synthetic, Fault, TOKEN};
use harness::{assert_read_only, healthy, Fake};
use serde_json::{json, Value};

/// Rewrites the kubeconfig's server URL.
fn point_at(fake: &Fake, server: &str) {
    let config = std::fs::read_to_string(fake.kubeconfig()).expect("kubeconfig").replace(&fake.server.url(), server);
    std::fs::write(fake.kubeconfig(), config).expect("rewrite kubeconfig");
}

fn stderr_of(fake: &Fake, args: &[&str]) -> (Option<i32>, String) {
    let out = fake.plugin(args);
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_reset_connection_is_retried_like_a_server_error() {
    let fake = Fake::start(healthy().with_fault(Fault::resource("pods").reset(2)));
    let (code, json, stderr) = fake.json(&[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(json["audit"]["pods"], 2);
    let pod_lists: Vec<u16> = fake.requests().iter().filter(|r| r.path == "/api/v1/pods").map(|r| r.status).collect();
    assert_eq!(pod_lists, [0, 0, 200], "two closed unanswered, then the list");
}

#[test]
fn a_list_whose_continue_token_expired_starts_over_once() {
    let cluster = synthetic::cluster(1_200, 10, 0).with_fault(Fault::resource("pods").expire(1));
    let fake = Fake::start(cluster);
    let (code, json, stderr) = fake.json(&["--no-sar"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(json["audit"]["pods"], 1_200, "every pod once: the pages before the 410 were dropped");
    let pages: Vec<(Option<String>, u16)> = fake
        .requests()
        .iter()
        .filter(|r| r.path == "/api/v1/pods")
        .map(|r| (r.param("continue").map(|_| "token".to_string()), r.status))
        .collect();
    let first_pages = pages.iter().filter(|(token, _)| token.is_none()).count();
    assert_eq!(first_pages, 2, "started over once: {pages:?}");
    assert!(pages.contains(&(Some("token".into()), 410)), "{pages:?}");

    // Expired again: the list is given up, and the audit is incomplete.
    let cluster = synthetic::cluster(1_200, 10, 0).with_fault(Fault::resource("pods").expire(2));
    let fake = Fake::start(cluster);
    let (code, json, _) = fake.json(&["--no-sar"]);
    assert_eq!(code, Some(3));
    let pods =
        json["audit"]["unavailable"].as_array().and_then(|u| u.iter().find(|u| u["resource"] == "pods")).cloned();
    assert!(pods.is_some_and(|p| p["reason"].as_str().is_some_and(|r| r.contains("twice"))), "{json}");
}

#[test]
fn the_timeout_is_per_request_and_the_deadline_for_the_whole_audit() {
    let slow_pods = || healthy().with_fault(Fault::resource("pods").delay(Duration::from_secs(3)));
    // One slow list: that list fails, the rest of the audit goes on.
    let fake = Fake::start(slow_pods());
    let (code, json, stderr) = fake.json(&["--timeout", "1s"]);
    assert_eq!(code, Some(3), "{stderr}");
    let reason = json["audit"]["unavailable"][0]["reason"].as_str().unwrap_or_default().to_string();
    assert!(reason.contains("did not answer /api/v1/pods within 1 s (--timeout)"), "{json}");
    assert!(json["audit"]["objects"].as_u64().is_some_and(|n| n > 5), "other lists were read: {json}");
    // No per-request limit, but a deadline for the audit: exit 2.
    let fake = Fake::start(slow_pods());
    let (code, stderr) = stderr_of(&fake, &["--timeout", "0", "--deadline", "1"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("did not finish within 1 s (--deadline)"), "{stderr}");
}

#[test]
fn every_request_says_it_comes_from_iblint() {
    let fake = Fake::start(healthy());
    fake.findings(&[]);
    let requests = fake.requests();
    let agent = format!("iblint/{}", env!("CARGO_PKG_VERSION"));
    assert!(
        requests.iter().all(|r| r.user_agent == agent),
        "{:?}",
        requests.iter().map(|r| &r.user_agent).collect::<Vec<_>>()
    );
}

#[test]
fn custom_resources_are_found_through_legacy_discovery_too() {
    let mut cluster = healthy();
    cluster.aggregated_discovery = false;
    cluster
        .add(json!({
            "apiVersion": "managedidentity.azure.com/v1api20230131",
            "kind": "FederatedIdentityCredential",
            "metadata": {"name": "aks-identity-binding", "namespace": "team-a"},
            "spec": {"owner": {"name": "api-identity"}, "issuer": "https://ib.oic.prod-aks.azure.com/t/c",
                     "subject": "system:serviceaccount:team-a:api", "audiences": ["api://AKSIdentityBinding"]}
        }))
        .expect("add the credential");
    let fake = Fake::start(cluster);
    let (findings, _) = fake.findings(&[]);
    assert!(findings.iter().any(|(r, _)| r == "IB401"), "{findings:?}");
    let paths: Vec<String> = fake.requests().into_iter().map(|r| r.path).collect();
    assert!(paths.contains(&"/apis/managedidentity.azure.com/v1api20230131".to_string()), "{paths:?}");
    assert!(paths.iter().any(|p| p.ends_with("/federatedidentitycredentials")), "{paths:?}");
    assert_read_only(&fake.requests());
}

#[test]
fn connection_errors_name_the_cause_and_the_host() {
    let tls = tls_server::TlsPort::start();
    let fake = Fake::start(healthy());
    let http_port = fake.server.address();
    let cases = [
        (
            format!("https://{}", tls.address),
            format!("the certificate of {} is signed by an unknown authority", tls.address),
        ),
        (
            format!("http://{}", tls.address),
            format!("{} speaks TLS: the kubeconfig's server URL must start with https://", tls.address),
        ),
        (format!("https://{http_port}"), format!("{http_port} does not speak TLS")),
        (
            "https://no-such-host.invalid:6443".to_string(),
            "cannot resolve the host name of no-such-host.invalid:6443 (DNS)".to_string(),
        ),
    ];
    for (server, expected) in cases {
        fake.server.write_kubeconfig(fake.kubeconfig(), harness::CONTEXT).expect("kubeconfig");
        point_at(&fake, &server.replacen("://", "://admin:s3cret-password@", 1));
        let (code, stderr) = stderr_of(&fake, &["--timeout", "10s"]);
        assert_eq!(code, Some(2), "{server}: {stderr}");
        assert!(stderr.contains(&expected), "{server}: expected `{expected}` in: {stderr}");
        assert!(!stderr.contains("s3cret-password"), "{server}: {stderr}");
    }
}

#[test]
fn a_server_url_with_credentials_is_reported_without_them() {
    let fake = Fake::start(healthy());
    let url = fake.server.url();
    point_at(&fake, &url.replacen("://", "://admin:s3cret-password@", 1));
    let out = fake.plugin(&["--format", "json", "--fail-on", "never"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("s3cret-password") && !String::from_utf8_lossy(&out.stderr).contains("s3cret-password"));
    let json: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(json["audit"]["server"], format!("{url}/"));
    let human = fake.plugin(&["--no-color"]);
    assert!(!String::from_utf8_lossy(&human.stdout).contains("s3cret-password"));
}

/// A kubeconfig with one context `name` for `server`, authenticating with `user` (YAML text).
fn kubeconfig(name: &str, server: &str, user: &str, current: Option<&str>) -> String {
    let current = current.map(|c| format!("current-context: {c}\n")).unwrap_or_default();
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: {name}\n  cluster:\n    server: {server}\ncontexts:\n- name: {name}\n  \
         context:\n    cluster: {name}\n    user: {name}-user\n{current}users:\n- name: {name}-user\n  user:\n{user}"
    )
}

#[test]
fn kubeconfig_files_merge_as_kubectl_merges_them() {
    let fake = Fake::start(healthy());
    let dir = fake.dir.path();
    let token = format!("    token: {TOKEN}\n");
    // The first file to name a context wins: b.yaml's `a` (a dead server) is never used.
    std::fs::write(dir.join("a.yaml"), kubeconfig("a", &fake.server.url(), &token, Some("a"))).expect("write");
    std::fs::write(dir.join("b.yaml"), kubeconfig("b", &fake.server.url(), &token, Some("b"))).expect("write");
    std::fs::write(dir.join("b2.yaml"), kubeconfig("a", "http://127.0.0.1:1", &token, None)).expect("write");
    let list =
        std::env::join_paths([dir.join("missing.yaml"), dir.join("a.yaml"), dir.join("b.yaml"), dir.join("b2.yaml")])
            .expect("KUBECONFIG");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_kubectl-iblint"))
            .arg("audit")
            .args(["--format", "json", "--fail-on", "never"])
            .args(args)
            .env("KUBECONFIG", &list)
            .env("HOME", dir)
            .output()
            .expect("run")
    };
    for (args, context) in [(&[][..], "a"), (&["--context", "b"][..], "b")] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        let json: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(json["audit"]["context"], context, "current-context comes from the first file that sets it");
    }

    // A malformed file among them is an error naming it and its line, not quoting it.
    let broken = format!("{}  oops: [\n", kubeconfig("c", &fake.server.url(), &token, None));
    std::fs::write(dir.join("b.yaml"), broken).expect("write");
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("{}:", dir.join("b.yaml").display())) && stderr.contains("not a valid kubeconfig"),
        "{stderr}"
    );
    assert!(!stderr.contains(TOKEN), "the token leaked: {stderr}");
}

/// A credential plugin script: counts its runs, records `KUBERNETES_EXEC_INFO`, prints a token
/// (or fails after printing secrets, when `fail` is set).
fn plugin(dir: &std::path::Path, fail: bool) -> std::path::PathBuf {
    let path = dir.join(if fail { "failing-plugin" } else { "plugin" });
    let body = if fail {
        "echo '{\"status\":{\"token\":\"STDOUT-SECRET\"}}'\nexit 1\n".to_string()
    } else {
        format!("echo '{{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{{\"token\":\"{TOKEN}\"}}}}'\n")
    };
    let script = format!(
        "#!/bin/sh\necho run >> \"$RUNS_FILE\"\nprintf '%s' \"$KUBERNETES_EXEC_INFO\" > \"$INFO_FILE\"\n{body}"
    );
    std::fs::write(&path, script).expect("write plugin");
    let mut permissions = std::fs::metadata(&path).expect("metadata").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(&path, permissions).expect("chmod");
    path
}

fn exec_user(command: &std::path::Path, dir: &std::path::Path) -> String {
    format!(
        "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: {}\n      args: [\"--password\", \"ARG-SECRET\"]\n      \
         env:\n      - name: RUNS_FILE\n        value: {}\n      - name: INFO_FILE\n        value: {}\n      - name: PLUGIN_PASSWORD\n        \
         value: ENV-SECRET\n      interactiveMode: IfAvailable\n",
        command.display(),
        dir.join("runs").display(),
        dir.join("info.json").display()
    )
}

#[test]
fn an_exec_credential_plugin_runs_once_non_interactively() {
    let fake = Fake::start(healthy());
    let dir = fake.dir.path();
    let user = exec_user(&plugin(dir, false), dir);
    std::fs::write(fake.kubeconfig(), kubeconfig("aks-prod", &fake.server.url(), &user, Some("aks-prod")))
        .expect("write");
    let (findings, json) = fake.findings(&[]);
    assert!(findings.is_empty(), "{findings:?}");
    assert!(json["audit"]["accessReviews"].as_u64().is_some_and(|n| n > 0), "reviews too ran on the credential");
    let runs = std::fs::read_to_string(dir.join("runs")).expect("runs");
    assert_eq!(runs.lines().count(), 1, "the plugin ran {} times", runs.lines().count());
    let info: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("info.json")).expect("info")).expect("JSON");
    assert_eq!(info["kind"], "ExecCredential");
    assert_eq!(info["spec"]["interactive"], false, "standard input is not a terminal: {info}");

    // A failing plugin: named, with its exit status, and nothing of its arguments, environment
    // or output.
    let user = exec_user(&plugin(dir, true), dir);
    std::fs::write(fake.kubeconfig(), kubeconfig("aks-prod", &fake.server.url(), &user, Some("aks-prod")))
        .expect("write");
    let (code, stderr) = stderr_of(&fake, &[]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("the credential plugin of user `aks-prod-user` (`failing-plugin`) failed with status 1"),
        "{stderr}"
    );
    for secret in ["ARG-SECRET", "ENV-SECRET", "STDOUT-SECRET"] {
        assert!(!stderr.contains(secret), "{secret} leaked: {stderr}");
    }
}
