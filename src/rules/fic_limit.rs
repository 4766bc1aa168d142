use std::collections::BTreeMap;

use super::{Context, Rule, Sink};
use crate::finding::Level;
use crate::model::FederatedCredential;

/// Azure's limit of federated credentials per managed identity, and where to start warning.
const LIMIT: usize = 20;
const WARN_FROM: usize = 18;

/// IB402: more than 20 federated credentials in scope target one managed identity (warning
/// from 18). Credentials are grouped by the identity their source names (ASO owner, Crossplane
/// parent, Terraform parent expression, Bicep parent, `--identity-name`); commands that delete
/// do not count, and a loop counts once.
pub struct FicLimit;

impl Rule for FicLimit {
    fn id(&self) -> &'static str {
        "IB402"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        let mut by_identity: BTreeMap<&str, Vec<&FederatedCredential>> = BTreeMap::new();
        for fic in &cx.inventory.federated_credentials {
            if let Some(id) = fic.identity.as_deref().filter(|_| fic.action != crate::model::FicAction::Delete) {
                by_identity.entry(id).or_default().push(fic);
            }
        }
        for (identity, fics) in by_identity {
            let count = fics.len();
            if count < WARN_FROM {
                continue;
            }
            // Point at the credential that crosses the line.
            let at = fics[if count > LIMIT { LIMIT } else { WARN_FROM - 1 }];
            let location = at.at(at.name.as_ref().map_or(at.anchor, |n| n.span));
            let f = sink.emit(
                location,
                format!(
                    "{count} federated credentials target the managed identity `{identity}`; Azure allows at most {LIMIT} \
                     per identity"
                ),
            );
            f.help("Use an identity binding: one AKS-managed credential serves every cluster bound to the identity.");
            if count <= LIMIT {
                f.level(Level::Warning);
            }
        }
    }
}
