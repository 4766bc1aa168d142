use super::meta::{Entries, Meta, Str};
use super::{INJECT_PROXY_SIDECAR, USE_IDENTITY_BINDING, USE_LABEL, WI_PREFIX};
use crate::span::Span;

/// Any pod-bearing object (Pod, Deployment, CronJob, …), seen through its pod template.
#[derive(Clone, Debug)]
pub struct Workload {
    /// The object's own metadata (for a Pod, the pod's).
    pub meta: Meta,
    /// False for a bare Pod, whose own metadata *is* the pod template's.
    pub has_controller_meta: bool,
    /// `spec.selector.matchLabels` (or `spec.selector` of a ReplicationController).
    pub selector: Entries,
    pub pod: PodTemplate,
}

/// The pod template of a workload, with every field the rules point at.
#[derive(Clone, Debug, Default)]
pub struct PodTemplate {
    /// The `template:` key (the `kind:` value of a bare Pod): anchor of last resort.
    pub anchor: Span,
    pub metadata_span: Option<Span>,
    pub labels: Entries,
    pub annotations: Entries,
    pub spec_span: Option<Span>,
    pub service_account_name: Option<Str>,
    /// The deprecated alias of `serviceAccountName`.
    pub service_account: Option<Str>,
    pub host_network: Option<(bool, Span)>,
    pub containers: Vec<Container>,
    /// The `driver` of every CSI volume (e.g. `secrets-store.csi.k8s.io`).
    pub csi_drivers: Vec<String>,
}

impl PodTemplate {
    /// The nearest existing anchor for a missing pod label: `labels:`, `metadata:`, `template:`.
    pub fn labels_anchor(&self) -> Span {
        self.labels.key_span.or(self.metadata_span).unwrap_or(self.anchor)
    }

    /// The nearest existing anchor for a missing pod annotation.
    pub fn annotations_anchor(&self) -> Span {
        self.annotations.key_span.or(self.metadata_span).unwrap_or(self.anchor)
    }

    /// The ServiceAccount the pod runs as and the field that names it; `None` means `default`.
    pub fn service_account_ref(&self) -> Option<&Str> {
        self.service_account_name
            .as_ref()
            .filter(|s| !s.value.is_empty())
            .or(self.service_account.as_ref().filter(|s| !s.value.is_empty()))
    }

    /// The effective ServiceAccount name.
    pub fn service_account_name(&self) -> &str {
        self.service_account_ref().map_or("default", |s| s.value.as_str())
    }

    /// All containers, init containers included.
    pub fn all_containers(&self) -> impl Iterator<Item = &Container> {
        self.containers.iter()
    }
}

#[derive(Clone, Debug)]
pub struct Container {
    pub name: Str,
    pub init: bool,
    pub env: Vec<EnvVar>,
    /// The span of each `envFrom` entry.
    pub env_from: Vec<Span>,
    pub command: Vec<Str>,
    pub args: Vec<Str>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct EnvVar {
    pub name: Str,
    /// A literal `value:`; `None` when absent or set through `valueFrom`.
    pub value: Option<Str>,
    pub value_from: bool,
}

/// The pod template asks for identity binding (any value of the annotation: IB105 judges it).
pub fn is_ib_pod(pod: &PodTemplate) -> bool {
    pod.annotations.contains(USE_IDENTITY_BINDING)
}

/// The pod template opts into workload identity: the `use` label (any value), any
/// `azure.workload.identity/*` pod annotation, or identity binding.
pub fn is_wi_pod(pod: &PodTemplate) -> bool {
    pod.labels.contains(USE_LABEL) || pod.annotations.with_prefix(WI_PREFIX).next().is_some() || is_ib_pod(pod)
}

/// The identity-binding annotation's value turns identity binding on (the webhook compares
/// ignoring case).
pub fn identity_binding_enabled(pod: &PodTemplate) -> bool {
    pod.annotations.value(USE_IDENTITY_BINDING).is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// The proxy sidecar is requested (presence is enough: the webhook ignores the value).
pub fn wants_proxy_sidecar(pod: &PodTemplate) -> bool {
    pod.annotations.contains(INJECT_PROXY_SIDECAR)
}
