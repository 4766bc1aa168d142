//! `kubectl iblint audit` end to end against a fake API server: scenario clusters and the findings
//! they must give (rule id + logical location), forbidden and throttled lists, pagination, output
//! formats, `--manifests` mapping — and in every test, a request log with only reads.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking
#![cfg(feature = "live")]

#[path = "support/fake_apiserver.rs"]
mod fake_apiserver;

#[path = "audit/harness.rs"]
mod harness;

use fake_apiserver::{synthetic, Fault, SarRule, SarTable};
use harness::{assert_read_only, has, healthy, object_mut, objects_mut, Fake};
use serde_json::{json, Value};

const DEPLOYMENT: &str = "team-a/Deployment/api";
const SERVICE_ACCOUNT: &str = "team-a/ServiceAccount/api";
const WEBHOOK: &str = "azure-wi-webhook-controller-manager";

fn audit(cluster: fake_apiserver::Cluster) -> Vec<(String, String)> {
    let fake = Fake::start(cluster);
    let (findings, _) = fake.findings(&[]);
    assert_read_only(&fake.requests());
    findings
}

fn rules(findings: &[(String, String)]) -> Vec<&str> {
    findings.iter().map(|(r, _)| r.as_str()).collect()
}

/// The identity-binding pods of the fixture.
fn ib_pods(cluster: &mut fake_apiserver::Cluster) -> impl Iterator<Item = &mut Value> {
    objects_mut(cluster, "Pod").filter(|p| p["metadata"]["labels"]["azure.workload.identity/use"] == "true")
}

fn containers(pod: &mut Value) -> impl Iterator<Item = &mut Value> {
    pod["spec"]["containers"].as_array_mut().into_iter().flatten()
}

fn webhook_image(cluster: &mut fake_apiserver::Cluster, image: &str) {
    let d = object_mut(cluster, "Deployment", WEBHOOK);
    for c in d["spec"]["template"]["spec"]["containers"].as_array_mut().expect("containers") {
        if c["name"] == "manager" {
            c["image"] = json!(image);
        }
    }
}

#[test]
fn a_healthy_identity_binding_cluster_has_no_findings() {
    let findings = audit(healthy());
    assert!(findings.is_empty(), "unexpected findings: {findings:?}");
}

#[test]
fn a_pod_the_webhook_never_mutated_is_reported_once_per_deployment() {
    let findings = audit(unmutated());
    assert_eq!(findings.iter().filter(|(r, _)| r == "IB603").count(), 1, "{findings:?}");
    assert!(has(&findings, "IB603", DEPLOYMENT), "{findings:?}");
}

#[test]
fn a_webhook_older_than_1_6_0_alpha_1_is_too_old_for_identity_bindings() {
    let mut cluster = healthy();
    webhook_image(&mut cluster, "mcr.microsoft.com/oss/azure/workload-identity/webhook:v1.5.1");
    let findings = audit(cluster);
    assert!(
        findings.iter().any(|(r, at)| r == "IB602" && at.ends_with(&format!("Deployment/{WEBHOOK}"))),
        "{findings:?}"
    );
}

/// The open-source install of v1.6.0 in its own namespace, with the given manager args.
fn oss_webhook(args: &[&str]) -> fake_apiserver::Cluster {
    let mut cluster = healthy();
    webhook_image(&mut cluster, "mcr.microsoft.com/oss/azure/workload-identity/webhook:v1.6.0");
    let d = object_mut(&mut cluster, "Deployment", WEBHOOK);
    d["metadata"]["namespace"] = json!("azure-workload-identity-system");
    d["metadata"]["labels"] = json!({"azure-workload-identity.io/system": "false"});
    d["spec"]["template"]["metadata"]["labels"] = json!({"azure-workload-identity.io/system": "false"});
    for c in d["spec"]["template"]["spec"]["containers"].as_array_mut().expect("containers") {
        c["args"] = json!(args);
    }
    cluster
}

#[test]
fn open_source_v1_6_0_needs_the_custom_token_endpoint_flags() {
    let without = audit(oss_webhook(&["--arc-cluster=false"]));
    assert!(without.iter().any(|(r, at)| r == "IB602" && at.contains("azure-workload-identity-system")), "{without:?}");
    let with = audit(oss_webhook(&[
        "--arc-cluster=false",
        "--custom-token-endpoint-annotation-suffix=identity-binding",
        "--custom-token-endpoint-audience",
        "api://AKSIdentityBinding",
    ]));
    assert!(!rules(&with).contains(&"IB602"), "{with:?}");
}

#[test]
fn an_identity_binding_pod_with_a_plain_token_fell_back() {
    let mut cluster = healthy();
    for pod in ib_pods(&mut cluster) {
        for v in pod["spec"]["volumes"].as_array_mut().expect("volumes") {
            for s in v["projected"]["sources"].as_array_mut().into_iter().flatten() {
                if s.get("serviceAccountToken").is_some() {
                    s["serviceAccountToken"]["audience"] = json!("api://AzureADTokenExchange");
                }
            }
        }
        for c in containers(pod) {
            if let Some(env) = c["env"].as_array_mut() {
                env.retain(|e| e["name"] != "AZURE_KUBERNETES_TOKEN_PROXY");
            }
        }
    }
    let findings = audit(cluster);
    assert!(has(&findings, "IB604", DEPLOYMENT), "{findings:?}");
}

#[test]
fn pods_started_before_a_client_id_change_are_stale() {
    const NEW_ID: &str = "0f9e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f";
    let mut cluster = healthy();
    let sa = object_mut(&mut cluster, "ServiceAccount", "api");
    let old =
        sa["metadata"]["annotations"]["azure.workload.identity/client-id"].as_str().expect("client id").to_string();
    sa["metadata"]["annotations"]["azure.workload.identity/client-id"] = json!(NEW_ID);
    // The grant and the API server follow the new id: only the running pods are behind.
    for o in cluster.objects.iter_mut().filter(|o| o["kind"] == "ClusterRole" || o["kind"] == "ClusterRoleBinding") {
        let text = o.to_string().replace(&old, NEW_ID);
        *o = serde_json::from_str(&text).expect("json");
    }
    for r in &mut cluster.sar.rules {
        if r.resource == old {
            r.resource = NEW_ID.to_string();
        }
    }
    let findings = audit(cluster);
    assert!(has(&findings, "IB605", DEPLOYMENT), "{findings:?}");
    assert_eq!(rules(&findings), ["IB605"], "nothing else is wrong: {findings:?}");
}

#[test]
fn webhook_deployments_in_both_namespaces_are_a_duplicate_install() {
    let mut cluster = healthy();
    let mut copy = object_mut(&mut cluster, "Deployment", WEBHOOK).clone();
    copy["metadata"]["namespace"] = json!("azure-workload-identity-system");
    cluster.add(copy).expect("add the second install");
    let findings = audit(cluster);
    assert!(findings.iter().any(|(r, at)| r == "IB606" && at.contains(WEBHOOK)), "{findings:?}");
}

#[test]
fn an_access_review_denial_the_static_rbac_does_not_explain_is_reported() {
    let mut cluster = healthy();
    let id = object_mut(&mut cluster, "ServiceAccount", "api")["metadata"]["annotations"]
        ["azure.workload.identity/client-id"]
        .as_str()
        .expect("client id")
        .to_string();
    cluster.sar = SarTable::default().with_rule(SarRule::deny(
        "system:serviceaccount:team-a:api",
        "use-managed-identity",
        "cid.wi.aks.azure.com",
        &id,
        "denied by an authorization webhook",
    ));
    let fake = Fake::start(cluster);
    let (findings, _) = fake.findings(&[]);
    assert!(has(&findings, "IB607", SERVICE_ACCOUNT), "{findings:?}");
    let reviews: Vec<_> = fake.requests().into_iter().filter(|r| r.method == "POST").collect();
    assert_eq!(reviews.len(), 1, "one review per identity-binding ServiceAccount");
    assert_read_only(&fake.requests());
    // --no-sar: no review, no IB607.
    let (without, _) = fake.findings(&["--no-sar"]);
    assert!(!rules(&without).contains(&"IB607"), "{without:?}");
}

#[test]
fn forbidden_clusterroles_are_reported_as_not_checked_and_their_rules_skipped() {
    let mut cluster = healthy();
    // Without the ClusterRoles the static evaluator would see no grant: IB301 must not guess.
    cluster.faults.push(Fault::resource("clusterroles").forbidden());
    let fake = Fake::start(cluster);
    let (code, json, _) = fake.json(&[]);
    assert_eq!(code, Some(3), "incomplete");
    assert_eq!(json["audit"]["incomplete"], true);
    let rules: Vec<&str> =
        json["findings"].as_array().expect("findings").iter().filter_map(|f| f["rule"].as_str()).collect();
    assert!(rules.iter().all(|r| !r.starts_with("IB30")), "{rules:?}");
    let unavailable = json["audit"]["unavailable"].as_array().expect("unavailable");
    let roles = unavailable.iter().find(|u| u["resource"] == "clusterroles").expect("clusterroles listed");
    assert!(roles["reason"].as_str().is_some_and(|r| r.contains("forbidden")), "{roles}");
    assert!(roles["skippedRules"].as_array().expect("rules").iter().any(|r| r == "IB301"));
    // Nothing failing was found, but the rules that need the ClusterRoles did not run: exit 3,
    // said in the report; --allow-incomplete goes by the findings alone.
    let out = fake.plugin(&["--no-color"]);
    assert_eq!(out.status.code(), Some(3));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("not checked") && text.contains("clusterroles (forbidden)"), "{text}");
    assert!(text.contains("warning: the audit of context aks-prod is incomplete"), "{text}");
    assert_eq!(fake.plugin(&["--allow-incomplete"]).status.code(), Some(0));
    assert_read_only(&fake.requests());
}

#[test]
fn throttling_and_server_errors_are_retried() {
    let mut cluster = healthy();
    cluster.faults.push(Fault::resource("pods").throttle(2));
    cluster.faults.push(Fault::resource("serviceaccounts").error(2));
    let fake = Fake::start(cluster);
    let (findings, json) = fake.findings(&[]);
    assert!(findings.is_empty(), "{findings:?}");
    assert_eq!(json["audit"]["unavailable"].as_array().map(Vec::len), Some(0));
    let requests = fake.requests();
    let pod_lists = requests.iter().filter(|r| r.path == "/api/v1/pods").count();
    assert!(pod_lists >= 3, "two throttled attempts and one that worked: {pod_lists}");
    assert!(requests.iter().any(|r| r.status == 429) && requests.iter().any(|r| r.status == 500));
    assert_read_only(&requests);
}

#[test]
fn bad_credentials_and_an_unreachable_server_exit_2_with_a_clear_error() {
    let mut cluster = healthy();
    cluster.faults.push(Fault::all().unauthorized());
    let fake = Fake::start(cluster);
    let out = fake.plugin(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("401"), "{}", String::from_utf8_lossy(&out.stderr));

    let fake = Fake::start(healthy());
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr");
    let config = std::fs::read_to_string(fake.kubeconfig())
        .expect("kubeconfig")
        .replace(&fake.server.url(), &format!("http://{closed}"));
    std::fs::write(fake.kubeconfig(), config).expect("rewrite kubeconfig");
    let out = fake.plugin(&["--timeout", "5"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("connection refused by {closed}")), "{stderr}");
}

#[test]
fn ten_thousand_pods_are_listed_page_by_page() {
    let fake = Fake::start(synthetic::cluster(10_000, 5_000, 2_000));
    // A debug build parses 16 MB of pods slowly: the default 30 s limit is for clusters, not tests.
    let (_, json) = fake.findings(&["--timeout", "300"]);
    assert_eq!(json["audit"]["pods"], 10_000);
    let requests = fake.requests();
    let pages: Vec<_> = requests.iter().filter(|r| r.path == "/api/v1/pods").collect();
    assert_eq!(pages.len(), 20, "10,000 pods in pages of 500");
    assert!(pages.iter().skip(1).all(|r| r.param("continue").is_some()), "pages after the first continue");
    assert_read_only(&requests);
}

#[test]
fn one_namespace_is_audited_with_the_webhook_still_found() {
    let fake = Fake::start(healthy());
    let (findings, _) = fake.findings(&["-n", "team-a"]);
    assert!(findings.is_empty(), "{findings:?}");
    let requests = fake.requests();
    assert!(requests.iter().any(|r| r.path == "/api/v1/namespaces/team-a/pods"));
    assert!(!requests.iter().any(|r| r.path == "/api/v1/pods"), "no cluster-wide pod list with -n");
    assert!(requests.iter().any(|r| r.path == "/apis/apps/v1/namespaces/kube-system/deployments"));
    assert_read_only(&requests);
}

#[test]
fn findings_land_on_the_manifest_lines_with_manifests() {
    let mut cluster = healthy();
    let sa = object_mut(&mut cluster, "ServiceAccount", "api");
    sa["metadata"]["annotations"].as_object_mut().expect("annotations").remove("azure.workload.identity/tenant-id");
    let fake = Fake::start(cluster);
    let manifests = fake.dir.path().join("manifests");
    std::fs::create_dir_all(&manifests).expect("mkdir");
    let sa_yaml = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  namespace: team-a\n  annotations:\n    azure.workload.identity/client-id: \"x\"\n";
    std::fs::write(manifests.join("sa.yaml"), sa_yaml).expect("write");
    // The Deployment makes the ServiceAccount an identity-binding one in the files too, so IB202
    // fires there and the live finding takes its exact line.
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: team-a\nspec:\n  template:\n    metadata:\n      labels:\n        azure.workload.identity/use: \"true\"\n      annotations:\n        azure.workload.identity/use-identity-binding: \"true\"\n    spec:\n      serviceAccountName: api\n      containers:\n        - name: app\n          image: x\n";
    std::fs::write(manifests.join("deployment.yaml"), deployment).expect("write");
    std::fs::write(
        manifests.join("other.yaml"),
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: unrelated\n  namespace: team-a\n",
    )
    .expect("write");
    let out =
        fake.plugin(&["--format", "json", "--fail-on", "never", "--manifests", manifests.to_str().expect("utf-8")]);
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    let f = json["findings"].as_array().expect("findings").iter().find(|f| f["rule"] == "IB202").expect("IB202");
    assert!(f["location"]["path"].as_str().is_some_and(|p| p.ends_with("manifests/sa.yaml")), "{f}");
    assert_eq!(f["location"]["line"], 6, "the `annotations:` line, where the same rule points in the file: {f}");
    assert_eq!(f["related"][0]["location"]["logical"], format!("{}/{SERVICE_ACCOUNT}", harness::CONTEXT));
    assert!(
        json["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .all(|f| f["location"]["path"].as_str().is_none_or(|p| !p.ends_with("other.yaml"))),
        "only live findings are reported, mapped; the files' own findings are not"
    );
}

#[test]
fn a_live_object_declared_in_no_rule_finding_lands_on_its_name() {
    let mut cluster = healthy();
    webhook_image(&mut cluster, "mcr.microsoft.com/oss/azure/workload-identity/webhook:v1.5.1");
    let fake = Fake::start(cluster);
    let manifests = fake.dir.path().join("manifests");
    std::fs::create_dir_all(&manifests).expect("mkdir");
    let webhook =
        format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {WEBHOOK}\n  namespace: kube-system\n");
    std::fs::write(manifests.join("webhook.yaml"), webhook).expect("write");
    let out =
        fake.plugin(&["--format", "json", "--fail-on", "never", "--manifests", manifests.to_str().expect("utf-8")]);
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    let f = json["findings"].as_array().expect("findings").iter().find(|f| f["rule"] == "IB602").expect("IB602");
    assert!(f["location"]["path"].as_str().is_some_and(|p| p.ends_with("manifests/webhook.yaml")), "{f}");
    assert_eq!(
        (f["location"]["line"].as_u64(), f["location"]["column"].as_u64()),
        (Some(4), Some(9)),
        "`name:` value: {f}"
    );
}

#[path = "support/sarif_schema.rs"]
mod sarif_schema;

/// What `a_pod_the_webhook_never_mutated…` builds, for the kubectl tests.
fn unmutated() -> fake_apiserver::Cluster {
    let mut cluster = healthy();
    for pod in ib_pods(&mut cluster) {
        pod["spec"]["volumes"]
            .as_array_mut()
            .expect("volumes")
            .retain(|v| !v["name"].as_str().unwrap_or("").starts_with("azure-workload-identity-reserved"));
        for c in containers(pod) {
            if let Some(env) = c["env"].as_array_mut() {
                env.retain(|e| !e["name"].as_str().unwrap_or("").starts_with("AZURE_"));
            }
        }
    }
    cluster
}

#[test]
fn kubectl_runs_the_plugin_and_prints_findings_grouped_by_namespace() {
    let fake = Fake::start(unmutated());
    let out = fake.kubectl(&["iblint", "audit", "--no-color"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("── namespace team-a ──"), "{text}");
    assert!(text.contains("IB603 pod-not-mutated"), "{text}");
    assert!(text.contains(&format!("{}/{DEPLOYMENT}", harness::CONTEXT)), "{text}");
    assert!(text.contains("rule    name"), "the summary table: {text}");
    assert_read_only(&fake.requests());
}

#[test]
fn kubectl_audit_writes_valid_sarif_with_logical_locations() {
    let fake = Fake::start(unmutated());
    let sarif = fake.dir.path().join("audit.sarif");
    let out = fake.kubectl(&["iblint", "audit", "--format", "sarif", "--output", sarif.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    sarif_schema::validate_with_jsonschema(&sarif_schema::schema_path(), &sarif);
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&sarif).expect("read")).expect("json");
    let run = &v["runs"][0];
    assert_eq!(run["automationDetails"]["id"], "iblint/audit/");
    let result = run["results"].as_array().expect("results").iter().find(|r| r["ruleId"] == "IB603").expect("IB603");
    assert_eq!(
        result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        format!("{}/{DEPLOYMENT}", harness::CONTEXT)
    );
    assert_read_only(&fake.requests());
}

/// The README shows real output of `kubectl iblint audit` on `testdata/live/demo`; this keeps it
/// real (`IBLINT_BLESS=1` rewrites it).
#[test]
fn readme_shows_the_real_audit_of_the_demo_cluster() {
    let cluster = fake_apiserver::Cluster::load(harness::repo().join("testdata/live/demo")).expect("demo fixture");
    let fake = Fake::start_as(cluster, "aks-demo");
    let out = fake.kubectl_env(&["iblint", "audit", "--no-color"], &[("COLUMNS", "100")]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let shown =
        String::from_utf8_lossy(&out.stdout).replace(&format!("{}/", fake.server.url()), "http://127.0.0.1:<port>/");
    let block = format!("<!-- audit:start -->\n```text\n$ kubectl iblint audit\n{shown}```\n<!-- audit:end -->");
    let readme_path = harness::repo().join("README.md");
    let readme = std::fs::read_to_string(&readme_path).expect("README");
    let (start, end) = (
        readme.find("<!-- audit:start -->").expect("start marker"),
        readme.find("<!-- audit:end -->").expect("end marker"),
    );
    let current = &readme[start..end + "<!-- audit:end -->".len()];
    if std::env::var_os("IBLINT_BLESS").is_some() {
        std::fs::write(&readme_path, readme.replace(current, &block)).expect("write README");
    } else {
        assert_eq!(current, block, "README's audit output is stale: run with IBLINT_BLESS=1");
    }
}

/// The request a logged path stands for, as RBAC sees it: (verb, API group, resource); `None`
/// for discovery and `/version`, which every authenticated identity may read.
fn rbac_request(method: &str, path: &str) -> Option<(&'static str, String, String)> {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let (group, rest) = match parts.as_slice() {
        ["api", _version, rest @ ..] => (String::new(), rest),
        ["apis", group, _version, rest @ ..] => (group.to_string(), rest),
        _ => return None,
    };
    let resource = match rest {
        [plural] | [plural, _] => plural,
        ["namespaces", _, plural] | ["namespaces", _, plural, _] => plural,
        _ => return None,
    };
    let verb = if method == "POST" { "create" } else { "list" };
    Some((verb, group, resource.to_string()))
}

#[test]
fn the_documented_audit_role_grants_every_request_the_audit_makes() {
    let mut cluster = healthy();
    // A federated credential custom resource: found through discovery, listed, and linted (IB401).
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
    assert!(
        findings.iter().any(|(r, at)| r == "IB401" && at.contains("FederatedIdentityCredential/aks-identity-binding")),
        "{findings:?}"
    );
    let text = std::fs::read(harness::repo().join("docs/audit/iblint-audit-rbac.yaml")).expect("role file");
    let display: std::sync::Arc<str> = std::sync::Arc::from("iblint-audit-rbac.yaml");
    let input = iblint::source::Input {
        display: &display,
        kind: iblint::source::files::FileKind::Manifest,
        bytes: &text,
        is_patch: false,
    };
    let inventory = iblint::source::load(&input, &iblint::source::LoadOptions::default());
    let role = inventory.roles.iter().find(|r| r.meta.name == "iblint-audit").expect("the ClusterRole");
    let requests = fake.requests();
    let mut checked = 0;
    for r in &requests {
        let Some((verb, group, resource)) = rbac_request(&r.method, &r.path) else { continue };
        let allowed = role.rules.iter().any(|rule| iblint::model::rule_allows(rule, verb, &group, &resource));
        assert!(allowed, "the documented role does not allow {verb} {resource}.{group} ({} {})", r.method, r.path);
        checked += 1;
    }
    assert!(checked >= 15, "{checked} requests checked");
    assert!(requests.iter().any(|r| r.path.contains("federatedidentitycredentials")));
    assert_read_only(&requests);
}

#[test]
fn legacy_pod_identity_objects_are_found_when_their_crds_exist() {
    let mut cluster = healthy();
    cluster
        .add(json!({
            "apiVersion": "aadpodidentity.k8s.io/v1",
            "kind": "AzureIdentity",
            "metadata": {"name": "orders-identity", "namespace": "team-a"},
            "spec": {"type": 0, "resourceID": "/subscriptions/s/resourcegroups/g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/orders",
                     "clientID": "00000000-1111-2222-3333-444444444444"}
        }))
        .expect("add AzureIdentity");
    let fake = Fake::start(cluster);
    let (findings, _) = fake.findings(&[]);
    assert!(has(&findings, "IB501", "team-a/AzureIdentity/orders-identity"), "{findings:?}");
    assert!(fake.requests().iter().any(|r| r.path == "/apis/aadpodidentity.k8s.io/v1/azureidentities"));
    assert_read_only(&fake.requests());
}

#[test]
fn a_progress_line_shows_on_a_terminal_only() {
    let fake = Fake::start(synthetic::cluster(3_000, 100, 100));
    let kubeconfig = fake.kubeconfig();
    let plugin = env!("CARGO_BIN_EXE_kubectl-iblint");
    // Not a terminal: standard error stays clean.
    let quiet = fake.plugin(&["--format", "json", "--fail-on", "never", "--timeout", "300"]);
    assert!(quiet.stderr.is_empty(), "{}", String::from_utf8_lossy(&quiet.stderr));
    // A terminal (util-linux `script` gives the run a pseudo-terminal); the report goes to a file.
    let report = tempfile::tempdir().expect("tempdir");
    let command = format!(
        "{plugin} audit --kubeconfig {} --format json --fail-on never --timeout 300 -o {}",
        kubeconfig.display(),
        report.path().join("audit.json").display()
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .output()
        .expect("script (util-linux)");
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("iblint: listed"), "no progress line on a terminal: {shown}");
    assert!(shown.contains("\u{1b}[K"), "the line is cleared at the end");
}

/// A cluster of several namespaces whose grants serve accounts across all of them.
fn many_namespaces() -> fake_apiserver::Cluster {
    synthetic::cluster(400, 40, 40)
}

#[test]
fn one_namespace_read_concludes_nothing_about_the_others() {
    const ABSENCE_RULES: [&str; 3] = ["IB204", "IB301", "IB308"];
    let concluded_from_absence = |findings: &[(String, String)]| {
        findings.iter().filter(|(r, _)| ABSENCE_RULES.contains(&r.as_str())).cloned().collect::<Vec<_>>()
    };
    let fake = Fake::start(many_namespaces());
    // Every namespace: every grant serves an account, every account exists.
    let (all, _) = fake.findings(&[]);
    assert!(concluded_from_absence(&all).is_empty(), "{all:?}");
    // One namespace: the grants for the other namespaces' accounts are not "unused" (IB308), and
    // nothing is missing (IB204, IB301) — the data read does not support it. What is found there
    // is what the whole audit finds there.
    let (one, json) = fake.findings(&["-n", "team-001"]);
    assert!(concluded_from_absence(&one).is_empty(), "{one:?}");
    assert!(one.iter().all(|f| all.contains(f)), "{one:?}");
    assert_eq!(json["audit"]["incomplete"], false);
    // Accounts that cannot be listed: the rules that would conclude from their absence are skipped.
    let mut cluster = many_namespaces();
    cluster.faults.push(Fault::resource("serviceaccounts").forbidden());
    let fake = Fake::start(cluster);
    let (code, json, _) = fake.json(&[]);
    assert_eq!(code, Some(3));
    let rules: Vec<&str> =
        json["findings"].as_array().expect("findings").iter().filter_map(|f| f["rule"].as_str()).collect();
    assert!(!rules.iter().any(|r| ["IB204", "IB301", "IB308"].contains(r)), "{rules:?}");
    assert_read_only(&fake.requests());
}

#[test]
fn a_grant_still_used_by_running_pods_is_not_unused() {
    const NEW_ID: &str = "0f9e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f";
    let mut cluster = healthy();
    let sa = object_mut(&mut cluster, "ServiceAccount", "api");
    let old =
        sa["metadata"]["annotations"]["azure.workload.identity/client-id"].as_str().expect("client id").to_string();
    sa["metadata"]["annotations"]["azure.workload.identity/client-id"] = json!(NEW_ID);
    // A grant for the new id was added; the old one stays while the old pods run with it.
    cluster
        .add(json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "use-mi-new"},
            "rules": [{"apiGroups": ["cid.wi.aks.azure.com"], "resources": [NEW_ID], "verbs": ["use-managed-identity"]}]}))
        .expect("role");
    cluster
        .add(json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "use-mi-new"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "use-mi-new"},
            "subjects": [{"kind": "ServiceAccount", "name": "api", "namespace": "team-a"}]}))
        .expect("binding");
    cluster.sar.rules.push(SarRule::allow(
        "system:serviceaccount:team-a:api",
        "use-managed-identity",
        "cid.wi.aks.azure.com",
        NEW_ID,
        "RBAC: allowed",
    ));
    let findings = audit(cluster);
    assert!(has(&findings, "IB605", DEPLOYMENT), "the pods still run with {old}: {findings:?}");
    assert!(!rules(&findings).contains(&"IB308"), "the old grant is in use: {findings:?}");
}

#[test]
fn manifests_without_a_namespace_are_matched_by_kind_and_name() {
    let mut cluster = healthy();
    let sa = object_mut(&mut cluster, "ServiceAccount", "api");
    sa["metadata"]["annotations"].as_object_mut().expect("annotations").remove("azure.workload.identity/tenant-id");
    let fake = Fake::start(cluster);
    let manifests = fake.dir.path().join("manifests");
    std::fs::create_dir_all(&manifests).expect("mkdir");
    // Rendered by kustomize or Helm, applied with -n: no `metadata.namespace` in the file.
    let sa_yaml = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  annotations:\n    azure.workload.identity/client-id: \"x\"\n";
    std::fs::write(manifests.join("sa.yaml"), sa_yaml).expect("write");
    // The same name in another namespace, written explicitly: not the live object's file.
    let other = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  namespace: team-b\n";
    std::fs::write(manifests.join("a-team-b.yaml"), other).expect("write");
    let out =
        fake.plugin(&["--format", "json", "--fail-on", "never", "--manifests", manifests.to_str().expect("utf-8")]);
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    let f = json["findings"].as_array().expect("findings").iter().find(|f| f["rule"] == "IB202").expect("IB202");
    assert!(f["location"]["path"].as_str().is_some_and(|p| p.ends_with("manifests/sa.yaml")), "{f}");
    assert_eq!(f["location"]["line"], 4, "the `name:` line: {f}");
    assert_eq!(f["related"][0]["location"]["logical"], format!("{}/{SERVICE_ACCOUNT}", harness::CONTEXT));
}
