use super::{Context, Rule, Sink};
use crate::finding::Level;
use crate::model::{INJECT_PROXY_SIDECAR, PROXY_SIDECAR_PORT};

/// IB111: the proxy sidecar with `hostNetwork: true` or a non-integer port (pods denied); the
/// value "false" (still injects) or a port outside 1..65535 (warnings).
pub(super) struct ProxySidecarMisuse;

impl Rule for ProxySidecarMisuse {
    fn id(&self) -> &'static str {
        "IB111"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        for w in &cx.inventory.workloads {
            let Some(inject) = w.pod.annotations.get(INJECT_PROXY_SIDECAR) else { continue };
            let whose = w.object();
            if let Some((true, host_network)) = w.pod.extras().host_network {
                sink.emit_on(
                    &w.meta,
                    inject.key_span,
                    format!("{whose} asks for the proxy sidecar with `hostNetwork: true`: the webhook denies its pods"),
                )
                .help(
                    "The proxy redirects the pod's IMDS traffic and cannot run on the host network: drop \
                       `hostNetwork: true` or the sidecar annotation.",
                )
                .related(w.meta.at(host_network), "hostNetwork");
            }
            if inject.is_string() && inject.value.eq_ignore_ascii_case("false") {
                sink.emit_on(
                    &w.meta,
                    inject.value_span,
                    format!("The annotation `{INJECT_PROXY_SIDECAR}: \"false\"` of {whose} still injects the proxy: the webhook only checks that the annotation is present"),
                )
                .level(Level::Warning)
                .help("Remove the annotation to go without the proxy sidecar.");
            }
            let Some(port) = w.pod.annotations.get(PROXY_SIDECAR_PORT).filter(|e| e.is_string()) else { continue };
            match port.value.parse::<i64>() {
                Err(_) => {
                    sink.emit_on(
                        &w.meta,
                        port.value_span,
                        format!("The annotation `{PROXY_SIDECAR_PORT}` of {whose} is `{}`, not an integer: the webhook denies its pods", port.value),
                    )
                    .help(format!("Give a port number:\n\n    {PROXY_SIDECAR_PORT}: \"8000\""));
                }
                Ok(n) if !(1..=65535).contains(&n) => {
                    sink.emit_on(
                        &w.meta,
                        port.value_span,
                        format!("The annotation `{PROXY_SIDECAR_PORT}` of {whose} is {n}, outside 1..65535: the proxy cannot listen on it"),
                    )
                    .level(Level::Warning)
                    .help(format!("Use a valid port (the default is 8000):\n\n    {PROXY_SIDECAR_PORT}: \"8000\""));
                }
                Ok(_) => {}
            }
        }
    }
}
