//! One object inside a build, with the identities kustomize tracks for it: its current id, every
//! earlier one (renames and namespace moves, for patches and name references), and the prefixes
//! and suffixes its name received.

use std::sync::Arc;

use crate::yaml::Node;

/// Group, version and kind, as kustomize splits an `apiVersion`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Gvk {
    pub group: String,
    pub version: String,
    pub kind: String,
}

impl Gvk {
    pub(super) fn of(api_version: &str, kind: &str) -> Gvk {
        let (group, version) = group_and_version(api_version);
        Gvk { group: group.into(), version: version.into(), kind: kind.into() }
    }

    /// Every non-empty part of `selector` equals this one's.
    pub(super) fn is_selected_by(&self, group: &str, version: &str, kind: &str) -> bool {
        (group.is_empty() || group == self.group)
            && (version.is_empty() || version == self.version)
            && (kind.is_empty() || kind == self.kind)
    }

    /// Kinds of the Kubernetes API that have no namespace (kustomize knows them from the API's
    /// schema and leaves their namespace alone). Custom kinds are namespaced as far as a build
    /// is concerned.
    pub(super) fn is_cluster_scoped(&self) -> bool {
        is_cluster_scoped(&self.group, &self.kind)
    }
}

/// An `apiVersion` split as kustomize splits it: `apps/v1` into `apps` and `v1`, `v1` into no
/// group and `v1`.
fn group_and_version(api_version: &str) -> (&str, &str) {
    api_version.split_once('/').unwrap_or(("", api_version))
}

/// Whether `kind` of API group `group` has no namespace ([`Gvk::is_cluster_scoped`]).
fn is_cluster_scoped(group: &str, kind: &str) -> bool {
    const KINDS: &[(&str, &str)] = &[
        ("", "Namespace"),
        ("", "Node"),
        ("", "PersistentVolume"),
        ("", "ComponentStatus"),
        ("rbac.authorization.k8s.io", "ClusterRole"),
        ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
        ("storage.k8s.io", "StorageClass"),
        ("storage.k8s.io", "CSIDriver"),
        ("storage.k8s.io", "CSINode"),
        ("storage.k8s.io", "VolumeAttachment"),
        ("scheduling.k8s.io", "PriorityClass"),
        ("apiextensions.k8s.io", "CustomResourceDefinition"),
        ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
        ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"),
        ("apiregistration.k8s.io", "APIService"),
        ("certificates.k8s.io", "CertificateSigningRequest"),
        ("networking.k8s.io", "IngressClass"),
        ("node.k8s.io", "RuntimeClass"),
        ("policy", "PodSecurityPolicy"),
        ("flowcontrol.apiserver.k8s.io", "FlowSchema"),
        ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
        ("authentication.k8s.io", "TokenReview"),
        ("authorization.k8s.io", "SubjectAccessReview"),
        ("authorization.k8s.io", "SelfSubjectAccessReview"),
        ("authorization.k8s.io", "SelfSubjectRulesReview"),
    ];
    KINDS.iter().any(|(g, k)| *k == kind && *g == group)
}

/// An object's identity: kind, name and namespace.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct ResId {
    pub gvk: Gvk,
    pub name: String,
    /// As written (`""` when absent).
    pub namespace: String,
}

/// The namespace kustomize gives cluster-scoped objects when it groups by namespace.
const NO_NAMESPACE: &str = "_non_namespaceable_";

impl ResId {
    /// The identity, borrowed.
    pub(super) fn as_ref(&self) -> IdRef<'_> {
        let g = &self.gvk;
        IdRef { group: &g.group, version: &g.version, kind: &g.kind, name: &self.name, namespace: &self.namespace }
    }

    /// The namespace an object is really in: none for cluster-scoped kinds, `default` when
    /// unset.
    pub(super) fn effective_namespace(&self) -> &str {
        self.as_ref().effective_namespace()
    }

    pub(super) fn describe(&self) -> String {
        match self.namespace.as_str() {
            "" => format!("{} {}", self.gvk.kind, self.name),
            ns => format!("{} {ns}/{}", self.gvk.kind, self.name),
        }
    }
}

/// A [`ResId`] borrowed from where it is written (an object's tree): what is compared for every
/// object against every patch, selector and earlier object of a build, without copying five
/// texts each time.
#[derive(Clone, Copy, Debug)]
pub(super) struct IdRef<'a> {
    pub group: &'a str,
    pub version: &'a str,
    pub kind: &'a str,
    pub name: &'a str,
    /// As written (`""` when absent).
    pub namespace: &'a str,
}

impl<'a> IdRef<'a> {
    /// See [`ResId::effective_namespace`].
    pub(super) fn effective_namespace(&self) -> &'a str {
        if is_cluster_scoped(self.group, self.kind) {
            NO_NAMESPACE
        } else if self.namespace.is_empty() {
            "default"
        } else {
            self.namespace
        }
    }

    /// Same kind (group, version, kind), name and effective namespace.
    pub(super) fn same(&self, other: IdRef<'_>) -> bool {
        (self.group, self.version, self.kind, self.name) == (other.group, other.version, other.kind, other.name)
            && self.effective_namespace() == other.effective_namespace()
    }

    /// A key equal for identities that are [`IdRef::same`].
    pub(super) fn key(&self) -> String {
        let ns = self.effective_namespace();
        format!("{}\0{}\0{}\0{}\0{ns}", self.group, self.version, self.kind, self.name)
    }
}

/// One object of a build.
#[derive(Clone, Debug)]
pub(super) struct Resource {
    /// The object; values from patches and kustomizations carry their file in their spans.
    pub node: Node,
    /// The file that declared the object (the holder of its spans).
    pub file: Arc<str>,
    /// Earlier identities, oldest first.
    pub prev_ids: Vec<ResId>,
    pub prefixes: Vec<String>,
    pub suffixes: Vec<String>,
}

impl Resource {
    pub(super) fn new(node: Node, file: Arc<str>) -> Resource {
        Resource { node, file, prev_ids: Vec::new(), prefixes: Vec::new(), suffixes: Vec::new() }
    }

    fn text(&self, path: &[&str]) -> &str {
        self.node.path(path).and_then(Node::as_str).unwrap_or("")
    }

    pub(super) fn api_version(&self) -> &str {
        self.text(&["apiVersion"])
    }

    pub(super) fn kind(&self) -> &str {
        self.text(&["kind"])
    }

    pub(super) fn name(&self) -> &str {
        self.text(&["metadata", "name"])
    }

    pub(super) fn namespace(&self) -> &str {
        self.text(&["metadata", "namespace"])
    }

    pub(super) fn gvk(&self) -> Gvk {
        Gvk::of(self.api_version(), self.kind())
    }

    pub(super) fn cur_id(&self) -> ResId {
        ResId { gvk: self.gvk(), name: self.name().into(), namespace: self.namespace().into() }
    }

    /// [`Self::cur_id`], borrowed from the object.
    pub(super) fn cur_id_ref(&self) -> IdRef<'_> {
        let (group, version) = group_and_version(self.api_version());
        IdRef { group, version, kind: self.kind(), name: self.name(), namespace: self.namespace() }
    }

    /// [`Self::org_id`], borrowed.
    pub(super) fn org_id_ref(&self) -> IdRef<'_> {
        self.prev_ids.first().map_or_else(|| self.cur_id_ref(), ResId::as_ref)
    }

    /// The identity the object had first.
    pub(super) fn org_id(&self) -> ResId {
        self.prev_ids.first().cloned().unwrap_or_else(|| self.cur_id())
    }

    /// Remembers the current identity before a transformation changes it.
    pub(super) fn store_previous_id(&mut self) {
        let id = self.cur_id();
        self.prev_ids.push(id);
    }

    /// The current or any earlier identity is `id`.
    pub(super) fn has_id(&self, id: &ResId) -> bool {
        let id = id.as_ref();
        self.cur_id_ref().same(id) || self.prev_ids.iter().any(|p| p.as_ref().same(id))
    }

    /// A label or annotation value.
    pub(super) fn meta_value(&self, field: &str, key: &str) -> Option<&str> {
        self.node.path(&["metadata", field])?.get(key)?.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_are_compared_as_kustomize_does() {
        let sa = |ns: &str| ResId { gvk: Gvk::of("v1", "ServiceAccount"), name: "api".into(), namespace: ns.into() };
        assert!(sa("").as_ref().same(sa("default").as_ref()));
        assert!(!sa("a").as_ref().same(sa("b").as_ref()));
        let role = |ns: &str| ResId {
            gvk: Gvk::of("rbac.authorization.k8s.io/v1", "ClusterRole"),
            name: "r".into(),
            namespace: ns.into(),
        };
        assert!(role("a").as_ref().same(role("b").as_ref()), "cluster-scoped kinds have no namespace");
    }

    #[test]
    fn the_borrowed_identity_is_the_owned_one() {
        let texts = [
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n",
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: r\n  namespace: x\n",
        ];
        for text in texts {
            let mut docs = Vec::new();
            crate::yaml::parse_stream(text, &crate::yaml::Limits::default(), |d| docs.push(d));
            let mut r = Resource::new(docs.remove(0), Arc::from("a.yaml"));
            let (owned, borrowed) = (r.cur_id(), r.cur_id_ref());
            assert_eq!(owned.as_ref().key(), borrowed.key(), "{text}");
            assert_eq!(owned.effective_namespace(), borrowed.effective_namespace(), "{text}");
            assert!(r.has_id(&owned) && owned.as_ref().same(r.org_id_ref()), "{text}");
            // After a rename the object is still found by its first identity, and only by it.
            r.store_previous_id();
            let span = crate::span::Span::default();
            r.node.path_mut(&["metadata"]).unwrap().set("name", span, Node::string("renamed", span));
            assert!(r.has_id(&owned) && r.org_id_ref().same(owned.as_ref()), "{text}");
            assert!(!r.cur_id_ref().same(owned.as_ref()), "{text}");
        }
    }
}
