use super::fix_values;
use super::rbac_support::{grants_identity_use, rewrite_client_id, BoundAccount};
use super::{one_edit_apart, Context, Rule, Sink};
use crate::fix::Plan;
use crate::model::{is_guid, Inventory, Role, ServiceAccount, Str, USE_MANAGED_IDENTITY};

/// IB302: a grant bound to the ServiceAccount names a client id that differs from the
/// account's only in case, or by one edit: RBAC compares byte for byte, so it never matches.
pub(super) struct GrantIdMismatch;

impl Rule for GrantIdMismatch {
    fn id(&self) -> &'static str {
        "IB302"
    }

    fn reads_shared_answers(&self) -> bool {
        true
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        let inv = cx.inventory;
        for b in cx.bound_accounts() {
            let id = b.client_id.value;
            if !b.grants.is_empty() {
                continue;
            }
            for (role, resource) in near_misses(inv, b.sa, id) {
                let how = if resource.value.eq_ignore_ascii_case(id) {
                    "differs only in case from"
                } else {
                    "is one edit away from"
                };
                sink.emit_on(
                    &role.meta,
                    resource.span,
                    format!(
                        "{} grants `{USE_MANAGED_IDENTITY}` for `{}`, which {how} the client id `{id}` of {}: RBAC \
                         compares names byte for byte, so the grant never applies",
                        role.meta.object_ref(),
                        resource.value,
                        b.sa.meta.object_ref()
                    ),
                )
                .help(fix_help(id, &resource.value, b.sa))
                .plan(case_plan(inv, &b, role, resource))
                .related(b.client_id.holder.at(b.client_id.span), b.client_id.what());
            }
        }
    }
}

/// A grant that differs only in case: the client id in lower case on both sides (the grants that
/// name the account's id as written follow it). One edit apart is left to the user: either side
/// may hold the typo.
fn case_plan(inv: &Inventory, b: &BoundAccount, role: &Role, resource: &Str) -> Option<Plan> {
    let id = b.client_id.value;
    if !resource.value.eq_ignore_ascii_case(id) || !is_guid(id) {
        return None;
    }
    // A tool's field may sit in embedded or encoded text (a Secret's credentials file): only a
    // ServiceAccount's annotation is rewritten in place.
    let on_account = std::ptr::eq(b.client_id.holder, &b.sa.meta);
    let lower = id.to_ascii_lowercase();
    let mut plan = Plan::safe(format!(
        "Write client id {lower} in lower case in {} and {}",
        role.meta.object_ref(),
        b.sa.meta.object_ref()
    ));
    if id != lower {
        if !on_account {
            return None;
        }
        plan = rewrite_client_id(inv, plan, b.client_id.holder, b.client_id.span, id, &lower)?;
    }
    if resource.value != lower {
        plan = plan.rewrite(&role.meta.at(resource.span), &resource.value, &lower)?;
    }
    Some(plan)
}

/// Client ids are lower-case as `az` prints them: fix whichever side deviates from that.
fn fix_help(id: &str, granted: &str, sa: &ServiceAccount) -> String {
    let lower = id.to_ascii_lowercase();
    if id != lower && granted == lower {
        format!(
            "Write the client id on {} in lower case, as the grant (and `az`) has it:\n\n    \
             azure.workload.identity/client-id: \"{}\"",
            sa.meta.object_ref(),
            fix_values::guid_or(&lower, fix_values::CLIENT_ID)
        )
    } else {
        format!(
            "Grant exactly the ServiceAccount's client id:\n\n    resources: [\"{}\"]",
            fix_values::guid_or(id, fix_values::CLIENT_ID)
        )
    }
}

/// Resources of identity rules bound to `sa` that almost, but not exactly, name `id`.
pub(super) fn near_misses<'a>(inv: &'a Inventory, sa: &ServiceAccount, id: &str) -> Vec<(&'a Role, &'a Str)> {
    let mut out: Vec<(&Role, &Str)> = Vec::new();
    for (binding, _) in inv.bindings_for(&sa.meta.namespace, &sa.meta.name) {
        for (owner, rule) in inv.rules_of_binding(binding) {
            if !grants_identity_use(rule) {
                continue;
            }
            for r in rule.resources() {
                let near = r.value != id && (r.value.eq_ignore_ascii_case(id) || one_edit_apart(&r.value, id));
                if near && !out.iter().any(|(_, seen)| std::ptr::eq(*seen, r)) {
                    out.push((owner, r));
                }
            }
        }
    }
    out
}
