use super::{Context, Rule, Sink};
use crate::model::{ValueType, USE_IDENTITY_BINDING};

/// IB105: `use-identity-binding` with a value other than "true" (any case): the pod silently
/// falls back to plain workload identity.
pub(super) struct IdentityBindingValueIgnored;

impl Rule for IdentityBindingValueIgnored {
    fn id(&self) -> &'static str {
        "IB105"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        for w in &cx.inventory.workloads {
            let Some(e) = w.pod.annotations.get(USE_IDENTITY_BINDING) else { continue };
            if e.value_type != ValueType::String || e.value.eq_ignore_ascii_case("true") {
                continue;
            }
            sink.emit_on(
                &w.meta,
                e.value_span,
                format!(
                    "The annotation `{USE_IDENTITY_BINDING}` of {} is `{}`: only \"true\" turns identity binding on, \
                     so its pods silently get a plain workload identity token",
                    w.object(),
                    e.value
                ),
            )
            .help(format!(
                "To use identity binding:\n\n    {USE_IDENTITY_BINDING}: \"true\"\n\nTo use plain workload \
                 identity, remove the annotation."
            ));
        }
    }
}
