//! Pod templates of every pod-bearing kind, read the way the model's table of kinds
//! ([`crate::model::POD_KINDS`]) lays them out.

use super::manifest::{entries_named, keyed_entries, str_of};
use crate::model::{
    Container, Entries, EnvVar, Interned, Meta, OuterMetadata, PodExtras, PodFacts, PodKind, PodLayout, PodTemplate,
    ProjectedToken, SharedPodFacts, Str, Text, VolumeMount, Workload, USE_LABEL,
};
use crate::span::Span;
use crate::yaml::{Node, ScalarType};

/// Keys of an Argo template that make it run a pod (the others — `steps`, `dag`, `suspend` —
/// only orchestrate).
const ARGO_POD_TEMPLATES: &[&str] = &["container", "script", "containerSet", "resource", "data"];

/// The workloads of one object of a pod-bearing kind: one per pod template it holds, the last
/// taking `meta` itself (most objects have one template); `meta` back when it holds none (rare:
/// boxed).
pub fn workloads(root: &Node, meta: Meta, kind: &PodKind) -> Result<Vec<Workload>, Box<Meta>> {
    let account = template_account(root, &meta, kind);
    let mut pods: Vec<(PodTemplate, Option<Interned>)> = Vec::new();
    for layout in kind.layouts {
        let found = match *layout {
            PodLayout::Object => vec![(object_pod(root, &meta), None)],
            PodLayout::Template { path } => template_at(root, path).map(|p| (p, None)).into_iter().collect(),
            PodLayout::SparkRole { path, role, container, account_fallback } => {
                spark_role(root, path, container, account_fallback)
                    .map(|p| (p, Some(role.into())))
                    .into_iter()
                    .collect()
            }
            PodLayout::ArgoTemplates { spec } => argo_templates(root, spec),
            PodLayout::ControllerConfig => vec![(controller_config(root), None)],
        };
        for (mut pod, part) in found {
            if pod.service_account_ref().is_none() {
                pod.service_account_name = pod.service_account_name.or_else(|| account.clone());
            }
            pod.facts = SharedPodFacts::of(PodFacts {
                account_default: kind.account_default,
                added_containers: kind.added_containers,
                partial_containers: kind.partial_containers,
                labels_path: layout.labels_path(),
                annotations_path: layout.annotations_path(),
            });
            pods.push((pod, part));
        }
    }
    // Of a selector, rules read the use label alone (a label the pods need on their template,
    // not in the selector): every Deployment's selector otherwise held an entry for nothing.
    let selector =
        kind.selector.and_then(|p| root.path(p)).map(|s| entries_named(s, USE_LABEL).items).unwrap_or_default();
    let outer = kind.outer_metadata.and_then(|o| {
        let md = root.path(o.path)?.get("metadata")?;
        Some(Box::new(OuterMetadata {
            name: o.name,
            what: o.what,
            labels: keyed_entries(md, "labels"),
            annotations: keyed_entries(md, "annotations"),
        }))
    });
    let has_controller_meta = !matches!(kind.layouts, [PodLayout::Object]);
    let workload = |i: usize, (pod, part): (PodTemplate, Option<Interned>), meta: Meta| Workload {
        meta,
        has_controller_meta,
        selector: selector.clone(),
        outer: outer.clone(),
        pod,
        part,
        shares_meta: i > 0,
        pod_namespace: kind.pod_namespace.map(Interned::from),
    };
    let mut pods = pods.into_iter().enumerate();
    let Some((last, last_pod)) = pods.next_back() else { return Err(Box::new(meta)) };
    let mut out: Vec<Workload> = pods.map(|(i, pod)| workload(i, pod, meta.clone())).collect();
    out.push(workload(last, last_pod, meta));
    Ok(out)
}

/// The account of the kind's ServiceAccount template, which its pods run as unless the pod
/// template names another.
fn template_account(root: &Node, meta: &Meta, kind: &PodKind) -> Option<Str> {
    let (last, parents) = kind.account_template?.split_last()?;
    let (key, template) = root.path(parents)?.entry(last)?;
    match template.path(&["metadata", "name"]).and_then(str_of) {
        Some(name) => Some(name),
        None => Some(Str { value: super::manifest::revision_account(meta), span: key.span }),
    }
}

/// A bare Pod: its own metadata is the pod template's.
fn object_pod(root: &Node, meta: &Meta) -> PodTemplate {
    read_template(root, meta.kind_span)
}

/// A `PodTemplateSpec` at `path`, anchored at its key.
fn template_at(root: &Node, path: &[&str]) -> Option<PodTemplate> {
    let (last, parents) = path.split_last()?;
    let (key, value) = root.path(parents)?.entry(last)?;
    value.as_map()?;
    Some(read_template(value, key.span))
}

/// Reads a `metadata` + `spec` pod template (for a bare Pod, the Pod itself).
fn read_template(template: &Node, anchor: Span) -> PodTemplate {
    let metadata = template.entry("metadata");
    let spec = template.entry("spec");
    let md = metadata.map(|(_, v)| v);
    let sp = spec.map(|(_, v)| v);
    let field = |name: &str| sp.and_then(|s| s.get(name)).and_then(str_of);
    let mut containers = Vec::new();
    if let Some(sp) = sp {
        containers_of(sp, "initContainers", true, &mut containers);
        containers_of(sp, "containers", false, &mut containers);
    }
    PodTemplate {
        anchor,
        metadata_span: metadata.map(|(k, _)| k.span),
        labels: md.map(|m| keyed_entries(m, "labels")).unwrap_or_default(),
        annotations: md.map(|m| keyed_entries(m, "annotations")).unwrap_or_default(),
        spec_span: spec.map(|(k, _)| k.span),
        service_account_name: field("serviceAccountName"),
        service_account: field("serviceAccount").map(Box::new),
        containers: containers.into(),
        extras: PodExtras::boxed(
            sp.and_then(host_network),
            sp.map(csi_drivers).unwrap_or_default(),
            sp.map(projected_tokens).unwrap_or_default(),
        ),
        ..PodTemplate::default()
    }
}

/// A Spark Operator role: a flat description of the driver's or the executors' pods.
fn spark_role(
    root: &Node,
    path: &[&str],
    container: &'static str,
    account_fallback: Option<&[&str]>,
) -> Option<PodTemplate> {
    let (last, parents) = path.split_last()?;
    let (key, role) = root.path(parents)?.entry(last)?;
    role.as_map()?;
    let spec = root.path(&path[..path.len().saturating_sub(1)]);
    let account = role
        .get("serviceAccount")
        .and_then(str_of)
        .or_else(|| account_fallback.and_then(|p| root.path(p)).and_then(|d| d.get("serviceAccount")).and_then(str_of));
    let mut main = read_container(role, false);
    main.name = Str { value: container.into(), span: key.span };
    main.image = main.image.or_else(|| spec.and_then(|s| s.get("image")).and_then(str_of));
    let mut containers = Vec::new();
    containers_of(role, "initContainers", true, &mut containers);
    containers.push(main);
    containers_of(role, "sidecars", false, &mut containers);
    Some(PodTemplate {
        anchor: key.span,
        labels: keyed_entries(role, "labels"),
        annotations: keyed_entries(role, "annotations"),
        spec_span: Some(key.span),
        service_account_name: account,
        containers: containers.into(),
        extras: PodExtras::boxed(
            host_network(role),
            spec.map(csi_drivers).unwrap_or_default(),
            spec.map(projected_tokens).unwrap_or_default(),
        ),
        ..PodTemplate::default()
    })
}

/// The pod-running templates of an Argo Workflow spec, each with the workflow-wide pod metadata
/// and ServiceAccount under its own.
fn argo_templates(root: &Node, spec_path: &[&str]) -> Vec<(PodTemplate, Option<Interned>)> {
    let Some(spec) = root.path(spec_path) else { return Vec::new() };
    let pod_metadata = spec.entry("podMetadata");
    let shared_account = spec.get("serviceAccountName").and_then(str_of);
    let mut out = Vec::new();
    for t in spec.get("templates").and_then(Node::as_seq).unwrap_or_default() {
        let Some(kind) = ARGO_POD_TEMPLATES.iter().find_map(|k| t.entry(k)) else { continue };
        let name = t.get("name").and_then(str_of);
        let metadata = t.entry("metadata");
        let merge = |key: &str| {
            let shared = pod_metadata.map(|(_, m)| keyed_entries(m, key)).unwrap_or_default();
            let own = metadata.map(|(_, m)| keyed_entries(m, key)).unwrap_or_default();
            Entries { key_span: own.key_span.or(shared.key_span), items: [shared.items, own.items].concat().into() }
        };
        let mut containers = Vec::new();
        containers_of(t, "initContainers", true, &mut containers);
        let (k, c) = kind;
        match k.as_str() {
            Some("containerSet") => containers_of(c, "containers", false, &mut containers),
            // `container` and `script` describe the main container; Argo runs `resource` and
            // `data` in a main container of its own.
            Some(key) => {
                let mut main = if key == "container" || key == "script" {
                    read_container(c, false)
                } else {
                    read_container(k, false)
                };
                main.name = Str { value: "main".into(), span: k.span };
                containers.push(main);
            }
            None => {}
        }
        containers_of(t, "sidecars", false, &mut containers);
        let volumes = |node: Option<&Node>| node.map(projected_tokens).unwrap_or_default();
        let part = name.as_ref().map(|n| Interned::from(format!("template {}", n.value)));
        let pod = PodTemplate {
            anchor: name.as_ref().map_or(t.span, |n| n.span),
            metadata_span: metadata.or(pod_metadata).map(|(k, _)| k.span),
            labels: merge("labels"),
            annotations: merge("annotations"),
            spec_span: Some(kind.0.span),
            service_account_name: t.get("serviceAccountName").and_then(str_of).or_else(|| shared_account.clone()),
            containers: containers.into(),
            extras: PodExtras::boxed(
                host_network(t).or_else(|| host_network(spec)),
                [csi_drivers(spec), csi_drivers(t)].concat(),
                [volumes(Some(spec)), volumes(Some(t))].concat(),
            ),
            ..PodTemplate::default()
        };
        out.push((pod, part));
    }
    out
}

/// Crossplane's ControllerConfig: pod metadata and the provider container's settings under `spec`.
fn controller_config(root: &Node) -> PodTemplate {
    let spec = root.entry("spec");
    let sp = spec.map(|(_, v)| v);
    let metadata = sp.and_then(|s| s.entry("metadata"));
    let md = metadata.map(|(_, v)| v);
    let containers = sp.map(|s| vec![read_container(s, false)]).unwrap_or_default();
    PodTemplate {
        anchor: spec.map_or(Span::default(), |(k, _)| k.span),
        metadata_span: metadata.map(|(k, _)| k.span),
        labels: md.map(|m| keyed_entries(m, "labels")).unwrap_or_default(),
        annotations: md.map(|m| keyed_entries(m, "annotations")).unwrap_or_default(),
        spec_span: spec.map(|(k, _)| k.span),
        service_account_name: sp.and_then(|s| s.get("serviceAccountName")).and_then(str_of),
        containers: containers.into(),
        extras: PodExtras::boxed(
            None,
            sp.map(csi_drivers).unwrap_or_default(),
            sp.map(projected_tokens).unwrap_or_default(),
        ),
        ..PodTemplate::default()
    }
}

fn containers_of(parent: &Node, key: &str, init: bool, out: &mut Vec<Container>) {
    for c in parent.get(key).and_then(Node::as_seq).unwrap_or_default() {
        out.push(read_container(c, init));
    }
}

/// `hostNetwork` when it is a boolean, with its span.
fn host_network(spec: &Node) -> Option<(bool, Span)> {
    let n = spec.get("hostNetwork")?;
    let s = n.as_scalar()?;
    (s.resolved_type() == ScalarType::Bool).then_some((matches!(s.value.as_str(), "true" | "True" | "TRUE"), n.span))
}

fn volumes(spec: &Node) -> &[Node] {
    spec.get("volumes").and_then(Node::as_seq).unwrap_or_default()
}

/// The `driver` of every CSI volume.
fn csi_drivers(spec: &Node) -> Vec<String> {
    volumes(spec).iter().filter_map(|v| v.path(&["csi", "driver"]).and_then(Node::as_str).map(str::to_string)).collect()
}

/// Every `serviceAccountToken` source of a `projected` volume.
fn projected_tokens(spec: &Node) -> Vec<ProjectedToken> {
    let mut out = Vec::new();
    for v in volumes(spec) {
        let Some(volume) = v.get("name").and_then(str_of) else { continue };
        for source in v.path(&["projected", "sources"]).and_then(Node::as_seq).unwrap_or_default() {
            let Some(token) = source.get("serviceAccountToken") else { continue };
            let Some(path) = token.get("path").and_then(str_of) else { continue };
            let audience = token.get("audience").and_then(str_of);
            out.push(ProjectedToken { volume: volume.clone(), audience, path });
        }
    }
    out
}

/// A container (or the one-container settings of a Spark role or a ControllerConfig).
pub fn read_container(c: &Node, init: bool) -> Container {
    let strings = |key: &str| -> Vec<Str> {
        c.get(key).and_then(Node::as_seq).unwrap_or_default().iter().filter_map(str_of).collect()
    };
    let env = c
        .get("env")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|e| {
            Some(EnvVar {
                name: e.get("name").and_then(str_of)?,
                value: e.get("value").and_then(str_of),
                value_from: e.get("valueFrom").is_some(),
            })
        })
        .collect();
    let mounts = c
        .get("volumeMounts")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|m| {
            Some(VolumeMount {
                name: m.get("name").and_then(str_of)?,
                mount_path: m.get("mountPath").and_then(str_of)?,
                sub_path: m.get("subPath").and_then(str_of),
            })
        })
        .collect();
    Container {
        name: c.get("name").and_then(str_of).unwrap_or(Str { value: Text::default(), span: c.span }),
        init,
        image: c.get("image").and_then(str_of),
        mounts,
        env,
        env_from: c.get("envFrom").and_then(Node::as_seq).unwrap_or_default().iter().map(|n| n.span).collect(),
        command: strings("command").into(),
        args: strings("args").into(),
        span: c.span,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::model::Objects;
    use crate::source::{files::FileKind, load, Input, LoadOptions};

    fn objects(yaml: &str) -> Objects {
        let display: Arc<str> = Arc::from("t.yaml");
        let input = Input { display: &display, kind: FileKind::Manifest, bytes: yaml.as_bytes(), is_patch: false };
        load(&input, &LoadOptions::default())
    }

    #[test]
    fn argo_templates_merge_workflow_wide_metadata_and_account() {
        let o = objects(
            "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: w}\nspec:\n  serviceAccountName: wf\n  \
             podMetadata:\n    labels: {a: shared, b: shared}\n  templates:\n  - name: main\n    steps: [[{name: s, \
             template: t}]]\n  - name: t\n    metadata:\n      labels: {b: own}\n    container: {image: alpine}\n  \
             - name: u\n    serviceAccountName: other\n    script: {image: alpine, source: x}\n",
        );
        let parts: Vec<_> = o.workloads.iter().map(|w| w.part.as_deref().unwrap_or("")).collect();
        assert_eq!(parts, ["template t", "template u"], "steps templates run no pod");
        let t = &o.workloads[0];
        assert_eq!((t.pod.labels.value("a"), t.pod.labels.value("b")), (Some("shared"), Some("own")));
        assert_eq!(t.pod.service_account_name(), Some("wf"));
        assert_eq!(o.workloads[1].pod.service_account_name(), Some("other"));
        assert_eq!(t.pod.containers[0].name.value, "main");
        assert!(t.pod.has_container("wait"), "Argo adds its own containers");
        assert!(!t.shares_meta && o.workloads[1].shares_meta);
    }

    #[test]
    fn spark_executors_run_as_the_drivers_account() {
        let o = objects(
            "apiVersion: sparkoperator.k8s.io/v1beta2\nkind: SparkApplication\nmetadata: {name: s, namespace: n}\n\
             spec:\n  image: spark:3\n  driver:\n    serviceAccount: spark\n    labels: {x: y}\n  executor:\n    \
             env: [{name: AZURE_CLIENT_ID, value: v}]\n",
        );
        let [driver, executor] = &o.workloads[..] else { panic!("two roles: {:?}", o.workloads.len()) };
        assert_eq!(executor.pod.service_account_name(), Some("spark"));
        assert_eq!(driver.pod.labels.value("x"), Some("y"));
        let main = &executor.pod.containers[0];
        assert_eq!((main.name.value.as_str(), main.env.len()), ("spark-kubernetes-executor", 1));
        assert_eq!(main.image.as_ref().map(|i| i.value.as_str()), Some("spark:3"));
    }

    #[test]
    fn crossplane_runtime_config_declares_its_account() {
        let o = objects(
            "apiVersion: pkg.crossplane.io/v1beta1\nkind: DeploymentRuntimeConfig\nmetadata: {name: wi}\nspec:\n  \
             deploymentTemplate:\n    spec:\n      template:\n        metadata: {labels: {azure.workload.identity/use: \
             'true'}}\n  serviceAccountTemplate:\n    metadata:\n      annotations: {azure.workload.identity/client-id: \
             x}\n",
        );
        let w = &o.workloads[0];
        let sa = &o.service_accounts[0];
        assert_eq!((w.namespace(), sa.meta.namespace.as_str()), ("crossplane-system", "crossplane-system"));
        assert_eq!(w.pod.service_account_name(), Some(sa.meta.name.as_str()));
        assert!(sa.meta.name.starts_with('<'), "unnamed: the revision's name, unknown here");
        assert!(w.pod.has_container("anything"), "merged into Crossplane's own template");
        assert!(w.meta.cluster_scoped);
    }

    /// What few templates declare is kept in a box only they pay for; the kind's facts are one
    /// copy for every workload of the kind.
    #[test]
    fn rare_pod_fields_are_boxed_and_kind_facts_shared() {
        let o = objects(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: plain}\nspec:\n  template:\n    spec: \
             {containers: [{name: a}]}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: csi}\nspec:\n  \
             template:\n    spec:\n      hostNetwork: true\n      containers: [{name: a}]\n      volumes:\n        - \
             name: s\n          csi: {driver: secrets-store.csi.k8s.io}\n",
        );
        let (plain, csi) = (&o.workloads[0].pod, &o.workloads[1].pod);
        assert!(plain.extras.is_none(), "nothing declared, nothing allocated");
        assert!(plain.extras().csi_drivers.is_empty() && plain.extras().host_network.is_none());
        assert_eq!(csi.extras().csi_drivers, ["secrets-store.csi.k8s.io"]);
        assert!(matches!(csi.extras().host_network, Some((true, _))));
        assert!(std::ptr::eq(&*plain.facts, &*csi.facts), "one copy of a Deployment's facts");
        assert_eq!(plain.facts.labels_path, ["spec", "template", "metadata", "labels"]);
    }

    /// A selector keeps the use label alone, every copy of it (the last one counts, as the API
    /// server reads it); its other labels are read by no rule.
    #[test]
    fn a_selector_keeps_only_the_use_label() {
        let o = objects(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector:\n    matchLabels:\n      \
             app: d\n      azure.workload.identity/use: 'false'\n      tier: web\n      azure.workload.identity/use: \
             'true'\n  template:\n    spec: {containers: [{name: a}]}\n",
        );
        let selector = &o.workloads[0].selector;
        let kept: Vec<(&str, &str)> = selector.iter().map(|e| (e.key.as_str(), e.value.as_str())).collect();
        assert_eq!(kept, [("azure.workload.identity/use", "false"), ("azure.workload.identity/use", "true")]);
        assert_eq!(o.workloads[0].selector_use_label().map(|e| e.value.as_str()), Some("true"));
        let plain = objects(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {app: d}}\n  \
             template:\n    spec: {containers: [{name: a}]}\n",
        );
        assert!(plain.workloads[0].selector.is_empty(), "no entry, no allocation");
    }

    #[test]
    fn a_cronjob_keeps_its_job_templates_metadata_apart() {
        let o = objects(
            "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate:\n    metadata:\n      \
             labels: {azure.workload.identity/use: 'true'}\n    spec:\n      template:\n        spec: {containers: \
             [{name: a}]}\n",
        );
        let w = &o.workloads[0];
        assert!(w.pod.labels.items.is_empty());
        assert!(w.outer.as_ref().is_some_and(|o| o.labels.contains("azure.workload.identity/use")));
        assert_eq!(w.pod.service_account_name(), Some("default"));
    }
}
