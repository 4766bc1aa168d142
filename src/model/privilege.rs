//! RBAC grants that are no identity-binding grants a user wrote: objects the platform manages
//! (Kubernetes' bootstrap policy, AKS and its add-on manager), and subjects that already hold
//! every permission (`system:masters`, anyone a ClusterRoleBinding gives `*` on `*`/`*`). A
//! `use-managed-identity` rule adds nothing to a superuser's rights.

use super::inventory::Inventory;
use super::meta::Meta;
use super::rbac::{Binding, Subject, SubjectKind};

/// Kubernetes' bootstrap RBAC policy labels its roles and bindings with this.
pub const BOOTSTRAPPING_LABEL: &str = "kubernetes.io/bootstrapping";
/// AKS labels what it manages with `kubernetes.azure.com/managedby: aks`.
pub const AKS_MANAGED_BY_LABEL: &str = "kubernetes.azure.com/managedby";
/// Objects the addon manager reconciles (AKS's `aks-service`, `aks-cluster-admin-binding`, …).
pub const ADDON_MANAGER_LABEL: &str = "addonmanager.kubernetes.io/mode";
/// The group of cluster administrators: it bypasses authorization altogether.
pub const MASTERS_GROUP: &str = "system:masters";

impl Meta {
    /// Created and reconciled by the platform, not by the cluster's users: Kubernetes' bootstrap
    /// policy (`kubernetes.io/bootstrapping: rbac-defaults`), AKS (`kubernetes.azure.com/managedby:
    /// aks`) and the addon manager (`addonmanager.kubernetes.io/mode`). Changing them is undone.
    pub fn is_platform_managed(&self) -> bool {
        self.labels.value(BOOTSTRAPPING_LABEL) == Some("rbac-defaults")
            || self.labels.value(AKS_MANAGED_BY_LABEL) == Some("aks")
            || matches!(self.labels.value(ADDON_MANAGER_LABEL), Some("Reconcile" | "EnsureExists"))
    }
}

/// A subject as RBAC matches it: kind, namespace (ServiceAccounts only) and name.
pub(super) type SubjectKey = (SubjectKind, String, String);

pub(super) fn subject_key(b: &Binding, s: &Subject) -> SubjectKey {
    let namespace = match s.kind {
        // In a RoleBinding an empty namespace means the binding's own.
        SubjectKind::ServiceAccount => s.namespace.as_ref().map(|n| n.value.to_string()).unwrap_or_else(|| {
            if b.is_cluster_binding() {
                String::new()
            } else {
                b.meta.namespace.to_string()
            }
        }),
        _ => String::new(),
    };
    (s.kind.clone(), namespace, s.name.value.to_string())
}

impl Inventory {
    /// The binding's role (or a role it aggregates) has a `*`/`*`/`*` rule: its subjects hold
    /// every permission in the binding's scope.
    pub fn grants_everything(&self, b: &Binding) -> bool {
        self.rules_of_binding(b).iter().any(|(_, r)| r.grants_everything())
    }

    /// The subject holds every permission cluster-wide whatever this binding says:
    /// `system:masters`, or a subject some ClusterRoleBinding gives `*` on `*`/`*`.
    pub fn holds_everything(&self, b: &Binding, s: &Subject) -> bool {
        // The key is made only when there are superusers to compare it with (usually none).
        (s.kind == SubjectKind::Group && s.name.value == MASTERS_GROUP)
            || (!self.rbac.superusers.is_empty() && self.rbac.superusers.contains(&subject_key(b, s)))
    }
}
