//! Determinism, secret hygiene and safe output files, through the real binary.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::path::Path;
use std::process::{Command, Output};

fn iblint(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iblint")).args(args).current_dir(dir).output().expect("run iblint")
}

/// A tree with findings in several files, for comparing runs.
fn sample_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for i in 0..40 {
        let team = format!("team-{}", i % 4);
        let p = dir.path().join(&team);
        std::fs::create_dir_all(&p).expect("mkdir");
        let use_label = if i % 3 == 0 { "" } else { "        azure.workload.identity/use: \"true\"\n" };
        let text = format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\n  namespace: {team}\nspec:\n  template:\n    \
             metadata:\n      labels:\n        app: a{i}\n        flag: {flag}\n{use_label}      annotations:\n        \
             azure.workload.identity/use-identity-binding: \"true\"\n    spec:\n      serviceAccountName: app-{i}\n",
            flag = if i % 5 == 0 { "true" } else { "\"on\"" },
        );
        std::fs::write(p.join(format!("app-{i}.yaml")), text + &identity(i, &team)).expect("write");
    }
    std::fs::write(dir.path().join("broken.yaml"), "a: [\n").expect("write");
    dir
}

/// The app's ServiceAccount and grant, varied so that the rules sharing answers across
/// ServiceAccounts and grants (IB201, IB202, IB301, IB302, IB308) all report.
fn identity(i: usize, team: &str) -> String {
    let id = format!("3f2c1a9e-8b7d-4c6e-9f0a-{i:012}");
    let client_id =
        if i.is_multiple_of(7) { String::new() } else { format!("    azure.workload.identity/client-id: \"{id}\"\n") };
    let granted = match i % 4 {
        0 => String::new(),                                       // no grant: IB301
        1 => id.replace("3f2c", "3f2d"),                          // one edit away: IB302
        2 => format!("3f2c1a9e-8b7d-4c6e-9f0a-{:012}", i + 1000), // nobody's id: IB301 + IB308
        _ => id.clone(),
    };
    let mut text = format!(
        "---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app-{i}\n  namespace: {team}\n  annotations:\n\
         {client_id}"
    );
    if i % 2 == 1 {
        text.push_str("    azure.workload.identity/tenant-id: \"72f988bf-86f1-41af-91ab-2d7cd011db47\"\n");
    }
    if !granted.is_empty() {
        text.push_str(&format!(
            "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: use-mi-{i}\nrules:\n  - \
             verbs: [\"use-managed-identity\"]\n    apiGroups: [\"cid.wi.aks.azure.com\"]\n    resources: [\"{granted}\"]\n---\n\
             apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: use-mi-{i}\nroleRef:\n  \
             apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: use-mi-{i}\nsubjects:\n  - kind: ServiceAccount\n    \
             name: app-{i}\n    namespace: {team}\n"
        ));
    }
    text
}

#[test]
fn output_is_identical_across_runs_and_thread_counts() {
    let dir = sample_tree();
    let sarif = |threads: &str| {
        let out = iblint(dir.path(), &["--threads", threads, "check", ".", "--format", "sarif"]);
        assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    };
    let one = sarif("1");
    for rule in ["IB101", "IB201", "IB202", "IB301", "IB302", "IB308"] {
        assert!(String::from_utf8_lossy(&one).contains(&format!("\"ruleId\": \"{rule}\"")), "no {rule} finding");
    }
    for threads in ["2", "4", "8", "4"] {
        assert!(one == sarif(threads), "SARIF differs with --threads {threads}");
    }
    for format in ["human", "json", "github"] {
        let a = iblint(dir.path(), &["--threads", "1", "check", ".", "--no-color", "--format", format]);
        let b = iblint(dir.path(), &["--threads", "8", "check", ".", "--no-color", "--format", format]);
        assert!(a.stdout == b.stdout, "{format} output differs between 1 and 8 threads");
    }
}

const SECRETS: &[&str] = &[
    "c3VwZXItc2VjcmV0LWRhdGE=",
    "hunter2-string-data",
    "pa55w0rd-in-env",
    "ghp_tokenValue123",
    "AccountKey=abcdEFGH1234==",
    "annotation-secret-xyz",
];

/// Manifests carrying secret values next to findings whose snippets show those lines.
fn secret_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\n  labels:\n    enabled: true\ndata:\n  \
         key: {}\nstringData:\n  other: {}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  \
         annotations:\n    example.com/api-token: {}\nspec:\n  template:\n    metadata:\n      labels: {{app: api}}\n      \
         annotations:\n        azure.workload.identity/use-identity-binding: \"true\"\n        vault/client-secret: {}\n    \
         spec:\n      serviceAccountName: api\n      containers:\n        - name: api\n          env:\n            \
         - name: DB_PASSWORD\n              value: {}\n            - name: STORAGE\n              \
         value: \"DefaultEndpointsProtocol=https;AccountName=x;{};EndpointSuffix=core.windows.net\"\n",
        SECRETS[0], SECRETS[1], SECRETS[3], SECRETS[5], SECRETS[2], SECRETS[4]
    );
    std::fs::write(dir.path().join("app.yaml"), text).expect("write");
    // A broken file whose parse error sits on a secret line: the snippet must not show it.
    std::fs::write(
        dir.path().join("broken.yaml"),
        format!("apiVersion: v1\nkind: Secret\nstringData:\n  pw: {}\n bad: [\n", SECRETS[1]),
    )
    .expect("write");
    dir
}

#[test]
fn no_format_prints_secret_values() {
    let dir = secret_tree();
    for format in ["human", "sarif", "json", "github"] {
        let out = iblint(dir.path(), &["check", ".", "--no-color", "--format", format]);
        let text = String::from_utf8_lossy(&out.stdout);
        for rule in ["IB001", "IB002", "IB101"] {
            assert!(text.contains(rule), "{format}: no {rule} finding to show\n{text}");
        }
        for secret in SECRETS {
            assert!(!text.contains(secret), "{format} prints `{secret}`:\n{text}");
        }
    }
}

#[test]
fn failed_run_keeps_the_existing_output() {
    let dir = sample_tree();
    let out_dir = tempfile::tempdir().expect("tempdir");
    let target = out_dir.path().join("report.sarif");
    std::fs::write(&target, "previous report").expect("write");
    let target_arg = target.to_string_lossy().to_string();
    // A missing path is an I/O error: exit 2, and the old report is neither truncated nor replaced.
    let run = iblint(dir.path(), &["check", "no-such-dir", "--format", "sarif", "--output", &target_arg]);
    assert_eq!(run.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&target).expect("read"), "previous report");
    // A successful run replaces it whole, and leaves no temporary file behind.
    let run = iblint(dir.path(), &["check", ".", "--format", "sarif", "--output", &target_arg]);
    assert_eq!(run.status.code(), Some(1));
    assert!(std::fs::read_to_string(&target).expect("read").contains("\"version\": \"2.1.0\""));
    assert_eq!(std::fs::read_dir(out_dir.path()).expect("ls").count(), 1);
}

#[test]
fn nothing_is_written_into_the_scanned_tree_unless_asked() {
    let dir = sample_tree();
    let before = listing(dir.path());
    for format in ["human", "sarif", "json", "github"] {
        let _ = iblint(dir.path(), &["check", ".", "--format", format]);
    }
    assert_eq!(before, listing(dir.path()));
}

fn listing(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("ls").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p.clone());
            }
            out.push(p.to_string_lossy().to_string());
        }
    }
    out.sort();
    out
}

/// Snippets come from the texts read once after linting: rendering does no I/O, so a file that
/// is gone by then (or changed) still shows the lines the findings were computed on.
#[test]
fn human_output_renders_from_the_texts_read_with_the_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("sa.yaml");
    std::fs::write(
        &file,
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  annotations:\n    \
         azure.workload.identity/service-account-token-expiration: 3600\n",
    )
    .expect("write");
    let cwd = dir.path().canonicalize().expect("cwd");
    let opts = iblint::check::CheckOptions { paths: vec!["sa.yaml".into()], ..Default::default() };
    let outcome = iblint::check::run(&opts, &iblint::config::Config::default(), &cwd).expect("check");
    std::fs::remove_file(&file).expect("remove");
    let human =
        iblint::report::render(iblint::report::Format::Human, &outcome, &iblint::report::RenderOptions::default());
    assert!(human.contains("[sa.yaml:6:63]"), "{human}");
    assert!(human.contains("6 │     azure.workload.identity/service-account-token-expiration: 3600"), "{human}");
}
