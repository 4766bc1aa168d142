use super::live_support::live;
use super::{Context, Rule, Sink};
use crate::model::{ADDON_NAMESPACE, OSS_NAMESPACE};

/// IB606: the webhook runs twice, as the AKS add-on in `kube-system` and as an open-source install
/// in `azure-workload-identity-system`.
pub(super) struct DuplicateWebhook;

impl Rule for DuplicateWebhook {
    fn id(&self) -> &'static str {
        "IB606"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        let Some(live) = live(cx) else { return };
        let in_ns = |ns: &str| live.webhook_deployments.iter().find(|d| d.meta.namespace == ns);
        let (Some(addon), Some(oss)) = (in_ns(ADDON_NAMESPACE), in_ns(OSS_NAMESPACE)) else { return };
        sink.emit_on(
            &oss.meta,
            oss.meta.kind_span,
            format!(
                "The workload identity webhook runs twice: {} (open-source install) beside {} (AKS add-on); both \
                 mutate every pod, in no guaranteed order",
                oss.meta.object_ref(),
                addon.meta.object_ref()
            ),
        )
        .help(
            "Keep one. With the AKS add-on enabled, uninstall the open-source chart \
             (`helm uninstall workload-identity-webhook -n azure-workload-identity-system`).",
        )
        .related(addon.meta.at(addon.meta.kind_span), "the add-on's webhook");
    }
}
