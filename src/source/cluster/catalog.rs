//! What the audit lists, and which rules cannot run without each list.
//!
//! One table, so "what could not be checked" is always derived from the same facts as "what was
//! read". Secrets are deliberately absent: the audit never asks for them.

use std::borrow::Cow;

/// A resource type the audit lists: built-in ones are constants, custom ones come from discovery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Resource {
    /// Plural name, as in the API path and in RBAC rules.
    pub plural: Cow<'static, str>,
    /// API group; empty for the core group.
    pub group: Cow<'static, str>,
    pub version: Cow<'static, str>,
    /// The kind of its objects: a list of them is a `<kind>List`.
    pub kind: Cow<'static, str>,
    pub namespaced: bool,
    /// Rules whose findings would be guesses without this list: skipped when it is forbidden.
    pub needed_by: &'static [&'static str],
}

/// A built-in resource type.
const fn builtin(
    (plural, kind): (&'static str, &'static str),
    group: &'static str,
    version: &'static str,
    namespaced: bool,
    needed_by: &'static [&'static str],
) -> Resource {
    Resource {
        plural: Cow::Borrowed(plural),
        group: Cow::Borrowed(group),
        version: Cow::Borrowed(version),
        kind: Cow::Borrowed(kind),
        namespaced,
        needed_by,
    }
}

impl Resource {
    /// The list path, cluster-wide or in one namespace.
    pub(super) fn path(&self, namespace: Option<&str>) -> String {
        let base = if self.group.is_empty() {
            format!("/api/{}", self.version)
        } else {
            format!("/apis/{}/{}", self.group, self.version)
        };
        match namespace.filter(|_| self.namespaced) {
            Some(ns) => format!("{base}/namespaces/{ns}/{}", self.plural),
            None => format!("{base}/{}", self.plural),
        }
    }
}

const SA_RULES: &[&str] = &[
    "IB106", "IB112", "IB201", "IB202", "IB203", "IB204", "IB205", "IB301", "IB302", "IB303", "IB308", "IB605", "IB607",
];
const RBAC_RULES: &[&str] = &["IB301", "IB302", "IB303", "IB304", "IB305", "IB306", "IB307", "IB308", "IB607"];

pub(super) const PODS: Resource = builtin(("pods", "Pod"), "", "v1", true, &["IB308", "IB603", "IB604", "IB605"]);
pub(super) const SERVICE_ACCOUNTS: Resource = builtin(("serviceaccounts", "ServiceAccount"), "", "v1", true, SA_RULES);
pub(super) const NAMESPACES: Resource = builtin(("namespaces", "Namespace"), "", "v1", false, &[]);
pub(super) const CONFIG_MAPS: Resource = builtin(("configmaps", "ConfigMap"), "", "v1", true, &["IB113"]);
pub(super) const CLUSTER_ROLES: Resource =
    builtin(("clusterroles", "ClusterRole"), "rbac.authorization.k8s.io", "v1", false, RBAC_RULES);
pub(super) const CLUSTER_ROLE_BINDINGS: Resource =
    builtin(("clusterrolebindings", "ClusterRoleBinding"), "rbac.authorization.k8s.io", "v1", false, RBAC_RULES);
pub(super) const ROLES: Resource = builtin(("roles", "Role"), "rbac.authorization.k8s.io", "v1", true, RBAC_RULES);
pub(super) const ROLE_BINDINGS: Resource =
    builtin(("rolebindings", "RoleBinding"), "rbac.authorization.k8s.io", "v1", true, RBAC_RULES);
pub(super) const WEBHOOK_CONFIGURATIONS: Resource = builtin(
    ("mutatingwebhookconfigurations", "MutatingWebhookConfiguration"),
    "admissionregistration.k8s.io",
    "v1",
    false,
    &["IB601"],
);
/// Deployments: the webhook's (in its two namespaces) and every workload's pod template.
pub(super) const DEPLOYMENTS: Resource =
    builtin(("deployments", "Deployment"), "apps", "v1", true, &["IB601", "IB602", "IB606"]);
/// Workload controllers whose pod templates the manifest rules read. When one cannot be listed,
/// the pods it owns stand in for it (one per owner and template), so no rule is skipped.
pub(super) const CONTROLLERS: &[Resource] = &[
    builtin(("statefulsets", "StatefulSet"), "apps", "v1", true, &[]),
    builtin(("daemonsets", "DaemonSet"), "apps", "v1", true, &[]),
    builtin(("jobs", "Job"), "batch", "v1", true, &[]),
    builtin(("cronjobs", "CronJob"), "batch", "v1", true, &[]),
];

/// The resources listed on every audit (custom resources come from discovery).
pub(super) fn standard() -> Vec<Resource> {
    let mut out = vec![
        PODS,
        SERVICE_ACCOUNTS,
        NAMESPACES,
        CONFIG_MAPS,
        CLUSTER_ROLES,
        CLUSTER_ROLE_BINDINGS,
        ROLES,
        ROLE_BINDINGS,
        WEBHOOK_CONFIGURATIONS,
        DEPLOYMENTS,
    ];
    out.extend_from_slice(CONTROLLERS);
    out
}

/// Custom resource kinds the audit reads when discovery finds their group: federated
/// credentials (ASO, Crossplane) and legacy aad-pod-identity objects.
pub(super) const CUSTOM_KINDS: &[(&str, &str, &[&str])] = &[
    ("managedidentity.azure.com", "FederatedIdentityCredential", &["IB401", "IB402", "IB403", "IB404"]),
    ("managedidentity.azure.upbound.io", "FederatedIdentityCredential", &["IB401", "IB402", "IB403", "IB404"]),
    ("managedidentity.azure.m.upbound.io", "FederatedIdentityCredential", &["IB401", "IB402", "IB403", "IB404"]),
    ("aadpodidentity.k8s.io", "AzureIdentity", &["IB501"]),
    ("aadpodidentity.k8s.io", "AzureIdentityBinding", &["IB501"]),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_the_api_layout() {
        assert_eq!(PODS.path(None), "/api/v1/pods");
        assert_eq!(PODS.path(Some("team-a")), "/api/v1/namespaces/team-a/pods");
        assert_eq!(CLUSTER_ROLES.path(Some("team-a")), "/apis/rbac.authorization.k8s.io/v1/clusterroles");
        assert_eq!(ROLES.path(Some("x")), "/apis/rbac.authorization.k8s.io/v1/namespaces/x/roles");
    }

    #[test]
    fn secrets_are_never_listed() {
        assert!(standard().iter().all(|r| r.plural != "secrets"));
    }
}
