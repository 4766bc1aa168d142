//! The domain model: typed, positioned objects that rules read.
//!
//! Sources build these; rules never see YAML. Every field a rule can point at keeps its span.

mod authz;
mod compact;
mod fic;
mod fleet;
mod interned;
mod inventory;
mod keyed;
mod legacy;
mod lists;
mod live;
mod meta;
mod pod_facts;
mod pod_kinds;
mod privilege;
mod rbac;
mod sidecars;
mod stored;
mod tools;
mod unread;
mod values;
mod workload;

pub use authz::{rule_allows, rule_allows_any_resource, Decision, Grant, Request};
pub use fic::{
    identity_key, same_identity, FederatedCredential, FicAction, IdentityBindingResource, PrefixedText,
    MANAGED_FIC_NAME,
};
pub use fleet::{AccountGrant, ClusterFacts, FleetView, Grantor};
pub(crate) use keyed::position;
pub use legacy::LegacyPodIdentity;
pub use live::{
    AccessReview, LiveContainer, LivePod, LiveState, TokenVolume, Unavailable, UnavailableCause, WebhookConfiguration,
    WebhookDeployment, ADDON_NAMESPACE, AKS_SYSTEM_LABEL, IDENTITY_BINDING_AUDIENCE, OSS_NAMESPACE, TOKEN_PROXY_ENV,
    WEBHOOK_CONFIGURATION,
};
pub use privilege::{ADDON_MANAGER_LABEL, AKS_MANAGED_BY_LABEL, BOOTSTRAPPING_LABEL, MASTERS_GROUP};
pub use rbac::{Binding, LabelSelector, PolicyRule, Role, RoleRef, SelectorRequirement, Subject, SubjectKind};
pub use sidecars::{injector_of, Injection, Injector, INJECTORS};
pub use tools::{
    image_name, markdown_table as tools_table, tool_of, AccountRef, Reach, SuppliedId, Tool, ToolConfig, CERT_MANAGER,
    CROSSPLANE_AZURE, EXTERNAL_DNS, EXTERNAL_SECRETS, KEDA, TOOLS, VELERO,
};

pub use interned::Interned;
pub use inventory::{FailureCause, HasMeta, Inventory, Objects, ParseFailure, SkipNote};
pub use meta::{
    ConfigMap, Entries, Entry, Meta, ObjectRef, Origin, Place, ServiceAccount, SharedStr, Str, Text, ValueType,
};
pub use pod_facts::{PodFacts, SharedPodFacts};
pub use pod_kinds::{markdown_table as pod_kinds_table, pod_kind, AccountDefault, PodKind, PodLayout, POD_KINDS};
pub use values::{is_dns1123_label, is_dns1123_subdomain, is_guid, is_placeholder, is_qualified_name};
pub use workload::{
    identity_binding_enabled, is_ib_pod, is_wi_pod, wants_proxy_sidecar, Container, EnvVar, OuterMetadata, PodExtras,
    PodTemplate, ProjectedToken, VolumeMount, Workload, WorkloadRef, FEDERATED_TOKEN_FILE,
};

/// The annotation/label prefix the workload identity webhook reads.
pub const WI_PREFIX: &str = "azure.workload.identity/";
pub const USE_LABEL: &str = "azure.workload.identity/use";
pub const CLIENT_ID: &str = "azure.workload.identity/client-id";
pub const TENANT_ID: &str = "azure.workload.identity/tenant-id";
pub const TOKEN_EXPIRATION: &str = "azure.workload.identity/service-account-token-expiration";
pub const SKIP_CONTAINERS: &str = "azure.workload.identity/skip-containers";
pub const INJECT_PROXY_SIDECAR: &str = "azure.workload.identity/inject-proxy-sidecar";
pub const PROXY_SIDECAR_PORT: &str = "azure.workload.identity/proxy-sidecar-port";
pub const USE_IDENTITY_BINDING: &str = "azure.workload.identity/use-identity-binding";

/// The RBAC verb and API group that identity bindings authorize (the client id is the resource).
pub const USE_MANAGED_IDENTITY: &str = "use-managed-identity";
pub const IDENTITY_API_GROUP: &str = "cid.wi.aks.azure.com";

/// Every key the webhook knows under its prefix; anything else is a typo.
pub const KNOWN_WI_KEYS: &[&str] = &[
    USE_LABEL,
    CLIENT_ID,
    TENANT_ID,
    TOKEN_EXPIRATION,
    SKIP_CONTAINERS,
    INJECT_PROXY_SIDECAR,
    PROXY_SIDECAR_PORT,
    USE_IDENTITY_BINDING,
];

/// The annotation that suppresses findings on an object.
pub const IGNORE_ANNOTATION: &str = "iblint.io/ignore";
