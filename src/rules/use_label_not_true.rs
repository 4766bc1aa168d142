use super::{Context, Rule, Sink};
use crate::model::{ValueType, USE_LABEL};

/// IB104: the `use` label's value is not exactly `"true"`; the webhook's object selector is
/// case-sensitive. A non-string value is IB002's (the object is rejected before that matters).
pub struct UseLabelNotTrue;

impl Rule for UseLabelNotTrue {
    fn id(&self) -> &'static str {
        "IB104"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        for w in &cx.inventory.workloads {
            let Some(e) = w.pod.labels.get(USE_LABEL) else { continue };
            if e.value_type != ValueType::String || e.value == "true" {
                continue;
            }
            sink.emit_on(
                &w.meta,
                e.value_span,
                format!(
                    "The pod template label `{USE_LABEL}` of {} is `{}`, not `true`: the webhook selects only the \
                     exact string \"true\", so its pods get no token",
                    w.object(),
                    e.value
                ),
            )
            .help(format!("Use exactly:\n\n    {USE_LABEL}: \"true\""));
        }
    }
}
