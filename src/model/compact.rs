//! Dropping the spare capacity of every vector an object holds, once it is built.
//!
//! A vector that received its first element through `push` or a filtered `collect` has room for
//! four: a Deployment's one container, a binding's one subject, a rule's one verb each held three
//! empty slots. The model lives for the whole run, so that slack was most of its memory after the
//! objects themselves (about 1.5 KB per application in the benchmark's repository).

use super::{
    Binding, ConfigMap, Container, FederatedCredential, IdentityBindingResource, LegacyPodIdentity, Meta, PolicyRule,
    Role, ServiceAccount, ToolConfig, Workload,
};

/// An object whose vectors can give back their spare capacity (by default it holds none that
/// grow: boxed slices and scalars only).
pub(crate) trait Compact {
    fn compact(&mut self) {}
}

fn shrink<T>(items: &mut Vec<T>) {
    if items.capacity() > items.len() {
        items.shrink_to_fit();
    }
}

/// Labels and annotations are boxed slices: exact from the start.
impl Compact for Meta {}

/// Its lists are boxed slices.
impl Compact for Container {}

/// Its pod template's lists are boxed slices.
impl Compact for Workload {}

impl Compact for ServiceAccount {}

impl Compact for ConfigMap {
    fn compact(&mut self) {
        shrink(&mut self.data);
    }
}

/// Its lists are a boxed slice already, of their exact size.
impl Compact for PolicyRule {}

/// Its rules and a binding's subjects are boxed slices.
impl Compact for Role {}

impl Compact for Binding {}

impl Compact for FederatedCredential {}

impl Compact for IdentityBindingResource {}

impl Compact for LegacyPodIdentity {}

impl Compact for ToolConfig {
    fn compact(&mut self) {
        shrink(&mut self.ids);
    }
}

#[cfg(test)]
mod tests {
    use crate::source::files::FileKind;
    use crate::source::{load, Input, LoadOptions};

    fn objects(text: &str) -> crate::model::Objects {
        let display: std::sync::Arc<str> = "app.yaml".into();
        let input = Input { display: &display, kind: FileKind::Manifest, bytes: text.as_bytes(), is_patch: false };
        let mut objects = load(&input, &LoadOptions::default());
        objects.shrink_to_fit();
        objects
    }

    #[test]
    fn loaded_objects_hold_no_spare_capacity() {
        let o = objects(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, labels: {a: b}}\nspec:\n  template:\n    \
             metadata: {labels: {azure.workload.identity/use: \"true\"}}\n    spec:\n      containers:\n      - name: \
             app\n        env: [{name: A, value: b}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: \
             ClusterRoleBinding\nmetadata: {name: b}\nroleRef: {kind: ClusterRole, name: r, apiGroup: \
             rbac.authorization.k8s.io}\nsubjects: [{kind: ServiceAccount, name: api, namespace: default}]\n---\n\
             apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules: [{verbs: [use], \
             apiGroups: [x], resources: [y]}]\n",
        );
        let w = &o.workloads[0];
        assert!(w.meta.origin.path().is_some());
        assert_eq!(w.pod.containers.len(), 1);
        assert_eq!(w.pod.containers[0].env.len(), 1);
        assert_eq!(o.bindings[0].subjects.len(), 1);
        assert_eq!(o.roles[0].rules.len(), 1);
        let rule = &o.roles[0].rules[0];
        assert_eq!(
            (rule.verbs().len(), rule.api_groups().len(), rule.resources().len(), rule.resource_names().len()),
            (1, 1, 1, 0)
        );
    }
}
