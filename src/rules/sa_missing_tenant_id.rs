use super::sa_support::{and_others, is_set, service_account_field, set_by_another_declaration};
use super::{Context, Rule, Sink};
use crate::fix::Plan;
use crate::model::{identity_binding_enabled, is_guid};
use crate::model::{Inventory, ServiceAccount, Workload, TENANT_ID};

/// IB202: the ServiceAccount of an identity-binding pod has no `tenant-id`, or any ServiceAccount
/// has an empty one (a present key wins over the webhook's default tenant, so `AZURE_TENANT_ID`
/// is not injected at all).
pub(super) struct SaMissingTenantId;

impl Rule for SaMissingTenantId {
    fn id(&self) -> &'static str {
        "IB202"
    }

    fn reads_shared_answers(&self) -> bool {
        true
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        for sa in &cx.inventory.service_accounts {
            report_empty(sink, sa);
        }
        // Read only for a finding: it goes through every account's tenant.
        let tenant = std::cell::OnceCell::new();
        for u in cx.account_users().filter(|u| u.sa.tenant_id().is_none() && !u.sa.meta.is_patch) {
            let binding_pods: Vec<&Workload> =
                u.pods.iter().copied().filter(|w| identity_binding_enabled(&w.pod)).collect();
            if !binding_pods.is_empty() && !set_by_another_declaration(cx.inventory, u.sa, TENANT_ID) {
                let tenant = tenant.get_or_init(|| only_tenant(cx.inventory, &cx.settings.tenants));
                report_missing(sink, u.sa, &binding_pods, tenant.as_deref());
            }
        }
    }
}

/// One finding per account, naming the first identity-binding pod that uses it.
fn report_missing(sink: &mut Sink, sa: &ServiceAccount, pods: &[&Workload], tenant: Option<&str>) {
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
    finding.plan(tenant.and_then(|t| tenant_plan(sa, t)));
}

/// The tenant a run names, when it names exactly one: the config's `tenants:` if it lists any,
/// else the `tenant-id` of every ServiceAccount in scope. Several, or none: no fix.
fn only_tenant(inv: &Inventory, configured: &[String]) -> Option<String> {
    // Compared in place, without a copy of each ServiceAccount's tenant: on a large repository
    // this runs while the other rules hold their findings, at the run's peak.
    let one = if configured.is_empty() {
        the_only(inv.service_accounts.iter().filter_map(|sa| sa.tenant_id()).map(|e| e.value.as_str()))
    } else {
        the_only(configured.iter().map(String::as_str))
    }?;
    Some(one.to_ascii_lowercase()).filter(|one| is_guid(one))
}

/// The one text `texts` hold, ignoring case; `None` when they hold none or several.
fn the_only<'a>(mut texts: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let first = texts.next()?;
    texts.all(|t| t.eq_ignore_ascii_case(first)).then_some(first)
}

/// Unsafe: the tenant is inferred from the rest of the repository, not read from Azure.
fn tenant_plan(sa: &ServiceAccount, tenant: &str) -> Option<Plan> {
    let plan =
        Plan::unsafe_(format!("Annotate {} with the tenant id {tenant} (the only one in scope)", sa.meta.object_ref()));
    match (sa.meta.annotations.key_span, sa.meta.metadata_span) {
        (Some(annotations), _) => plan.insert(&sa.meta.at(annotations), &[], TENANT_ID, tenant),
        (None, Some(metadata)) => plan.insert(&sa.meta.at(metadata), &["annotations"], TENANT_ID, tenant),
        (None, None) => None,
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
