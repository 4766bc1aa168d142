//! `iblint map` and `kubectl iblint map`: the identity access graph of `testdata/example` and of
//! an RBAC-heavy fixture (`testdata/map/rbac`: aggregation, a group subject, a wildcard, a
//! federated credential and an identity binding), pinned
//! as JSON, Mermaid and DOT in `tests/snapshots/map/`; what the edges say (broad, red, why); the
//! focus options; the JSON schema; the HTML page in headless Chromium; the live map through the
//! fake API server and real kubectl.
//!
//! Updating the pinned maps after an intended change: `INSTA_UPDATE=always cargo test --test map`,
//! then review the diff.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

#[path = "support/fake_apiserver.rs"]
mod fake_apiserver;
#[path = "audit/harness.rs"]
mod harness;
#[path = "support/sarif_schema.rs"]
mod sarif_schema;
#[path = "support/tools.rs"]
mod tools;

const API_ID: &str = "3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60";
const BILLING_ID: &str = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
const LEDGER_ID: &str = "5b0c7c3e-9f0a-4d1e-8a6b-3f2d9e1c4a7b";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn iblint(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iblint")).current_dir(dir).args(args).output().expect("run iblint")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The map of `path` (its own scope, so the rest of the repository's fixtures stay out) in
/// `format`, with any further `args`.
fn map(path: &str, format: &str, args: &[&str]) -> String {
    let mut all = vec!["map", path, "--scope", path, "--format", format];
    all.extend_from_slice(args);
    let out = iblint(&repo(), &all);
    assert_eq!(out.status.code(), Some(0), "{all:?}: {}", stderr(&out));
    stdout(&out)
}

fn json_map(path: &str, args: &[&str]) -> Value {
    serde_json::from_str(&map(path, "json", args)).expect("JSON map")
}

fn node_ids(map: &Value) -> Vec<String> {
    map["nodes"].as_array().expect("nodes").iter().map(|n| n["id"].as_str().unwrap_or("").to_string()).collect()
}

fn edge<'a>(map: &'a Value, from: &str, to: &str) -> &'a Value {
    map["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .find(|e| e["from"] == from && e["to"] == to)
        .unwrap_or_else(|| panic!("no edge {from} → {to} in {map:#}"))
}

fn rules_of(map: &Value, ids: &Value) -> Vec<String> {
    let findings = map["findings"].as_array().expect("findings");
    ids.as_array()
        .expect("finding ids")
        .iter()
        .map(|id| {
            let f = findings.iter().find(|f| &f["id"] == id).unwrap_or_else(|| panic!("finding {id} not listed"));
            f["rule"].as_str().unwrap_or("").to_string()
        })
        .collect()
}

#[test]
fn maps_of_the_example_and_the_rbac_fixture_are_pinned() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(repo().join("tests/snapshots/map"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for (name, path) in [("example", "testdata/example"), ("rbac", "testdata/map/rbac")] {
            for format in ["json", "mermaid", "dot"] {
                let text = map(path, format, &[]);
                // The tool's version is the only thing that changes without the map changing.
                let text = text.replace(env!("CARGO_PKG_VERSION"), "[version]");
                insta::assert_snapshot!(format!("{name}.{format}"), text);
            }
        }
    });
}

#[test]
fn edges_say_why_and_are_broad_or_red_as_the_grants_are() {
    let m = json_map("testdata/map/rbac", &[]);
    // Aggregation: team-a's binding names the aggregated role; the rule comes from the labelled role.
    let grant = "grant/ClusterRoleBinding/team-a-identities/ClusterRole/use-mi-3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60";
    let bound = edge(&m, "ServiceAccount/team-a/api", grant);
    assert_eq!(bound["kind"], "boundBy");
    assert_eq!(bound["broad"], false);
    assert_eq!(bound["why"][0], "subject ServiceAccount api");
    let node = m["nodes"].as_array().unwrap().iter().find(|n| n["id"] == grant).expect("grant node");
    assert!(node["details"].as_array().unwrap().iter().any(|d| d == "aggregated into ClusterRole team-a-identities"));
    assert_eq!(node["location"], "testdata/map/rbac/grants.yaml:26");
    let allows = edge(&m, grant, &format!("identity/{API_ID}"));
    assert_eq!(allows["kind"], "allows");
    assert_eq!(allows["broad"], false);
    // A group subject: dashed, and red with the IB305 finding about it.
    let group = "grant/RoleBinding/team-b/team-b-identity/ClusterRole/use-mi-9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
    let by_group = edge(&m, "ServiceAccount/team-b/billing", group);
    assert_eq!(by_group["broad"], true);
    assert_eq!(by_group["why"][0], "subject Group system:serviceaccounts:team-b");
    assert!(rules_of(&m, &by_group["findings"]).contains(&"IB305".to_string()), "{by_group:#}");
    // A wildcard resource: the ledger reaches every identity in view, each edge dashed.
    let wildcard = "grant/ClusterRoleBinding/ledger-identity-admin/ClusterRole/ledger-any-identity";
    for id in [API_ID, BILLING_ID, LEDGER_ID] {
        let e = edge(&m, wildcard, &format!("identity/{id}"));
        assert_eq!(e["broad"], true, "{e:#}");
        assert!(e["why"][0].as_str().unwrap().contains("resources [*]"), "{e:#}");
    }
    // Workloads run as their ServiceAccounts; the annotation names the identity.
    assert_eq!(edge(&m, "StatefulSet/payments/ledger", "ServiceAccount/payments/ledger")["kind"], "runsAs");
    assert_eq!(
        edge(&m, "ServiceAccount/payments/ledger", &format!("identity/{LEDGER_ID}"))["kind"],
        "clientIdAnnotation"
    );
    // The federated credential trusts the ledger's tokens and belongs to the identity IaC names.
    let credential = "credential/payments/ledger-identity/ledger";
    assert_eq!(edge(&m, "ServiceAccount/payments/ledger", credential)["kind"], "trustedBy");
    assert_eq!(edge(&m, credential, "identity-name/payments/ledger-identity")["kind"], "credentialOf");
    // The identity binding a script creates: the credential AKS manages, on the identity's side.
    let managed = edge(&m, "credential/ledger-identity/aks-identity-binding", "identity-name/ledger-identity");
    assert_eq!(managed["why"][0], "az aks identity-binding create");
    let node = m["nodes"].as_array().unwrap().iter().find(|n| n["id"] == managed["from"]).expect("node");
    assert_eq!(node["details"][0], "managed by AKS for identity bindings");
    assert_eq!(node["location"], "testdata/map/rbac/identity-binding.sh:5");
    // Mermaid and DOT draw the same: dashed arrows for broad edges, red for edges behind findings.
    let mermaid = map("testdata/map/rbac", "mermaid", &[]);
    assert!(mermaid.contains(" -.->|\"subject Group system:serviceaccounts:team-b\"| "), "{mermaid}");
    assert!(mermaid.contains("linkStyle "), "{mermaid}");
    let dot = map("testdata/map/rbac", "dot", &[]);
    let line = dot.lines().find(|l| l.contains("\"ServiceAccount/team-b/billing\" -> \"grant/")).expect("dot edge");
    assert!(line.contains("style=dashed") && line.contains("color=\"#d12\""), "{line}");
}

#[test]
fn a_grant_naming_the_id_in_another_case_is_drawn_red_with_no_access() {
    let m = json_map("testdata/example", &[]);
    let grant = "grant/ClusterRoleBinding/use-mi-6f1c2a3b-9d8e-4f70-a1b2-c3d4e5f60718/ClusterRole/use-mi-6f1c2a3b-9d8e-4f70-a1b2-c3d4e5f60718";
    let e = edge(&m, "ServiceAccount/team-a/orders", grant);
    assert!(e["why"][0].as_str().unwrap().contains("no access"), "{e:#}");
    assert!(rules_of(&m, &e["findings"]).contains(&"IB302".to_string()), "{e:#}");
    // The script that deletes a credential adds no trust: no credential node for it.
    assert!(!node_ids(&m).iter().any(|id| id.starts_with("credential/")), "{:?}", node_ids(&m));
    // Only what is under the given path is drawn.
    for n in m["nodes"].as_array().unwrap() {
        if let Some(at) = n["location"].as_str() {
            assert!(at.starts_with("testdata/example/"), "{n:#}");
        }
    }
}

#[test]
fn focus_on_one_identity_or_one_workload() {
    // Who can use team-a's identity: its own workload, and the ledger through the wildcard.
    let m = json_map("testdata/map/rbac", &["--identity", &API_ID.to_ascii_uppercase()]);
    let ids = node_ids(&m);
    assert!(ids.contains(&"Deployment/team-a/api".to_string()), "{ids:?}");
    assert!(ids.contains(&"StatefulSet/payments/ledger".to_string()), "{ids:?}");
    assert!(!ids.contains(&"CronJob/team-b/invoices".to_string()), "{ids:?}");
    assert!(!ids.contains(&format!("identity/{BILLING_ID}")), "{ids:?}");
    // What the invoices CronJob can reach: team-b's identity only.
    let m = json_map("testdata/map/rbac", &["--workload", "CronJob/team-b/invoices"]);
    let ids = node_ids(&m);
    assert!(ids.contains(&format!("identity/{BILLING_ID}")), "{ids:?}");
    assert!(!ids.contains(&format!("identity/{API_ID}")), "{ids:?}");
    assert!(!ids.contains(&"Deployment/team-a/api".to_string()), "{ids:?}");
    // The findings listed are those of what is drawn.
    assert!(m["findings"].as_array().unwrap().iter().all(|f| f["rule"] == "IB303" || f["rule"] == "IB305"), "{m:#}");
    // Nothing to focus on is an error, not an empty map.
    for args in [["--identity", "00000000-0000-0000-0000-000000000000"], ["--workload", "Deployment/team-a/nope"]] {
        let mut all = vec!["map", "testdata/map/rbac", "--scope", "testdata/map/rbac"];
        all.extend_from_slice(&args);
        let out = iblint(&repo(), &all);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).starts_with("error: no "), "{}", stderr(&out));
        assert!(stdout(&out).is_empty());
    }
    let out = iblint(&repo(), &["map", "--format", "svg"]);
    assert_eq!(out.status.code(), Some(2), "an unknown format is a usage error");
    assert!(stdout(&iblint(&repo(), &["map", "--help"])).contains("Usage: iblint map [OPTIONS] [PATHS]..."));
}

#[test]
fn the_json_map_follows_its_schema() {
    let schema = repo().join("docs/map.schema.json");
    let tmp = tempfile::tempdir().expect("tempdir");
    for path in ["testdata/example", "testdata/map/rbac"] {
        let file = tmp.path().join("map.json");
        let out = iblint(&repo(), &["map", path, "--scope", path, "--format", "json", "-o", file.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(stdout(&out).is_empty(), "-o writes the file, not standard output");
        sarif_schema::validate_with_jsonschema(&schema, &file);
    }
}

/// Names that are markup in the output languages stay text.
#[test]
fn hostile_names_are_escaped_in_every_format() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        tmp.path().join("sa.yaml"),
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: \"x\\\"];<script>alert(1)</script>|#\\u202e\"\n  namespace: team-a\n  annotations:\n    azure.workload.identity/client-id: \"3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60\"\n",
    )
    .expect("write");
    for (format, forbidden) in [("html", "<script>"), ("mermaid", "\"];"), ("dot", "x\"]"), ("html", "\u{202e}")] {
        let out = iblint(tmp.path(), &["map", ".", "--format", format]);
        assert_eq!(out.status.code(), Some(0), "{format}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(text.contains("ServiceAccount team-a/x"), "{format}: {text}");
        assert!(!text.contains(forbidden), "{format}: {text}");
    }
}

fn chromium_screenshot(html: &Path, png: &Path, size: &str) {
    let out = Command::new("chromium")
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--disable-dev-shm-usage"])
        .arg(format!("--window-size={size}"))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("run chromium");
    assert!(out.status.success(), "chromium: {}", String::from_utf8_lossy(&out.stderr));
}

/// A repository of `teams` teams, each a Deployment, its ServiceAccount, its grant and its
/// identity: four nodes and four edges a team.
fn many_teams(dir: &Path, teams: usize) {
    let mut text = String::new();
    for i in 0..teams {
        let id = format!("{i:08x}-0000-4000-8000-{i:012x}");
        text.push_str(&format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\n  namespace: team-{i}\nspec:\n  selector:\n    matchLabels: {{app: a}}\n  template:\n    metadata:\n      labels:\n        app: a\n        azure.workload.identity/use: \"true\"\n    spec:\n      serviceAccountName: app\n      containers:\n        - name: app\n          image: example.azurecr.io/app:1\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app\n  namespace: team-{i}\n  annotations:\n    azure.workload.identity/client-id: \"{id}\"\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: use-mi-{id}\nrules:\n  - verbs: [\"use-managed-identity\"]\n    apiGroups: [\"cid.wi.aks.azure.com\"]\n    resources: [\"{id}\"]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: use-mi-{id}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: use-mi-{id}\nsubjects:\n  - kind: ServiceAccount\n    name: app\n    namespace: team-{i}\n---\n"
        ));
    }
    std::fs::write(dir.join("teams.yaml"), text).expect("write");
}

#[test]
fn the_readme_shows_the_map_of_the_example() {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README");
    assert!(readme.contains("](docs/images/map-example.png)"));
    let png = std::fs::read(repo().join("docs/images/map-example.png")).expect("the README's picture");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 20_000);
}

#[test]
fn the_html_page_is_self_contained_and_renders_in_chromium() {
    if !tools::require("chromium", &["--version"], "the HTML map test", "apt-get install chromium") {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let html = tmp.path().join("example.html");
    let out = iblint(
        &repo(),
        &["map", "testdata/example", "--scope", "testdata/example", "--format", "html", "-o", html.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page = std::fs::read_to_string(&html).expect("html");
    assert!(page.starts_with("<!DOCTYPE html>"));
    // Nothing to fetch: no scripts, no style sheets or images from elsewhere, a policy forbidding it.
    for fetch in ["<script", "<link", "src=", "@import", "url(http"] {
        assert!(!page.contains(fetch), "the page fetches something: {fetch}");
    }
    assert!(page.contains("Content-Security-Policy\" content=\"default-src 'none'"));
    assert!(page.contains("<svg") && page.contains("ServiceAccount team-a/orders"));
    // The README's picture is this screenshot (`IBLINT_BLESS=1 cargo test --test map` renews it).
    let png = if std::env::var_os("IBLINT_BLESS").is_some() {
        repo().join("docs/images/map-example.png")
    } else {
        tmp.path().join("example.png")
    };
    chromium_screenshot(&html, &png, "1800,470");
    let size = std::fs::metadata(&png).expect("the screenshot exists").len();
    assert!(size > 20_000, "a screenshot of a drawn map is more than a blank page: {size} bytes");

    // 500 nodes: every box has its own place (no two overlap), and Chromium draws it.
    let teams = tempfile::tempdir().expect("tempdir");
    many_teams(teams.path(), 125);
    let big = teams.path().join("map.html");
    let out = iblint(teams.path(), &["map", ".", "--format", "html", "-o", big.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page = std::fs::read_to_string(&big).expect("html");
    assert!(page.contains("500 nodes, 500 edges"), "{}", &page[..page.len().min(2000)]);
    let mut boxes: Vec<(String, f64, f64)> = page
        .lines()
        .filter(|l| l.starts_with("<g class=\"node"))
        .map(|l| {
            let attr = |name: &str| -> f64 {
                let start = l.find(&format!(" {name}=\"")).expect("attribute") + name.len() + 3;
                l[start..].split('"').next().unwrap_or("0").parse().expect("number")
            };
            (format!("{}", attr("x")), attr("y"), attr("y") + attr("height"))
        })
        .collect();
    assert_eq!(boxes.len(), 500);
    boxes.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    for pair in boxes.windows(2) {
        if pair[0].0 == pair[1].0 {
            assert!(pair[0].2 <= pair[1].1, "boxes overlap: {pair:?}");
        }
    }
    let png = teams.path().join("map.png");
    chromium_screenshot(&big, &png, "1800,1200");
    assert!(std::fs::metadata(&png).expect("screenshot").len() > 20_000);
}

#[test]
fn kubectl_iblint_map_draws_the_live_cluster() {
    let mut cluster = fake_apiserver::Cluster::new();
    for file in ["workloads.yaml", "grants.yaml"] {
        cluster.load_path(&repo().join("testdata/map/rbac").join(file)).expect("load the fixture");
    }
    let fake = harness::Fake::start(cluster);
    let out = fake.kubectl(&["iblint", "map", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let m: Value = serde_json::from_slice(&out.stdout).expect("JSON map");
    let ids = node_ids(&m);
    assert!(ids.contains(&"Deployment/team-a/api".to_string()), "{ids:?}");
    let group = "grant/RoleBinding/team-b/team-b-identity/ClusterRole/use-mi-9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
    assert_eq!(edge(&m, "ServiceAccount/team-b/billing", group)["broad"], true);
    let wildcard = "grant/ClusterRoleBinding/ledger-identity-admin/ClusterRole/ledger-any-identity";
    assert_eq!(edge(&m, wildcard, &format!("identity/{API_ID}"))["broad"], true);
    // Live objects are located by name, not by file.
    let node = m["nodes"].as_array().unwrap().iter().find(|n| n["id"] == "Deployment/team-a/api").expect("node");
    assert!(!node["location"].as_str().unwrap_or("").contains(".yaml"), "{node:#}");
    // Read-only, like the audit.
    harness::assert_read_only(&fake.requests());
    let mermaid = fake.kubectl(&["iblint", "map", "--identity", API_ID]);
    assert_eq!(mermaid.status.code(), Some(0), "{}", stderr(&mermaid));
    assert!(stdout(&mermaid).starts_with("flowchart LR\n"));
    assert!(stdout(&fake.kubectl(&["iblint", "map", "--help"])).contains("Usage: kubectl iblint map"));
}

/// Every repository of the real-world corpus maps without an error, into JSON that follows the
/// schema.
#[test]
fn every_realworld_repository_maps_into_valid_json() {
    let corpus =
        std::env::var_os("IBLINT_REALWORLD").map(PathBuf::from).unwrap_or_else(|| repo().join("../shared/realworld"));
    if !corpus.is_dir() {
        // Asked for (CI sets it), the corpus must be there; otherwise a fresh clone skips.
        assert!(
            std::env::var_os("IBLINT_REALWORLD").is_none(),
            "IBLINT_REALWORLD={} is no directory",
            corpus.display()
        );
        println!("skipped: no realworld corpus at {} (set IBLINT_REALWORLD)", corpus.display());
        return;
    }
    let schema = repo().join("docs/map.schema.json");
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut mapped = 0;
    for entry in std::fs::read_dir(&corpus).expect("corpus").filter_map(Result::ok).filter(|e| e.path().is_dir()) {
        let dir = entry.path();
        let file = tmp.path().join(format!("{}.json", entry.file_name().to_string_lossy()));
        let out = iblint(&dir, &["map", ".", "--scope", ".", "--format", "json", "-o", file.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{}: {}", dir.display(), stderr(&out));
        sarif_schema::validate_with_jsonschema(&schema, &file);
        let m: Value = serde_json::from_str(&std::fs::read_to_string(&file).expect("map")).expect("json");
        mapped += m["nodes"].as_array().map_or(0, Vec::len);
    }
    assert!(mapped > 50, "the corpus's workload-identity objects are on the maps: {mapped} nodes");
}
