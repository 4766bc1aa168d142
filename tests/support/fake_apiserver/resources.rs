//! The resource types the fake serves: what discovery lists and what the list/get routes accept.

/// Verbs of a read-write built-in type. The fake only answers reads, but discovery advertises what a
/// real server does so clients (kubectl's RESTMapper, kube's discovery) see the usual cluster.
pub const READ_WRITE: &[&str] = &["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
/// Verbs of a namespace (no deletecollection).
const NAMESPACE_VERBS: &[&str] = &["create", "delete", "get", "list", "patch", "update", "watch"];
/// Verbs of the access-review types: they are only ever created.
const CREATE_ONLY: &[&str] = &["create"];

/// One resource type: `apps/v1 deployments`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceType {
    /// API group, `""` for the core group.
    pub group: String,
    pub version: String,
    /// Plural resource name, as in URLs: `deployments`.
    pub plural: String,
    pub kind: String,
    pub namespaced: bool,
    pub verbs: Vec<String>,
    pub short_names: Vec<String>,
    /// Built-in types come from the server's own scheme; custom resources come from CRDs. Real
    /// servers omit `apiVersion`/`kind` on the items of built-in lists and keep them on CRD lists.
    pub builtin: bool,
}

impl ResourceType {
    pub fn new(group: &str, version: &str, plural: &str, kind: &str, namespaced: bool, verbs: &[&str]) -> ResourceType {
        ResourceType {
            group: group.to_string(),
            version: version.to_string(),
            plural: plural.to_string(),
            kind: kind.to_string(),
            namespaced,
            verbs: verbs.iter().map(|v| v.to_string()).collect(),
            short_names: Vec::new(),
            builtin: true,
        }
    }

    /// A custom resource type, its plural derived from the kind as CRD generators derive it.
    pub fn custom(group: &str, version: &str, kind: &str, namespaced: bool) -> ResourceType {
        let plural = plural_of(kind);
        ResourceType { builtin: false, ..ResourceType::new(group, version, &plural, kind, namespaced, READ_WRITE) }
    }

    fn short(mut self, names: &[&str]) -> ResourceType {
        self.short_names = names.iter().map(|n| n.to_string()).collect();
        self
    }

    /// `v1` or `apps/v1`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `pods` or `clusterroles.rbac.authorization.k8s.io`, as Status messages name a type.
    pub fn qualified_plural(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    pub fn singular(&self) -> String {
        self.kind.to_ascii_lowercase()
    }

    pub fn can(&self, verb: &str) -> bool {
        self.verbs.iter().any(|v| v == verb)
    }
}

/// The built-in types every fake cluster has, whether or not it holds objects of them.
pub fn builtin() -> Vec<ResourceType> {
    let rbac = "rbac.authorization.k8s.io";
    let authz = "authorization.k8s.io";
    vec![
        ResourceType::new("", "v1", "pods", "Pod", true, READ_WRITE).short(&["po"]),
        ResourceType::new("", "v1", "serviceaccounts", "ServiceAccount", true, READ_WRITE).short(&["sa"]),
        ResourceType::new("", "v1", "namespaces", "Namespace", false, NAMESPACE_VERBS).short(&["ns"]),
        ResourceType::new("", "v1", "configmaps", "ConfigMap", true, READ_WRITE).short(&["cm"]),
        ResourceType::new("", "v1", "secrets", "Secret", true, READ_WRITE),
        ResourceType::new("apps", "v1", "deployments", "Deployment", true, READ_WRITE).short(&["deploy"]),
        ResourceType::new("apps", "v1", "statefulsets", "StatefulSet", true, READ_WRITE).short(&["sts"]),
        ResourceType::new("apps", "v1", "daemonsets", "DaemonSet", true, READ_WRITE).short(&["ds"]),
        ResourceType::new("apps", "v1", "replicasets", "ReplicaSet", true, READ_WRITE).short(&["rs"]),
        ResourceType::new("batch", "v1", "jobs", "Job", true, READ_WRITE),
        ResourceType::new("batch", "v1", "cronjobs", "CronJob", true, READ_WRITE).short(&["cj"]),
        ResourceType::new(rbac, "v1", "clusterroles", "ClusterRole", false, READ_WRITE),
        ResourceType::new(rbac, "v1", "clusterrolebindings", "ClusterRoleBinding", false, READ_WRITE),
        ResourceType::new(rbac, "v1", "roles", "Role", true, READ_WRITE),
        ResourceType::new(rbac, "v1", "rolebindings", "RoleBinding", true, READ_WRITE),
        ResourceType::new(
            "admissionregistration.k8s.io",
            "v1",
            "mutatingwebhookconfigurations",
            "MutatingWebhookConfiguration",
            false,
            READ_WRITE,
        ),
        ResourceType::new(authz, "v1", "subjectaccessreviews", "SubjectAccessReview", false, CREATE_ONLY),
        ResourceType::new(authz, "v1", "selfsubjectaccessreviews", "SelfSubjectAccessReview", false, CREATE_ONLY),
    ]
}

/// The lower-cased English plural of a kind, the way kubebuilder's pluralizer names CRDs:
/// `AzureIdentity` → `azureidentities`, `FederatedIdentityCredential` → `federatedidentitycredentials`.
/// Register the type explicitly ([`super::Cluster::with_resource`]) when a CRD chose otherwise.
pub fn plural_of(kind: &str) -> String {
    let lower = kind.to_ascii_lowercase();
    let consonant_y = lower.strip_suffix('y').filter(|stem| !stem.ends_with(['a', 'e', 'i', 'o', 'u']));
    if let Some(stem) = consonant_y {
        return format!("{stem}ies");
    }
    if ["s", "x", "z", "ch", "sh"].iter().any(|end| lower.ends_with(end)) {
        return format!("{lower}es");
    }
    format!("{lower}s")
}
