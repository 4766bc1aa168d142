//! Strategic merge, as kustomize applies a patch: mappings merge key by key, a `null` deletes,
//! lists the Kubernetes schema gives a merge key (containers and env by `name`, volumes by
//! `name`, ports by `containerPort`, …) merge element by element with the patch's elements
//! first, other lists are replaced; `$patch: delete|replace|merge` directives on mappings, list
//! elements and lists.

use super::resource::Gvk;
use crate::yaml::{Node, NodeKind};

const DIRECTIVE: &str = "$patch";

/// What became of the merged node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Merged {
    Kept,
    /// The patch deletes it.
    Deleted,
}

/// Merges `patch` into `dest`, an object of kind `gvk` (whose schema gives the list merge keys).
pub(super) fn merge_object(dest: &mut Node, patch: &Node, gvk: &Gvk) -> Merged {
    let mut path = Vec::new();
    merge(dest, patch, gvk, &mut path)
}

fn merge<'p>(dest: &mut Node, patch: &'p Node, gvk: &Gvk, path: &mut Vec<&'p str>) -> Merged {
    match &patch.kind {
        NodeKind::Map(entries) => {
            match directive(patch) {
                Some("delete") => return Merged::Deleted,
                Some("replace") => {
                    return match cleaned(patch) {
                        Some(n) => {
                            *dest = n;
                            Merged::Kept
                        }
                        None => Merged::Deleted,
                    };
                }
                _ => {}
            }
            if dest.as_map().is_none() {
                return match cleaned(patch) {
                    Some(n) => {
                        *dest = n;
                        Merged::Kept
                    }
                    None => Merged::Deleted,
                };
            }
            for (key, value) in entries {
                let Some(name) = key.as_str() else { continue };
                if name == DIRECTIVE {
                    continue;
                }
                if value.is_null() {
                    dest.remove(name);
                    continue;
                }
                path.push(name);
                let existing = dest.get_mut(name).filter(|d| !d.is_null());
                match existing {
                    Some(d) => {
                        if merge(d, value, gvk, path) == Merged::Deleted {
                            dest.remove(name);
                        }
                    }
                    None => {
                        let mut fresh = Node::empty_map(value.span);
                        if merge(&mut fresh, value, gvk, path) == Merged::Kept {
                            dest.set(name, key.span, fresh);
                        }
                    }
                }
                path.pop();
            }
            Merged::Kept
        }
        NodeKind::Seq(items) => match list_keys(gvk, path) {
            None => {
                *dest = patch.clone();
                Merged::Kept
            }
            Some(keys) => merge_list(dest, items, keys, gvk, path),
        },
        NodeKind::Scalar(_) => {
            *dest = patch.clone();
            Merged::Kept
        }
    }
}

/// The `$patch` directive of a mapping.
fn directive(node: &Node) -> Option<&str> {
    node.get(DIRECTIVE).and_then(Node::as_str)
}

/// An element that holds nothing but `$patch`: a directive for the whole list.
fn is_list_directive(node: &Node) -> bool {
    node.as_map().is_some_and(|m| m.len() == 1) && directive(node).is_some()
}

/// The directive of a list, if one of its elements is one.
fn list_directive(items: &[Node]) -> Option<&str> {
    items.iter().find(|i| is_list_directive(i)).and_then(directive)
}

/// A patch value placed where the destination has nothing: directives applied, nulls dropped.
fn cleaned(node: &Node) -> Option<Node> {
    match &node.kind {
        NodeKind::Map(entries) => {
            if directive(node) == Some("delete") {
                return None;
            }
            let kept = entries
                .iter()
                .filter(|(k, v)| k.as_str() != Some(DIRECTIVE) && !v.is_null())
                .filter_map(|(k, v)| Some((k.clone(), cleaned(v)?)))
                .collect();
            Some(Node { span: node.span, kind: NodeKind::Map(kept) })
        }
        NodeKind::Seq(items) => {
            let kept = items.iter().filter(|i| !is_list_directive(i)).filter_map(cleaned).collect();
            Some(Node { span: node.span, kind: NodeKind::Seq(kept) })
        }
        NodeKind::Scalar(_) => Some(node.clone()),
    }
}

fn merge_list<'p>(
    dest: &mut Node,
    patch_items: &'p [Node],
    keys: &[&str],
    gvk: &Gvk,
    path: &mut Vec<&'p str>,
) -> Merged {
    match list_directive(patch_items) {
        Some("delete") => return Merged::Deleted,
        Some("replace") => {
            let mut replaced = Node { span: dest.span, kind: NodeKind::Seq(Vec::new()) };
            if let Some(items) = replaced.as_seq_mut() {
                items.extend(patch_items.iter().filter(|i| !is_list_directive(i)).filter_map(cleaned));
            }
            *dest = replaced;
            return Merged::Kept;
        }
        _ => {}
    }
    let patch_items: Vec<&Node> = patch_items.iter().filter(|i| !is_list_directive(i)).collect();
    let dest_items: Vec<Node> = match dest.as_seq_mut() {
        Some(items) => std::mem::take(items),
        None => Vec::new(),
    };
    let merged = if keys.is_empty() {
        merge_primitives(dest_items, &patch_items)
    } else {
        merge_keyed(dest_items, &patch_items, keys, gvk, path)
    };
    let span = if dest.as_seq().is_some() { dest.span } else { patch_items.first().map_or(dest.span, |n| n.span) };
    *dest = Node { span, kind: NodeKind::Seq(merged) };
    Merged::Kept
}

/// A list of scalars merged as a set: the patch's values first.
fn merge_primitives(dest: Vec<Node>, patch: &[&Node]) -> Vec<Node> {
    let mut out: Vec<Node> = Vec::new();
    let seen = |out: &[Node], n: &Node| out.iter().any(|o| o.as_str() == n.as_str());
    for p in patch {
        if !seen(&out, p) {
            out.extend(cleaned(p));
        }
    }
    for d in dest {
        if !seen(&out, &d) {
            out.push(d);
        }
    }
    out
}

/// The merge key values of a list element (`""` where a key is missing).
fn key_values(node: &Node, keys: &[&str]) -> Option<Vec<String>> {
    node.as_map()?;
    let values: Vec<String> =
        keys.iter().map(|k| node.get(k).and_then(Node::as_str).unwrap_or("").to_string()).collect();
    values.iter().any(|v| !v.is_empty()).then_some(values)
}

/// Two elements are the same when their key values agree wherever both have one (a port
/// without `protocol` is the same as that port with `TCP`).
fn same_key(a: &[String], b: &[String]) -> bool {
    let mut common = false;
    for (x, y) in a.iter().zip(b) {
        if x == y && !x.is_empty() {
            common = true;
        } else if !x.is_empty() && !y.is_empty() {
            return false;
        }
    }
    common
}

fn merge_keyed<'p>(
    dest: Vec<Node>,
    patch: &[&'p Node],
    keys: &[&str],
    gvk: &Gvk,
    path: &mut Vec<&'p str>,
) -> Vec<Node> {
    let mut dest: Vec<(Option<Vec<String>>, Option<Node>)> =
        dest.into_iter().map(|n| (key_values(&n, keys), Some(n))).collect();
    let mut out = Vec::new();
    let mut unkeyed = Vec::new();
    for p in patch {
        let Some(pk) = key_values(p, keys) else {
            unkeyed.extend(cleaned(p));
            continue;
        };
        let found = dest.iter_mut().find(|(dk, n)| n.is_some() && dk.as_deref().is_some_and(|dk| same_key(dk, &pk)));
        match (found.and_then(|(_, n)| n.take()), directive(p)) {
            (_, Some("delete")) => {}
            (_, Some("replace")) | (None, _) => out.extend(cleaned(p)),
            (Some(mut d), _) => {
                if merge(&mut d, p, gvk, path) == Merged::Kept {
                    out.push(d);
                }
            }
        }
    }
    out.extend(dest.into_iter().filter_map(|(_, n)| n));
    out.extend(unkeyed);
    out
}

/// The pod spec's place in each workload kind.
fn pod_spec_path(gvk: &Gvk) -> Option<&'static [&'static str]> {
    Some(match (gvk.group.as_str(), gvk.kind.as_str()) {
        ("", "Pod") => &["spec"],
        ("", "PodTemplate") => &["template", "spec"],
        ("", "ReplicationController")
        | ("apps", "Deployment" | "ReplicaSet" | "DaemonSet" | "StatefulSet")
        | ("batch", "Job") => &["spec", "template", "spec"],
        ("batch", "CronJob") => &["spec", "jobTemplate", "spec", "template", "spec"],
        _ => return None,
    })
}

/// Kinds of the Kubernetes API kustomize has a schema for (custom kinds have none: their lists
/// are replaced).
fn has_schema(gvk: &Gvk) -> bool {
    pod_spec_path(gvk).is_some()
        || matches!(
            (gvk.group.as_str(), gvk.kind.as_str()),
            ("", "Service" | "ServiceAccount" | "ConfigMap" | "Secret" | "Namespace")
                | ("rbac.authorization.k8s.io", _)
                | ("policy", "PodDisruptionBudget")
                | ("networking.k8s.io", _)
        )
}

/// The merge keys of the list at `path` (`Some(&[])`: a list of scalars merged as a set), or
/// `None` when the list is replaced.
fn list_keys(gvk: &Gvk, path: &[&str]) -> Option<&'static [&'static str]> {
    if !has_schema(gvk) {
        return None;
    }
    match path {
        ["metadata", "ownerReferences"] => return Some(&["uid"]),
        ["metadata", "finalizers"] => return Some(&[]),
        _ => {}
    }
    match (gvk.kind.as_str(), path) {
        ("Service", ["spec", "ports"]) => return Some(&["port", "protocol"]),
        ("ServiceAccount", ["secrets"]) => return Some(&["name"]),
        _ => {}
    }
    let rest = path.strip_prefix(pod_spec_path(gvk)?)?;
    let container = |c: &str| matches!(c, "containers" | "initContainers" | "ephemeralContainers");
    match rest {
        [c] if container(c) => Some(&["name"]),
        ["volumes" | "imagePullSecrets" | "schedulingGates" | "resourceClaims"] => Some(&["name"]),
        ["hostAliases"] => Some(&["ip"]),
        ["topologySpreadConstraints"] => Some(&["topologyKey", "whenUnsatisfiable"]),
        [c, "env"] if container(c) => Some(&["name"]),
        [c, "ports"] if container(c) => Some(&["containerPort", "protocol"]),
        [c, "volumeMounts"] if container(c) => Some(&["mountPath"]),
        [c, "volumeDevices"] if container(c) => Some(&["devicePath"]),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{test_document, to_json};

    fn merged(base: &str, patch: &str) -> serde_json::Value {
        let mut d = test_document(base);
        let gvk = Gvk::of("apps/v1", "Deployment");
        assert_eq!(merge_object(&mut d, &test_document(patch), &gvk), Merged::Kept);
        to_json(&d)
    }

    #[test]
    fn containers_and_env_merge_by_name_patch_first() {
        let base = "spec:\n  template:\n    spec:\n      containers:\n        - {name: a, image: a, env: [{name: X, value: '1'}, {name: 'Y', value: '2'}]}\n        - {name: b, image: b}\n      volumes: [{name: v1}]\n      tolerations: [{key: k}]\n";
        let patch = "spec:\n  template:\n    spec:\n      containers:\n        - {name: b, image: b2}\n        - {name: c, image: c}\n        - {name: a, env: [{name: 'Y', value: '22'}]}\n      volumes:\n        - {name: v2}\n        - {name: v1, $patch: delete}\n      tolerations: [{key: k2}]\n";
        let v = merged(base, patch);
        let spec = &v["spec"]["template"]["spec"];
        let names: Vec<&str> =
            spec["containers"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["b", "c", "a"]);
        assert_eq!(
            spec["containers"][2]["env"],
            serde_json::json!([{"name": "Y", "value": "22"}, {"name": "X", "value": "1"}])
        );
        assert_eq!(spec["volumes"], serde_json::json!([{"name": "v2"}]));
        assert_eq!(spec["tolerations"], serde_json::json!([{"key": "k2"}]));
        let v = merged(
            base,
            "spec:\n  template:\n    spec:\n      volumes:\n        - $patch: replace\n        - {name: only}\n",
        );
        assert_eq!(v["spec"]["template"]["spec"]["volumes"], serde_json::json!([{"name": "only"}]));
    }

    #[test]
    fn nulls_and_directives_delete() {
        let base = "metadata:\n  labels: {a: '1', b: '2'}\nspec:\n  template:\n    metadata:\n      labels: {x: 'y'}\n";
        let v = merged(base, "metadata:\n  labels: {a: null}\nspec:\n  template:\n    metadata:\n      labels:\n        $patch: delete\n");
        assert_eq!(v, serde_json::json!({"metadata": {"labels": {"b": "2"}}, "spec": {"template": {"metadata": {}}}}));
        let v = merged(base, "metadata:\n  labels:\n    $patch: replace\n    c: '3'\n");
        assert_eq!(v["metadata"]["labels"], serde_json::json!({"c": "3"}));
        let mut d = test_document(base);
        let gone = merge_object(&mut d, &test_document("$patch: delete\n"), &Gvk::of("apps/v1", "Deployment"));
        assert_eq!(gone, Merged::Deleted);
    }

    #[test]
    fn custom_kinds_replace_lists() {
        let mut d = test_document("spec:\n  items: [{name: a}]\n");
        merge_object(&mut d, &test_document("spec:\n  items: [{name: b}]\n"), &Gvk::of("example.com/v1", "Thing"));
        assert_eq!(to_json(&d), serde_json::json!({"spec": {"items": [{"name": "b"}]}}));
    }
}
