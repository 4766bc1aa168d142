//! Listing: every resource concurrently, each page by page, a page parsed while the next is
//! fetched.

use std::collections::VecDeque;
use std::sync::Arc;

use tokio::task::JoinSet;

use super::catalog::Resource;
use super::fetch::{self, RequestError};
use super::objects::{self, Fragment};
use super::progress::Progress;
use super::ClusterError;
use crate::model::{ADDON_NAMESPACE, OSS_NAMESPACE};

/// One resource's result: its objects (and whether it was listed cluster-wide or in every
/// namespace asked), or why it could not be read.
pub enum Listed {
    Ok(Box<(Fragment, bool)>),
    Forbidden(String),
}

/// Lists every resource concurrently. The webhook's Deployment is looked for in its two
/// namespaces even when the audit is limited to one, or when Deployments cannot be listed
/// cluster-wide.
pub async fn list_everything(
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
    let mut parsing = VecDeque::new();
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
