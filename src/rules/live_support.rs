//! What the live-cluster rules (IB6xx) share: access to `LiveState`, pods grouped by the
//! controller they are reported on, and the webhook's version.

use super::fix_values;
use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::Context;
use crate::finding::Location;
use crate::model::{LivePod, LiveState, ObjectRef, USE_LABEL};

/// The live facts, in `audit` only.
pub(super) fn live<'a>(cx: &Context<'a>) -> Option<&'a LiveState> {
    cx.inventory.live.as_ref()
}

/// The logical location of an object of the audited cluster.
pub(super) fn logical(live: &LiveState, object: &ObjectRef) -> Location {
    let name = match &object.namespace {
        Some(ns) => format!("{}/{ns}/{}/{}", live.context, object.kind, object.name),
        None => format!("{}/{}/{}", live.context, object.kind, object.name),
    };
    Location::Logical { name }
}

/// A running pod that opted into workload identity with the exact `use` label (the only thing
/// the webhook's object selector matches).
pub(super) fn running_wi_pod(pod: &LivePod) -> bool {
    pod.is_running() && pod.meta.labels.value(USE_LABEL) == Some("true")
}

/// Pods grouped by the object findings name (their controller, else the pod), in order.
pub(super) fn by_owner<'a>(pods: impl Iterator<Item = &'a LivePod>) -> BTreeMap<ObjectRef, Vec<&'a LivePod>> {
    let mut groups: BTreeMap<ObjectRef, Vec<&LivePod>> = BTreeMap::new();
    for pod in pods {
        groups.entry(pod.report_ref()).or_default().push(pod);
    }
    groups
}

/// "3 pods of Deployment team-a/api (api-1, api-2, api-3)", or "Pod team-a/x" for a bare pod.
pub(super) fn describe(owner: &ObjectRef, pods: &[&LivePod]) -> String {
    if owner.kind == "Pod" {
        return owner.to_string();
    }
    let mut names: Vec<&str> = pods.iter().map(|p| p.meta.name.as_str()).collect();
    names.sort_unstable();
    let shown = names.iter().take(3).copied().collect::<Vec<_>>().join(", ");
    let more = if names.len() > 3 { format!(", and {} more", names.len() - 3) } else { String::new() };
    let count = if pods.len() == 1 { "1 pod".to_string() } else { format!("{} pods", pods.len()) };
    format!("{count} of {owner} ({shown}{more})")
}

/// How to recreate the pods of `owner` so the webhook sees them again.
pub(super) fn recreate_help(owner: &ObjectRef) -> String {
    // A command the user may paste: only names that are valid as such go into it.
    let ns = fix_values::namespace(owner.namespace.as_deref().unwrap_or("default"));
    let name = fix_values::object_name(&owner.name);
    match owner.kind.as_str() {
        "Deployment" | "StatefulSet" | "DaemonSet" => {
            format!("kubectl rollout restart {}/{name} -n {ns}", owner.kind.to_ascii_lowercase())
        }
        "Pod" => format!("kubectl delete pod {name} -n {ns}   # then recreate it from its manifest"),
        _ => format!("delete the pods of {owner} so that its controller recreates them (kubectl delete pod -n {ns} …)"),
    }
}

/// A semantic version as image tags write it: `v1.6.0-alpha.1`, `1.5.1`, `v1.6.0+build`.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Version<'a> {
    core: [u64; 3],
    pre: Option<&'a str>,
}

impl<'a> Version<'a> {
    pub(super) fn parse(tag: &'a str) -> Option<Version<'a>> {
        let tag = tag.strip_prefix('v').unwrap_or(tag);
        let tag = tag.split('+').next().unwrap_or(tag);
        let (core, pre) = match tag.split_once('-') {
            Some((c, p)) => (c, Some(p)),
            None => (tag, None),
        };
        let mut parts = core.split('.').map(|p| p.parse::<u64>().ok());
        let v = [parts.next()??, parts.next().unwrap_or(Some(0))?, parts.next().unwrap_or(Some(0))?];
        if parts.next().is_some() || pre.is_some_and(str::is_empty) {
            return None;
        }
        Some(Version { core: v, pre })
    }
}

impl Ord for Version<'_> {
    /// Semver precedence: a pre-release is older than its release; pre-release identifiers
    /// compare numerically when both are numbers, else as text; more identifiers win a tie.
    fn cmp(&self, other: &Self) -> Ordering {
        self.core.cmp(&other.core).then_with(|| match (self.pre, other.pre) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(a), Some(b)) => {
                let (mut x, mut y) = (a.split('.'), b.split('.'));
                loop {
                    match (x.next(), y.next()) {
                        (None, None) => return Ordering::Equal,
                        (None, Some(_)) => return Ordering::Less,
                        (Some(_), None) => return Ordering::Greater,
                        (Some(p), Some(q)) => {
                            let order = match (p.parse::<u64>(), q.parse::<u64>()) {
                                (Ok(m), Ok(n)) => m.cmp(&n),
                                (Ok(_), Err(_)) => Ordering::Less,
                                (Err(_), Ok(_)) => Ordering::Greater,
                                _ => p.cmp(q),
                            };
                            if order != Ordering::Equal {
                                return order;
                            }
                        }
                    }
                }
            }
        })
    }
}

impl PartialOrd for Version<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::Version;

    fn v(s: &str) -> Version<'_> {
        Version::parse(s).unwrap_or_else(|| panic!("{s} should parse"))
    }

    #[test]
    fn pre_releases_come_before_their_release() {
        assert!(v("v1.6.0-alpha.1") < v("v1.6.0"));
        assert!(v("v1.5.1") < v("v1.6.0-alpha.1"));
        assert!(v("v1.6.0-alpha.1") < v("v1.6.0-alpha.2"));
        assert!(v("v1.6.0-alpha.2") < v("v1.6.0-alpha.10"), "numeric identifiers compare as numbers");
        assert!(v("v1.6.0-alpha.1") < v("v1.6.0-beta"));
        assert!(v("1.7") > v("v1.6.0"));
        assert_eq!(v("v1.6.0+build.5"), v("1.6.0"));
    }

    #[test]
    fn tags_that_are_not_versions_do_not_parse() {
        for tag in ["latest", "", "v", "main-abc", "1.6.0-", "sha256"] {
            assert!(Version::parse(tag).is_none(), "{tag}");
        }
    }
}
