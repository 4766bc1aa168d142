//! From a request to a response: faults first, then discovery, reviews, lists and gets.

use std::sync::Mutex;

use serde_json::{json, Value};

use super::cluster::Cluster;
use super::discovery;
use super::faults::{Fault, FaultKind};
use super::http::{Request, Response};
use super::lists::{self, ListQuery};
use super::proto;
use super::resources::ResourceType;
use super::sar::SarQuestion;
use super::status::{self, Attempt};

/// A request for a resource type: `/apis/G/V/[namespaces/NS/]PLURAL[/NAME]`.
#[derive(Clone, Debug)]
pub struct ResourcePath<'a> {
    pub resource: &'a ResourceType,
    pub namespace: Option<String>,
    pub name: Option<String>,
}

/// Resolves a path to a resource type known to the cluster; `None` for discovery and unknown paths.
pub fn resource_path<'a>(cluster: &'a Cluster, path: &str) -> Option<ResourcePath<'a>> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (group, version, rest) = match segments.as_slice() {
        ["api", version, rest @ ..] => ("", *version, rest),
        ["apis", group, version, rest @ ..] => (*group, *version, rest),
        _ => return None,
    };
    let (namespace, plural, name) = match rest {
        ["namespaces", namespace, plural] => (Some(*namespace), *plural, None),
        ["namespaces", namespace, plural, name] => (Some(*namespace), *plural, Some(*name)),
        [plural] => (None, *plural, None),
        [plural, name] => (None, *plural, Some(*name)),
        _ => return None,
    };
    let resource = cluster.resource(group, version, plural)?;
    if namespace.is_some() && !resource.namespaced {
        return None;
    }
    Some(ResourcePath { resource, namespace: namespace.map(str::to_string), name: name.map(str::to_string) })
}

/// The API verb of a request, as RBAC names it.
fn verb(request: &Request, target: &ResourcePath) -> &'static str {
    match request.method.as_str() {
        "POST" => "create",
        "GET" if target.name.is_some() => "get",
        "GET" if request.param("watch").is_some_and(|w| w == "true" || w == "1") => "watch",
        "GET" => "list",
        "DELETE" => "delete",
        "PATCH" => "patch",
        "PUT" => "update",
        _ => "unknown",
    }
}

/// Who the request runs as: the impersonated user (`kubectl --as`), else the token's user.
fn user<'a>(cluster: &'a Cluster, request: &'a Request) -> &'a str {
    request.header("impersonate-user").unwrap_or(&cluster.sar.current_user)
}

/// Answers one request; faults may answer it first.
pub fn respond(cluster: &Cluster, faults: &Mutex<Vec<Fault>>, request: &Request, server_address: &str) -> Response {
    let target = resource_path(cluster, &request.path);
    if let Some(response) = injected_fault(cluster, faults, request, target.as_ref()) {
        return response;
    }
    match target {
        Some(target) => resource_request(cluster, request, &target),
        None if request.method != "GET" => status::method_not_allowed(),
        None => discovery_request(cluster, request, server_address),
    }
}

/// The response a fault dictates, if one applies. Delays sleep and let the request through.
fn injected_fault(
    cluster: &Cluster,
    faults: &Mutex<Vec<Fault>>,
    request: &Request,
    target: Option<&ResourcePath>,
) -> Option<Response> {
    let resource = target.map(|t| t.resource.plural.as_str());
    let mut delay = None;
    let outcome = {
        let mut faults = faults.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut outcome = None;
        for fault in faults.iter_mut().filter(|f| f.applies_to(&request.path, resource)) {
            if let FaultKind::Delay(by) = fault.kind {
                delay = Some(by);
                continue;
            }
            // Only a page after the first can have an expired token.
            if matches!(fault.kind, FaultKind::Expire { .. }) && request.param("continue").is_none() {
                continue;
            }
            fault.fire();
            outcome = Some(fault.kind.clone());
            break;
        }
        outcome
    };
    if let Some(by) = delay {
        std::thread::sleep(by);
    }
    let response = match outcome? {
        FaultKind::Unauthorized => status::unauthorized(),
        FaultKind::Throttle { .. } => status::too_many_requests(),
        FaultKind::Error { .. } => status::internal_error(),
        FaultKind::Forbidden => match target {
            Some(target) => status::forbidden(&Attempt {
                user: user(cluster, request),
                verb: verb(request, target),
                resource: target.resource,
                namespace: target.namespace.as_deref(),
                name: target.name.as_deref(),
            }),
            None => status::forbidden_path(user(cluster, request), &request.path),
        },
        FaultKind::Reset { .. } => Response::unanswered(),
        FaultKind::Expire { .. } => {
            status::gone("The provided continue parameter is too old to display a consistent list result.")
        }
        FaultKind::Respond(response) => *response,
        FaultKind::Oversized(bytes) => Response::streamed(bytes),
        FaultKind::Delay(_) => return None,
    };
    Some(response)
}

fn resource_request(cluster: &Cluster, request: &Request, target: &ResourcePath) -> Response {
    let query = ListQuery { resource: target.resource, namespace: target.namespace.as_deref() };
    match (verb(request, target), target.name.as_deref()) {
        ("create", None) if is_review(target.resource) => access_review(cluster, request, target.resource),
        ("get", Some(name)) if target.resource.can("get") => lists::get(cluster, &query, name, request),
        ("list", None) if target.resource.can("list") => lists::list(cluster, &query, request),
        _ => status::method_not_allowed(),
    }
}

fn is_review(resource: &ResourceType) -> bool {
    resource.group == "authorization.k8s.io" && resource.plural.ends_with("subjectaccessreviews")
}

/// `POST` of a SubjectAccessReview or SelfSubjectAccessReview: the object back, with its answer.
fn access_review(cluster: &Cluster, request: &Request, resource: &ResourceType) -> Response {
    let parsed = serde_json::from_slice::<Value>(&request.body).ok();
    let Some(mut review) = parsed.or_else(|| proto::review_from_protobuf(&request.body)) else {
        return status::bad_request("the request body is neither a JSON nor a protobuf review");
    };
    let spec = review.get("spec").cloned().unwrap_or_else(|| json!({}));
    let question = SarQuestion::from_spec(&spec, user(cluster, request));
    let Some(fields) = review.as_object_mut() else {
        return status::bad_request("the request body is not a JSON object");
    };
    fields.insert("kind".to_string(), json!(resource.kind));
    fields.insert("apiVersion".to_string(), json!(resource.api_version()));
    fields.entry("metadata").or_insert_with(|| json!({ "creationTimestamp": null }));
    fields.insert("status".to_string(), cluster.sar.answer(&question));
    Response::json(201, &review)
}

fn discovery_request(cluster: &Cluster, request: &Request, server_address: &str) -> Response {
    // A server older than Kubernetes 1.26 ignores the aggregated media type and answers in JSON.
    let accept = if cluster.aggregated_discovery { request.header("accept").unwrap_or("") } else { "" };
    let path = request.path.trim_end_matches('/');
    if let (Some(media_type), "/api" | "/apis") = (discovery::aggregated_media_type(accept), path) {
        let body = discovery::aggregated(cluster, path == "/api", media_type);
        return Response::json(200, &body).with_content_type(media_type);
    }
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let body = match segments.as_slice() {
        ["version"] => Some(discovery::version(cluster)),
        ["api"] => Some(discovery::core_versions(server_address)),
        ["apis"] => Some(discovery::group_list(cluster)),
        ["api", version] => discovery::resource_list(cluster, "", version),
        ["apis", group] => discovery::group(cluster, group),
        ["apis", group, version] => discovery::resource_list(cluster, group, version),
        _ => None,
    };
    match body {
        Some(body) => Response::json(200, &body),
        None => status::path_not_found(),
    }
}
