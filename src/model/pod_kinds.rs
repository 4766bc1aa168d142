//! Where each pod-bearing kind keeps its pod templates: one table that every source reads (the
//! manifest source, kustomize builds, live objects), so no rule and no other source switches on
//! `kind`, and the README's list of supported kinds is generated from it.

/// How a pod template is laid out inside its object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PodLayout {
    /// The object is the pod (`Pod`): its own `metadata` and `spec`.
    Object,
    /// A `PodTemplateSpec` (`metadata` + `spec`) at `path`.
    Template { path: &'static [&'static str] },
    /// A Spark Operator role (`spec.driver`, `spec.executor`): `labels`, `annotations`,
    /// `serviceAccount`, `env`, `envFrom`, `initContainers` and `sidecars` on one mapping. The
    /// operator adds the role's main container, `container`. A role without `serviceAccount`
    /// runs as the account of `account_fallback` (Spark gives executors the driver's account).
    SparkRole {
        path: &'static [&'static str],
        role: &'static str,
        container: &'static str,
        account_fallback: Option<&'static [&'static str]>,
    },
    /// Argo Workflows: every template of `<spec>.templates` that runs a pod (`container`,
    /// `script`, `containerSet`, `resource`, `data`); `<spec>.podMetadata` and
    /// `<spec>.serviceAccountName` apply to all of them, a template's own `metadata` and
    /// `serviceAccountName` to itself.
    ArgoTemplates { spec: &'static [&'static str] },
    /// Crossplane's deprecated `ControllerConfig`: the pod's `metadata`, `serviceAccountName`,
    /// and the one container's `env` directly under `spec`.
    ControllerConfig,
}

/// An intermediate template between an object and its pods.
#[derive(Clone, Copy, Debug)]
pub struct Outer {
    /// The key path of the mapping that holds the template's `metadata`.
    pub path: &'static [&'static str],
    /// What it is called ("Job template").
    pub name: &'static str,
    /// What its metadata labels instead of the pods, for messages.
    pub what: &'static str,
}

/// Who picks the ServiceAccount when the template names none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum AccountDefault {
    /// Kubernetes: the namespace's `default` account.
    #[default]
    Default,
    /// The controller or whoever submits the object picks it (the reason is told in findings' help).
    ChosenElsewhere(#[serde(with = "super::stored::static_str")] super::stored::StaticStr),
}

/// One kind that embeds pod templates.
#[derive(Clone, Copy, Debug)]
pub struct PodKind {
    /// API groups the kind is recognised in; empty means any group (built-in kinds, whose names
    /// other groups reuse with the same layout, such as OpenKruise's Advanced StatefulSet).
    pub groups: &'static [&'static str],
    pub kind: &'static str,
    pub layouts: &'static [PodLayout],
    /// Metadata between the object and its pods that labels something else (a CronJob's
    /// `spec.jobTemplate.metadata` labels the Jobs): the `use` label there does nothing.
    pub outer_metadata: Option<Outer>,
    /// `matchLabels` (or the plain label map of a ReplicationController).
    pub selector: Option<&'static [&'static str]>,
    pub account_default: AccountDefault,
    /// The namespace the pods run in when it is not the object's (Crossplane package runtimes
    /// run in Crossplane's namespace; `crossplane-system` is the documented default).
    pub pod_namespace: Option<&'static str>,
    /// Containers the controller adds to every pod (Argo's `init` and `wait`).
    pub added_containers: &'static [&'static str],
    /// The template is merged into one the controller owns, so it may leave containers out.
    pub partial_containers: bool,
    /// A ServiceAccount template the kind declares for its pods (Crossplane's
    /// `spec.serviceAccountTemplate`): a ServiceAccount in the pods' namespace.
    pub account_template: Option<&'static [&'static str]>,
}

const ANY: &[&str] = &[];
const SPEC_TEMPLATE: &[PodLayout] = &[PodLayout::Template { path: &["spec", "template"] }];
const MATCH_LABELS: Option<&[&str]> = Some(&["spec", "selector", "matchLabels"]);
const CROSSPLANE: &[&str] = &["pkg.crossplane.io"];
const KNATIVE: &[&str] = &["serving.knative.dev"];
const ARGO: &[&str] = &["argoproj.io"];
const SPARK: &[&str] = &["sparkoperator.k8s.io"];
const ARGO_ACCOUNT: AccountDefault =
    AccountDefault::ChosenElsewhere("Argo Workflows takes it from the submission or the controller's workflowDefaults");
const CROSSPLANE_ACCOUNT: AccountDefault = AccountDefault::ChosenElsewhere(
    "Crossplane's package manager runs the provider as the account of `spec.serviceAccountTemplate` (named after \
     the provider revision by default)",
);
const ARGO_CONTAINERS: &[&str] = &["init", "wait"];

const fn controller(groups: &'static [&'static str], kind: &'static str) -> PodKind {
    PodKind {
        groups,
        kind,
        layouts: SPEC_TEMPLATE,
        outer_metadata: None,
        selector: MATCH_LABELS,
        account_default: AccountDefault::Default,
        pod_namespace: None,
        added_containers: &[],
        partial_containers: false,
        account_template: None,
    }
}

const fn spark(kind: &'static str, spec: &'static [PodLayout]) -> PodKind {
    PodKind { layouts: spec, selector: None, ..controller(SPARK, kind) }
}

const fn argo(kind: &'static str, spec: &'static [PodLayout]) -> PodKind {
    PodKind {
        layouts: spec,
        selector: None,
        account_default: ARGO_ACCOUNT,
        added_containers: ARGO_CONTAINERS,
        ..controller(ARGO, kind)
    }
}

const SPARK_ROLES: &[PodLayout] = &[
    PodLayout::SparkRole {
        path: &["spec", "driver"],
        role: "driver",
        container: "spark-kubernetes-driver",
        account_fallback: None,
    },
    PodLayout::SparkRole {
        path: &["spec", "executor"],
        role: "executor",
        container: "spark-kubernetes-executor",
        account_fallback: Some(&["spec", "driver"]),
    },
];
const SCHEDULED_SPARK_ROLES: &[PodLayout] = &[
    PodLayout::SparkRole {
        path: &["spec", "template", "driver"],
        role: "driver",
        container: "spark-kubernetes-driver",
        account_fallback: None,
    },
    PodLayout::SparkRole {
        path: &["spec", "template", "executor"],
        role: "executor",
        container: "spark-kubernetes-executor",
        account_fallback: Some(&["spec", "template", "driver"]),
    },
];

/// Every kind whose pod templates the rules read.
pub static POD_KINDS: &[PodKind] = &[
    PodKind { layouts: &[PodLayout::Object], selector: None, ..controller(ANY, "Pod") },
    PodKind {
        layouts: &[PodLayout::Template { path: &["template"] }],
        selector: None,
        ..controller(ANY, "PodTemplate")
    },
    controller(ANY, "Deployment"),
    controller(ANY, "StatefulSet"),
    controller(ANY, "DaemonSet"),
    controller(ANY, "ReplicaSet"),
    PodKind { selector: Some(&["spec", "selector"]), ..controller(ANY, "ReplicationController") },
    controller(ANY, "Job"),
    PodKind {
        layouts: &[PodLayout::Template { path: &["spec", "jobTemplate", "spec", "template"] }],
        outer_metadata: Some(Outer {
            path: &["spec", "jobTemplate"],
            name: "Job template",
            what: "the Job template's metadata (it labels the Jobs, not their pods)",
        }),
        selector: Some(&["spec", "jobTemplate", "spec", "selector", "matchLabels"]),
        ..controller(ANY, "CronJob")
    },
    controller(ARGO, "Rollout"),
    controller(&["apps.kruise.io"], "CloneSet"),
    PodKind {
        layouts: &[PodLayout::Template { path: &["spec", "jobTargetRef", "template"] }],
        selector: Some(&["spec", "jobTargetRef", "selector", "matchLabels"]),
        ..controller(&["keda.sh"], "ScaledJob")
    },
    PodKind {
        layouts: &[PodLayout::Template { path: &["spec", "deploymentTemplate", "spec", "template"] }],
        outer_metadata: Some(Outer {
            path: &["spec", "deploymentTemplate"],
            name: "Deployment template",
            what: "the Deployment template's metadata (it labels the provider's Deployment, not its pods)",
        }),
        selector: Some(&["spec", "deploymentTemplate", "spec", "selector", "matchLabels"]),
        account_default: CROSSPLANE_ACCOUNT,
        pod_namespace: Some("crossplane-system"),
        partial_containers: true,
        account_template: Some(&["spec", "serviceAccountTemplate"]),
        ..controller(CROSSPLANE, "DeploymentRuntimeConfig")
    },
    PodKind {
        layouts: &[PodLayout::ControllerConfig],
        selector: None,
        account_default: CROSSPLANE_ACCOUNT,
        pod_namespace: Some("crossplane-system"),
        partial_containers: true,
        ..controller(CROSSPLANE, "ControllerConfig")
    },
    PodKind { selector: None, added_containers: &["queue-proxy"], ..controller(KNATIVE, "Service") },
    PodKind { selector: None, added_containers: &["queue-proxy"], ..controller(KNATIVE, "Configuration") },
    spark("SparkApplication", SPARK_ROLES),
    spark("ScheduledSparkApplication", SCHEDULED_SPARK_ROLES),
    argo("Workflow", &[PodLayout::ArgoTemplates { spec: &["spec"] }]),
    argo("WorkflowTemplate", &[PodLayout::ArgoTemplates { spec: &["spec"] }]),
    argo("ClusterWorkflowTemplate", &[PodLayout::ArgoTemplates { spec: &["spec"] }]),
    argo("CronWorkflow", &[PodLayout::ArgoTemplates { spec: &["spec", "workflowSpec"] }]),
];

/// The pod-bearing kind of an object, if it is one.
pub fn pod_kind(api_version: &str, kind: &str) -> Option<&'static PodKind> {
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    // A kind listed for specific groups wins over a built-in name (Knative's `Service` is not
    // core's, which has no pods; OpenKruise's StatefulSet shares the built-in layout anyway).
    POD_KINDS
        .iter()
        .find(|k| k.kind == kind && k.groups.contains(&group))
        .or_else(|| POD_KINDS.iter().find(|k| k.kind == kind && k.groups.is_empty()))
}

impl PodLayout {
    /// Where the pod's labels go, as a key path from the object's root.
    pub fn labels_path(&self) -> &'static [&'static str] {
        super::stored::intern_list(self.metadata_path("labels"))
    }

    /// Where the pod's annotations go, as a key path from the object's root.
    pub fn annotations_path(&self) -> &'static [&'static str] {
        super::stored::intern_list(self.metadata_path("annotations"))
    }

    fn metadata_path(&self, key: &'static str) -> Vec<&'static str> {
        match self {
            PodLayout::Object => vec!["metadata", key],
            PodLayout::Template { path } => [*path, &["metadata", key]].concat(),
            PodLayout::SparkRole { path, .. } => [*path, &[key]].concat(),
            PodLayout::ArgoTemplates { spec } => [*spec, &["podMetadata", key]].concat(),
            PodLayout::ControllerConfig => vec!["spec", "metadata", key],
        }
    }

    /// A short description of where the pod template is, for the README.
    fn describe(&self) -> String {
        match self {
            PodLayout::Object => "the object itself".to_string(),
            PodLayout::Template { path } => format!("`{}`", path.join(".")),
            PodLayout::SparkRole { path, .. } => {
                format!("`{}` (`labels`, `annotations`, `serviceAccount`)", path.join("."))
            }
            PodLayout::ArgoTemplates { spec } => {
                let spec = spec.join(".");
                format!(
                    "each pod-running template of `{spec}.templates` (its `metadata` merged over `{spec}.podMetadata`)"
                )
            }
            PodLayout::ControllerConfig => "`spec.metadata`, `spec.serviceAccountName`, `spec.env`".to_string(),
        }
    }
}

/// The README's table of kinds: one row per kind, from [`POD_KINDS`].
pub fn markdown_table() -> String {
    let mut out = String::from("| kind | API group | pod template | does not reach the pods |\n|---|---|---|---|\n");
    for k in POD_KINDS {
        let groups = if k.groups.is_empty() { "any".to_string() } else { k.groups.join(", ") };
        let templates: Vec<String> = k.layouts.iter().map(PodLayout::describe).collect();
        let mut elsewhere: Vec<String> = Vec::new();
        if !matches!(k.layouts, [PodLayout::Object]) {
            elsewhere.push("own `metadata`".to_string());
        }
        if let Some(selector) = k.selector {
            elsewhere.push(format!("`{}`", selector.join(".")));
        }
        if let Some(outer) = k.outer_metadata {
            elsewhere.push(format!("`{}.metadata`", outer.path.join(".")));
        }
        let elsewhere = if elsewhere.is_empty() { "—".to_string() } else { elsewhere.join(", ") };
        out.push_str(&format!("| {} | {groups} | {} | {elsewhere} |\n", k.kind, templates.join("; ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_resolve_by_group_first() {
        assert_eq!(pod_kind("serving.knative.dev/v1", "Service").map(|k| k.kind), Some("Service"));
        assert!(pod_kind("v1", "Service").is_none(), "core Services have no pods");
        assert_eq!(pod_kind("apps.kruise.io/v1beta1", "StatefulSet").map(|k| k.groups), Some(ANY));
        assert!(pod_kind("example.com/v1", "Workflow").is_none(), "Argo's kinds only in Argo's group");
        assert!(pod_kind("v1", "ConfigMap").is_none());
    }

    #[test]
    fn label_paths_follow_the_layout() {
        let cron = pod_kind("batch/v1", "CronJob").map(|k| k.layouts[0].labels_path());
        assert_eq!(cron, Some(&["spec", "jobTemplate", "spec", "template", "metadata", "labels"][..]));
        let spark = pod_kind("sparkoperator.k8s.io/v1beta2", "SparkApplication").map(|k| k.layouts[1].labels_path());
        assert_eq!(spark, Some(&["spec", "executor", "labels"][..]));
    }

    #[test]
    fn every_kind_is_listed_once() {
        for (i, a) in POD_KINDS.iter().enumerate() {
            for b in &POD_KINDS[i + 1..] {
                assert!(!(a.kind == b.kind && a.groups == b.groups), "{} listed twice", a.kind);
            }
        }
    }
}
