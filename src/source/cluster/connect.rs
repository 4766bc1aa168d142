//! Which clusters to audit and how to reach them: the kubeconfig (see `kubeconfig.rs`) and its
//! contexts — the current one, `--context`, `--contexts a,b` or `--all-contexts` — else the
//! in-cluster ServiceAccount. Each connection sends `User-Agent: iblint/<version>`; exec
//! credential plugins run once per user for the whole audit.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use http::header::{HeaderValue, USER_AGENT};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use tokio::sync::{Mutex, OnceCell};

use super::exec::{self, Credential};
use super::transport::Transport;
use super::{ClusterError, Contexts};

/// The context name of an audit run inside a pod, with the pod's ServiceAccount.
pub const IN_CLUSTER: &str = "in-cluster";

/// One exec plugin's run, shared by every context of its user: its credential or its error.
type PluginRun = OnceCell<Result<Credential, String>>;

/// The clusters an audit covers.
pub(super) struct Plan {
    /// `None`: no kubeconfig anywhere; the audit runs in-cluster.
    kubeconfig: Option<Kubeconfig>,
    pub contexts: Vec<String>,
    /// Credentials from exec plugins, by user name: each plugin runs once.
    credentials: Mutex<HashMap<String, Arc<PluginRun>>>,
}

/// A client of one cluster and the names reports give it.
pub(super) struct Connection {
    pub transport: Transport,
    /// The kubeconfig context: the first segment of logical locations.
    pub context: String,
    /// The server URL, without any credential it may carry.
    pub server: String,
}

/// Reads the kubeconfig and chooses the contexts.
pub(super) fn plan(contexts: &Contexts, kubeconfig: Option<&std::path::Path>) -> Result<Plan, ClusterError> {
    let file = super::kubeconfig::load(kubeconfig)?;
    let chosen = match (&file, contexts) {
        (None, Contexts::Current) => vec![IN_CLUSTER.to_string()],
        (None, _) => {
            return Err(ClusterError::Config(
                "no kubeconfig found ($KUBECONFIG, ~/.kube/config): pass --kubeconfig FILE".into(),
            ));
        }
        (Some(file), Contexts::Current) => {
            vec![file.current_context.clone().filter(|c| !c.is_empty()).ok_or_else(|| {
                ClusterError::Config("the kubeconfig has no current context: pass --context NAME".into())
            })?]
        }
        (Some(_), Contexts::Named(names)) => names.clone(),
        (Some(file), Contexts::All) => file.contexts.iter().map(|c| c.name.clone()).collect(),
    };
    if let Some(file) = &file {
        if let Some(missing) = chosen.iter().find(|name| !file.contexts.iter().any(|c| &c.name == *name)) {
            return Err(ClusterError::Config(format!("context `{missing}` is not in the kubeconfig")));
        }
    }
    if chosen.is_empty() {
        return Err(ClusterError::Config("the kubeconfig has no context".into()));
    }
    Ok(Plan { kubeconfig: file, contexts: chosen, credentials: Mutex::new(HashMap::new()) })
}

impl Plan {
    /// A connection to the cluster of `context` (running its user's exec plugin if no other
    /// context ran it already).
    pub(super) async fn connect(&self, context: &str, timeout: Option<Duration>) -> Result<Connection, ClusterError> {
        let mut config = match &self.kubeconfig {
            None => Config::incluster().map_err(|e| {
                ClusterError::Config(format!(
                    "no kubeconfig found ($KUBECONFIG, ~/.kube/config) and not running in a pod ({e}): pass --kubeconfig FILE"
                ))
            })?,
            Some(file) => {
                let file = self.with_plugin_credentials(file, context).await?;
                let options = KubeConfigOptions { context: Some(context.to_string()), ..Default::default() };
                Config::from_custom_kubeconfig(file, &options).await.map_err(|e| {
                    ClusterError::Config(format!("context `{context}`: {}", crate::redact::url_credentials(&e.to_string())))
                })?
            }
        };
        // kubectl's `--request-timeout` bounds each request (the transport does); connecting alone
        // gets kubectl's dial limit, 30 s.
        config.connect_timeout = Some(timeout.unwrap_or(Duration::from_secs(30)).min(Duration::from_secs(30)));
        config.read_timeout = None;
        config.write_timeout = None;
        // Retries are the transport's: 429, 5xx and dropped connections, with the server's hint.
        config.default_retry = false;
        let agent = format!("iblint/{}", env!("CARGO_PKG_VERSION"));
        if let Ok(value) = HeaderValue::from_str(&agent) {
            config.headers.push((USER_AGENT, value));
        }
        let server = server_text(&config.cluster_url);
        let host = host_text(&config.cluster_url);
        let client = Client::try_from(config).map_err(|e| {
            ClusterError::Config(format!("context `{context}`: {}", crate::redact::url_credentials(&e.to_string())))
        })?;
        Ok(Connection { transport: Transport::new(client, host, timeout), context: context.to_string(), server })
    }

    /// The kubeconfig with the exec plugin of `context`'s user replaced by the credential it gives.
    async fn with_plugin_credentials(&self, file: &Kubeconfig, context: &str) -> Result<Kubeconfig, ClusterError> {
        let mut file = file.clone();
        let Some(ctx) = file.contexts.iter().find(|c| c.name == context).and_then(|c| c.context.clone()) else {
            return Ok(file);
        };
        let Some(user) = ctx.user.clone() else { return Ok(file) };
        let auth = file.auth_infos.iter().find(|a| a.name == user).and_then(|a| a.auth_info.as_ref());
        let Some(exec) = auth.and_then(|a| a.exec.clone()) else { return Ok(file) };
        let cluster = file.clusters.iter().find(|c| c.name == ctx.cluster).and_then(|c| c.cluster.clone());
        let cell = self.credentials.lock().await.entry(user.clone()).or_default().clone();
        let credential = cell
            .get_or_init(|| async {
                let name = user.clone();
                tokio::task::spawn_blocking(move || {
                    exec::run(&name, &exec, cluster.as_ref()).map_err(|e| e.to_string())
                })
                .await
                .unwrap_or_else(|e| Err(format!("the credential plugin of user `{user}` did not finish: {e}")))
            })
            .await
            .clone()
            .map_err(ClusterError::Credentials)?;
        if let Some(auth) = file.auth_infos.iter_mut().find(|a| a.name == user).and_then(|a| a.auth_info.as_mut()) {
            credential.apply(auth);
        }
        Ok(file)
    }
}

/// `https://host:port/path` of a server URL, without `user:password@`.
fn server_text(uri: &http::Uri) -> String {
    let scheme = uri.scheme_str().unwrap_or("https");
    let path = uri.path().trim_end_matches('/');
    format!("{scheme}://{}{path}/", host_text(uri))
}

/// `host:port` of a server URL.
fn host_text(uri: &http::Uri) -> String {
    let host = uri.host().unwrap_or("");
    match uri.port_u16() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_urls_lose_their_credentials() {
        let uri: http::Uri = "https://admin:s3cret@aks.example:443".parse().unwrap_or_default();
        assert_eq!(server_text(&uri), "https://aks.example:443/");
        assert_eq!(host_text(&uri), "aks.example:443");
    }
}
