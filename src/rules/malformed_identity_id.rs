use super::rbac_support::rewrite_client_id;
use super::sa_support::is_unchecked_value;
use super::{Context, Mode, Rule, Sink};
use crate::finding::Level;
use crate::fix::Plan;
use crate::model::is_guid;
use crate::model::{Inventory, Meta, CLIENT_ID, TENANT_ID};
use crate::span::Span;

/// IB203: a ServiceAccount's `client-id` or `tenant-id` — or a client id a tool's configuration
/// supplies (a cert-manager Issuer's `managedIdentity.clientID`, …) — that is not a GUID (error),
/// or a GUID with upper-case letters (warning). Placeholders in manifests are counted and reported
/// once per run as a note; in a live cluster they are malformed like any other value.
pub(super) struct MalformedIdentityId;

/// One id to judge: where it is written and what it is.
struct IdValue<'a> {
    meta: &'a Meta,
    /// The annotation key or the configuration field, for the suggested fix.
    key: &'a str,
    value: &'a str,
    span: Span,
    /// "client id" or "tenant id".
    field: &'static str,
    /// How a message names the field's holder (see [`IdValue::whose`]).
    holder: Holder,
    /// Who uses the value as written, for the help.
    used_by: &'static str,
    /// A ServiceAccount annotation, which `iblint fix` may rewrite; a tool's field may sit in
    /// embedded or encoded text that cannot be rewritten in place.
    fixable: bool,
}

impl Rule for MalformedIdentityId {
    fn id(&self) -> &'static str {
        "IB203"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        let mut unchecked: Vec<IdValue> = Vec::new();
        for id in ids(cx) {
            // Blank values are IB201/IB202's business.
            if id.value.trim().is_empty() {
                continue;
            }
            // In a live cluster nothing fills a placeholder in any more: it is the value in use.
            // Placeholders are counted over every object: one finding names the first of them.
            if cx.mode == Mode::Check && is_unchecked_value(id.value) {
                unchecked.push(id);
            } else if cx.reports_on(id.meta) {
                check_value(sink, cx.inventory, &id);
            }
        }
        report_unchecked(sink, &unchecked);
    }
}

/// What holds an id, for messages. The text is made only for the few ids reported: every id in
/// scope is judged, and naming each one up front cost more than judging it.
#[derive(Clone, Copy)]
enum Holder {
    /// A ServiceAccount's annotation: `ServiceAccount a/b`.
    Account,
    /// A tool configuration's field: `` `clientID` of ClusterIssuer x ``.
    ToolField,
}

impl IdValue<'_> {
    fn whose(&self) -> String {
        match self.holder {
            Holder::Account => self.meta.object_ref().to_string(),
            Holder::ToolField => format!("`{}` of {}", self.key, self.meta.object_ref()),
        }
    }
}

/// Every id in scope: ServiceAccount annotations (string values only: others are IB002's) and
/// the literal client ids of tool configurations. Read as met, not collected: a large
/// repository has tens of thousands.
fn ids<'a>(cx: &'a Context) -> impl Iterator<Item = IdValue<'a>> {
    let accounts = cx.inventory.service_accounts.iter().flat_map(|sa| {
        [sa.client_id(), sa.tenant_id()].into_iter().flatten().filter(|e| e.is_string()).map(move |entry| IdValue {
            meta: &sa.meta,
            key: &entry.key,
            value: &entry.value,
            span: entry.value_span,
            field: if entry.key == CLIENT_ID { "client id" } else { "tenant id" },
            holder: Holder::Account,
            used_by: "The webhook copies the value verbatim into the pod's environment",
            fixable: true,
        })
    });
    let tools = cx.inventory.tool_configs.iter().flat_map(|config| {
        config.literal_ids().map(move |id| IdValue {
            meta: &config.meta,
            key: id.field,
            value: &id.value.value,
            span: id.value.span,
            field: "client id",
            holder: Holder::ToolField,
            used_by: config.tool.name,
            fixable: false,
        })
    });
    accounts.chain(tools)
}

fn check_value(sink: &mut Sink, inv: &Inventory, id: &IdValue) {
    let (value, field) = (id.value, id.field);
    if is_guid(value) && !value.bytes().any(|c| c.is_ascii_uppercase()) {
        return; // The common case: a well-formed id, nothing to say.
    }
    let whose = &id.whose();
    if is_guid(value) {
        if value.chars().any(|c| c.is_ascii_uppercase()) {
            sink.emit_on(id.meta, id.span, format!("The {field} `{value}` of {whose} has upper-case letters"))
                .level(Level::Warning)
                .plan(lower_case_plan(inv, id))
                .help(format!(
                    "Write the GUID in lower case, as `az` prints it: RBAC resource names (identity binding grants) \
                     compare byte for byte.\n\n    {}: \"{}\"",
                    id.key,
                    value.to_ascii_lowercase()
                ));
        }
        return;
    }
    let trimmed = is_guid(value.trim());
    let why = if trimmed { "has surrounding whitespace".to_string() } else { "is not a GUID".to_string() };
    let fix = (trimmed && id.fixable).then(|| {
        Plan::safe(format!("Remove the whitespace around the {field} of {whose}")).rewrite(
            &id.meta.at(id.span),
            value,
            &value.trim().to_ascii_lowercase(),
        )
    });
    let used = match id.used_by {
        u if u.starts_with("The webhook") => format!("{u} and token requests fail with it."),
        tool => format!("{tool} requests tokens with the value as written, and they fail with it."),
    };
    let f = sink.emit_on(id.meta, id.span, format!("The {field} `{value}` of {whose} {why}"));
    f.plan(fix.flatten());
    f.help(format!(
        "{used} Use the managed identity's {field} (8-4-4-4-12 hex digits), for example:\n\n    {}: \
         \"3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60\"",
        id.key
    ));
}

/// One note for the whole run, at the first unchecked value in path order.
fn report_unchecked(sink: &mut Sink, unchecked: &[IdValue]) {
    let first = unchecked.iter().min_by(|a, b| (a.meta.origin.path(), a.span).cmp(&(b.meta.origin.path(), b.span)));
    let Some(id) = first else { return };
    let (value, whose) = (id.value, &id.whose());
    let message = match unchecked.len() {
        1 => format!("The identity id `{value}` of {whose} is a placeholder filled in later and was not checked"),
        n => format!(
            "{n} identity ids are placeholders filled in later and were not checked, the first being `{value}` of \
             {whose}"
        ),
    };
    sink.emit_on(id.meta, id.span, message).level(Level::Note).help(format!(
        "`{CLIENT_ID}` and `{TENANT_ID}` values such as `${{VAR}}`, `__NAME__` or `<client-id>` are \
         substituted at deploy time, and ids masked in documentation (`7d8cdf74-xxxx-…`, `****`) must be \
         replaced by the real ones. Lint the rendered manifests to check the real ids."
    ));
}

/// Lower-cases the id where it is written and, for a client id, in every grant that names it as
/// written (they compare byte for byte: a grant that works must keep working).
fn lower_case_plan(inv: &Inventory, id: &IdValue) -> Option<Plan> {
    if !id.fixable {
        return None;
    }
    let lower = id.value.to_ascii_lowercase();
    let plan = Plan::safe(format!("Write the {} of {} in lower case", id.field, id.whose()));
    if id.key == CLIENT_ID {
        rewrite_client_id(inv, plan, id.meta, id.span, id.value, &lower)
    } else {
        plan.rewrite(&id.meta.at(id.span), id.value, &lower)
    }
}
