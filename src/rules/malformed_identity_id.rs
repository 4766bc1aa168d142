use super::rbac_support::rewrite_client_id;
use super::sa_support::is_unchecked_value;
use super::{Context, Mode, Rule, Sink};
use crate::finding::Level;
use crate::fix::Plan;
use crate::model::is_guid;
use crate::model::{Entry, Inventory, ServiceAccount, CLIENT_ID, TENANT_ID};

/// IB203: a ServiceAccount's `client-id` or `tenant-id` that is not a GUID (error), or a GUID with
/// upper-case letters (warning). Placeholders in manifests are counted and reported once per run as a
/// note; in a live cluster they are malformed like any other value.
pub struct MalformedIdentityId;

impl Rule for MalformedIdentityId {
    fn id(&self) -> &'static str {
        "IB203"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        let mut unchecked: Vec<(&ServiceAccount, &Entry)> = Vec::new();
        for sa in &cx.inventory.service_accounts {
            for entry in [sa.client_id(), sa.tenant_id()].into_iter().flatten().filter(|e| e.is_string()) {
                // Blank values are IB201/IB202's business.
                if entry.value.trim().is_empty() {
                    continue;
                }
                // In a live cluster nothing fills a placeholder in any more: it is the value in use.
                if cx.mode == Mode::Check && is_unchecked_value(&entry.value) {
                    unchecked.push((sa, entry));
                } else {
                    check_value(sink, cx.inventory, sa, entry);
                }
            }
        }
        report_unchecked(sink, &unchecked);
    }
}

fn check_value(sink: &mut Sink, inv: &Inventory, sa: &ServiceAccount, entry: &Entry) {
    let value = &entry.value;
    let account = || sa.meta.object_ref();
    let field = if entry.key == CLIENT_ID { "client id" } else { "tenant id" };
    if is_guid(value) {
        if value.chars().any(|c| c.is_ascii_uppercase()) {
            sink.emit_on(
                &sa.meta,
                entry.value_span,
                format!("The {field} `{value}` of {} has upper-case letters", account()),
            )
            .level(Level::Warning)
            .plan(lower_case_plan(inv, sa, entry))
            .help(format!(
                "Write the GUID in lower case, as `az` prints it: RBAC resource names (identity binding grants) \
                 compare byte for byte.\n\n    {}: \"{}\"",
                entry.key,
                value.to_ascii_lowercase()
            ));
        }
        return;
    }
    let trimmed = is_guid(value.trim());
    let why = if trimmed { "has surrounding whitespace".to_string() } else { "is not a GUID".to_string() };
    let fix = trimmed.then(|| {
        Plan::safe(format!("Remove the whitespace around the {field} of {}", account())).rewrite(
            &sa.meta.at(entry.value_span),
            value,
            &value.trim().to_ascii_lowercase(),
        )
    });
    let f = sink.emit_on(&sa.meta, entry.value_span, format!("The {field} `{value}` of {} {why}", account()));
    f.plan(fix.flatten());
    f.help(format!(
        "The webhook copies the value verbatim into the pod's environment and token requests fail with it. \
         Use the managed identity's {field} (8-4-4-4-12 hex digits), for example:\n\n    {}: \
         \"3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60\"",
        entry.key
    ));
}

/// One note for the whole run, at the first unchecked value in path order.
fn report_unchecked(sink: &mut Sink, unchecked: &[(&ServiceAccount, &Entry)]) {
    let first = unchecked
        .iter()
        .min_by(|(a, x), (b, y)| (a.meta.origin.path(), x.value_span).cmp(&(b.meta.origin.path(), y.value_span)));
    let Some((sa, entry)) = first else { return };
    let (value, account) = (&entry.value, sa.meta.object_ref());
    let message = match unchecked.len() {
        1 => format!("The identity id `{value}` of {account} is a placeholder filled in later and was not checked"),
        n => format!(
            "{n} identity ids are placeholders filled in later and were not checked, the first being `{value}` of \
             {account}"
        ),
    };
    sink.emit_on(&sa.meta, entry.value_span, message).level(Level::Note).help(format!(
        "`{CLIENT_ID}` and `{TENANT_ID}` values such as `${{VAR}}`, `__NAME__` or `<client-id>` are \
         substituted at deploy time, and ids masked in documentation (`7d8cdf74-xxxx-…`, `****`) must be \
         replaced by the real ones. Lint the rendered manifests to check the real ids."
    ));
}

/// Lower-cases the id on the ServiceAccount and, for a client id, in every grant that names it as
/// written (they compare byte for byte: a grant that works must keep working).
fn lower_case_plan(inv: &Inventory, sa: &ServiceAccount, entry: &Entry) -> Option<Plan> {
    let lower = entry.value.to_ascii_lowercase();
    let field = if entry.key == CLIENT_ID { "client id" } else { "tenant id" };
    let plan = Plan::safe(format!("Write the {field} of {} in lower case", sa.meta.object_ref()));
    if entry.key == CLIENT_ID {
        rewrite_client_id(inv, plan, sa, entry, &lower)
    } else {
        plan.rewrite(&sa.meta.at(entry.value_span), &entry.value, &lower)
    }
}
