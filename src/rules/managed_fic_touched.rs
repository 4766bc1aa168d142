use super::{Context, Rule, Sink};
use crate::finding::Level;
use crate::model::{FederatedCredential, MANAGED_FIC_NAME};

/// IB401: anything that creates, updates or deletes the federated credential AKS owns for
/// identity bindings (`aks-identity-binding`). ASO with `reconcile-policy: skip` never writes it:
/// warning.
pub struct ManagedFicTouched;

impl Rule for ManagedFicTouched {
    fn id(&self) -> &'static str {
        "IB401"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        for fic in cx.inventory.federated_credentials.iter().filter(|f| f.is_managed_name()) {
            let Some(name) = &fic.name else { continue };
            let f = sink.emit(
                fic.at(name.span),
                format!(
                    "{} {} the federated credential `{MANAGED_FIC_NAME}`, which AKS creates and owns for identity \
                     bindings: every cluster bound to that identity breaks",
                    fic.display,
                    fic.action.verb()
                ),
            );
            f.help(help(fic));
            if let Some(meta) = &fic.meta {
                f.object = Some(meta.object_ref());
            }
            if fic.reconcile_skip {
                f.level(Level::Warning);
                f.message.push_str(" (ASO's reconcile-policy is `skip`, so it is not written today)");
            }
        }
    }
}

fn help(fic: &FederatedCredential) -> String {
    format!(
        "Remove this {}: AKS manages `{MANAGED_FIC_NAME}` itself (it is shared by every identity binding of the \
         identity and not garbage-collected). Give your own credentials another name.",
        if fic.meta.is_some() { "object" } else { "code" }
    )
}
