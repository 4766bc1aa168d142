use std::collections::HashSet;
use std::hash::BuildHasher;
use std::sync::Arc;

use super::{Context, Rule, Sink};
use crate::finding::{Level, Location};
use crate::model::FederatedCredential;

/// Azure's limit of federated credentials per managed identity, and where to start warning.
const LIMIT: usize = 20;
const WARN_FROM: usize = 18;

/// The hasher of identity keys (fixed: the groups must not depend on the run).
const KEY_HASH: foldhash::fast::FixedState = foldhash::fast::FixedState::with_seed(0);

/// IB402: more than 20 federated credentials in scope target one managed identity (warning
/// from 18). Credentials are grouped by the identity their source names (ASO owner, Crossplane
/// parent, Terraform parent expression, Bicep parent, `--identity-name`, compared by name) and by
/// the parameter file a template was deployed with; a name counts once per identity; commands
/// that delete do not count, and a loop over an unknown collection counts once.
pub(super) struct FicLimit;

impl Rule for FicLimit {
    fn id(&self) -> &'static str {
        "IB402"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        // One group per identity and deployment (parameter file): environments deployed from one
        // template with different parameter files hold different identities.
        let counted = || {
            cx.inventory
                .federated_credentials
                .iter()
                .filter(|fic| fic.action != crate::model::FicAction::Delete)
                .filter_map(|fic| Some((fic, fic.identity_key()?, fic.deployment.as_deref())))
        };
        // Counted first by a hash of the group's key: a repository's thousands of credentials,
        // each with its own key and group, held megabytes through the rules phase for the few
        // groups large enough to count. Hashes that collide only make a candidate larger: the
        // groups themselves are made by their keys.
        let mut counts: foldhash::HashMap<u64, usize> = foldhash::HashMap::default();
        for (_, key, deployment) in counted() {
            *counts.entry(KEY_HASH.hash_one((&key, deployment))).or_default() += 1;
        }
        counts.retain(|_, n| *n >= WARN_FROM);
        let mut by_identity: foldhash::HashMap<(String, Option<&str>), Vec<&FederatedCredential>> =
            foldhash::HashMap::default();
        if !counts.is_empty() {
            for (fic, key, deployment) in counted() {
                if counts.contains_key(&KEY_HASH.hash_one((&key, deployment))) {
                    by_identity.entry((key, deployment)).or_default().push(fic);
                }
            }
        }
        // Most identities have a credential or two: names are compared within the few groups
        // large enough to count.
        let mut large: Vec<_> = by_identity.into_iter().filter(|(_, fics)| fics.len() >= WARN_FROM).collect();
        large.sort_by(|(a, _), (b, _)| a.cmp(b));
        for (_, mut fics) in large {
            // Azure names credentials uniquely per identity: one name written twice (a Bicep file
            // and the template built from it, two scripts) is one credential.
            let mut names: HashSet<String> = HashSet::new();
            fics.retain(|fic| fic.name.as_ref().is_none_or(|n| names.insert(n.value.to_ascii_lowercase().to_string())));
            let identity = fics[0].identity_text().unwrap_or_default();
            let count = fics.len();
            if count < WARN_FROM {
                continue;
            }
            // Point at the credential that crosses the line.
            let at = fics[if count > LIMIT { LIMIT } else { WARN_FROM - 1 }];
            let location = at.at(at.name.as_ref().map_or(at.anchor, |n| n.span));
            let f = sink.emit(
                location.clone(),
                format!(
                    "{count} federated credentials target the managed identity `{identity}`; Azure allows at most {LIMIT} \
                     per identity"
                ),
            );
            f.help("Use an identity binding: one AKS-managed credential serves every cluster bound to the identity.");
            provenance(f, &fics, &location);
            if count <= LIMIT {
                f.level(Level::Warning);
            }
        }
    }
}

/// The files the counted credentials' names and module calls come from, other than the
/// finding's own: changing one of them changes the count, so a run given only that file (a
/// staged tfvars map of credentials) reports the finding too. One location per file.
fn provenance(f: &mut crate::finding::Finding, fics: &[&FederatedCredential], location: &Location) {
    let mut files: HashSet<Arc<str>> = location.path().into_iter().cloned().collect();
    for fic in fics {
        let sources = fic.name_source.iter().map(|s| (*s, "a credential's name comes from here".to_string()));
        for (span, what) in sources.chain(fic.trail.iter().cloned()) {
            let at = fic.at(span);
            if at.path().is_some_and(|p| files.insert(p.clone())) {
                f.provenance(at, what);
            }
        }
    }
}
