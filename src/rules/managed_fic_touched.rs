use std::collections::HashSet;

use super::{Context, Rule, Sink};
use crate::finding::Level;
use crate::model::{FederatedCredential, IdentityBindingResource, MANAGED_FIC_NAME};
use crate::span::Span;

/// IB401: anything that creates, updates or deletes the federated credential AKS owns for
/// identity bindings (`aks-identity-binding`). ASO with `reconcile-policy: skip` never writes it:
/// warning. A write whose name cannot be evaluated, on an identity the repository binds to a
/// cluster, is a note: a reviewer must look, iblint does not guess.
pub(super) struct ManagedFicTouched;

impl Rule for ManagedFicTouched {
    fn id(&self) -> &'static str {
        "IB401"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        // One write evaluated for several deployments (parameter files) is reported once.
        let mut reported = HashSet::new();
        let mut first =
            |fic: &FederatedCredential, at: Span| reported.insert((fic.at(at), fic.name_source.map(|s| fic.at(s))));
        for fic in &cx.inventory.federated_credentials {
            match &fic.name {
                Some(name) if fic.is_managed_name() => {
                    if first(fic, name.span) {
                        managed_name(fic, sink);
                    }
                }
                Some(_) => {}
                None => {
                    let bound = fic.identity_text().and_then(|i| cx.inventory.identity_binding_for(&i));
                    if let Some(binding) = bound.filter(|_| first(fic, fic.unresolved_name.unwrap_or(fic.anchor))) {
                        unresolved_name_on_bound_identity(fic, binding, sink);
                    }
                }
            }
        }
    }
}

fn managed_name(fic: &FederatedCredential, sink: &mut Sink) {
    let Some(name) = &fic.name else { return };
    let f = sink.emit(
        fic.at(name.span),
        format!(
            "{} {} the federated credential `{MANAGED_FIC_NAME}`, which AKS creates and owns for identity bindings: \
             every cluster bound to that identity breaks",
            fic.display,
            fic.action.verb()
        ),
    );
    f.help(help(fic));
    if let Some(meta) = &fic.meta {
        f.object = Some(meta.object_ref());
    }
    // Where the name is written and the module calls that lead to the write are where the
    // finding comes from: a run given only one of those files (a staged tfvars or parameter file)
    // reports it too.
    if let Some(source) = fic.name_source {
        f.provenance(fic.at(source), format!("the name `{}` comes from here", name.value));
    }
    for (span, what) in &fic.trail {
        f.provenance(fic.at(*span), what.clone());
    }
    if fic.reconcile_skip {
        f.level(Level::Warning);
        f.message.push_str(" (ASO's reconcile-policy is `skip`, so it is not written today)");
    }
}

fn unresolved_name_on_bound_identity(fic: &FederatedCredential, binding: &IdentityBindingResource, sink: &mut Sink) {
    let identity = fic.identity_text().unwrap_or_default();
    let f = sink.emit(
        fic.at(fic.unresolved_name.unwrap_or(fic.anchor)),
        format!(
            "{} {} a federated credential of the managed identity `{identity}`, which {} binds to a cluster, and its \
             name could not be evaluated: it may be `{MANAGED_FIC_NAME}`",
            fic.display,
            fic.action.verb(),
            binding.display
        ),
    );
    f.level(Level::Note);
    f.help(format!(
        "Check that this name can never be `{MANAGED_FIC_NAME}` (AKS owns that credential on every identity bound to a \
         cluster), or write the name as a literal so iblint can check it."
    ));
    f.related(binding.at(binding.anchor), format!("{} binds `{identity}` to a cluster here", binding.display));
    for (span, what) in &fic.trail {
        f.related(fic.at(*span), what.clone());
    }
}

fn help(fic: &FederatedCredential) -> String {
    format!(
        "Remove this {}: AKS manages `{MANAGED_FIC_NAME}` itself (it is shared by every identity binding of the \
         identity and not garbage-collected). Give your own credentials another name.",
        if fic.meta.is_some() { "object" } else { "code" }
    )
}
