//! Name references, fixed as kustomize fixes them once a build is complete: when a
//! ServiceAccount, Role or ClusterRole was renamed (prefix, suffix) or moved (namespace), the
//! fields that name it — a pod's `serviceAccountName`, a binding's `roleRef.name` and
//! `subjects` — follow it. Only objects of the same build are followed.

use std::collections::HashMap;

use super::fieldspec::{self, FieldSpec, Leaf};
use super::resource::{ResId, Resource};
use crate::span::Span;
use crate::yaml::{Node, NodeKind};

/// A kind that other objects name, and the fields that name it.
struct Referral {
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    /// `(group, kind, path)` of each referring field.
    referrers: &'static [(&'static str, &'static str, &'static str)],
}

const RBAC: &str = "rbac.authorization.k8s.io";

const REFERRALS: &[Referral] = &[
    Referral {
        group: "",
        version: "v1",
        kind: "ServiceAccount",
        referrers: &[
            (RBAC, "RoleBinding", "subjects"),
            (RBAC, "ClusterRoleBinding", "subjects"),
            ("", "Pod", "spec/serviceAccountName"),
            ("", "StatefulSet", "spec/template/spec/serviceAccountName"),
            ("", "Deployment", "spec/template/spec/serviceAccountName"),
            ("", "ReplicationController", "spec/template/spec/serviceAccountName"),
            ("", "CronJob", "spec/jobTemplate/spec/template/spec/serviceAccountName"),
            ("", "Job", "spec/template/spec/serviceAccountName"),
            ("", "DaemonSet", "spec/template/spec/serviceAccountName"),
        ],
    },
    Referral { group: RBAC, version: "", kind: "Role", referrers: &[(RBAC, "RoleBinding", "roleRef/name")] },
    Referral {
        group: RBAC,
        version: "",
        kind: "ClusterRole",
        referrers: &[(RBAC, "RoleBinding", "roleRef/name"), (RBAC, "ClusterRoleBinding", "roleRef/name")],
    },
];

/// A change to one referring field: the `at`-th field the spec reaches (its `item`-th element
/// for a list of references such as binding subjects).
struct Update {
    resource: usize,
    path: &'static str,
    at: usize,
    item: Option<usize>,
    name: Option<Node>,
    namespace: Option<Node>,
}

impl Update {
    fn write(&self, field: &mut Node) {
        let field = match (self.item, field.as_seq_mut()) {
            (Some(i), Some(items)) => match items.get_mut(i) {
                Some(item) => item,
                None => return,
            },
            (Some(_), None) => return,
            (None, _) => field,
        };
        match &field.kind {
            NodeKind::Scalar(_) => {
                if let Some(name) = &self.name {
                    *field = name.clone();
                }
            }
            NodeKind::Map(_) => {
                if let Some(name) = &self.name {
                    field.set("name", name.span, name.clone());
                }
                if let Some(ns) = &self.namespace {
                    let span = field.get("namespace").map_or(ns.span, |n| n.span);
                    field.set("namespace", span, Node::string(ns.as_str().unwrap_or(""), span));
                }
            }
            NodeKind::Seq(_) => {}
        }
    }
}

/// What the selection reads of every object, computed once.
struct Ids {
    cur: Vec<ResId>,
    org: Vec<ResId>,
}

/// Updates every reference in `resources` to an object that was renamed or moved. Returns the
/// references that could mean several objects (kustomize refuses the build then).
pub(super) fn fix(resources: &mut [Resource]) -> Vec<String> {
    let ids = Ids {
        cur: resources.iter().map(Resource::cur_id).collect(),
        org: resources.iter().map(Resource::org_id).collect(),
    };
    let mut problems = Vec::new();
    let mut updates = Vec::new();
    for referral in REFERRALS {
        let renamed = renamed_objects(resources, referral);
        if renamed.is_empty() {
            continue;
        }
        for (i, org) in ids.org.iter().enumerate() {
            for (group, kind, path) in referral.referrers {
                if !org.gvk.is_selected_by(group, "", kind) {
                    continue;
                }
                let referrer = Referrer { resources, ids: &ids, index: i, renamed: &renamed, path };
                referrer.updates(&mut updates, &mut problems);
            }
        }
    }
    for u in &updates {
        let spec = FieldSpec::rows(&[("", "", "", u.path, false)]).remove(0);
        let mut at = 0;
        fieldspec::apply(&mut resources[u.resource].node, &spec, Leaf::Scalar, Span::default(), &mut |field| {
            if at == u.at {
                u.write(field);
            }
            at += 1;
        });
    }
    problems
}

/// Objects of the referral's kind that were renamed or moved, by every name they had.
fn renamed_objects(resources: &[Resource], referral: &Referral) -> HashMap<String, Vec<usize>> {
    let mut out: HashMap<String, Vec<usize>> = HashMap::new();
    for (j, r) in resources.iter().enumerate() {
        let of_kind = r.prev_ids.iter().any(|p| p.gvk.is_selected_by(referral.group, referral.version, referral.kind));
        if !of_kind {
            continue;
        }
        for p in &r.prev_ids {
            let bucket = out.entry(p.name.clone()).or_default();
            if bucket.last() != Some(&j) {
                bucket.push(j);
            }
        }
    }
    out
}

struct Referrer<'a> {
    resources: &'a [Resource],
    ids: &'a Ids,
    index: usize,
    renamed: &'a HashMap<String, Vec<usize>>,
    path: &'static str,
}

impl Referrer<'_> {
    fn updates(&self, out: &mut Vec<Update>, problems: &mut Vec<String>) {
        let spec = FieldSpec::rows(&[("", "", "", self.path, false)]).remove(0);
        let fields = fieldspec::find(&self.resources[self.index].node, &spec);
        for (at, field) in fields.into_iter().enumerate() {
            let mut push = |item: Option<usize>, change: Option<(Option<Node>, Option<Node>)>| {
                if let Some((name, namespace)) = change {
                    out.push(Update { resource: self.index, path: self.path, at, item, name, namespace });
                }
            };
            match &field.kind {
                NodeKind::Scalar(_) => push(None, self.scalar(field, problems)),
                NodeKind::Map(_) => push(None, self.mapping(field, problems)),
                NodeKind::Seq(items) => {
                    for (k, item) in items.iter().enumerate() {
                        let change = match &item.kind {
                            NodeKind::Map(_) => self.mapping(item, problems),
                            NodeKind::Scalar(_) => self.scalar(item, problems),
                            NodeKind::Seq(_) => None,
                        };
                        push(Some(k), change);
                    }
                }
            }
        }
    }

    /// Whether object `j` may be named from the referrer at all: same namespace, or
    /// cluster-scoped on either side, or RoleBinding subjects' namespaces.
    fn reachable(&self, j: usize) -> bool {
        let me = &self.ids.cur[self.index];
        let them = &self.ids.cur[j];
        if me.gvk.is_cluster_scoped() || them.gvk.is_cluster_scoped() {
            return true;
        }
        if me.effective_namespace() == them.effective_namespace() {
            return true;
        }
        me.gvk.kind == "RoleBinding"
            && self.resources[self.index]
                .node
                .get("subjects")
                .and_then(Node::as_seq)
                .unwrap_or_default()
                .iter()
                .filter(|s| s.get("kind").and_then(Node::as_str) == Some("ServiceAccount"))
                .any(|s| s.get("namespace").and_then(Node::as_str) == Some(them.namespace.as_str()))
    }

    fn scalar(&self, field: &Node, problems: &mut Vec<String>) -> Option<(Option<Node>, Option<Node>)> {
        let old = field.as_str()?;
        let chosen = self.select(old, None, problems)?;
        let name = self.resources[chosen].name();
        (name != old).then(|| (Some(Node::string(name, field.span)), None))
    }

    fn mapping(&self, field: &Node, problems: &mut Vec<String>) -> Option<(Option<Node>, Option<Node>)> {
        let name_node = field.get("name")?;
        let old = name_node.as_str()?;
        let namespace = field.get("namespace").map(|n| n.as_str().unwrap_or(""));
        let chosen = self.select(old, namespace, problems)?;
        let r = &self.resources[chosen];
        let (name, ns) = (r.name(), r.namespace());
        if name == old && ns.is_empty() {
            return None;
        }
        let ns_node = r.node.path(&["metadata", "namespace"]).filter(|_| !ns.is_empty()).cloned();
        Some((Some(Node::string(name, name_node.span)), ns_node))
    }

    /// The one object a reference named `old` (with `namespace`, for a subject) means, as
    /// kustomize picks it.
    fn select(&self, old: &str, namespace: Option<&str>, problems: &mut Vec<String>) -> Option<usize> {
        let referrer = &self.resources[self.index];
        let role_ref = self.path.ends_with("roleRef/name").then(|| {
            let text = |k: &str| referrer.node.path(&["roleRef", k]).and_then(Node::as_str).unwrap_or("").to_string();
            (text("apiGroup"), text("kind"))
        });
        let in_namespace = |j: usize, original: bool| {
            let id = if original { &self.ids.org[j] } else { &self.ids.cur[j] };
            !id.gvk.is_cluster_scoped() && Some(id.effective_namespace()) == namespace
        };
        let named: Vec<usize> =
            self.renamed.get(old).into_iter().flatten().copied().filter(|&j| self.reachable(j)).collect();
        let mut pool: Vec<usize> = match namespace {
            None => named,
            Some(_) => {
                // Subjects name a namespace: the objects first declared in it when there are
                // any (of any kind), else the objects in it now.
                let original = (0..self.resources.len()).any(|j| in_namespace(j, true) && self.reachable(j));
                named.into_iter().filter(|&j| in_namespace(j, original)).collect()
            }
        };
        let referrer_id = &self.ids.cur[self.index];
        pool.retain(|&j| {
            let r = &self.resources[j];
            let them = &self.ids.cur[j];
            role_ref.as_ref().is_none_or(|(g, k)| r.prev_ids.iter().any(|p| p.gvk.is_selected_by(g, "", k)))
                && (referrer_id.gvk.is_cluster_scoped()
                    || them.gvk.is_cluster_scoped()
                    || them.gvk.kind == "ServiceAccount"
                    || them.effective_namespace() == referrer_id.effective_namespace())
        });
        if pool.len() > 1 {
            pool.retain(|&j| affixes_match(referrer, &self.resources[j], true));
            if pool.len() > 1 {
                pool.retain(|&j| affixes_match(referrer, &self.resources[j], false));
            }
        }
        match pool.as_slice() {
            [] => None,
            [one] => Some(*one),
            [first, rest @ ..] => {
                let a = &self.resources[*first];
                let same = |j: &usize| {
                    let b = &self.resources[*j];
                    a.name() == b.name() && (namespace.is_none() || a.namespace() == b.namespace())
                };
                if rest.iter().all(same) {
                    Some(*first)
                } else {
                    problems.push(format!(
                        "`{old}` in {} could name several objects (kustomize refuses the build)",
                        referrer_id.describe()
                    ));
                    None
                }
            }
        }
    }
}

/// The name prefixes and suffixes of two objects end the same way (`allow_empty`: an object
/// without any matches everything).
fn affixes_match(a: &Resource, b: &Resource, allow_empty: bool) -> bool {
    let same = |x: &[String], y: &[String]| {
        if allow_empty && (x.is_empty() || y.is_empty()) {
            return true;
        }
        let (short, long) = if x.len() <= y.len() { (x, y) } else { (y, x) };
        if short.is_empty() {
            return long.is_empty();
        }
        long.ends_with(short)
    };
    same(&a.prefixes, &b.prefixes) && same(&a.suffixes, &b.suffixes)
}
