//! Questions several rules ask of the model, answered once.

use std::borrow::Cow;

use crate::fix::Plan;
use crate::model::{Inventory, ServiceAccount, Workload, USE_LABEL};

/// The ServiceAccount a workload runs as, if it is in scope.
pub fn service_account_of<'a>(inv: &'a Inventory, w: &Workload) -> Option<&'a ServiceAccount> {
    inv.service_account(w.namespace(), w.pod.service_account_name()?, &w.meta)
}

/// Exactly one edit (substitution, insertion or deletion) apart: `edit_distance(a, b) == 1` in
/// linear time and without allocating, for scans that compare every grant with every client id.
pub fn one_edit_apart(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return one_edit_apart_in(a.as_bytes(), b.as_bytes());
    }
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    one_edit_apart_in(&a, &b)
}

fn one_edit_apart_in<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    if short.len() == long.len() {
        // One substitution: everything after the first difference matches.
        prefix < short.len() && short.get(prefix + 1..) == long.get(prefix + 1..)
    } else {
        // One insertion into `short` at the first difference.
        short.get(prefix..) == long.get(prefix + 1..)
    }
}

/// Levenshtein distance, for "did you mean" suggestions and one-edit typos.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Where the `use` label went instead of the pod template.
pub enum UseLabelElsewhere<'a> {
    /// On the workload itself: its own metadata, only its selector, an intermediate template's
    /// metadata, or an annotation.
    OnWorkload(Misplaced<'a>),
    /// On the ServiceAccount the pod runs as (the pre-v1.0 way, ignored since v1.0).
    OnServiceAccount(&'a ServiceAccount, &'a crate::model::Entry),
}

/// The `use` label where the webhook does not look.
pub struct Misplaced<'a> {
    /// Where, as a message says it ("on the controller's own metadata").
    pub place: Cow<'static, str>,
    pub entry: &'a crate::model::Entry,
    /// On the object rather than on one of its pod templates: an object with several pod
    /// templates reports it once.
    pub on_object: bool,
}

/// The `use` label is missing from the pod template but present somewhere it does nothing.
pub fn use_label_elsewhere<'a>(inv: &'a Inventory, w: &'a Workload) -> Option<UseLabelElsewhere<'a>> {
    if let Some(m) = misplaced_use_label(w) {
        return Some(UseLabelElsewhere::OnWorkload(m));
    }
    if w.pod.labels.contains(USE_LABEL) {
        return None;
    }
    let sa = service_account_of(inv, w)?;
    sa.meta.labels.get(USE_LABEL).map(|e| UseLabelElsewhere::OnServiceAccount(sa, e))
}

/// Where the `use` label was put instead of the pod template, if it is not on the template:
/// the controller's own labels, an intermediate template's (a CronJob's Job template), only the
/// selector, or an annotation.
pub fn misplaced_use_label(w: &Workload) -> Option<Misplaced<'_>> {
    if w.pod.labels.contains(USE_LABEL) {
        return None;
    }
    let found = |place: Cow<'static, str>, entry, on_object| Some(Misplaced { place, entry, on_object });
    if let Some(e) = w.pod.annotations.get(USE_LABEL) {
        return found("as a pod template annotation".into(), e, false);
    }
    if !w.has_controller_meta {
        return None;
    }
    let outer = w.outer.as_ref();
    if let Some((o, e)) = outer.and_then(|o| o.labels.get(USE_LABEL).map(|e| (o, e))) {
        return found(format!("on {}", o.what).into(), e, true);
    }
    if let Some(e) = w.meta.labels.get(USE_LABEL) {
        return found("on the controller's own metadata".into(), e, true);
    }
    if let Some(e) = w.selector_use_label() {
        return found("only in spec.selector".into(), e, true);
    }
    if let Some((o, e)) = outer.and_then(|o| o.annotations.get(USE_LABEL).map(|e| (o, e))) {
        return found(format!("as an annotation on {}", o.what).into(), e, true);
    }
    if let Some(e) = w.meta.annotations.get(USE_LABEL) {
        return found("as an annotation on the controller".into(), e, true);
    }
    None
}

/// YAML that sets `key: "value"` at `path` (a key path from the object's root), indented for a
/// help text.
pub fn yaml_at(path: &[&str], key: &str, value: &str) -> String {
    let mut out = String::new();
    for (depth, segment) in path.iter().enumerate() {
        out.push_str(&format!("{}{segment}:\n", " ".repeat(4 + 2 * depth)));
    }
    out.push_str(&format!("{}{key}: \"{value}\"", " ".repeat(4 + 2 * path.len())));
    out
}

/// Adds `key: "value"` to the labels of the workload's pod template, creating `labels:` (and
/// `metadata:` of a `template:`) where missing. `None` where the pod template's layout is not
/// one a fix may assume (a Spark role or an Argo template without labels of its own).
pub fn insert_pod_label(plan: Plan, w: &Workload, key: &str, value: &str) -> Option<Plan> {
    insert_pod_entry(plan, w, w.pod.labels.key_span, w.pod.facts.labels_path, "labels", key, value)
}

/// Adds `key: "value"` to the annotations of the workload's pod template, like
/// [`insert_pod_label`].
pub fn insert_pod_annotation(plan: Plan, w: &Workload, key: &str, value: &str) -> Option<Plan> {
    insert_pod_entry(plan, w, w.pod.annotations.key_span, w.pod.facts.annotations_path, "annotations", key, value)
}

fn insert_pod_entry(
    plan: Plan,
    w: &Workload,
    mapping: Option<crate::span::Span>,
    mapping_path: &[&str],
    name: &str,
    key: &str,
    value: &str,
) -> Option<Plan> {
    let pod = &w.pod;
    let standard = mapping_path.ends_with(&["metadata", name]);
    let in_template = mapping_path.len() >= 3 && mapping_path[mapping_path.len() - 3] == "template";
    let (anchor, path): (crate::span::Span, Vec<&str>) = match (mapping, pod.metadata_span) {
        (Some(existing), _) => (existing, vec![]),
        (None, Some(metadata)) if standard => (metadata, vec![name]),
        (None, None) if standard && in_template => (pod.anchor, vec!["metadata", name]),
        _ => return None,
    };
    plan.insert(&w.meta.at(anchor), &path, key, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("client_id", "client-id"), 1);
        assert_eq!(edit_distance("abc", "abc"), 0);
        for (a, b) in [("abc", "abd"), ("abc", "abcd"), ("abc", "bc"), ("client_id", "client-id"), ("é", "e")] {
            assert!(one_edit_apart(a, b) && one_edit_apart(b, a), "{a} {b}");
        }
        for (a, b) in [("abc", "abc"), ("abc", "acb"), ("abc", "a"), ("", ""), ("abc", "xyz")] {
            assert_eq!(one_edit_apart(a, b), edit_distance(a, b) == 1, "{a} {b}");
        }
    }
}
