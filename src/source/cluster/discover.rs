//! Discovery of the custom resources worth reading: federated credentials (ASO, Crossplane)
//! and legacy aad-pod-identity objects, when their CRDs are installed. Aggregated discovery
//! (one request, Kubernetes 1.26+) when the server offers it, else legacy discovery (`/apis`,
//! then each wanted group's version), as kubectl does.

use std::borrow::Cow;

use serde_json::Value;

use super::catalog::{Resource, CUSTOM_KINDS};
use super::fetch::text_of;
use super::transport::{RequestError, Transport};

/// Aggregated discovery, newest first, with plain JSON (the legacy group list) as the fallback.
const ACCEPT: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,\
                      application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
/// Discovery documents of a large cluster (hundreds of CRDs) are a few MB.
const MAX_DISCOVERY_BYTES: usize = 32 * 1024 * 1024;

/// The custom resources present on the server, at each group's preferred version.
pub(super) async fn custom_resources(transport: &Transport) -> Result<Vec<Resource>, RequestError> {
    let reply = transport.get("/apis", ACCEPT, MAX_DISCOVERY_BYTES).await?;
    let aggregated = reply.content_type.contains("as=APIGroupDiscoveryList");
    let text = text_of(reply, "/apis")?;
    let root: Value = serde_json::from_str(&text)
        .map_err(|e| RequestError::Failed(format!("/apis: the discovery document is not JSON ({e})")))?;
    if aggregated {
        return Ok(from_aggregated(&root));
    }
    let groups = root.get("groups").and_then(Value::as_array).ok_or_else(|| {
        RequestError::Failed("/apis: the answer is neither an APIGroupList nor an APIGroupDiscoveryList".into())
    })?;
    let mut out = Vec::new();
    for group in groups {
        let Some(name) = group.get("name").and_then(Value::as_str) else { continue };
        let wanted: Vec<_> = CUSTOM_KINDS.iter().filter(|(g, _, _)| *g == name).collect();
        if wanted.is_empty() {
            continue;
        }
        for (_, kind, rules) in wanted {
            if let Some(found) = legacy_group(transport, group, kind).await? {
                out.push(Resource { needed_by: rules, ..found });
            }
        }
    }
    Ok(out)
}

/// The resource of `kind` in a legacy `APIGroup`, from its preferred version first.
async fn legacy_group(transport: &Transport, group: &Value, kind: &str) -> Result<Option<Resource>, RequestError> {
    let preferred = group.pointer("/preferredVersion/groupVersion").and_then(Value::as_str);
    let mut versions: Vec<&str> = preferred.into_iter().collect();
    for v in group.get("versions").and_then(Value::as_array).into_iter().flatten() {
        if let Some(gv) = v.get("groupVersion").and_then(Value::as_str) {
            if !versions.contains(&gv) {
                versions.push(gv);
            }
        }
    }
    for group_version in versions {
        let path = format!("/apis/{group_version}");
        let reply = match transport.get(&path, "application/json", MAX_DISCOVERY_BYTES).await {
            Ok(reply) => reply,
            Err(RequestError::NotFound(_)) => continue,
            Err(e) => return Err(e),
        };
        let list: Value = serde_json::from_str(&text_of(reply, &path)?)
            .map_err(|e| RequestError::Failed(format!("{path}: the discovery document is not JSON ({e})")))?;
        let Some((group_name, version)) = group_version.split_once('/') else { continue };
        let found = list.get("resources").and_then(Value::as_array).into_iter().flatten().find(|r| {
            r.get("kind").and_then(Value::as_str) == Some(kind)
                && r.get("name").and_then(Value::as_str).is_some_and(|n| !n.contains('/'))
        });
        if let Some(r) = found {
            let plural = r.get("name").and_then(Value::as_str).unwrap_or_default();
            let namespaced = r.get("namespaced").and_then(Value::as_bool).unwrap_or(true);
            return Ok(Some(resource(group_name, version, plural, kind, namespaced)));
        }
    }
    Ok(None)
}

/// The wanted kinds in an `APIGroupDiscoveryList`, each at the first (preferred) version that
/// serves it.
fn from_aggregated(root: &Value) -> Vec<Resource> {
    let mut out = Vec::new();
    for group in root.get("items").and_then(Value::as_array).into_iter().flatten() {
        let Some(name) = group.pointer("/metadata/name").and_then(Value::as_str) else { continue };
        for (wanted_group, kind, rules) in CUSTOM_KINDS.iter().filter(|(g, _, _)| *g == name) {
            let versions = group.get("versions").and_then(Value::as_array).into_iter().flatten();
            let found = versions
                .filter_map(|v| Some((v.get("version")?.as_str()?, v.get("resources")?.as_array()?)))
                .find_map(|(version, resources)| {
                    let r = resources
                        .iter()
                        .find(|r| r.pointer("/responseKind/kind").and_then(Value::as_str) == Some(kind))?;
                    let plural = r.get("resource")?.as_str()?;
                    let namespaced = r.get("scope").and_then(Value::as_str) != Some("Cluster");
                    Some(resource(wanted_group, version, plural, kind, namespaced))
                });
            if let Some(found) = found {
                out.push(Resource { needed_by: rules, ..found });
            }
        }
    }
    out
}

fn resource(group: &str, version: &str, plural: &str, kind: &str, namespaced: bool) -> Resource {
    Resource {
        plural: Cow::Owned(plural.to_string()),
        group: Cow::Owned(group.to_string()),
        version: Cow::Owned(version.to_string()),
        kind: Cow::Owned(kind.to_string()),
        namespaced,
        needed_by: &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregated_discovery_gives_the_preferred_version_of_each_wanted_kind() {
        let root = serde_json::json!({"kind": "APIGroupDiscoveryList", "items": [
            {"metadata": {"name": "apps"}, "versions": [{"version": "v1", "resources": [
                {"resource": "deployments", "responseKind": {"kind": "Deployment"}, "scope": "Namespaced"}]}]},
            {"metadata": {"name": "managedidentity.azure.com"}, "versions": [
                {"version": "v1api20230131", "resources": [{"resource": "federatedidentitycredentials",
                 "responseKind": {"kind": "FederatedIdentityCredential"}, "scope": "Namespaced"}]},
                {"version": "v1api20220131preview", "resources": []}]}]});
        let found = from_aggregated(&root);
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].version.as_ref(), found[0].plural.as_ref()),
            ("v1api20230131", "federatedidentitycredentials")
        );
        assert!(found[0].needed_by.contains(&"IB401"));
    }
}
