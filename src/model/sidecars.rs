//! Sidecars other mutating webhooks inject. The workload identity webhook is registered with
//! `reinvocationPolicy: IfNeeded`: it runs again after another webhook adds a container, so
//! `azure.workload.identity/skip-containers` may name a container that is not in the template.

use super::meta::{Entries, Meta};
use super::workload::PodTemplate;

/// A label or annotation that asks an injector for its sidecar, and the values that mean yes
/// (`None`: any value but one of `off`).
#[derive(Clone, Copy, Debug)]
pub struct OptIn {
    pub key: &'static str,
    pub on: Option<&'static [&'static str]>,
    /// Values that turn injection off even where the namespace turns it on.
    pub off: &'static [&'static str],
}

/// A mutating webhook that adds containers, and how pods and namespaces ask for it.
#[derive(Clone, Copy, Debug)]
pub struct Injector {
    pub name: &'static str,
    pub containers: &'static [&'static str],
    pub pod_labels: &'static [OptIn],
    pub pod_annotations: &'static [OptIn],
    pub namespace_labels: &'static [OptIn],
    pub namespace_annotations: &'static [OptIn],
}

const TRUE: Option<&[&str]> = Some(&["true"]);
const ENABLED: Option<&[&str]> = Some(&["enabled"]);
const NONE: &[OptIn] = &[];

const ISTIO_POD: &[OptIn] = &[
    OptIn { key: "sidecar.istio.io/inject", on: TRUE, off: &["false"] },
    OptIn { key: "istio.io/rev", on: None, off: &[] },
];

/// The injectors whose containers `skip-containers` is known to name.
pub static INJECTORS: &[Injector] = &[
    Injector {
        name: "Istio",
        containers: &["istio-proxy", "istio-init", "istio-validation"],
        pod_labels: ISTIO_POD,
        // The annotation form is deprecated but still honoured.
        pod_annotations: &[OptIn { key: "sidecar.istio.io/inject", on: TRUE, off: &["false"] }],
        namespace_labels: &[
            OptIn { key: "istio-injection", on: ENABLED, off: &["disabled"] },
            OptIn { key: "istio.io/rev", on: None, off: &[] },
        ],
        namespace_annotations: NONE,
    },
    Injector {
        name: "Linkerd",
        containers: &["linkerd-proxy", "linkerd-init"],
        pod_labels: NONE,
        pod_annotations: &[OptIn { key: "linkerd.io/inject", on: Some(&["enabled", "ingress"]), off: &["disabled"] }],
        namespace_labels: NONE,
        namespace_annotations: &[OptIn { key: "linkerd.io/inject", on: Some(&["enabled", "ingress"]), off: &[] }],
    },
    Injector {
        name: "the Vault Agent injector",
        containers: &["vault-agent", "vault-agent-init"],
        pod_labels: NONE,
        pod_annotations: &[OptIn { key: "vault.hashicorp.com/agent-inject", on: TRUE, off: &["false"] }],
        namespace_labels: NONE,
        namespace_annotations: NONE,
    },
    Injector {
        name: "Dapr",
        containers: &["daprd"],
        pod_labels: NONE,
        pod_annotations: &[OptIn { key: "dapr.io/enabled", on: TRUE, off: &["false"] }],
        namespace_labels: NONE,
        namespace_annotations: NONE,
    },
    Injector {
        name: "Consul",
        containers: &["consul-dataplane", "envoy-sidecar", "consul-connect-inject-init"],
        pod_labels: NONE,
        pod_annotations: &[OptIn { key: "consul.hashicorp.com/connect-inject", on: TRUE, off: &["false"] }],
        namespace_labels: NONE,
        namespace_annotations: NONE,
    },
];

/// The injector that adds a container of this name.
pub fn injector_of(container: &str) -> Option<&'static Injector> {
    INJECTORS.iter().find(|i| i.containers.contains(&container))
}

/// Whether an injector adds its sidecar to a pod.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Injection {
    /// The pod or its namespace asks for it (the label or annotation, as `key: value`).
    Yes(String),
    /// The pod turns it off, or neither the pod nor its namespace (declared in scope) asks for it.
    No(String),
    /// The pod does not ask and its namespace is not in scope: it may ask.
    Unknown,
}

impl Injector {
    /// Whether the injector adds its sidecar to `pod`, in the namespace declared by `namespace`
    /// (`None` when the namespace is not in scope).
    pub fn injection(&self, pod: &PodTemplate, namespace: Option<&Meta>) -> Injection {
        let pod_sides = [(self.pod_labels, &pod.labels), (self.pod_annotations, &pod.annotations)];
        for (opt_ins, entries) in pod_sides {
            if let Some(answer) = asks(opt_ins, entries) {
                return answer;
            }
        }
        let Some(ns) = namespace else { return Injection::Unknown };
        let ns_sides = [(self.namespace_labels, &ns.labels), (self.namespace_annotations, &ns.annotations)];
        for (opt_ins, entries) in ns_sides {
            if let Some(answer) = asks(opt_ins, entries) {
                return answer;
            }
        }
        Injection::No(format!("neither the pod nor Namespace {} asks {} for it", ns.name, self.name))
    }
}

/// The answer the first opt-in key present gives.
fn asks(opt_ins: &[OptIn], entries: &Entries) -> Option<Injection> {
    opt_ins.iter().find_map(|o| {
        let value = entries.value(o.key)?;
        let said = format!("`{}: {value}`", o.key);
        if o.off.contains(&value) {
            return Some(Injection::No(format!("{said} turns it off")));
        }
        let on = o.on.map_or(!value.is_empty(), |on| on.contains(&value));
        on.then_some(Injection::Yes(said))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Entry, ValueType};

    fn entries(pairs: &[(&str, &str)]) -> Entries {
        let items = pairs
            .iter()
            .map(|(k, v)| Entry {
                key: (*k).into(),
                key_span: Default::default(),
                value: (*v).into(),
                value_span: Default::default(),
                value_type: ValueType::String,
            })
            .collect();
        Entries { key_span: None, items }
    }

    #[test]
    fn pods_and_namespaces_opt_in() {
        let istio = injector_of("istio-proxy").expect("istio");
        let mut pod = PodTemplate::default();
        assert_eq!(istio.injection(&pod, None), Injection::Unknown);
        pod.labels = entries(&[("sidecar.istio.io/inject", "true")]);
        assert!(matches!(istio.injection(&pod, None), Injection::Yes(_)));
        pod.labels = entries(&[("sidecar.istio.io/inject", "false")]);
        assert!(matches!(istio.injection(&pod, None), Injection::No(_)), "the pod opts out");

        let pod = PodTemplate::default();
        let ns = |labels: &[(&str, &str)]| Meta {
            api_version: "v1".into(),
            kind: "Namespace".into(),
            name: "shop".into(),
            name_span: None,
            namespace: "default".into(),
            namespace_span: None,
            metadata_span: None,
            kind_span: Default::default(),
            labels: entries(labels),
            annotations: Entries::default(),
            origin: crate::model::Origin::file("ns.yaml".into()),
            is_patch: false,
            build: None,
            cluster_scoped: true,
        };
        assert!(matches!(istio.injection(&pod, Some(&ns(&[("istio-injection", "enabled")]))), Injection::Yes(_)));
        assert!(matches!(istio.injection(&pod, Some(&ns(&[("istio.io/rev", "asm-1-22")]))), Injection::Yes(_)));
        assert!(matches!(istio.injection(&pod, Some(&ns(&[]))), Injection::No(_)));
        let linkerd = injector_of("linkerd-proxy").expect("linkerd");
        assert!(matches!(linkerd.injection(&pod, Some(&ns(&[("istio-injection", "enabled")]))), Injection::No(_)));
    }
}
