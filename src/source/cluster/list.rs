//! Listing: every resource concurrently, each page by page, a page parsed while the next is
//! fetched. A list that is refused or fails is reported for what it is — never taken for an empty
//! one: a redirect, an answer that is not the list asked for, a `continue` token that comes back,
//! a page over the size limit.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use tokio::task::JoinSet;

use super::catalog::Resource;
use super::fetch::{self, PAGE_SIZE, SMALL_PAGE_SIZE};
use super::objects::{self, Fragment};
use super::progress::Progress;
use super::transport::{RequestError, Transport};
use super::ClusterError;
use crate::model::{UnavailableCause, ADDON_NAMESPACE, OSS_NAMESPACE};

/// One resource's result: its objects (and whether it was listed cluster-wide or in every
/// namespace asked), or why it could not be read.
pub(super) enum Listed {
    Ok(Box<(Fragment, bool)>),
    Unavailable { reason: String, cause: UnavailableCause },
}

impl Listed {
    fn failed(reason: String) -> Listed {
        Listed::Unavailable { reason, cause: UnavailableCause::Failed }
    }
}

/// Lists every resource concurrently. The webhook's Deployment is looked for in its two
/// namespaces even when the audit is limited to one, or when Deployments cannot be listed
/// cluster-wide.
pub(super) async fn list_everything(
    transport: &Transport,
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
        let (transport, resource, context, progress) =
            (transport.clone(), resource.clone(), context.clone(), progress.clone());
        tasks.spawn(async move {
            let outcome = list_scopes(&transport, &resource, &scopes, &context, &progress).await;
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
            let extra = list_scopes(transport, resource, &webhook_scopes, context, progress).await?;
            webhook_hidden = merge_webhook_lists(listed, extra)
                .map(|(reason, cause)| (resource.clone(), Listed::Unavailable { reason, cause }));
        }
    }
    out.extend(webhook_hidden);
    out.sort_by(|(a, _), (b, _)| (&a.group, &a.plural).cmp(&(&b.group, &b.plural)));
    Ok(out)
}

/// Adds what the webhook namespaces' lists found. Returns why the webhook could not be seen when
/// those lists failed too (the webhook rules are then skipped).
fn merge_webhook_lists(listed: &mut Listed, extra: Listed) -> Option<(String, UnavailableCause)> {
    let placeholder = Listed::Unavailable { reason: String::new(), cause: UnavailableCause::Failed };
    match (std::mem::replace(listed, placeholder), extra) {
        (Listed::Ok(mut listed_part), Listed::Ok(extra)) => {
            // Only the webhook's Deployment is new; the workloads were already listed (or are
            // outside the audited namespace).
            listed_part.0.webhook_deployments.extend(extra.0.webhook_deployments);
            *listed = Listed::Ok(listed_part);
            None
        }
        (Listed::Unavailable { .. }, Listed::Ok(extra)) => {
            let only_webhook = Fragment { webhook_deployments: extra.0.webhook_deployments, ..Fragment::default() };
            *listed = Listed::Ok(Box::new((only_webhook, false)));
            None
        }
        (original @ Listed::Ok(_), Listed::Unavailable { reason, cause }) => {
            *listed = original;
            Some((reason, cause))
        }
        (original, _) => {
            *listed = original;
            None
        }
    }
}

/// Lists one resource in each scope (a namespace, or `None` for cluster-wide).
async fn list_scopes(
    transport: &Transport,
    resource: &Resource,
    scopes: &[Option<String>],
    context: &Arc<str>,
    progress: &Progress,
) -> Result<Listed, ClusterError> {
    let mut fragment = Fragment::default();
    for scope in scopes {
        let path = resource.path(scope.as_deref());
        match list_restarting_once(transport, resource, &path, context, progress).await {
            Ok(part) => fragment.merge(part),
            Err(Stop::Forbidden(reason)) => {
                return Ok(Listed::Unavailable { reason, cause: UnavailableCause::Forbidden });
            }
            // Not served by this server (an old API version, a CRD removed since discovery).
            Err(Stop::NotFound) => {}
            Err(Stop::Failed(reason) | Stop::Expired(reason)) => return Ok(Listed::failed(reason)),
            Err(Stop::Fatal(e)) => return Err(e),
        }
    }
    Ok(Listed::Ok(Box::new((fragment, true))))
}

/// Why listing one scope stopped.
enum Stop {
    Forbidden(String),
    NotFound,
    /// 410: the `continue` token expired (the list took longer than the server keeps it).
    Expired(String),
    Failed(String),
    Fatal(ClusterError),
}

impl Stop {
    fn of(path: &str, e: RequestError) -> Stop {
        match e {
            RequestError::Unauthorized(said) => Stop::Fatal(ClusterError::Unauthorized(said)),
            RequestError::Forbidden(said) => Stop::Forbidden(said),
            RequestError::NotFound(_) => Stop::NotFound,
            RequestError::Expired(said) => Stop::Expired(format!("{path}: {said}")),
            RequestError::TooLarge(limit) => Stop::Failed(format!(
                "{path}: a page of the list is larger than {} MiB, even at {SMALL_PAGE_SIZE} objects per page",
                limit / (1024 * 1024)
            )),
            RequestError::Failed(why) => Stop::Failed(why),
        }
    }
}

/// A list whose `continue` token expired starts over once, as kubectl's pager does.
async fn list_restarting_once(
    transport: &Transport,
    resource: &Resource,
    path: &str,
    context: &Arc<str>,
    progress: &Progress,
) -> Result<Fragment, Stop> {
    match list_pages(transport, resource, path, context, progress).await {
        Err(Stop::Expired(_)) => match list_pages(transport, resource, path, context, progress).await {
            Err(Stop::Expired(reason)) => {
                Err(Stop::Failed(format!("{reason} (twice: the list changes faster than it can be read)")))
            }
            other => other,
        },
        other => other,
    }
}

/// Pages of one list parsed while the next is fetched.
const PAGES_IN_FLIGHT: usize = 2;
/// Pages in a row without an object, each pointing at another: a server that never ends the list.
const MAX_EMPTY_PAGES: usize = 20;

type ParseTask = tokio::task::JoinHandle<Result<Fragment, String>>;

async fn merge_parsed(fragment: &mut Fragment, task: Option<ParseTask>) -> Result<(), Stop> {
    let Some(task) = task else { return Ok(()) };
    let page = task.await.map_err(|e| Stop::Failed(format!("parse task: {e}")))?;
    fragment.merge(page.map_err(Stop::Failed)?);
    Ok(())
}

/// Lists one path page by page.
async fn list_pages(
    transport: &Transport,
    resource: &Resource,
    path: &str,
    context: &Arc<str>,
    progress: &Progress,
) -> Result<Fragment, Stop> {
    let mut fragment = Fragment::default();
    let mut parsing = VecDeque::new();
    let mut token: Option<String> = None;
    let mut seen_tokens: HashSet<String> = HashSet::new();
    let mut empty_pages = 0;
    loop {
        let text = fetch_page(transport, path, token.as_deref(), progress).await?;
        // The next page is requested while this one is parsed (CPU work, off the threads that
        // drive the network) when its token can be read without parsing it.
        let (next, objects) = match objects::peek_continue(&text) {
            Some(next) => {
                let (resource, context, progress) = (resource.clone(), context.clone(), progress.clone());
                // One parse per core at a time, across all lists: parse trees are what the
                // audit's memory peaks on.
                let permit = progress.parse_permit().await;
                let holds_objects = objects::peek_has_items(&text);
                let path = path.to_string();
                parsing.push_back(tokio::task::spawn_blocking(move || {
                    let _permit = permit;
                    let page = objects::absorb_page(&text, &resource, &context).map_err(|e| format!("{path}: {e}"))?;
                    progress.add_objects(page.fragment.objects);
                    Ok::<_, String>(page.fragment)
                }));
                (next, holds_objects)
            }
            None => {
                let _permit = progress.parse_permit().await;
                let page = tokio::task::block_in_place(|| objects::absorb_page(&text, resource, context))
                    .map_err(|e| Stop::Failed(format!("{path}: {e}")))?;
                progress.add_objects(page.fragment.objects);
                let objects = page.fragment.objects > 0;
                parsing.push_back(tokio::task::spawn(async move { Ok(page.fragment) }));
                (page.continue_token, objects)
            }
        };
        // A page's parse tree is several times its text: keep few of them alive at once.
        while parsing.len() > PAGES_IN_FLIGHT {
            merge_parsed(&mut fragment, parsing.pop_front()).await?;
        }
        let Some(next) = next else { break };
        if !seen_tokens.insert(next.clone()) {
            return Err(Stop::Failed(format!(
                "{path}: the API server sent the same continue token twice: the list would never end"
            )));
        }
        empty_pages = if objects { 0 } else { empty_pages + 1 };
        if empty_pages >= MAX_EMPTY_PAGES {
            return Err(Stop::Failed(format!(
                "{path}: {MAX_EMPTY_PAGES} pages in a row without an object, each with a continue token: the list \
                 would never end"
            )));
        }
        token = Some(next);
    }
    // Pages merge in the order they were listed, whatever order they finished parsing in.
    while !parsing.is_empty() {
        merge_parsed(&mut fragment, parsing.pop_front()).await?;
    }
    Ok(fragment)
}

/// One page; a page too large for the limit is asked again with fewer objects.
async fn fetch_page(
    transport: &Transport,
    path: &str,
    token: Option<&str>,
    progress: &Progress,
) -> Result<String, Stop> {
    progress.add_request();
    match fetch::list_page(transport, path, PAGE_SIZE, token).await {
        Err(RequestError::TooLarge(_)) => {
            progress.add_request();
            fetch::list_page(transport, path, SMALL_PAGE_SIZE, token).await.map_err(|e| Stop::of(path, e))
        }
        other => other.map_err(|e| Stop::of(path, e)),
    }
}
