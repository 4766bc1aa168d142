use super::{Context, Rule, Sink};
use crate::model::is_placeholder;
use crate::model::{Entry, Meta, TOKEN_EXPIRATION};

/// The webhook's bounds for `service-account-token-expiration`, in seconds.
const MIN_SECONDS: i64 = 3600;
const MAX_SECONDS: i64 = 86400;

/// IB109: a token expiration that is not a base-10 integer in 3600..86400; the webhook denies
/// creation of every pod it applies to.
pub(super) struct InvalidTokenExpiration;

impl Rule for InvalidTokenExpiration {
    fn id(&self) -> &'static str {
        "IB109"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        for w in &cx.inventory.workloads {
            if let Some(e) = w.pod.annotations.get(TOKEN_EXPIRATION) {
                check(sink, &w.meta, e, "pod template annotation");
            }
        }
        for sa in &cx.inventory.service_accounts {
            if let Some(e) = sa.meta.annotations.get(TOKEN_EXPIRATION) {
                check(sink, &sa.meta, e, "annotation");
            }
        }
    }
}

fn check(sink: &mut Sink, meta: &Meta, e: &Entry, what: &str) {
    if !e.is_string() || is_placeholder(&e.value) {
        return;
    }
    let problem = match e.value.parse::<i64>() {
        Err(_) => "is not a whole number of seconds",
        Ok(n) if n < MIN_SECONDS => "is below the minimum of 3600 seconds",
        Ok(n) if n > MAX_SECONDS => "is above the maximum of 86400 seconds",
        Ok(_) => return,
    };
    sink.emit_on(
        meta,
        e.value_span,
        format!(
            "The {what} `{TOKEN_EXPIRATION}` of {} is `{}`, which {problem}: the webhook denies creation of its pods",
            meta.object_ref(),
            e.value
        ),
    )
    .help(format!("Give seconds as a quoted integer between 3600 and 86400:\n\n    {TOKEN_EXPIRATION}: \"3600\""));
}
