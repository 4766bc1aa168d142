use super::{Context, Rule, Sink};
use crate::model::{Meta, Str, FEDERATED_TOKEN_FILE};

/// The token file of webhook versions before v1.6.
const LEGACY_TOKEN_PATH: &str = "/var/run/secrets/azure/tokens/azure-identity-token";

/// IB113: the pre-v1.6 token path hard-coded in env, args, command or a ConfigMap.
pub(super) struct LegacyTokenPath;

impl Rule for LegacyTokenPath {
    fn id(&self) -> &'static str {
        "IB113"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        for w in &cx.inventory.workloads {
            for c in &w.pod.containers {
                // The pod's own projected token at that path exists whatever the webhook's version,
                // and where a pod brings its own token, IB116 judges its AZURE_FEDERATED_TOKEN_FILE.
                let own = w.pod.own_token_files(c);
                let legacy =
                    |s: &&Str| s.value.contains(LEGACY_TOKEN_PATH) && !own.iter().any(|(f, _)| f == LEGACY_TOKEN_PATH);
                let own_token = w.pod.brings_own_token();
                let env = c.env.iter().filter(|e| !(own_token && e.name.value == FEDERATED_TOKEN_FILE));
                let strings = env.filter_map(|e| e.value.as_ref()).chain(&c.args).chain(&c.command);
                for s in strings.filter(legacy) {
                    report(sink, &w.meta, s, &format!("container `{}`", c.name.value));
                }
            }
        }
        for cm in &cx.inventory.config_maps {
            for e in cm.data.iter().filter(|e| e.value.contains(LEGACY_TOKEN_PATH)) {
                let s = Str { value: e.value.clone(), span: e.value_span };
                report(sink, &cm.meta, &s, &format!("key `{}`", e.key));
            }
        }
    }
}

fn report(sink: &mut Sink, meta: &Meta, s: &Str, what: &str) {
    sink.emit_on(
        meta,
        s.span,
        format!(
            "The {what} of {} hard-codes the token path of webhooks before v1.6, which no longer exists",
            meta.object_ref()
        ),
    )
    .help(
        "Read the path from the environment variable the webhook sets: `$AZURE_FEDERATED_TOKEN_FILE` (v1.6+ mounts \
           the token at /var/run/secrets/azure/wi/token/azure-identity-token).",
    );
}
