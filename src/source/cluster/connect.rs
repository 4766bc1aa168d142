//! The client: kubeconfig (`--kubeconfig`, else `$KUBECONFIG`, else `~/.kube/config`) with
//! `--context`, else the in-cluster service account.

use std::path::Path;
use std::time::Duration;

use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};

use super::ClusterError;

/// A client and the name findings give the cluster.
pub struct Connection {
    pub client: Client,
    /// The kubeconfig context (`in-cluster` inside a pod): first segment of logical locations.
    pub context: String,
    pub server: String,
}

pub async fn connect(
    context: Option<&str>,
    kubeconfig: Option<&Path>,
    timeout: Duration,
) -> Result<Connection, ClusterError> {
    let file = match kubeconfig {
        Some(path) => {
            Some(Kubeconfig::read_from(path).map_err(|e| ClusterError::Config(format!("{}: {e}", path.display())))?)
        }
        None => Kubeconfig::read().ok(),
    };
    let (mut config, context) = match file {
        Some(file) => {
            let name = context.map(String::from).or_else(|| file.current_context.clone());
            let Some(name) = name else {
                return Err(ClusterError::Config("the kubeconfig has no current context: pass --context NAME".into()));
            };
            if !file.contexts.iter().any(|c| c.name == name) {
                return Err(ClusterError::Config(format!("context `{name}` is not in the kubeconfig")));
            }
            let options = KubeConfigOptions { context: Some(name.clone()), ..Default::default() };
            let config = Config::from_custom_kubeconfig(file, &options)
                .await
                .map_err(|e| ClusterError::Config(format!("context `{name}`: {e}")))?;
            (config, name)
        }
        None if context.is_none() => {
            let config = Config::incluster().map_err(|e| {
                ClusterError::Config(format!(
                    "no kubeconfig found ($KUBECONFIG, ~/.kube/config) and not running in a pod ({e}): pass --kubeconfig FILE"
                ))
            })?;
            (config, "in-cluster".to_string())
        }
        None => return Err(ClusterError::Config("no kubeconfig found ($KUBECONFIG, ~/.kube/config)".into())),
    };
    config.connect_timeout = Some(timeout);
    config.read_timeout = Some(timeout);
    // Retries are ours (fetch.rs): 429 and every 5xx, with the API server's Retry-After hint.
    config.default_retry = false;
    let server = config.cluster_url.to_string();
    let client = Client::try_from(config).map_err(|e| ClusterError::Config(format!("context `{context}`: {e}")))?;
    Ok(Connection { client, context, server })
}
