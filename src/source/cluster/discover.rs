//! Discovery of the custom resources worth reading: federated credentials (ASO, Crossplane)
//! and legacy aad-pod-identity objects, when their CRDs are installed.

use std::borrow::Cow;

use kube::discovery::{Discovery, Scope};

use super::catalog::{Resource, CUSTOM_KINDS};

/// The custom resources present on the server, at each group's preferred version.
pub async fn custom_resources(client: &kube::Client) -> Result<Vec<Resource>, String> {
    let groups: Vec<&str> = CUSTOM_KINDS.iter().map(|(group, _, _)| *group).collect();
    let discovery = Discovery::new(client.clone())
        .filter(&groups)
        .run_aggregated()
        .await
        .map_err(|e| format!("discovery failed: {e}"))?;
    let mut out = Vec::new();
    for group in discovery.groups() {
        for (resource, capabilities) in group.recommended_resources() {
            let Some((_, _, rules)) =
                CUSTOM_KINDS.iter().find(|(g, kind, _)| *g == resource.group && *kind == resource.kind)
            else {
                continue;
            };
            out.push(Resource {
                plural: Cow::Owned(resource.plural),
                group: Cow::Owned(resource.group),
                version: Cow::Owned(resource.version),
                namespaced: capabilities.scope == Scope::Namespaced,
                needed_by: rules,
            });
        }
    }
    Ok(out)
}
