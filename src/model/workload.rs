use std::fmt;

use super::meta::{Entries, Entry, Meta, ObjectRef, Str};
use super::pod_kinds::AccountDefault;
use super::{INJECT_PROXY_SIDECAR, USE_IDENTITY_BINDING, USE_LABEL, WI_PREFIX};
use crate::span::Span;

/// Any pod-bearing object (Pod, Deployment, CronJob, SparkApplication, …), seen through one of its
/// pod templates. An object with several pod templates (a Spark driver and its executors, the
/// templates of an Argo Workflow) is one workload per template, the later ones marked
/// [`Workload::shares_meta`].
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Workload {
    /// The object's own metadata (for a Pod, the pod's).
    pub meta: Meta,
    /// False for a bare Pod, whose own metadata *is* the pod template's.
    pub has_controller_meta: bool,
    /// The use label's entries in `spec.selector.matchLabels` (or `spec.selector` of a
    /// ReplicationController): no rule reads the selector's other labels. A boxed slice without
    /// the span of its map, which no rule points at (16 bytes of every workload).
    pub selector: Box<[Entry]>,
    /// Metadata between the object and its pods that labels something else, such as a CronJob's
    /// Job template. Boxed: few kinds have one.
    pub outer: Option<Box<OuterMetadata>>,
    pub pod: PodTemplate,
    /// Which of the object's pod templates this is, when it has several (`driver`, `template main`).
    pub part: Option<super::Interned>,
    /// A later pod template of an object already in the model: checks of the object's own
    /// metadata run on the first one only.
    pub shares_meta: bool,
    /// The namespace the pods run in, when it is not the object's (Crossplane package runtimes).
    pub pod_namespace: Option<super::Interned>,
}

/// Labels and annotations on an intermediate template that do not reach the pods.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct OuterMetadata {
    /// What the template is called ("Job template").
    #[serde(with = "super::stored::static_str")]
    pub name: super::stored::StaticStr,
    /// What the metadata labels instead ("the Job template's metadata, which labels the Jobs, …").
    #[serde(with = "super::stored::static_str")]
    pub what: super::stored::StaticStr,
    pub labels: Entries,
    pub annotations: Entries,
}

impl Workload {
    /// The use label in the selector (the last one when repeated, as the API server reads it).
    pub fn selector_use_label(&self) -> Option<&Entry> {
        super::meta::last_named(&self.selector, USE_LABEL)
    }

    /// The namespace the pods run in, where their ServiceAccount must be.
    pub fn namespace(&self) -> &str {
        self.pod_namespace.as_deref().unwrap_or(&self.meta.namespace)
    }

    /// The object as messages name it, with the pod template when it has several:
    /// `SparkApplication team-a/etl (executor)`.
    pub fn object(&self) -> WorkloadRef {
        WorkloadRef { object: self.meta.object_ref(), part: self.part }
    }
}

/// A workload as messages name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkloadRef {
    pub object: ObjectRef,
    pub part: Option<super::Interned>,
}

impl fmt::Display for WorkloadRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.part {
            Some(part) => write!(f, "{} ({part})", self.object),
            None => write!(f, "{}", self.object),
        }
    }
}

/// The pod template of a workload, with every field the rules point at.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct PodTemplate {
    /// The `template:` key (the `kind:` value of a bare Pod): anchor of last resort.
    pub anchor: Span,
    pub metadata_span: Option<Span>,
    pub labels: Entries,
    pub annotations: Entries,
    pub spec_span: Option<Span>,
    pub service_account_name: Option<Str>,
    /// The deprecated alias of `serviceAccountName` (boxed: rarely written).
    pub service_account: Option<Box<Str>>,
    /// Boxed slices of their exact size, as a container's lists (every workload has these).
    pub containers: Box<[Container]>,
    /// What few templates declare (`None` when the template declares none of it).
    pub extras: Option<Box<PodExtras>>,
    /// What the kind and layout say about the pods (who picks the account, where labels go):
    /// shared by every workload of a kind.
    pub facts: super::SharedPodFacts,
}

/// What few pod templates declare, boxed: every workload pays for the fields, and most have none
/// of them (48 bytes of each workload, where the box takes 8).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct PodExtras {
    pub host_network: Option<(bool, Span)>,
    /// The `driver` of every CSI volume (e.g. `secrets-store.csi.k8s.io`).
    pub csi_drivers: Vec<String>,
    /// Projected ServiceAccount token volumes the template declares itself.
    pub projected_tokens: Vec<ProjectedToken>,
}

impl PodExtras {
    /// The extras, boxed, when there are any.
    pub fn boxed(
        host_network: Option<(bool, Span)>,
        mut csi_drivers: Vec<String>,
        mut projected_tokens: Vec<ProjectedToken>,
    ) -> Option<Box<PodExtras>> {
        let none = host_network.is_none() && csi_drivers.is_empty() && projected_tokens.is_empty();
        csi_drivers.shrink_to_fit();
        projected_tokens.shrink_to_fit();
        (!none).then(|| Box::new(PodExtras { host_network, csi_drivers, projected_tokens }))
    }
}

/// A `projected` volume source `serviceAccountToken` the pod template declares itself.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ProjectedToken {
    /// The volume's name.
    pub volume: Str,
    /// `audience`; `None` means the API server's audience.
    pub audience: Option<Str>,
    /// `path` of the token inside the volume.
    pub path: Str,
}

impl PodTemplate {
    /// What the template declares of [`PodExtras`] (all empty when nothing).
    pub fn extras(&self) -> &PodExtras {
        static NONE: PodExtras =
            PodExtras { host_network: None, csi_drivers: Vec::new(), projected_tokens: Vec::new() };
        self.extras.as_deref().unwrap_or(&NONE)
    }

    /// The nearest existing anchor for a missing pod label: `labels:`, `metadata:`, `template:`.
    pub fn labels_anchor(&self) -> Span {
        super::meta::nearest_in_own_file(&[self.labels.key_span, self.metadata_span], self.anchor)
    }

    /// The nearest existing anchor for a missing pod annotation.
    pub fn annotations_anchor(&self) -> Span {
        super::meta::nearest_in_own_file(&[self.annotations.key_span, self.metadata_span], self.anchor)
    }

    /// The ServiceAccount the pod runs as and the field that names it; `None` means `default`.
    pub fn service_account_ref(&self) -> Option<&Str> {
        self.service_account_name
            .as_ref()
            .filter(|s| !s.value.is_empty())
            .or(self.service_account.as_deref().filter(|s| !s.value.is_empty()))
    }

    /// The effective ServiceAccount name; `None` when the template names none and the controller
    /// or whoever submits the object picks it.
    pub fn service_account_name(&self) -> Option<&str> {
        match (self.service_account_ref(), self.facts.account_default) {
            (Some(s), _) => Some(s.value.as_str()),
            (None, AccountDefault::Default) => Some("default"),
            (None, AccountDefault::ChosenElsewhere(_)) => None,
        }
    }

    /// Whether the pod has a container of that name, counting the ones its controller adds; a
    /// template merged into the controller's may name none of them.
    pub fn has_container(&self, name: &str) -> bool {
        self.facts.partial_containers
            || self.facts.added_containers.contains(&name)
            || self.containers.iter().any(|c| c.name.value == name)
    }

    /// The token files a container can read from the projected ServiceAccount tokens the pod
    /// declares itself, with the token each one holds.
    pub fn own_token_files<'a>(&'a self, c: &'a Container) -> Vec<(String, &'a ProjectedToken)> {
        let mut out = Vec::new();
        for m in &c.mounts {
            for t in self.extras().projected_tokens.iter().filter(|t| t.volume.value == m.name.value) {
                let dir = m.mount_path.value.trim_end_matches('/');
                let file = t.path.value.trim_start_matches("./");
                match &m.sub_path {
                    Some(sub) if sub.value.trim_end_matches('/') == file => out.push((dir.to_string(), t)),
                    Some(sub) => {
                        if let Some(rest) = file.strip_prefix(sub.value.trim_end_matches('/')) {
                            out.push((format!("{dir}{rest}"), t));
                        }
                    }
                    None => out.push((format!("{dir}/{file}"), t)),
                }
            }
        }
        out
    }

    /// The pod brings its own federated token: it projects a ServiceAccount token itself and a
    /// container sets `AZURE_FEDERATED_TOKEN_FILE`, so it works without the webhook.
    pub fn brings_own_token(&self) -> bool {
        !self.extras().projected_tokens.is_empty()
            && self.containers.iter().any(|c| c.env.iter().any(|e| e.name.value == FEDERATED_TOKEN_FILE))
    }

    /// All containers, init containers included.
    pub fn all_containers(&self) -> impl Iterator<Item = &Container> {
        self.containers.iter()
    }
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Container {
    pub name: Str,
    pub init: bool,
    pub image: Option<Str>,
    // Boxed slices of their exact size, not vectors: every pod template has a container or two,
    // and the room a vector keeps for its capacity was 40 bytes a container.
    pub mounts: Box<[VolumeMount]>,
    pub env: Box<[EnvVar]>,
    /// The span of each `envFrom` entry.
    pub env_from: Box<[Span]>,
    pub command: Box<[Str]>,
    pub args: Box<[Str]>,
    pub span: Span,
}

/// A container's `volumeMounts` entry.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct VolumeMount {
    pub name: Str,
    pub mount_path: Str,
    /// `subPath`: one file or directory of the volume mounted at `mount_path`.
    pub sub_path: Option<Str>,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct EnvVar {
    pub name: Str,
    /// A literal `value:`; `None` when absent or set through `valueFrom`.
    pub value: Option<Str>,
    pub value_from: bool,
}

/// The variable that tells Azure SDKs where the federated token is.
pub const FEDERATED_TOKEN_FILE: &str = "AZURE_FEDERATED_TOKEN_FILE";

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
