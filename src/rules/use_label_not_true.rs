use super::{one_edit_apart, Context, Rule, Sink};
use crate::fix::Plan;
use crate::model::{ValueType, USE_LABEL};

/// IB104: the `use` label's value is not exactly `"true"`; the webhook's object selector is
/// case-sensitive. A non-string value is IB002's (the object is rejected before that matters).
pub(super) struct UseLabelNotTrue;

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
            .help(format!("Use exactly:\n\n    {USE_LABEL}: \"true\""))
            .plan(
                meant_true(&e.value)
                    .then(|| {
                        Plan::safe(format!("Write the label `{USE_LABEL}` of {} as `\"true\"`", w.object())).rewrite(
                            &w.meta.at(e.value_span),
                            &e.value,
                            "true",
                        )
                    })
                    .flatten(),
            );
        }
    }
}

/// A value that can only have meant `true`: another case of it, or one typo from it (a letter
/// added, dropped, replaced, or two neighbours swapped: `tru`, `trye`, `ture`). `yes`, `1` or
/// `enabled` may mean something else to whoever wrote them, and `false` certainly does: those are
/// left to the user.
fn meant_true(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    let swapped = |i: usize| {
        let mut b = lower.clone().into_bytes();
        b.swap(i, i + 1);
        b == b"true"
    };
    lower == "true" || one_edit_apart(&lower, "true") || (lower.len() == 4 && (0..3).any(swapped))
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_evident_spellings_of_true_are_fixed() {
        for v in ["True", "TRUE", "ture", "tru", "truee", "trye", "rue", "treu", "rtue"] {
            assert!(super::meant_true(v), "{v}");
        }
        for v in ["false", "yes", "1", "enabled", "", "t", "eurt"] {
            assert!(!super::meant_true(v), "{v}");
        }
    }
}
