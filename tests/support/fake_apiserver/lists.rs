//! Lists and gets: selectors, `limit`/`continue` pagination, typed list shapes.

use serde_json::{json, Value};

use super::cluster::Cluster;
use super::http::Request;
use super::resources::ResourceType;
use super::status;
use super::table;
use super::Response;

/// Which objects a list asks for.
pub struct ListQuery<'a> {
    pub resource: &'a ResourceType,
    /// `None`: every namespace (or a cluster-scoped type).
    pub namespace: Option<&'a str>,
}

/// `GET` of a collection: sorted by namespace/name, filtered, one page of it. A `continue` token
/// holds where in the type's objects the last page stopped, and the next page reads on from
/// there, as a real server reads on from its last key: filtering the whole list for every page
/// made listing N objects cost N² (50,000 pods took the server more processor time than the
/// audit that read them).
pub fn list(cluster: &Cluster, query: &ListQuery, request: &Request) -> Response {
    let label_selector = request.param("labelSelector").unwrap_or_default();
    let field_selector = request.param("fieldSelector").unwrap_or_default();
    // Already in namespace/name order: the server sorted its objects when it started. A page
    // reads from `start` on, never the objects before it.
    let positions = cluster.positions_of(query.resource);
    let objects_from = |k: usize| positions[k.min(positions.len())..].iter().map(|&i| &cluster.objects[i]);
    let matches = |o: &Value| {
        query.namespace.is_none_or(|ns| namespace_of(o) == ns)
            && labels_match(o, &label_selector)
            && fields_match(o, &field_selector)
    };

    let list_version = resource_version(cluster);
    let start = match request.param("continue").filter(|t| !t.is_empty()) {
        None => 0,
        Some(token) => match decode_continue(&token, &list_version) {
            Ok(offset) => offset,
            Err(response) => return response,
        },
    };
    let limit = request.param("limit").and_then(|l| l.parse::<usize>().ok()).filter(|l| *l > 0);
    let mut page: Vec<usize> = Vec::new();
    let mut end = start.min(positions.len());
    for &i in &positions[end..] {
        if limit.is_some_and(|l| page.len() >= l) {
            break;
        }
        if matches(&cluster.objects[i]) {
            page.push(i);
        }
        end += 1;
    }

    let mut metadata = json!({ "resourceVersion": list_version });
    if objects_from(end).any(matches) {
        metadata["continue"] = json!(encode_continue(&list_version, end));
        // Real servers leave the count out when a selector filtered the list.
        if label_selector.is_empty() && field_selector.is_empty() {
            // A namespace's objects are together (sorted by namespace): counted up to its end.
            let remaining = match query.namespace {
                None => positions.len() - end,
                Some(ns) => objects_from(end).take_while(|o| namespace_of(o) == ns).count(),
            };
            metadata["remainingItemCount"] = json!(remaining);
        }
    }
    if table::wanted(request) {
        let objects: Vec<&Value> = page.iter().map(|&i| &cluster.objects[i]).collect();
        return table::response(query.resource, &objects, metadata);
    }
    // The bytes `json!({"kind", "apiVersion", "metadata", "items"}).to_string()` writes, with
    // each item's encoding kept from the last time it was sent.
    let head = json!({
        "kind": format!("{}List", query.resource.kind),
        "apiVersion": query.resource.api_version(),
        "metadata": metadata,
    })
    .to_string();
    let items: Vec<std::borrow::Cow<str>> = page.iter().map(|&i| cluster.list_item(i, query.resource)).collect();
    let mut body = head.strip_suffix('}').unwrap_or(&head).to_string();
    body.push_str(",\"items\":[");
    body.push_str(&items.join(","));
    body.push_str("]}");
    Response::raw(200, "application/json", body.into_bytes())
}

/// `GET` of one object.
pub fn get(cluster: &Cluster, query: &ListQuery, name: &str, request: &Request) -> Response {
    let found = cluster
        .objects_of(query.resource)
        .find(|o| name_of(o) == name && query.namespace.is_none_or(|ns| namespace_of(o) == ns));
    match found {
        None => status::object_not_found(query.resource, name),
        Some(object) if table::wanted(request) => {
            table::response(query.resource, &[object], json!({ "resourceVersion": resource_version(cluster) }))
        }
        Some(object) => Response::json(200, object),
    }
}

/// Items of built-in lists come without `apiVersion`/`kind`, as kube-apiserver sends them.
pub fn list_item(resource: &ResourceType, object: &Value) -> Value {
    let mut item = object.clone();
    if resource.builtin {
        if let Some(fields) = item.as_object_mut() {
            fields.remove("apiVersion");
            fields.remove("kind");
        }
    }
    item
}

/// The cluster's resourceVersion: it never changes while served.
pub fn resource_version(cluster: &Cluster) -> String {
    (1000 + cluster.objects.len() + 1).to_string()
}

pub fn name_of(object: &Value) -> &str {
    object["metadata"]["name"].as_str().unwrap_or("")
}

pub fn namespace_of(object: &Value) -> &str {
    object["metadata"]["namespace"].as_str().unwrap_or("")
}

/// An opaque token: hex of `<resourceVersion>:<offset>`.
fn encode_continue(list_version: &str, offset: usize) -> String {
    format!("{list_version}:{offset}").bytes().map(|b| format!("{b:02x}")).collect()
}

fn decode_continue(token: &str, list_version: &str) -> Result<usize, Response> {
    let bytes: Option<Vec<u8>> =
        (0..token.len()).step_by(2).map(|i| token.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok())).collect();
    let text =
        bytes.and_then(|b| String::from_utf8(b).ok()).ok_or_else(|| status::bad_request("invalid continue token"))?;
    let (version, offset) = text.split_once(':').ok_or_else(|| status::bad_request("invalid continue token"))?;
    if version != list_version {
        return Err(status::gone("The provided continue parameter is too old to display a consistent list result."));
    }
    offset.parse().map_err(|_| status::bad_request("invalid continue token"))
}

/// Equality-based label selectors: `a=b`, `a==b`, `a!=b`, `a` (exists), `!a` (absent).
fn labels_match(object: &Value, selector: &str) -> bool {
    if selector.trim().is_empty() {
        return true;
    }
    let labels = object.pointer("/metadata/labels");
    let label = |key: &str| labels.and_then(|l| l.get(key.trim())).and_then(Value::as_str);
    selector.split(',').map(str::trim).filter(|term| !term.is_empty()).all(|term| {
        if let Some((key, value)) = term.split_once("!=") {
            label(key) != Some(value.trim())
        } else if let Some((key, value)) = term.split_once("==").or_else(|| term.split_once('=')) {
            label(key) == Some(value.trim())
        } else if let Some(key) = term.strip_prefix('!') {
            label(key).is_none()
        } else {
            label(term).is_some()
        }
    })
}

/// Field selectors: `path.to.field=value` / `!=` on any string field (`metadata.name`,
/// `metadata.namespace`, `spec.nodeName`, `status.phase`, …).
fn fields_match(object: &Value, selector: &str) -> bool {
    let field = |path: &str| {
        let pointer = format!("/{}", path.trim().replace('.', "/"));
        object.pointer(&pointer).and_then(Value::as_str).unwrap_or("").to_string()
    };
    selector.split(',').map(str::trim).filter(|term| !term.is_empty()).all(|term| {
        if let Some((path, value)) = term.split_once("!=") {
            field(path) != value.trim()
        } else if let Some((path, value)) = term.split_once("==").or_else(|| term.split_once('=')) {
            field(path) == value.trim()
        } else {
            false
        }
    })
}
