//! Exec credential plugins (`users[].user.exec`: kubelogin, `az`, cloud CLIs), run the way
//! client-go runs them — `KUBERNETES_EXEC_INFO` with `interactive: false` unless standard input
//! is a terminal — but **once per user per audit**, however many requests and clusters need the
//! credential. A failure names the user and the plugin's program, never its arguments, its
//! environment or what it printed (a token, often).

use std::io::{IsTerminal, Read};
use std::path::Path;
use std::process::{Command, Stdio};

use kube::config::{AuthInfo, ExecAuthCluster, ExecConfig, ExecInteractiveMode};
use serde_json::{json, Value};

use super::ClusterError;

/// The most a plugin may print: an ExecCredential is a few KB.
const MAX_OUTPUT: u64 = 1024 * 1024;

/// What a plugin gave: a bearer token, or a client certificate and key (PEM).
#[derive(Clone)]
pub(super) enum Credential {
    Token(String),
    Certificate { certificate_pem: String, key_pem: String },
}

impl Credential {
    /// `auth` with the plugin replaced by what it gave: kube then never runs it again.
    pub(super) fn apply(&self, auth: &mut AuthInfo) {
        auth.exec = None;
        match self {
            Credential::Token(token) => auth.token = Some(token.clone().into()),
            Credential::Certificate { certificate_pem, key_pem } => {
                auth.client_certificate_data = Some(crate::source::base64::encode(certificate_pem.as_bytes()));
                auth.client_key_data = Some(crate::source::base64::encode(key_pem.as_bytes()).into());
                auth.client_certificate = None;
                auth.client_key = None;
            }
        }
    }
}

/// Runs the plugin of `user` (blocking) and reads its ExecCredential.
pub(super) fn run(
    user: &str,
    exec: &ExecConfig,
    cluster: Option<&kube::config::Cluster>,
) -> Result<Credential, ClusterError> {
    let fail = |what: String| ClusterError::Credentials(format!("the credential plugin of user `{user}` {what}"));
    let program = exec.command.as_deref().ok_or_else(|| fail("names no command".into()))?;
    let name = Path::new(program).file_name().map_or(program.into(), |n| n.to_string_lossy());
    let api_version = exec.api_version.clone().unwrap_or_else(|| "client.authentication.k8s.io/v1".to_string());
    let terminal = std::io::stdin().is_terminal();
    let interactive = match exec.interactive_mode {
        Some(ExecInteractiveMode::Never) => false,
        Some(ExecInteractiveMode::Always) if !terminal => {
            return Err(fail(format!("(`{name}`) needs an interactive terminal (interactiveMode: Always)")));
        }
        _ => terminal,
    };
    let mut spec = json!({ "interactive": interactive });
    if exec.provide_cluster_info {
        let info = cluster
            .map(ExecAuthCluster::try_from)
            .transpose()
            .map_err(|_| fail(format!("(`{name}`) needs the cluster's information, which cannot be read")))?;
        spec["cluster"] = serde_json::to_value(info).unwrap_or(Value::Null);
    }
    let info = json!({ "apiVersion": api_version, "kind": "ExecCredential", "spec": spec });
    let mut command = Command::new(program);
    command
        .args(exec.args.iter().flatten())
        .envs(exec.env.iter().flatten().filter_map(|e| Some((e.get("name")?, e.get("value")?))))
        .env("KUBERNETES_EXEC_INFO", info.to_string())
        .stdin(if interactive { Stdio::inherit() } else { Stdio::null() })
        .stdout(Stdio::piped())
        // The plugin talks to the user on standard error (a device code, why a login failed).
        .stderr(Stdio::inherit());
    let mut child = command.spawn().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            let hint = exec.install_hint.as_deref().map(|h| format!(": {}", h.trim())).unwrap_or_default();
            fail(format!("(`{name}`) is not installed{hint}"))
        }
        kind => fail(format!("(`{name}`) cannot be started: {kind}")),
    })?;
    let mut stdout = Vec::new();
    if let Some(out) = child.stdout.take() {
        out.take(MAX_OUTPUT).read_to_end(&mut stdout).map_err(|e| fail(format!("(`{name}`): {}", e.kind())))?;
    }
    let status = child.wait().map_err(|e| fail(format!("(`{name}`): {}", e.kind())))?;
    if !status.success() {
        let code = status.code().map_or_else(|| "a signal".to_string(), |c| format!("status {c}"));
        return Err(fail(format!(
            "(`{name}`) failed with {code}; what it printed is not shown: run it yourself to see why"
        )));
    }
    parse(&stdout, &api_version).ok_or_else(|| {
        fail(format!(
            "(`{name}`) did not print an ExecCredential of {api_version} with a token or a client certificate"
        ))
    })
}

fn parse(stdout: &[u8], api_version: &str) -> Option<Credential> {
    let value: Value = serde_json::from_slice(stdout).ok()?;
    if value.get("kind")?.as_str()? != "ExecCredential" || value.get("apiVersion")?.as_str()? != api_version {
        return None;
    }
    let status = value.get("status")?;
    let text = |key: &str| status.get(key).and_then(Value::as_str).filter(|s| !s.is_empty()).map(String::from);
    match (text("token"), text("clientCertificateData"), text("clientKeyData")) {
        (Some(token), _, _) => Some(Credential::Token(token)),
        (None, Some(certificate_pem), Some(key_pem)) => Some(Credential::Certificate { certificate_pem, key_pem }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exec_credential_gives_a_token_or_a_certificate() {
        let v1 = "client.authentication.k8s.io/v1";
        let token =
            br#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t"}}"#;
        assert!(matches!(parse(token, v1), Some(Credential::Token(t)) if t == "t"));
        let cert = br#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"clientCertificateData":"c","clientKeyData":"k"}}"#;
        assert!(matches!(parse(cert, v1), Some(Credential::Certificate { .. })));
        assert!(parse(token, "client.authentication.k8s.io/v1beta1").is_none(), "the version asked for");
        assert!(parse(b"not json", v1).is_none());
        assert!(parse(br#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{}}"#, v1)
            .is_none());
    }
}
