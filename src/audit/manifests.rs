//! `--manifests DIR`: each live finding moves to the file and line that declare its object — the
//! line the same rule reports on that object in the files when it does, else the object's
//! `name:` — and the live object stays as a related location.
//!
//! Objects are matched by kind and name, then by namespace where the file writes one: files
//! rendered by kustomize or Helm, or applied with `kubectl apply -n`, often leave
//! `metadata.namespace` out.

use std::collections::HashMap;

use crate::finding::{Finding, Location, Related};
use crate::model::{Interned, ObjectRef, Text};
use crate::outcome::Outcome;

/// One declaration of an object in the files.
struct Declared<'a> {
    /// The namespace the file writes, if any.
    namespace: Option<&'a str>,
    /// The object as the check of the files named it (its namespace resolved).
    object: ObjectRef,
    /// Its `name:` (else `kind:`).
    at: Location,
}

/// The declarations of the files, by kind and name.
struct Declarations<'a> {
    by_name: HashMap<(Interned, Text), Vec<Declared<'a>>>,
}

impl<'a> Declarations<'a> {
    fn of(manifests: &'a Outcome) -> Declarations<'a> {
        let mut by_name: HashMap<(Interned, Text), Vec<Declared>> = HashMap::new();
        for meta in manifests.inventory.metas() {
            if meta.origin.path().is_none() {
                continue;
            }
            let written = meta.namespace_span.is_some() && !meta.cluster_scoped;
            by_name.entry((meta.kind, meta.name.clone())).or_default().push(Declared {
                namespace: written.then_some(meta.namespace.as_str()),
                object: meta.object_ref(),
                at: meta.at(meta.name_span.unwrap_or(meta.kind_span)),
            });
        }
        Declarations { by_name }
    }

    /// The declaration of a live object: the one in its namespace, else one that names none.
    fn of_live(&self, live: &ObjectRef) -> Option<&Declared<'a>> {
        let candidates = self.by_name.get(&(live.kind, live.name.clone()))?;
        match &live.namespace {
            None => candidates.first(),
            Some(ns) => candidates
                .iter()
                .find(|d| d.namespace == Some(ns.as_str()))
                .or_else(|| candidates.iter().find(|d| d.namespace.is_none())),
        }
    }
}

/// Moves each live finding onto the file and line that declare its object.
pub(super) fn map_onto(findings: &mut [Finding], manifests: &Outcome) {
    let declarations = Declarations::of(manifests);
    let mut same_rule: HashMap<(&str, &ObjectRef), &Location> = HashMap::new();
    for f in &manifests.findings {
        if let Some(object) = &f.object {
            same_rule.entry((f.rule, object)).or_insert(&f.location);
        }
    }
    for f in findings.iter_mut() {
        let Some(live_object) = &f.object else { continue };
        let Some(declared) = declarations.of_live(live_object) else { continue };
        let target = same_rule.get(&(f.rule, &declared.object)).map_or_else(|| declared.at.clone(), |l| (*l).clone());
        let live = std::mem::replace(&mut f.location, target);
        f.related.insert(0, Related { location: live, message: format!("the live {live_object}"), provenance: false });
    }
}
