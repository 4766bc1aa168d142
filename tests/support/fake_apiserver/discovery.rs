//! `/version` and discovery, legacy (`/api`, `/apis`, `/api/v1`, `/apis/G/V`) and aggregated
//! (`APIGroupDiscoveryList` on `/api` and `/apis` when the client asks for it, as kube's
//! `Discovery::run_aggregated()` and modern kubectl do).

use serde_json::{json, Value};

use super::cluster::Cluster;
use super::resources::ResourceType;

/// The aggregated discovery media types, newest first.
const AGGREGATED: &[&str] = &[
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList",
];

/// The aggregated media type to answer with, if the `Accept` header offers one in JSON.
pub fn aggregated_media_type(accept: &str) -> Option<&'static str> {
    let offered: Vec<String> = accept.split(',').map(|t| t.replace(' ', "")).collect();
    AGGREGATED.iter().copied().find(|wanted| offered.iter().any(|o| media_type_matches(o, wanted)))
}

/// Same type and the same parameters, in any order (`;q=` weights ignored).
fn media_type_matches(offered: &str, wanted: &str) -> bool {
    let parts = |t: &str| {
        let mut p: Vec<String> = t.split(';').filter(|p| !p.starts_with("q=")).map(str::to_string).collect();
        p.sort();
        p
    };
    parts(offered) == parts(wanted)
}

pub fn version(cluster: &Cluster) -> Value {
    let numbers: Vec<&str> = cluster.version.trim_start_matches('v').split('.').collect();
    json!({
        "major": numbers.first().copied().unwrap_or("1"),
        "minor": numbers.get(1).copied().unwrap_or("32"),
        "gitVersion": cluster.version,
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2025-04-22T16:00:00Z",
        "goVersion": "go1.23.8",
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}

/// `/api`: the core group's versions.
pub fn core_versions(server_address: &str) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{ "clientCIDR": "0.0.0.0/0", "serverAddress": server_address }],
    })
}

/// `/apis`: every named group.
pub fn group_list(cluster: &Cluster) -> Value {
    let groups: Vec<Value> = cluster.groups().iter().map(|(group, versions)| api_group(group, versions)).collect();
    json!({ "kind": "APIGroupList", "apiVersion": "v1", "groups": groups })
}

/// `/apis/G`: one named group.
pub fn group(cluster: &Cluster, name: &str) -> Option<Value> {
    let groups = cluster.groups();
    let (group, versions) = groups.iter().find(|(g, _)| g == name)?;
    Some(json!({ "kind": "APIGroup", "apiVersion": "v1" }).merged(api_group(group, versions)))
}

fn api_group(group: &str, versions: &[String]) -> Value {
    let versions: Vec<Value> =
        versions.iter().map(|v| json!({ "groupVersion": format!("{group}/{v}"), "version": v })).collect();
    json!({ "name": group, "versions": versions, "preferredVersion": versions.first() })
}

/// `/api/v1` or `/apis/G/V`: the types of one group version.
pub fn resource_list(cluster: &Cluster, group: &str, version: &str) -> Option<Value> {
    let types = cluster.resources_in(group, version);
    if types.is_empty() {
        return None;
    }
    let resources: Vec<Value> = types.iter().map(|r| legacy_resource(r)).collect();
    let group_version = if group.is_empty() { version.to_string() } else { format!("{group}/{version}") };
    Some(
        json!({ "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": resources }),
    )
}

fn legacy_resource(resource: &ResourceType) -> Value {
    json!({
        "name": resource.plural,
        "singularName": resource.singular(),
        "namespaced": resource.namespaced,
        "kind": resource.kind,
        "verbs": resource.verbs,
        "shortNames": resource.short_names,
    })
}

/// Aggregated discovery of the core group (`/api`) or of every named group (`/apis`).
pub fn aggregated(cluster: &Cluster, core: bool, media_type: &str) -> Value {
    let version = if media_type.contains("v=v2beta1") { "v2beta1" } else { "v2" };
    let items: Vec<Value> = if core {
        vec![aggregated_group(cluster, "", &["v1".to_string()])]
    } else {
        cluster.groups().iter().map(|(group, versions)| aggregated_group(cluster, group, versions)).collect()
    };
    json!({
        "kind": "APIGroupDiscoveryList",
        "apiVersion": format!("apidiscovery.k8s.io/{version}"),
        "metadata": {},
        "items": items,
    })
}

fn aggregated_group(cluster: &Cluster, group: &str, versions: &[String]) -> Value {
    let versions: Vec<Value> = versions
        .iter()
        .map(|version| {
            let resources: Vec<Value> =
                cluster.resources_in(group, version).iter().map(|r| aggregated_resource(r)).collect();
            json!({ "version": version, "resources": resources, "freshness": "Current" })
        })
        .collect();
    let metadata = if group.is_empty() { json!({}) } else { json!({ "name": group }) };
    json!({ "metadata": metadata, "versions": versions })
}

fn aggregated_resource(resource: &ResourceType) -> Value {
    json!({
        "resource": resource.plural,
        "responseKind": { "group": resource.group, "version": resource.version, "kind": resource.kind },
        "scope": if resource.namespaced { "Namespaced" } else { "Cluster" },
        "singularResource": resource.singular(),
        "verbs": resource.verbs,
        "shortNames": resource.short_names,
    })
}

/// Shallow merge of JSON objects, for building responses from parts.
trait Merged {
    fn merged(self, other: Value) -> Value;
}

impl Merged for Value {
    fn merged(mut self, other: Value) -> Value {
        if let (Some(into), Value::Object(from)) = (self.as_object_mut(), other) {
            into.extend(from);
        }
        self
    }
}
