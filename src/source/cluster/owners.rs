//! Pods → the controllers that own them. A pod is reported once per owning controller: when the
//! controller was listed its pod template stands for all its pods; otherwise the first pod of
//! each (owner, template hash) stands in for it.

use std::collections::HashSet;

use super::objects::PodRecord;
use crate::model::{LivePod, ObjectRef, Objects};

/// What is known about the controllers while resolving owners.
pub(super) struct Controllers {
    /// (kind, namespace, name) of every listed workload.
    listed: HashSet<(String, String, String)>,
    /// Deployments could be listed: a ReplicaSet without one is an orphan, not a Deployment's.
    deployments_listed: bool,
}

impl Controllers {
    pub(super) fn of(inventory: &Objects, deployments_listed: bool) -> Controllers {
        let listed = inventory
            .workloads
            .iter()
            .map(|w| (w.meta.kind.to_string(), w.meta.namespace.to_string(), w.meta.name.to_string()))
            .collect();
        Controllers { listed, deployments_listed }
    }

    fn has(&self, kind: &str, namespace: &str, name: &str) -> bool {
        self.listed.contains(&(kind.to_string(), namespace.to_string(), name.to_string()))
    }

    /// The top controller of a pod: ReplicaSet `api-7c9d5` with hash `7c9d5` → Deployment `api`;
    /// Job `backup-28941` of a CronJob `backup` → the CronJob.
    fn top(&self, namespace: &str, kind: &str, name: &str, hash: Option<&str>) -> ObjectRef {
        let named = |kind: &str, name: &str| ObjectRef {
            kind: kind.into(),
            namespace: Some(namespace.into()),
            name: name.into(),
        };
        if kind == "ReplicaSet" {
            let base = hash.and_then(|h| name.strip_suffix(h)).and_then(|b| b.strip_suffix('-'));
            if let Some(base) = base {
                if self.has("Deployment", namespace, base) || !self.deployments_listed {
                    return named("Deployment", base);
                }
            }
        }
        if kind == "Job" {
            if let Some((base, suffix)) = name.rsplit_once('-') {
                if suffix.bytes().all(|b| b.is_ascii_digit()) && self.has("CronJob", namespace, base) {
                    return named("CronJob", base);
                }
            }
        }
        named(kind, name)
    }
}

/// Resolves every pod's owner; adds a stand-in workload for each owner that was not listed.
pub(super) fn resolve(records: Vec<PodRecord>, controllers: &Controllers, inventory: &mut Objects) -> Vec<LivePod> {
    let mut stand_ins: HashSet<(ObjectRef, Option<String>)> = HashSet::new();
    let mut pods = Vec::with_capacity(records.len());
    for record in records {
        let PodRecord { mut live, mut workload, owner, template_hash } = record;
        let namespace = live.meta.namespace;
        let top = owner.map(|(kind, name)| controllers.top(&namespace, &kind, &name, template_hash.as_deref()));
        let listed = top.as_ref().is_some_and(|t| controllers.has(&t.kind, &namespace, &t.name));
        if !listed {
            let key = (top.clone().unwrap_or_else(|| live.meta.object_ref()), template_hash);
            if stand_ins.insert(key) {
                if let Some(t) = &top {
                    // The pod speaks for its controller: findings name the controller.
                    workload.meta.kind = t.kind.as_str().into();
                    workload.meta.name = t.name.as_str().into();
                }
                inventory.workloads.push(workload);
            }
        }
        live.owner = top;
        pods.push(live);
    }
    pods
}
