//! The live cluster as a source: list pages (paginated, concurrent, read-only) become the same
//! model objects as files, plus the facts only a cluster has (`LiveState`). Several clusters
//! (a fleet) are audited side by side, a bounded number at a time.
//!
//! Requests made: `GET /version`, discovery, `GET` lists, and `POST` SubjectAccessReviews (which
//! store nothing). Secrets are never requested.

mod catalog;
mod connect;
mod discover;
mod errors;
mod exec;
mod fetch;
pub mod json_page;
mod kubeconfig;
mod list;
mod objects;
mod owners;
mod progress;
mod review;
mod transport;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use list::{list_everything, Listed};
use objects::Fragment;
use progress::Progress;
use transport::{RequestError, Transport};

use crate::model::{Inventory, LiveState, Unavailable, UnavailableCause};

pub use connect::IN_CLUSTER;

/// Which kubeconfig contexts to audit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Contexts {
    /// The current context (or the in-cluster ServiceAccount without a kubeconfig).
    Current,
    /// `--context NAME` or `--contexts A,B,C`.
    Named(Vec<String>),
    /// `--all-contexts`.
    All,
}

/// What to audit and how.
#[derive(Clone, Debug)]
pub struct AuditRequest {
    pub contexts: Contexts,
    pub kubeconfig: Option<PathBuf>,
    /// One namespace, or all.
    pub namespace: Option<String>,
    /// The most one request may take (kubectl's `--request-timeout`); `None`: no limit.
    pub timeout: Option<Duration>,
    /// The most the whole audit of a cluster may take; `None`: no limit.
    pub deadline: Option<Duration>,
    /// Ask SubjectAccessReviews (`--no-sar` turns them off).
    pub access_reviews: bool,
    /// Show a progress line on standard error (when it is a terminal).
    pub progress: bool,
    /// Clusters audited at once.
    pub concurrency: usize,
}

/// The audited cluster as a model.
#[derive(Debug)]
pub struct Snapshot {
    pub inventory: Inventory,
    pub context: String,
    pub server: String,
    /// Objects read.
    pub objects: usize,
    /// What to try when the audit's identity could read nothing cluster-wide.
    pub hint: Option<String>,
}

/// Errors that end the audit of a cluster (exit 2 for a single cluster). A list that is refused
/// or fails is not one: it is reported as not checked, and the audit as incomplete.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("{0}")]
    Config(String),
    #[error("{0}")]
    Credentials(String),
    #[error("the API server rejected the credentials (401 Unauthorized): {0}")]
    Unauthorized(String),
    #[error("{0}")]
    Unreachable(String),
    #[error("{0}")]
    Request(String),
    #[error("the audit did not finish within {0} (--deadline)")]
    Deadline(String),
    #[error("cannot start the network runtime: {0}")]
    Runtime(String),
}

/// One cluster's context and its model, or why it could not be audited.
pub type ClusterAudit = (String, Result<Snapshot, ClusterError>);

/// Lists every cluster of the request and builds their models (blocking; runs its own async
/// runtime). One result per context, in the order asked; an error only when no cluster could be
/// chosen (a missing kubeconfig or context).
pub fn snapshots(request: &AuditRequest) -> Result<Vec<ClusterAudit>, ClusterError> {
    let plan = connect::plan(&request.contexts, request.kubeconfig.as_deref())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| ClusterError::Runtime(e.to_string()))?;
    runtime.block_on(async {
        let progress = Progress::default();
        if request.progress {
            progress.show();
        }
        let plan = Arc::new(plan);
        let gate = Arc::new(tokio::sync::Semaphore::new(request.concurrency.max(1)));
        let mut running = Vec::new();
        for context in plan.contexts.clone() {
            let (plan, gate, progress, request) = (plan.clone(), gate.clone(), progress.clone(), request.clone());
            running.push(tokio::spawn(async move {
                let _turn = gate.acquire_owned().await;
                let audit = collect(&plan, &context, &request, &progress);
                let result = match request.deadline {
                    Some(limit) => tokio::time::timeout(limit, audit)
                        .await
                        .unwrap_or_else(|_| Err(ClusterError::Deadline(transport::seconds(limit)))),
                    None => audit.await,
                };
                (context, result)
            }));
        }
        let mut out = Vec::new();
        for task in running {
            out.push(task.await.map_err(|e| ClusterError::Runtime(format!("audit task: {e}")))?);
        }
        progress.finish();
        Ok(out)
    })
}

/// The audit of one cluster.
async fn collect(
    plan: &connect::Plan,
    context: &str,
    request: &AuditRequest,
    progress: &Progress,
) -> Result<Snapshot, ClusterError> {
    let conn = plan.connect(context, request.timeout).await?;
    let transport = &conn.transport;
    let context: Arc<str> = Arc::from(conn.context.as_str());
    // Fails fast, with a clear message, on a wrong server, bad credentials or no network.
    match transport.get("/version", "application/json", 1024 * 1024).await {
        Ok(_) | Err(RequestError::Forbidden(_) | RequestError::NotFound(_)) => {}
        Err(RequestError::Unauthorized(said)) => return Err(ClusterError::Unauthorized(said)),
        Err(RequestError::Failed(why)) => return Err(ClusterError::Unreachable(why)),
        Err(other) => return Err(ClusterError::Unreachable(format!("{}: /version: {other:?}", transport.host))),
    }
    let mut unavailable = Vec::new();
    let mut resources = catalog::standard();
    match discover::custom_resources(transport).await {
        Ok(found) => resources.extend(found),
        Err(RequestError::Unauthorized(said)) => return Err(ClusterError::Unauthorized(said)),
        Err(e) => unavailable.push(Unavailable {
            resource: "discovery".into(),
            cause: if matches!(e, RequestError::Forbidden(_)) {
                UnavailableCause::Forbidden
            } else {
                UnavailableCause::Failed
            },
            reason: request_reason(e),
            rules: catalog::CUSTOM_KINDS.iter().flat_map(|(_, _, rules)| rules.iter().copied()).collect(),
        }),
    }
    let listed = list_everything(transport, &resources, request.namespace.as_deref(), &context, progress).await?;
    let hint = cluster_wide_hint(&listed, request.namespace.as_deref());
    let mut fragment = Fragment::default();
    let mut deployments_listed = false;
    for (resource, outcome) in listed {
        match outcome {
            Listed::Ok(part) => {
                let (part, complete) = *part;
                deployments_listed |= resource.plural == "deployments" && complete;
                fragment.merge(part);
            }
            Listed::Unavailable { reason, cause } => unavailable.push(Unavailable {
                resource: resource.plural.to_string(),
                reason,
                rules: resource.needed_by.to_vec(),
                cause,
            }),
        }
    }
    if let Some(ns) = &request.namespace {
        unavailable.push(Unavailable {
            resource: "serviceaccounts of other namespaces".into(),
            reason: format!("only namespace {ns} was read (-n): a grant may be used by an account elsewhere"),
            rules: vec!["IB308"],
            cause: UnavailableCause::OutOfScope,
        });
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
        namespace: request.namespace.clone(),
        fleet: None,
        review_index: Default::default(),
    };
    if request.access_reviews {
        ask_reviews(transport, &inventory, &mut live).await?;
    }
    live.unavailable.sort_by(|a, b| a.resource.cmp(&b.resource));
    live.unavailable.dedup_by(|a, b| a.resource == b.resource);
    Ok(Snapshot { inventory: inventory.with_live(live), context: conn.context, server: conn.server, objects, hint })
}

/// Why a request gave nothing, for the report.
fn request_reason(e: RequestError) -> String {
    match e {
        RequestError::Forbidden(s)
        | RequestError::NotFound(s)
        | RequestError::Expired(s)
        | RequestError::Failed(s)
        | RequestError::Unauthorized(s) => s,
        RequestError::TooLarge(limit) => format!("the answer is larger than {} MiB", limit / (1024 * 1024)),
    }
}

/// When every list made at the cluster scope was refused, the identity is probably a tenant of
/// one namespace: say how to audit that.
fn cluster_wide_hint(listed: &[(catalog::Resource, Listed)], namespace: Option<&str>) -> Option<String> {
    let all_refused = namespace.is_none()
        && !listed.is_empty()
        && listed.iter().all(|(_, l)| matches!(l, Listed::Unavailable { cause: UnavailableCause::Forbidden, .. }));
    all_refused.then(|| {
        "every cluster-wide list was forbidden: if your access is limited to a namespace, audit it with -n NAMESPACE"
            .to_string()
    })
}

async fn ask_reviews(transport: &Transport, inventory: &Inventory, live: &mut LiveState) -> Result<(), ClusterError> {
    // Without the ServiceAccounts there is nothing to ask about (their rules are skipped already).
    if !live.could_list("serviceaccounts") {
        live.reviews_skipped = true;
        return Ok(());
    }
    let (reason, cause) = match review::ask(transport, review::questions(inventory)).await? {
        review::Reviews::Answered(answers) => {
            live.access_reviews = answers;
            return Ok(());
        }
        review::Reviews::Forbidden(reason) => (reason, UnavailableCause::Forbidden),
        review::Reviews::Failed(reason) => (reason, UnavailableCause::Failed),
    };
    live.reviews_skipped = true;
    live.unavailable.push(Unavailable { resource: "subjectaccessreviews".into(), reason, rules: vec!["IB607"], cause });
    Ok(())
}
