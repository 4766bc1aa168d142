use super::sa_support::is_unchecked_value;
use super::{Context, Mode, Rule, Sink};

/// IB205: a ServiceAccount's `tenant-id` is not among the tenants the config allows.
pub(super) struct UnexpectedTenant;

impl Rule for UnexpectedTenant {
    fn id(&self) -> &'static str {
        "IB205"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        let allowed = &cx.settings.tenants;
        if allowed.is_empty() {
            return;
        }
        for sa in &cx.inventory.service_accounts {
            let Some(entry) = sa.tenant_id().filter(|e| e.is_string()) else { continue };
            let value = entry.value.trim();
            // Blank values are IB202's; placeholders cannot be judged until rendered (a live value is).
            if value.is_empty() || (cx.mode == Mode::Check && is_unchecked_value(value)) {
                continue;
            }
            if allowed.iter().any(|t| t.trim().eq_ignore_ascii_case(value)) {
                continue;
            }
            sink.emit_on(
                &sa.meta,
                entry.value_span,
                format!(
                    "The tenant id `{value}` of {} is not one of the allowed `tenants` (compared ignoring case)",
                    sa.meta.object_ref()
                ),
            )
            .help(format!(
                "Use one of the allowed tenants ({}), or add this tenant to `tenants:` in the config file if \
                 it is meant to be trusted.",
                allowed.join(", ")
            ));
        }
    }
}
