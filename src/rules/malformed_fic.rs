use super::fix_values;
use super::{edit_distance, Context, Rule, Sink};
use crate::model::is_placeholder;
use crate::model::FederatedCredential;
use crate::span::Span;

const AUDIENCE: &str = "api://AzureADTokenExchange";
/// Other audiences Microsoft documents for token exchange (ACR pulls with workload identity).
const OTHER_KNOWN_AUDIENCES: &[&str] = &["api://AzureCRTokenExchange"];
const AKS_ISSUER_HOST: &str = ".oic.prod-aks.azure.com/";

/// IB404: a credential for an AKS issuer whose subject is not `system:serviceaccount:<ns>:<sa>`,
/// whose audience is not the token-exchange audience, or whose issuer lacks the trailing `/`.
pub(super) struct MalformedFic;

impl Rule for MalformedFic {
    fn id(&self) -> &'static str {
        "IB404"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        for fic in &cx.inventory.federated_credentials {
            let aks_issuer = fic
                .issuer
                .as_ref()
                .filter(|i| i.value.contains(AKS_ISSUER_HOST) && !i.value.starts_with("https://ib."));
            if let Some(issuer) = aks_issuer.filter(|i| !i.value.ends_with('/') && !is_placeholder(&i.value)) {
                report(
                    sink,
                    fic,
                    issuer.span,
                    format!(
                        "the AKS issuer `{}` lacks its trailing `/`: tokens never match it (AADSTS70021)",
                        issuer.value
                    ),
                    format!("issuer: \"{}/\"", fix_values::url_or(&issuer.value, "<issuer>")),
                );
            }
            if let Some(subject) = fic.subject.as_ref().filter(|s| !is_placeholder(&s.value)) {
                let looks_k8s = aks_issuer.is_some() || subject.value.starts_with("system:serviceaccount");
                if looks_k8s && !valid_subject(&subject.value) {
                    report(
                        sink,
                        fic,
                        subject.span,
                        format!("the subject `{}` is not `system:serviceaccount:<namespace>:<name>`", subject.value),
                        "subject: \"system:serviceaccount:<namespace>:<service-account>\"".into(),
                    );
                }
            }
            for a in fic.audiences.iter().filter(|a| !is_placeholder(&a.value)) {
                let known = a.value == AUDIENCE || OTHER_KNOWN_AUDIENCES.contains(&a.value.as_str());
                let looks_meant = a.value.eq_ignore_ascii_case(AUDIENCE) || edit_distance(&a.value, AUDIENCE) <= 3;
                if !known && (looks_meant || aks_issuer.is_some()) {
                    report(
                        sink,
                        fic,
                        a.span,
                        format!("the audience `{}` is not `{AUDIENCE}`", a.value),
                        format!("audiences: [\"{AUDIENCE}\"]"),
                    );
                }
            }
        }
    }
}

/// `system:serviceaccount:<ns>:<name>` with non-empty parts (placeholders allowed inside).
fn valid_subject(s: &str) -> bool {
    let parts: Vec<&str> = s.split(':').collect();
    parts.len() == 4
        && parts[0] == "system"
        && parts[1] == "serviceaccount"
        && !parts[2].is_empty()
        && !parts[3].is_empty()
}

fn report(sink: &mut Sink, fic: &FederatedCredential, at: Span, what: String, fix: String) {
    let f = sink.emit(fic.at(at), format!("In {}, {what}", fic.display));
    f.help(format!("Write it as the workload identity exchange expects:\n\n    {fix}"));
    if let Some(meta) = &fic.meta {
        f.object = Some(meta.object_ref());
    }
}
