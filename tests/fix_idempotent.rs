//! A property of `iblint fix`: it is idempotent. Manifests generated from a fixed seed — every
//! fixable mistake in every layout (2- or 4-space indentation, indented or not-indented lists,
//! block or flow labels, LF or CRLF, with or without a byte order mark, one or several
//! documents) — are fixed once; a second run changes nothing, and the fixed files still parse.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use iblint::check::CheckOptions;
use iblint::config::Config;
use iblint::fix::run::{self, FixOptions};

/// A small deterministic generator (64-bit LCG): the same cases on every run.
struct Seed(u64);

impl Seed {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
    fn flip(&mut self) -> bool {
        self.next(2) == 1
    }
}

const ID: &str = "3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60";
const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

/// One generated tree: a Deployment and its ServiceAccount (and maybe a grant), each mistake on or
/// off, laid out one of many ways.
fn generate(seed: &mut Seed) -> Vec<(String, Vec<u8>)> {
    let i = if seed.flip() { "    " } else { "  " };
    let list = if seed.flip() { i } else { "" }; // indented or not-indented sequences
    let id = if seed.flip() { ID.to_uppercase() } else { ID.to_string() };
    let use_label = match seed.next(5) {
        0 => None,
        1 => Some("\"True\"".to_string()),
        2 => Some("true".to_string()),
        _ => Some("\"true\"".to_string()),
    };
    let on_controller = use_label.is_some() && seed.flip();
    let flow = seed.flip();
    let mut pod_labels = vec!["app: api".to_string()];
    let mut controller_labels = vec![format!("tier: {}", if seed.flip() { "3" } else { "\"3\"" })];
    if let Some(v) = &use_label {
        let entry = format!("azure.workload.identity/use: {v}");
        if on_controller {
            controller_labels.push(entry);
        } else {
            pod_labels.push(entry);
        }
    }
    let map = |entries: &[String], depth: usize| -> String {
        if flow {
            format!(" {{{}}}\n", entries.join(", "))
        } else {
            let mut s = String::from("  # labels\n");
            for e in entries {
                s.push_str(&format!("{}{e}\n", i.repeat(depth)));
            }
            s
        }
    };
    let binding_key = if seed.flip() { "use-identity-binding" } else { "use-identitybinding" };
    let mut deploy = format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n{i}name: api\n{i}namespace: team-a\n{i}labels:{}spec:\n{i}selector:\n{i}{i}matchLabels:\n{i}{i}{i}app: api\n{i}template:\n{i}{i}metadata:\n{i}{i}{i}labels:{}{i}{i}{i}annotations:\n{i}{i}{i}{i}azure.workload.identity/{binding_key}: \"true\"\n{i}{i}spec:\n{i}{i}{i}serviceAccountName: api\n{i}{i}{i}containers:\n{i}{i}{i}{list}- name: api\n{i}{i}{i}{list}  image: api:1\n",
        map(&controller_labels, 2),
        map(&pod_labels, 4),
    );
    let client_key = if seed.flip() { "client-id" } else { "client_id" };
    let tenant =
        if seed.flip() { format!("{i}{i}azure.workload.identity/tenant-id: \"{TENANT}\"\n") } else { String::new() };
    let sa = format!(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n{i}name: api\n{i}namespace: team-a\n{i}annotations:\n{i}{i}azure.workload.identity/{client_key}: \"{id}\"\n{tenant}"
    );
    let grant_id = if seed.flip() { id.clone() } else { ID.to_uppercase() };
    let grant = format!(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n{i}name: reader\nrules:\n{list}- verbs: [\"use-managed-identity\"]\n{list}  apiGroups: [\"cid.wi.aks.azure.com\"]\n{list}  resources: [\"{grant_id}\"]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n{i}name: reader\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}}\nsubjects:\n{list}- {{kind: ServiceAccount, name: api, namespace: team-a}}\n"
    );
    let mut files = Vec::new();
    let crlf = seed.flip();
    let bom = seed.flip();
    let encode = |text: String| -> Vec<u8> {
        let text = if crlf { text.replace('\n', "\r\n") } else { text };
        let mut bytes = if bom { vec![0xef, 0xbb, 0xbf] } else { Vec::new() };
        bytes.extend(text.into_bytes());
        bytes
    };
    if seed.flip() {
        deploy = format!("---\n{deploy}---\n{sa}---\n{grant}");
        files.push(("all.yaml".to_string(), encode(deploy)));
    } else {
        files.push(("deploy.yaml".to_string(), encode(deploy)));
        files.push(("sa.yaml".to_string(), encode(sa)));
        files.push(("rbac/grant.yaml".to_string(), encode(grant)));
    }
    files
}

#[test]
fn a_second_fix_changes_nothing() {
    let mut seed = Seed(0x1b1e_f1c5);
    let mut fixed_something = 0;
    for case in 0..40 {
        let tmp = tempfile::tempdir().expect("tempdir");
        let files = generate(&mut seed);
        for (name, bytes) in &files {
            let path = tmp.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
        let opts = FixOptions {
            check: CheckOptions { paths: vec![".".into()], scope: Some(".".into()), ..CheckOptions::default() },
            unsafe_fixes: case % 2 == 0,
            rules: Vec::new(),
        };
        let first = run::run(&opts, &Config::default(), tmp.path()).expect("fix runs");
        fixed_something += usize::from(!first.changed.is_empty());
        run::write(&first.changed, tmp.path()).expect("write");
        for c in &first.changed {
            let parsed = iblint::yaml::parse_stream(&c.after, &iblint::yaml::Limits::default(), |_| {});
            assert!(parsed.fatal.is_none(), "case {case}: {} no longer parses:\n{}", c.path, c.after);
        }
        let second = run::run(&opts, &Config::default(), tmp.path()).expect("fix runs");
        let diff = run::unified_diff(&second.changed);
        assert!(diff.is_empty(), "case {case}: the second run changes\n{diff}\nfiles: {files:?}");
    }
    assert!(fixed_something >= 30, "the generator must produce mistakes: {fixed_something}");
}
