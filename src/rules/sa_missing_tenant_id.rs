use super::sa_support::{and_others, is_set, service_account_field, set_by_another_declaration};
use super::{Context, Rule, Sink};
use crate::model::identity_binding_enabled;
use crate::model::{ServiceAccount, Workload, TENANT_ID};

/// IB202: the ServiceAccount of an identity-binding pod has no `tenant-id`, or any ServiceAccount
/// has an empty one (a present key wins over the webhook's default tenant, so `AZURE_TENANT_ID`
/// is not injected at all).
pub struct SaMissingTenantId;

impl Rule for SaMissingTenantId {
    fn id(&self) -> &'static str {
        "IB202"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        for sa in &cx.inventory.service_accounts {
            report_empty(sink, sa);
        }
        for u in cx.account_users().iter().filter(|u| u.sa.tenant_id().is_none() && !u.sa.meta.is_patch) {
            let binding_pods: Vec<&Workload> =
                u.pods.iter().copied().filter(|w| identity_binding_enabled(&w.pod)).collect();
            if !binding_pods.is_empty() && !set_by_another_declaration(cx.inventory, u.sa, TENANT_ID) {
                report_missing(sink, u.sa, &binding_pods);
            }
        }
    }
}

/// One finding per account, naming the first identity-binding pod that uses it.
fn report_missing(sink: &mut Sink, sa: &ServiceAccount, pods: &[&Workload]) {
    let Some(first) = pods.first() else { return };
    let account = sa.meta.object_ref();
    let others = and_others(pods.len());
    let finding = sink
        .emit_on(
            &sa.meta,
            sa.meta.anchor_for(&sa.meta.annotations),
            format!(
                "{account}, used by the identity-binding pod of {}{others}, has no `{TENANT_ID}` annotation",
                first.object()
            ),
        )
        .help(format!(
            "Identity bindings need the managed identity's tenant on the ServiceAccount \
             (`az account show --query tenantId -o tsv`):\n\n    metadata:\n      annotations:\n        \
             {TENANT_ID}: \"<tenant-id>\""
        ));
    for w in pods {
        finding.related(w.meta.at(service_account_field(w)), format!("{} runs as {account} here", w.object()));
    }
}

fn report_empty(sink: &mut Sink, sa: &ServiceAccount) {
    let Some(entry) = sa.tenant_id().filter(|e| !is_set(Some(e))) else { return };
    sink.emit_on(
        &sa.meta,
        entry.value_span,
        format!(
            "{} has an empty `{TENANT_ID}` annotation: the webhook then injects no AZURE_TENANT_ID instead of \
             using its default tenant",
            sa.meta.object_ref()
        ),
    )
    .help(format!(
        "Set the tenant id, or remove the annotation to use the tenant the webhook is configured with:\n\n    \
         {TENANT_ID}: \"<tenant-id>\""
    ));
}
