use super::{Context, Rule, Sink};

/// The issuer prefix of identity-binding tokens.
const IB_ISSUER: &str = "https://ib.oic.prod-aks.azure.com/";

/// IB403: a hand-made federated credential uses the identity-binding issuer.
pub(super) struct IdentityBindingIssuerFic;

impl Rule for IdentityBindingIssuerFic {
    fn id(&self) -> &'static str {
        "IB403"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        for fic in &cx.inventory.federated_credentials {
            let Some(issuer) = fic.issuer.as_ref().filter(|i| i.value.to_ascii_lowercase().starts_with(IB_ISSUER))
            else {
                continue;
            };
            if fic.is_managed_name() {
                continue; // IB401 already says not to touch it
            }
            let f = sink.emit(
                fic.at(issuer.span),
                format!(
                    "{} uses the identity-binding issuer `{}`: only the AKS-managed credential may trust it",
                    fic.display, issuer.value
                ),
            );
            f.help("Create an identity binding (`az aks identity-binding create`) instead of a credential for this issuer; \
                    for plain workload identity use the cluster's OIDC issuer.");
            if let Some(meta) = &fic.meta {
                f.object = Some(meta.object_ref());
            }
        }
    }
}
