use super::{Context, Rule, Sink};
use crate::finding::Level;
use crate::model::USE_LABEL;

const LEGACY_LABEL: &str = "aadpodidbinding";

/// IB502: a pod template carries the aad-pod-identity label `aadpodidbinding` (a note when it
/// also has the workload identity label: a migration in progress).
pub(super) struct AadPodIdentityLabel;

impl Rule for AadPodIdentityLabel {
    fn id(&self) -> &'static str {
        "IB502"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        for w in &cx.inventory.workloads {
            let Some(e) = w.pod.labels.get(LEGACY_LABEL) else { continue };
            let migrating = w.pod.labels.value(USE_LABEL) == Some("true");
            let f = sink.emit_on(
                &w.meta,
                e.key_span,
                if migrating {
                    format!(
                        "{} still carries `{LEGACY_LABEL}` next to the workload identity label: finish the migration",
                        w.object()
                    )
                } else {
                    format!(
                        "{} uses aad-pod-identity (`{LEGACY_LABEL}: {}`), which is no longer supported on AKS",
                        w.object(),
                        e.value
                    )
                },
            );
            f.help(
                "Run the pods as a ServiceAccount annotated with the identity's client id, label the pod template \
                    `azure.workload.identity/use: \"true\"`, then remove `aadpodidbinding`.",
            );
            if migrating {
                f.level(Level::Note);
            }
        }
    }
}
