//! The live cluster as a source: kube-rs lists (paginated, concurrent, read-only) become the same
//! model objects as files, plus the facts only a cluster has (`LiveState`).
//!
//! Requests made: `GET /version`, discovery, `GET` lists, and `POST` SubjectAccessReviews (which
//! store nothing). Secrets are never requested.

mod catalog;
mod connect;
mod discover;
mod fetch;
mod list;
mod objects;
mod owners;
mod progress;
mod review;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use list::{list_everything, Listed};
use objects::Fragment;
use progress::Progress;

use crate::model::{Inventory, LiveState, Unavailable};

/// What to audit and how.
#[derive(Clone, Debug)]
pub struct AuditRequest {
    pub context: Option<String>,
    pub kubeconfig: Option<PathBuf>,
    /// One namespace, or all.
    pub namespace: Option<String>,
    /// Limit for the whole audit and for each connection.
    pub timeout: Duration,
    /// Ask SubjectAccessReviews (`--no-sar` turns them off).
    pub access_reviews: bool,
    /// Show a progress line on standard error (when it is a terminal).
    pub progress: bool,
}

/// The audited cluster as a model.
#[derive(Debug)]
pub struct Snapshot {
    pub inventory: Inventory,
    pub context: String,
    pub server: String,
    /// Objects read.
    pub objects: usize,
}

/// Errors that end the audit (exit 2). A forbidden list is not one: it is reported as unchecked.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("{0}")]
    Config(String),
    #[error("the API server rejected the credentials (401 Unauthorized): {0}")]
    Unauthorized(String),
    #[error("cannot reach the API server: {0}")]
    Unreachable(String),
    #[error("{0}")]
    Request(String),
    #[error("the audit did not finish within {0} s (--timeout)")]
    Timeout(u64),
    #[error("cannot start the network runtime: {0}")]
    Runtime(String),
}

/// Lists the cluster and builds its model (blocking; runs its own async runtime).
pub fn snapshot(request: &AuditRequest) -> Result<Snapshot, ClusterError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| ClusterError::Runtime(e.to_string()))?;
    runtime.block_on(async {
        let progress = Progress::default();
        if request.progress {
            progress.show();
        }
        let result = tokio::time::timeout(request.timeout, collect(request, &progress)).await;
        progress.finish();
        result.map_err(|_| ClusterError::Timeout(request.timeout.as_secs()))?
    })
}

async fn collect(request: &AuditRequest, progress: &Progress) -> Result<Snapshot, ClusterError> {
    let conn = connect::connect(request.context.as_deref(), request.kubeconfig.as_deref(), request.timeout).await?;
    let context: Arc<str> = Arc::from(conn.context.as_str());
    // Fails fast, with a clear message, on a wrong server, bad credentials or no network.
    conn.client.apiserver_version().await.map_err(|e| match e {
        kube::Error::Api(s) if s.code == 401 => ClusterError::Unauthorized(s.message.clone()),
        kube::Error::Api(s) => ClusterError::Request(format!("/version: HTTP {}: {}", s.code, s.message)),
        other => ClusterError::Unreachable(format!("{}: {other}", conn.server)),
    })?;
    let mut unavailable = Vec::new();
    let mut resources = catalog::standard();
    match discover::custom_resources(&conn.client).await {
        Ok(found) => resources.extend(found),
        Err(reason) => unavailable.push(Unavailable {
            resource: "discovery".into(),
            reason,
            rules: catalog::CUSTOM_KINDS.iter().flat_map(|(_, _, rules)| rules.iter().copied()).collect(),
        }),
    }
    let listed = list_everything(&conn.client, &resources, request.namespace.as_deref(), &context, progress).await?;
    let mut fragment = Fragment::default();
    let mut deployments_listed = false;
    for (resource, outcome) in listed {
        match outcome {
            Listed::Ok(part) => {
                let (part, complete) = *part;
                deployments_listed |= resource.plural == "deployments" && complete;
                fragment.merge(part);
            }
            Listed::Forbidden(reason) => unavailable.push(Unavailable {
                resource: resource.plural.to_string(),
                reason,
                rules: resource.needed_by.to_vec(),
            }),
        }
    }
    let Fragment { mut inventory, pods, webhook_deployments, webhook_configurations, objects } = fragment;
    let controllers = owners::Controllers::of(&inventory, deployments_listed);
    let pods = owners::resolve(pods, &controllers, &mut inventory);
    let inventory = Inventory::build(inventory);
    let mut live = LiveState {
        context: context.clone(),
        webhook_configurations,
        webhook_deployments,
        pods,
        access_reviews: Vec::new(),
        unavailable,
        reviews_skipped: !request.access_reviews,
    };
    if request.access_reviews {
        ask_reviews(&conn.client, &inventory, &mut live).await?;
    }
    live.unavailable.sort_by(|a, b| a.resource.cmp(&b.resource));
    live.unavailable.dedup_by(|a, b| a.resource == b.resource);
    Ok(Snapshot { inventory: inventory.with_live(live), context: conn.context, server: conn.server, objects })
}

async fn ask_reviews(client: &kube::Client, inventory: &Inventory, live: &mut LiveState) -> Result<(), ClusterError> {
    // Without the ServiceAccounts there is nothing to ask about (their rules are skipped already).
    if !live.could_list("serviceaccounts") {
        live.reviews_skipped = true;
        return Ok(());
    }
    match review::ask(client, review::questions(inventory)).await? {
        review::Reviews::Answered(answers) => live.access_reviews = answers,
        review::Reviews::Forbidden(reason) => {
            live.reviews_skipped = true;
            live.unavailable.push(Unavailable {
                resource: "subjectaccessreviews".into(),
                reason,
                rules: vec!["IB607"],
            });
        }
    }
    Ok(())
}
