//! Fleet audits (`kubectl iblint audit --contexts a,b,c`, `--all-contexts`), driven by real
//! kubectl: three clusters, one of them down — one report (SARIF with a run per cluster, JSON keyed
//! by context, human output grouped by cluster with a fleet table), the cross-cluster findings no
//! single audit can see (IB608, IB609), and exit 3 (incomplete, not failed) for the cluster that
//! could not be audited.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking
#![cfg(feature = "live")]

#[path = "support/fake_apiserver.rs"]
mod fake_apiserver;

#[path = "audit/harness.rs"]
mod harness;

#[path = "support/sarif_schema.rs"]
mod sarif_schema;

#[path = "support/tools.rs"]
mod tools;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use fake_apiserver::{Cluster, FakeApiServer, ServerHandle, TOKEN};
use harness::{assert_read_only, kubectl_binary, repo};
use serde_json::Value;

const WEU: &str = "aks-weu";
const NEU: &str = "aks-neu";
const DOWN: &str = "aks-down";
const PASSWORD: &str = "s3cret-in-url";

/// `text` does not show the password of the unreachable cluster's URL.
fn assert_no_password(text: &str) {
    assert!(!text.contains(PASSWORD), "the server URL's password leaked: {text}");
}

/// Two fake clusters and a kubeconfig with their contexts and one for a port nothing listens on.
struct FleetFixture {
    weu: ServerHandle,
    neu: ServerHandle,
    dir: tempfile::TempDir,
}

fn fixture(name: &str) -> Cluster {
    Cluster::load(repo().join("testdata/live/fleet").join(name)).expect("fleet fixture")
}

impl FleetFixture {
    fn start(user: &str) -> FleetFixture {
        let weu = FakeApiServer::start(fixture(WEU)).expect("start aks-weu");
        let neu = FakeApiServer::start(fixture(NEU)).expect("start aks-neu");
        let dir = tempfile::tempdir().expect("tempdir");
        // Port 1 (tcpmux) has no listener: a port freed by this test could be taken by a fake
        // API server of a test running meanwhile, and the cluster would be up.
        // Its URL carries a user and password, which no output may show.
        let contexts = [(WEU, weu.url()), (NEU, neu.url()), (DOWN, format!("http://admin:{PASSWORD}@127.0.0.1:1"))];
        let mut config = String::from("apiVersion: v1\nkind: Config\nclusters:\n");
        for (name, server) in &contexts {
            config.push_str(&format!("- name: {name}\n  cluster:\n    server: {server}\n"));
        }
        config.push_str("contexts:\n");
        for (name, _) in &contexts {
            config.push_str(&format!("- name: {name}\n  context:\n    cluster: {name}\n    user: fleet-user\n"));
        }
        config.push_str(&format!("current-context: {WEU}\nusers:\n- name: fleet-user\n  user:\n{user}"));
        std::fs::write(dir.path().join("kubeconfig"), config).expect("write kubeconfig");
        FleetFixture { weu, neu, dir }
    }

    fn kubeconfig(&self) -> PathBuf {
        self.dir.path().join("kubeconfig")
    }

    /// `kubectl iblint audit ARGS` through real kubectl, the plugin found on PATH.
    fn kubectl(&self, args: &[&str]) -> Output {
        let bin_dir = Path::new(env!("CARGO_BIN_EXE_kubectl-iblint")).parent().expect("bin dir").to_path_buf();
        let path = std::env::join_paths(
            std::iter::once(bin_dir).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
        )
        .expect("PATH");
        let out = Command::new(kubectl_binary())
            .args(["iblint", "audit"])
            .args(args)
            .current_dir(repo())
            .env("PATH", path)
            .env("HOME", self.dir.path())
            .env("KUBECONFIG", self.kubeconfig())
            .output()
            .expect("run kubectl");
        assert_no_password(&String::from_utf8_lossy(&out.stdout));
        assert_no_password(&String::from_utf8_lossy(&out.stderr));
        out
    }
}

fn token_user() -> String {
    format!("    token: {TOKEN}\n")
}

/// (rule, logical location) of a cluster's findings in the fleet's JSON report.
fn findings(json: &Value, context: &str) -> Vec<(String, String)> {
    json["clusters"][context]["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings for {context}: {json}"))
        .iter()
        .map(|f| {
            (f["rule"].as_str().unwrap_or("").to_string(), f["location"]["logical"].as_str().unwrap_or("").to_string())
        })
        .collect()
}

#[test]
fn a_fleet_with_one_cluster_down_is_incomplete_and_finds_what_no_single_audit_can() {
    let fleet = FleetFixture::start(&token_user());
    let contexts = format!("{WEU},{NEU},{DOWN}");
    let out = fleet.kubectl(&["--contexts", &contexts, "--format", "json", "--fail-on", "never"]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "one cluster down: incomplete, not failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json["fleet"]["contexts"], serde_json::json!([WEU, NEU, DOWN]));
    assert_eq!(json["fleet"]["incomplete"], true);
    assert_eq!(json["fleet"]["clusters"][DOWN]["audited"], false);
    let down = json["clusters"][DOWN]["error"].as_str().unwrap_or_default();
    assert!(down.contains("connection refused"), "{down}");
    // Each cluster alone is clean; together they disagree.
    assert!(findings(&json, WEU).is_empty(), "{:?}", findings(&json, WEU));
    let neu = findings(&json, NEU);
    assert_eq!(
        neu,
        [
            ("IB609".to_string(), format!("{NEU}/kube-system/Deployment/azure-wi-webhook-controller-manager")),
            ("IB608".to_string(), format!("{NEU}/team-a/ServiceAccount/api")),
        ],
        "{neu:?}"
    );
    let drift = json["clusters"][NEU]["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["rule"] == "IB608"))
        .expect("IB608");
    assert_eq!(
        drift["related"][0]["location"]["logical"],
        format!("{WEU}/ClusterRoleBinding/use-mi-5b0c7c3e-9f0a-4d1e-8a6b-3f2d9e1c4a7b")
    );
    // Audited one by one, no cluster shows a cross-cluster finding.
    for context in [WEU, NEU] {
        let out = fleet.kubectl(&["--context", context, "--format", "json", "--fail-on", "never"]);
        assert_eq!(out.status.code(), Some(0), "{context}: {}", String::from_utf8_lossy(&out.stderr));
        let alone: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(alone["findings"], serde_json::json!([]), "{context}");
    }
    assert_read_only(&fleet.weu.requests());
    assert_read_only(&fleet.neu.requests());
}

#[test]
fn the_fleet_report_in_sarif_human_and_github_formats() {
    let fleet = FleetFixture::start(&token_user());
    // SARIF: a run per cluster, each with its own category.
    let sarif_path = fleet.dir.path().join("fleet.sarif");
    let out = fleet.kubectl(&["--all-contexts", "--format", "sarif", "-o", sarif_path.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    sarif_schema::validate_with_jsonschema(&sarif_schema::schema_path(), &sarif_path);
    let sarif_text = std::fs::read_to_string(&sarif_path).expect("read");
    assert_no_password(&sarif_text);
    let sarif: Value = serde_json::from_str(&sarif_text).expect("JSON");
    let runs = sarif["runs"].as_array().expect("runs");
    let ids: Vec<&str> = runs.iter().filter_map(|r| r["automationDetails"]["id"].as_str()).collect();
    assert_eq!(ids, [format!("iblint/audit/{WEU}/"), format!("iblint/audit/{NEU}/"), format!("iblint/audit/{DOWN}/")]);
    let success: Vec<&Value> = runs.iter().map(|r| &r["invocations"][0]["executionSuccessful"]).collect();
    assert_eq!(success, [&Value::Bool(true), &Value::Bool(true), &Value::Bool(false)]);
    let neu_rules: Vec<&str> =
        runs[1]["results"].as_array().expect("results").iter().filter_map(|r| r["ruleId"].as_str()).collect();
    assert_eq!(neu_rules, ["IB609", "IB608"]);

    // Human: each cluster under its heading, the fleet table, the warning last.
    let out = fleet.kubectl(&["--all-contexts", "--no-color"]);
    assert_eq!(out.status.code(), Some(3));
    let text = String::from_utf8_lossy(&out.stdout);
    let at = |needle: &str| text.find(needle).unwrap_or_else(|| panic!("no `{needle}` in:\n{text}"));
    assert!(at(&format!("═══ cluster {WEU} (")) < at(&format!("═══ cluster {NEU} (")));
    assert!(at(&format!("═══ cluster {NEU} (")) < at(&format!("═══ cluster {DOWN} ═══")));
    assert!(at("IB608 fleet-grant-drift") > at(&format!("═══ cluster {NEU}")));
    let table = &text[at("fleet of 3 clusters")..];
    assert!(table.contains("context   errors  warnings  notes  status"), "{table}");
    let row = |context: &str| {
        table
            .lines()
            .find(|l| l.starts_with(context))
            .unwrap_or_else(|| panic!("{table}"))
            .split_whitespace()
            .collect::<Vec<_>>()
    };
    assert_eq!(row(WEU), [WEU, "0", "0", "0", "complete"]);
    assert_eq!(row(NEU), [NEU, "0", "1", "1", "complete"]);
    assert_eq!(row(DOWN), [DOWN, "-", "-", "-", "not", "audited"]);
    assert!(
        text.trim_end().lines().last().is_some_and(|l| l.starts_with("warning: the fleet audit is incomplete: 1 of 3")),
        "{text}"
    );

    // GitHub: the annotations, and a warning for the cluster that could not be audited.
    let out = fleet.kubectl(&["--all-contexts", "--format", "github"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.lines().any(|l| l.starts_with("::warning title=IB608 fleet-grant-drift::")), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("::warning title=iblint audit incomplete::could not audit context aks-down")),
        "{text}"
    );
    // Compact: every cluster's findings, their locations naming the context, and a line for the
    // cluster that could not be audited.
    let out = fleet.kubectl(&["--all-contexts", "--format", "compact"]);
    assert_eq!(out.status.code(), Some(3));
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[0].starts_with(&format!("{NEU}/kube-system/Deployment/azure-wi-webhook-controller-manager: note IB609 "))
    );
    assert!(lines[1].starts_with(&format!("{NEU}/team-a/ServiceAccount/api: warning IB608 ")), "{text}");
    assert!(
        lines[2].starts_with(&format!("{DOWN}: warning audit-incomplete could not audit context {DOWN}: ")),
        "{text}"
    );
    // JUnit: the findings as failures, the cluster that could not be audited as an error.
    let out = fleet.kubectl(&["--all-contexts", "--format", "junit"]);
    assert_eq!(out.status.code(), Some(3));
    let xml = String::from_utf8_lossy(&out.stdout);
    assert!(xml.contains("<testsuites name=\"iblint\" tests=\"4\" failures=\"2\" errors=\"1\">"), "{xml}");
    assert!(xml.contains(&format!("<testsuite name=\"audit of context {DOWN}\"")), "{xml}");
    assert!(xml.contains(&format!("<testcase name=\"no findings in context {WEU}\"")), "{xml}");
    tools::assert_valid_junit("fleet", &xml);
    // --allow-incomplete: the findings decide (IB608 is a warning).
    let out = fleet.kubectl(&["--all-contexts", "--allow-incomplete", "--fail-on", "warning", "-q"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn one_exec_plugin_run_serves_every_cluster_of_its_user() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plugin = dir.path().join("plugin");
    let script = format!(
        "#!/bin/sh\necho run >> \"{}\"\necho '{{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{{\"token\":\"{TOKEN}\"}}}}'\n",
        dir.path().join("runs").display()
    );
    std::fs::write(&plugin, script).expect("write plugin");
    let mut permissions = std::fs::metadata(&plugin).expect("metadata").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(&plugin, permissions).expect("chmod");
    let user =
        format!("    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: {}\n", plugin.display());
    let fleet = FleetFixture::start(&user);
    let out = fleet.kubectl(&["--contexts", &format!("{WEU},{NEU}"), "--concurrent-clusters", "2", "--format", "json"]);
    assert!(out.status.code().is_some_and(|c| c <= 1), "{}", String::from_utf8_lossy(&out.stderr));
    let runs = std::fs::read_to_string(dir.path().join("runs")).expect("runs");
    assert_eq!(runs.lines().count(), 1, "two clusters, one user: the plugin ran {} times", runs.lines().count());
}
