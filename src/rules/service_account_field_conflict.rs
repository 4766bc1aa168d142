use super::fix_values;
use super::{Context, Rule, Sink};
use crate::finding::Level;
use crate::model::is_wi_pod;

/// IB108: `serviceAccount` (the deprecated alias) and `serviceAccountName` disagree (error), or
/// only the alias is set (note). Checked on workload-identity pods, where the account decides
/// which identity the pod gets.
pub(super) struct ServiceAccountFieldConflict;

impl Rule for ServiceAccountFieldConflict {
    fn id(&self) -> &'static str {
        "IB108"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        for w in cx.inventory.workloads.iter().filter(|w| is_wi_pod(&w.pod)) {
            let pod = &w.pod;
            let Some(alias) = pod.service_account.as_deref().filter(|s| !s.value.is_empty()) else { continue };
            match pod.service_account_name.as_ref().filter(|s| !s.value.is_empty()) {
                Some(name) if name.value != alias.value => {
                    sink.emit_on(
                        &w.meta,
                        alias.span,
                        format!(
                            "{} sets `serviceAccount: {}` but `serviceAccountName: {}`: the pod runs as `{}`, and \
                             readers of the manifest may expect the other identity",
                            w.object(),
                            alias.value,
                            name.value,
                            name.value
                        ),
                    )
                    .level(Level::Error)
                    .help("Remove the deprecated `serviceAccount` field and keep `serviceAccountName`.")
                    .related(w.meta.at(name.span), "serviceAccountName wins");
                }
                Some(_) => {}
                None => {
                    sink.emit_on(
                        &w.meta,
                        alias.span,
                        format!("{} names its ServiceAccount with the deprecated field `serviceAccount`", w.object()),
                    )
                    .level(Level::Note)
                    .help(format!(
                        "Use the current field:\n\n    serviceAccountName: {}",
                        fix_values::object_name(&alias.value)
                    ));
                }
            }
        }
    }
}
