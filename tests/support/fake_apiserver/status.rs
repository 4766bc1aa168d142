//! `Status` bodies, worded as kube-apiserver words them (clients match on `reason` and `code`;
//! people read `message`).

use serde_json::{json, Value};

use super::http::Response;
use super::resources::ResourceType;

fn status(code: u16, reason: &str, message: &str, details: Value) -> Response {
    let mut body = json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    });
    if !details.is_null() {
        body["details"] = details;
    }
    Response::json(code, &body)
}

/// What a refused request asked for, to word the Forbidden message.
pub struct Attempt<'a> {
    pub user: &'a str,
    pub verb: &'a str,
    pub resource: &'a ResourceType,
    pub namespace: Option<&'a str>,
    pub name: Option<&'a str>,
}

/// `clusterroles.rbac.authorization.k8s.io is forbidden: User "audit" cannot list resource …`.
pub fn forbidden(attempt: &Attempt) -> Response {
    let resource = attempt.resource;
    let subject = match attempt.name {
        Some(name) => format!("{} \"{name}\"", resource.qualified_plural()),
        None => resource.qualified_plural(),
    };
    let scope = match attempt.namespace {
        Some(namespace) => format!("in the namespace \"{namespace}\""),
        None => "at the cluster scope".to_string(),
    };
    let message = format!(
        "{subject} is forbidden: User \"{}\" cannot {} resource \"{}\" in API group \"{}\" {scope}",
        attempt.user, attempt.verb, resource.plural, resource.group
    );
    let mut details = json!({ "group": resource.group, "kind": resource.plural });
    if let Some(name) = attempt.name {
        details["name"] = json!(name);
    }
    status(403, "Forbidden", &message, details)
}

/// Forbidden on a path that names no resource (a faulted discovery path).
pub fn forbidden_path(user: &str, path: &str) -> Response {
    let message = format!("forbidden: User \"{user}\" cannot get path \"{path}\"");
    status(403, "Forbidden", &message, Value::Null)
}

pub fn unauthorized() -> Response {
    status(401, "Unauthorized", "Unauthorized", Value::Null)
}

pub fn too_many_requests() -> Response {
    let details = json!({ "retryAfterSeconds": 1 });
    status(429, "TooManyRequests", "Too many requests, please try again later.", details)
        .with_header("Retry-After", "1")
}

pub fn internal_error() -> Response {
    let details = json!({ "causes": [{ "message": "injected fault" }] });
    status(500, "InternalError", "Internal error occurred: injected fault", details)
}

/// `pods "web-0" not found`.
pub fn object_not_found(resource: &ResourceType, name: &str) -> Response {
    let message = format!("{} \"{name}\" not found", resource.qualified_plural());
    status(404, "NotFound", &message, json!({ "name": name, "group": resource.group, "kind": resource.plural }))
}

/// A path the server does not serve.
pub fn path_not_found() -> Response {
    status(404, "NotFound", "the server could not find the requested resource", json!({}))
}

pub fn method_not_allowed() -> Response {
    status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", json!({}))
}

pub fn bad_request(message: &str) -> Response {
    status(400, "BadRequest", message, Value::Null)
}

/// An expired or foreign `continue` token.
pub fn gone(message: &str) -> Response {
    status(410, "Expired", message, Value::Null)
}
