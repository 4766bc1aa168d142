//! The pre-commit hook, installed by real pre-commit from a git repository holding this checkout:
//! a staged manifest whose ServiceAccount lives in an unstaged file blocks the commit with the
//! right finding (and nothing about the unstaged file); after the fix the commit goes through.
//!
//! Affordable on every run: the hook repository is committed with fixed dates, so an unchanged
//! tree has an unchanged commit and pre-commit's cache (`PRE_COMMIT_HOME` under `target/`) is
//! reused; after a source change `CARGO_TARGET_DIR` under `target/` makes the rebuild incremental.
//! The cold first install is measured and documented in docs/ci-and-hooks.md, not here.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

#[path = "support/common.rs"]
mod common;
use common::git_ok;

const SERVICE_ACCOUNT: &str = "\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  namespace: team-a
  labels:
    audited: true
  annotations:
    azure.workload.identity/client-id: \"3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60\"
    azure.workload.identity/tenant-id: \"72f988bf-86f1-41af-91ab-2d7cd011db47\"
";

const BROKEN_DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: team-a
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels:
        app: api
      annotations:
        azure.workload.identity/service-account-token-expiration: \"3600\"
    spec:
      serviceAccountName: api
      containers: [{name: api, image: api}]
";

fn on_path(tool: &str) -> bool {
    Command::new(tool).arg("--version").output().is_ok_and(|o| o.status.success())
}

fn work_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target").join("pre-commit-test")
}

/// A git repository with this checkout's files (tracked and new, as they are on disk), committed
/// reproducibly; returns its commit.
fn hook_repository(dir: &Path) -> String {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).expect("create hook repo");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let listed = git_ok(root, &["ls-files", "--cached", "--others", "--exclude-standard", "-z"]);
    for rel in listed.split('\0').filter(|p| !p.is_empty()) {
        let from = root.join(rel);
        if !from.is_file() {
            continue; // deleted in the work tree
        }
        let to = dir.join(rel);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        std::fs::copy(&from, &to).expect("copy");
    }
    git_ok(dir, &["init", "-q"]);
    git_ok(dir, &["add", "-A"]);
    git_ok(dir, &["commit", "-q", "--no-verify", "-m", "iblint under test"]);
    git_ok(dir, &["rev-parse", "HEAD"])
}

fn pre_commit(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("pre-commit");
    cmd.current_dir(dir).args(args);
    configure_environment(&mut cmd);
    cmd
}

fn configure_environment(cmd: &mut Command) {
    let work = work_dir();
    cmd.env("PRE_COMMIT_HOME", work.join("home"))
        .env("CARGO_TARGET_DIR", work.join("cargo-target"))
        .env("PRE_COMMIT_COLOR", "never")
        .env("NO_COLOR", "1")
        .env_remove("CARGO_MAKEFLAGS")
        .env_remove("MAKEFLAGS")
        .env_remove("MFLAGS");
}

fn commit(repo: &Path) -> Output {
    let mut cmd = Command::new("git");
    cmd.current_dir(repo)
        .args(["commit", "-m", "change"])
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com");
    configure_environment(&mut cmd);
    cmd.output().expect("git commit")
}

#[test]
fn hook_blocks_a_broken_staged_manifest_and_passes_a_clean_one() {
    if !on_path("pre-commit") || !on_path("git") {
        assert!(std::env::var_os("CI").is_none(), "CI must have pre-commit and git (.ci/requirements.txt)");
        eprintln!("skipped: pre-commit or git is not installed (pip install -r .ci/requirements.txt)");
        return;
    }
    let work = work_dir();
    let rev = hook_repository(&work.join("hook-repo"));
    let scratch = tempfile::tempdir().expect("temp dir");
    let repo = scratch.path();
    git_ok(repo, &["init", "-q"]);
    let config = format!(
        "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: iblint\n",
        work.join("hook-repo").display()
    );
    std::fs::write(repo.join(".pre-commit-config.yaml"), config).expect("write config");
    let install = pre_commit(repo, &["install"]).output().expect("pre-commit install");
    assert!(install.status.success(), "{}", String::from_utf8_lossy(&install.stderr));
    let started = Instant::now();
    let hooks = pre_commit(repo, &["install-hooks"]).output().expect("pre-commit install-hooks");
    assert!(
        hooks.status.success(),
        "{}{}",
        String::from_utf8_lossy(&hooks.stdout),
        String::from_utf8_lossy(&hooks.stderr)
    );
    eprintln!("pre-commit install-hooks took {:.1?}", started.elapsed());

    // The ServiceAccount stays unstaged (it has a problem of its own that must not be reported).
    std::fs::write(repo.join("sa.yaml"), SERVICE_ACCOUNT).expect("write sa");
    std::fs::write(repo.join("deploy.yaml"), BROKEN_DEPLOYMENT).expect("write deployment");
    git_ok(repo, &["add", ".pre-commit-config.yaml", "deploy.yaml"]);
    let blocked = commit(repo);
    let report = format!("{}{}", String::from_utf8_lossy(&blocked.stdout), String::from_utf8_lossy(&blocked.stderr));
    assert!(!blocked.status.success(), "the commit must be blocked:\n{report}");
    assert!(report.contains("IB101") && report.contains("Deployment team-a/api"), "{report}");
    assert!(report.contains("deploy.yaml:11:7"), "the finding points at the pod template's labels: {report}");
    assert!(!report.contains("sa.yaml"), "the unstaged file is read for references, not reported: {report}");
    assert!(!report.contains("IB204"), "the ServiceAccount in the unstaged file is found: {report}");

    let fixed = BROKEN_DEPLOYMENT
        .replace("        app: api\n", "        app: api\n        azure.workload.identity/use: \"true\"\n");
    std::fs::write(repo.join("deploy.yaml"), fixed).expect("fix deployment");
    git_ok(repo, &["add", "deploy.yaml"]);
    let clean = commit(repo);
    let report = format!("{}{}", String::from_utf8_lossy(&clean.stdout), String::from_utf8_lossy(&clean.stderr));
    assert!(clean.status.success(), "a clean commit passes:\n{report}");
    assert!(report.contains("iblint"), "the hook ran: {report}");
}

/// `iblint-system` runs the `iblint` already on PATH (here, the one this test suite built): no
/// build on install.
#[test]
fn system_hook_runs_the_installed_binary() {
    if !on_path("pre-commit") || !on_path("git") {
        assert!(std::env::var_os("CI").is_none(), "CI must have pre-commit and git (.ci/requirements.txt)");
        eprintln!("skipped: pre-commit or git is not installed (pip install -r .ci/requirements.txt)");
        return;
    }
    let work = work_dir().join("system");
    std::fs::create_dir_all(&work).expect("mkdir");
    let rev = hook_repository(&work.join("hook-repo"));
    let scratch = tempfile::tempdir().expect("temp dir");
    let repo = scratch.path();
    git_ok(repo, &["init", "-q"]);
    let config = format!(
        "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: iblint-system\n",
        work.join("hook-repo").display()
    );
    std::fs::write(repo.join(".pre-commit-config.yaml"), config).expect("write config");
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_iblint")).parent().expect("bin dir").to_path_buf();
    let path = std::env::join_paths(
        std::iter::once(bin_dir).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .expect("PATH");
    let run = |args: &[&str]| {
        let mut cmd = pre_commit(repo, args);
        cmd.env("PATH", &path);
        let out = cmd.output().expect("pre-commit");
        (
            out.status.success(),
            format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
        )
    };

    std::fs::write(repo.join("sa.yaml"), SERVICE_ACCOUNT.replace("  labels:\n    audited: true\n", ""))
        .expect("write sa");
    git_ok(repo, &["add", "sa.yaml"]);
    let (ok, report) = run(&["run"]);
    assert!(ok, "a clean staged file passes\n{report}");

    std::fs::write(repo.join("deploy.yaml"), BROKEN_DEPLOYMENT).expect("write deployment");
    git_ok(repo, &["add", "deploy.yaml"]);
    let (ok, report) = run(&["run"]);
    assert!(!ok, "the broken manifest blocks the hook\n{report}");
    assert!(report.contains("error IB101 missing-use-label") && report.contains("deploy.yaml:11:7"), "{report}");
    git_ok(repo, &["rm", "-q", "--cached", "deploy.yaml"]);

    // A staged tfvars or .bicepparam file alone: the credential it names is written in a file
    // that is not staged (not even tracked), and the commit is blocked all the same.
    for (template, values, write) in
        [("main.tf", "terraform.tfvars", "main.tf:6:15"), ("main.bicep", "prod.bicepparam", "main.bicep:8:9")]
    {
        std::fs::write(repo.join(template), STAGED_VALUES_TEMPLATES[usize::from(template.ends_with(".bicep"))])
            .expect("write template");
        let text = if values.ends_with(".tfvars") {
            "credential_name = \"aks-identity-binding\"\n"
        } else {
            "using './main.bicep'\nparam credentialName = 'aks-identity-binding'\n"
        };
        std::fs::write(repo.join(values), text).expect("write values");
        git_ok(repo, &["add", values]);
        let (ok, report) = run(&["run"]);
        assert!(!ok, "{values} blocks the hook\n{report}");
        assert!(report.contains("error IB401 managed-fic-touched") && report.contains(write), "{values}: {report}");
        git_ok(repo, &["rm", "-q", "--cached", values]);
    }
}

/// The templates the staged value files of `system_hook_runs_the_installed_binary` feed.
const STAGED_VALUES_TEMPLATES: [&str; 2] = [
    "variable \"credential_name\" {\n  type = string\n}\n\nresource \"azurerm_federated_identity_credential\" \"orders\" {\n  name      = var.credential_name\n  parent_id = azurerm_user_assigned_identity.orders.id\n  audience  = [\"api://AzureADTokenExchange\"]\n  issuer    = \"https://westeurope.oic.prod-aks.azure.com/t/c/\"\n  subject   = \"system:serviceaccount:team-a:orders\"\n}\n",
    "param credentialName string\n\nresource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {\n  name: 'orders-identity'\n}\nresource fic 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = {\n  parent: identity\n  name: credentialName\n  properties: {\n    issuer: 'https://westeurope.oic.prod-aks.azure.com/t/c/'\n    subject: 'system:serviceaccount:team-a:orders'\n    audiences: ['api://AzureADTokenExchange']\n  }\n}\n",
];

/// `iblint-fix`: a staged identity-binding Deployment without its `use` label is fixed in place;
/// the commit stops (pre-commit fails a hook that changed files) and goes through once the fix is
/// staged.
#[test]
fn fix_hook_repairs_staged_files_and_stops_the_commit_until_they_are_restaged() {
    if !on_path("pre-commit") || !on_path("git") {
        assert!(std::env::var_os("CI").is_none(), "CI must have pre-commit and git (.ci/requirements.txt)");
        eprintln!("skipped: pre-commit or git is not installed (pip install -r .ci/requirements.txt)");
        return;
    }
    let work = work_dir();
    // The hook repository of the other test (same content, same commit): built once per tree.
    let rev = hook_repository(&work.join("hook-repo-fix"));
    let scratch = tempfile::tempdir().expect("temp dir");
    let repo = scratch.path();
    git_ok(repo, &["init", "-q"]);
    let config = format!(
        "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: iblint-fix\n",
        work.join("hook-repo-fix").display()
    );
    std::fs::write(repo.join(".pre-commit-config.yaml"), config).expect("write config");
    let install = pre_commit(repo, &["install"]).output().expect("pre-commit install");
    assert!(install.status.success(), "{}", String::from_utf8_lossy(&install.stderr));
    let grant = "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: use-mi\nrules:\n  - verbs: [\"use-managed-identity\"]\n    apiGroups: [\"cid.wi.aks.azure.com\"]\n    resources: [\"3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60\"]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: use-mi\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: use-mi}\nsubjects:\n  - {kind: ServiceAccount, name: api, namespace: team-a}\n";
    std::fs::write(
        repo.join("sa.yaml"),
        SERVICE_ACCOUNT.replace("    audited: true\n", "    audited: \"true\"\n") + grant,
    )
    .expect("write sa");
    let deployment = BROKEN_DEPLOYMENT
        .replace("service-account-token-expiration", "use-identity-binding")
        .replace("\"3600\"", "\"true\"");
    std::fs::write(repo.join("deploy.yaml"), &deployment).expect("write deployment");
    git_ok(repo, &["add", "-A"]);
    let stopped = commit(repo);
    let report = format!("{}{}", String::from_utf8_lossy(&stopped.stdout), String::from_utf8_lossy(&stopped.stderr));
    assert!(!stopped.status.success(), "the commit stops for the fix to be staged:\n{report}");
    assert!(report.contains("files were modified by this hook"), "{report}");
    assert!(report.contains("fixed 1 finding in 1 file; 0 remain"), "{report}");
    let fixed = std::fs::read_to_string(repo.join("deploy.yaml")).expect("read");
    assert_eq!(
        fixed,
        deployment.replace("        app: api\n", "        app: api\n        azure.workload.identity/use: \"true\"\n")
    );
    git_ok(repo, &["add", "deploy.yaml"]);
    let clean = commit(repo);
    let report = format!("{}{}", String::from_utf8_lossy(&clean.stdout), String::from_utf8_lossy(&clean.stderr));
    assert!(clean.status.success(), "the fixed commit passes:\n{report}");
}

fn write(repo: &Path, rel: &str, text: &str) {
    let path = repo.join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

const BASE_DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels:
        app: api
        azure.workload.identity/use: \"true\"
      annotations:
        azure.workload.identity/use-identity-binding: \"true\"
    spec:
      serviceAccountName: api
      containers: [{name: api, image: api}]
";

/// The base's ServiceAccount names no namespace: each overlay puts it in its own.
const BASE_SERVICE_ACCOUNT: &str = "\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  annotations:
    azure.workload.identity/client-id: \"3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60\"
    azure.workload.identity/tenant-id: \"72f988bf-86f1-41af-91ab-2d7cd011db47\"
";

fn grant(namespace: &str) -> String {
    format!(
        "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: use-api-identity-{namespace}
rules:
  - verbs: [use-managed-identity]
    apiGroups: [cid.wi.aks.azure.com]
    resources: [3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: api-use-identity-{namespace}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: use-api-identity-{namespace}}}
subjects:
  - {{kind: ServiceAccount, name: api, namespace: {namespace}}}
"
    )
}

/// Staging only a kustomize base's file: the hook (given that one file) builds the overlays that
/// include it and reports the file as they deploy it. Staging only an overlay's kustomization
/// reports what its build deploys.
#[test]
fn a_staged_base_is_linted_as_its_overlays_deploy_it() {
    if !on_path("pre-commit") || !on_path("git") {
        assert!(std::env::var_os("CI").is_none(), "CI must have pre-commit and git (.ci/requirements.txt)");
        eprintln!("skipped: pre-commit or git is not installed (pip install -r .ci/requirements.txt)");
        return;
    }
    let work = work_dir().join("kustomize");
    std::fs::create_dir_all(&work).expect("mkdir");
    let rev = hook_repository(&work.join("hook-repo"));
    let scratch = tempfile::tempdir().expect("temp dir");
    let repo = scratch.path();
    git_ok(repo, &["init", "-q"]);
    let config = format!(
        "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: iblint-system\n",
        work.join("hook-repo").display()
    );
    write(repo, ".pre-commit-config.yaml", &config);
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_iblint")).parent().expect("bin dir").to_path_buf();
    let path = std::env::join_paths(
        std::iter::once(bin_dir).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .expect("PATH");
    let run = || {
        let mut cmd = pre_commit(repo, &["run"]);
        cmd.env("PATH", &path);
        let out = cmd.output().expect("pre-commit");
        (
            out.status.success(),
            format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
        )
    };

    // Committed earlier: the base's Deployment and two overlays. Production grants the identity
    // to the account where it deploys it; staging does not.
    write(repo, "base/kustomization.yaml", "resources: [serviceaccount.yaml, deployment.yaml]\n");
    write(repo, "base/deployment.yaml", BASE_DEPLOYMENT);
    write(repo, "overlays/prod/kustomization.yaml", "namespace: orders-prod\nresources: [../../base, grant.yaml]\n");
    write(repo, "overlays/prod/grant.yaml", &grant("orders-prod"));
    write(repo, "overlays/staging/kustomization.yaml", "namespace: orders-staging\nresources: [../../base]\n");
    git_ok(repo, &["add", "-A"]);
    git_ok(repo, &["commit", "-q", "--no-verify", "-m", "overlays"]);

    // Only the base's ServiceAccount is staged: iblint is given that one file.
    write(repo, "base/serviceaccount.yaml", BASE_SERVICE_ACCOUNT);
    git_ok(repo, &["add", "base/serviceaccount.yaml"]);
    let (ok, report) = run();
    assert!(!ok, "the hook must fail:\n{report}");
    assert!(report.contains("IB301"), "{report}");
    assert!(report.contains("ServiceAccount orders-staging/api"), "as the staging overlay deploys it: {report}");
    assert!(report.contains("base/serviceaccount.yaml:6:40"), "on the client id of the staged file: {report}");
    assert!(report.contains("overlays/staging"), "the overlay is named: {report}");
    assert!(!report.contains("orders-prod/api"), "production grants it: {report}");
    assert!(!report.contains("default/api"), "the base is not linted as if deployed on its own: {report}");

    // Staging gets its grant: the same staged file now passes.
    write(
        repo,
        "overlays/staging/kustomization.yaml",
        "namespace: orders-staging\nresources: [../../base, grant.yaml]\n",
    );
    write(repo, "overlays/staging/grant.yaml", &grant("orders-staging"));
    git_ok(repo, &["add", "overlays/staging"]);
    let (ok, report) = run();
    assert!(ok, "the grant is in place:\n{report}");

    // The overlay drops its grant (the file goes, which pre-commit does not pass on): only its
    // kustomization is given, and what the overlay now deploys is reported, on the base's line.
    git_ok(repo, &["commit", "-q", "--no-verify", "-m", "staging grant"]);
    git_ok(repo, &["rm", "-q", "overlays/staging/grant.yaml"]);
    write(repo, "overlays/staging/kustomization.yaml", "namespace: orders-staging\nresources: [../../base]\n");
    git_ok(repo, &["add", "overlays/staging/kustomization.yaml"]);
    let (ok, report) = run();
    assert!(!ok, "the hook must fail:\n{report}");
    assert!(report.contains("ServiceAccount orders-staging/api"), "{report}");
    assert!(report.contains("base/serviceaccount.yaml:6:40"), "{report}");
    assert!(!report.contains("orders-prod/api"), "production is not staged and still grants it: {report}");
}
