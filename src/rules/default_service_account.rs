use super::{Context, Rule, Sink};
use crate::model::is_wi_pod;
use crate::model::AccountDefault;

/// IB107: a workload-identity pod that names no ServiceAccount, or names `default`.
pub(super) struct DefaultServiceAccount;

impl Rule for DefaultServiceAccount {
    fn id(&self) -> &'static str {
        "IB107"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        for w in cx.inventory.workloads.iter().filter(|w| !w.meta.is_patch && is_wi_pod(&w.pod)) {
            let pod = &w.pod;
            let (at, what) = match (pod.service_account_ref(), pod.facts.account_default) {
                (Some(s), _) if s.value == "default" => (s.span, "names the `default` ServiceAccount"),
                // The controller or whoever submits the object picks the account.
                (Some(_), _) | (None, AccountDefault::ChosenElsewhere(_)) => continue,
                (None, AccountDefault::Default) => {
                    (pod.spec_span.unwrap_or(pod.anchor), "names no ServiceAccount, so it runs as `default`")
                }
            };
            sink.emit_on(
                &w.meta,
                at,
                format!(
                    "{} asks for workload identity but {what}: every pod in namespace {} would share its identity",
                    w.object(),
                    w.namespace()
                ),
            )
            .help(
                "Create a dedicated ServiceAccount annotated with the identity's client id and run the pods as \
                 it:\n\n    spec:\n      serviceAccountName: my-app",
            );
        }
    }
}
