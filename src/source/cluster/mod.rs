//! The live cluster as a source: kube-rs lists (paginated, concurrent, read-only) become the same
//! model objects as files, plus the facts only a cluster has (`LiveState`).
//!
//! Requests made: `GET /version`, discovery, `GET` lists, and `POST` SubjectAccessReviews (which
//! store nothing). Secrets are never requested.

mod catalog;
mod connect;
mod discover;
mod fetch;
mod objects;
mod owners;
mod progress;
mod review;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinSet;

use catalog::Resource;
use fetch::RequestError;
use objects::Fragment;
use progress::Progress;

use crate::model::{Inventory, LiveState, Unavailable, ADDON_NAMESPACE, OSS_NAMESPACE};

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
    inventory.index();
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
    inventory.live = Some(live);
    Ok(Snapshot { inventory, context: conn.context, server: conn.server, objects })
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

/// One resource's result: its objects (and whether it was listed cluster-wide or in every
/// namespace asked), or why it could not be read.
enum Listed {
    Ok(Box<(Fragment, bool)>),
    Forbidden(String),
}

/// Lists every resource concurrently. The webhook's Deployment is looked for in its two
/// namespaces even when the audit is limited to one, or when Deployments cannot be listed
/// cluster-wide.
async fn list_everything(
    client: &kube::Client,
    resources: &[Resource],
    namespace: Option<&str>,
    context: &Arc<str>,
    progress: &Progress,
) -> Result<Vec<(Resource, Listed)>, ClusterError> {
    let mut tasks = JoinSet::new();
    for resource in resources {
        let scopes: Vec<Option<String>> = match namespace.filter(|_| resource.namespaced) {
            Some(ns) => vec![Some(ns.to_string())],
            None => vec![None],
        };
        let (client, resource, context, progress) =
            (client.clone(), resource.clone(), context.clone(), progress.clone());
        tasks.spawn(async move {
            let outcome = list_scopes(&client, &resource, &scopes, &context, &progress).await;
            (resource, outcome)
        });
    }
    let mut out = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let (resource, outcome) = joined.map_err(|e| ClusterError::Request(format!("list task: {e}")))?;
        out.push((resource, outcome?));
    }
    // The webhook lives in one of two namespaces whatever the audit's scope.
    let webhook_scopes: Vec<Option<String>> = [ADDON_NAMESPACE, OSS_NAMESPACE]
        .iter()
        .filter(|ns| namespace != Some(**ns))
        .map(|ns| Some(ns.to_string()))
        .collect();
    let deployments = out.iter_mut().find(|(r, _)| r.plural == "deployments");
    let mut webhook_hidden = None;
    if let Some((resource, listed)) = deployments {
        let cluster_wide = matches!(listed, Listed::Ok(_)) && namespace.is_none();
        if !cluster_wide {
            let extra = list_scopes(client, resource, &webhook_scopes, context, progress).await?;
            webhook_hidden =
                merge_webhook_lists(listed, extra).map(|reason| (resource.clone(), Listed::Forbidden(reason)));
        }
    }
    out.extend(webhook_hidden);
    out.sort_by(|(a, _), (b, _)| (&a.group, &a.plural).cmp(&(&b.group, &b.plural)));
    Ok(out)
}

/// Adds what the webhook namespaces' lists found. Returns why the webhook could not be seen when
/// those lists were forbidden too (the webhook rules are then skipped).
fn merge_webhook_lists(listed: &mut Listed, extra: Listed) -> Option<String> {
    match (std::mem::replace(listed, Listed::Forbidden(String::new())), extra) {
        (Listed::Ok(mut listed_part), Listed::Ok(extra)) => {
            // Only the webhook's Deployment is new; the workloads were already listed (or are
            // outside the audited namespace).
            listed_part.0.webhook_deployments.extend(extra.0.webhook_deployments);
            *listed = Listed::Ok(listed_part);
            None
        }
        (Listed::Forbidden(_), Listed::Ok(extra)) => {
            let only_webhook = Fragment { webhook_deployments: extra.0.webhook_deployments, ..Fragment::default() };
            *listed = Listed::Ok(Box::new((only_webhook, false)));
            None
        }
        (original @ Listed::Ok(_), Listed::Forbidden(reason)) => {
            *listed = original;
            Some(reason)
        }
        (original, _) => {
            *listed = original;
            None
        }
    }
}

/// Pages of one list parsed while the next is fetched.
const PAGES_IN_FLIGHT: usize = 2;

type ParseTask = tokio::task::JoinHandle<Result<Fragment, String>>;

async fn merge_parsed(
    fragment: &mut Fragment,
    task: Option<ParseTask>,
    resource: &Resource,
) -> Result<(), ClusterError> {
    let Some(task) = task else { return Ok(()) };
    let page = task.await.map_err(|e| ClusterError::Request(format!("parse task: {e}")))?;
    fragment.merge(page.map_err(|e| ClusterError::Request(format!("{}: {e}", resource.plural)))?);
    Ok(())
}

/// Lists one resource in each scope (a namespace, or `None` for cluster-wide), page by page.
async fn list_scopes(
    client: &kube::Client,
    resource: &Resource,
    scopes: &[Option<String>],
    context: &Arc<str>,
    progress: &Progress,
) -> Result<Listed, ClusterError> {
    let mut fragment = Fragment::default();
    let mut parsing = std::collections::VecDeque::new();
    for scope in scopes {
        let path = resource.path(scope.as_deref());
        let mut token: Option<String> = None;
        loop {
            progress.add_request();
            let text = match fetch::list_page(client, &path, token.as_deref()).await {
                Ok(text) => text,
                Err(RequestError::Forbidden(reason)) => return Ok(Listed::Forbidden(reason)),
                // Not served by this server (an old API version, a CRD removed since discovery).
                Err(RequestError::NotFound(_)) => break,
                Err(RequestError::Fatal(e)) => return Err(e),
            };
            // The next page is requested while this one is parsed (CPU work, off the threads that
            // drive the network) when its token can be read without parsing it.
            let next = match objects::peek_continue(&text) {
                Some(next) => {
                    let (resource, context, progress) = (resource.clone(), context.clone(), progress.clone());
                    // One parse per core at a time, across all lists: parse trees are what the
                    // audit's memory peaks on.
                    let permit = progress.parse_permit().await;
                    parsing.push_back(tokio::task::spawn_blocking(move || {
                        let _permit = permit;
                        let page = objects::absorb_page(&text, &resource, &context)?;
                        progress.add_objects(page.fragment.objects);
                        Ok::<_, String>(page.fragment)
                    }));
                    next
                }
                None => {
                    let _permit = progress.parse_permit().await;
                    let page = tokio::task::block_in_place(|| objects::absorb_page(&text, resource, context))
                        .map_err(|e| ClusterError::Request(format!("{path}: {e}")))?;
                    progress.add_objects(page.fragment.objects);
                    parsing.push_back(tokio::task::spawn(async move { Ok(page.fragment) }));
                    page.continue_token
                }
            };
            // A page's parse tree is several times its text: keep few of them alive at once.
            while parsing.len() > PAGES_IN_FLIGHT {
                merge_parsed(&mut fragment, parsing.pop_front(), resource).await?;
            }
            match next {
                Some(next) => token = Some(next),
                None => break,
            }
        }
    }
    // Pages merge in the order they were listed, whatever order they finished parsing in.
    while !parsing.is_empty() {
        merge_parsed(&mut fragment, parsing.pop_front(), resource).await?;
    }
    Ok(Listed::Ok(Box::new((fragment, true))))
}
