use super::{Context, Rule, Sink};
use crate::model::{injector_of, is_dns1123_label, Injection, SKIP_CONTAINERS};

/// IB110: `skip-containers` written with commas (one name that skips nothing) or naming a
/// container the pod does not have (ignored silently by the webhook). A sidecar another webhook
/// injects (Istio's `istio-proxy`, …) counts as the pod's when the pod or its namespace asks for
/// it, or when its namespace is not in scope to tell.
pub(super) struct SkipContainersMismatch;

impl Rule for SkipContainersMismatch {
    fn id(&self) -> &'static str {
        "IB110"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        for w in &cx.inventory.workloads {
            let Some(e) = w.pod.annotations.get(SKIP_CONTAINERS).filter(|e| e.is_string()) else { continue };
            let whose = w.object();
            if e.value.contains(',') && !e.value.contains(';') {
                sink.emit_on(
                    &w.meta,
                    e.value_span,
                    format!(
                        "The annotation `{SKIP_CONTAINERS}` of {whose} separates names with commas: the webhook splits \
                         on `;`, so it skips no container"
                    ),
                )
                .help(format!(
                    "Separate container names with semicolons:\n\n    {SKIP_CONTAINERS}: \"{}\"",
                    semicolon_separated(&e.value)
                ));
                continue;
            }
            if w.meta.is_patch {
                continue; // a patch may not list every container
            }
            let namespace = cx.inventory.namespace(w.namespace());
            for name in e.value.split(';').map(str::trim).filter(|n| !n.is_empty()) {
                if w.pod.has_container(name) {
                    continue;
                }
                let known: Vec<&str> = w.pod.containers.iter().map(|c| c.name.value.as_str()).collect();
                let known = format!("The pod's containers (init containers included) are: {}.", known.join(", "));
                // The webhook runs again after other webhooks add their sidecars.
                let Some(injector) = injector_of(name) else {
                    sink.emit_on(
                        &w.meta,
                        e.value_span,
                        format!("The annotation `{SKIP_CONTAINERS}` of {whose} names container `{name}`, which the pod does not have"),
                    )
                    .help(known);
                    continue;
                };
                let Injection::No(why) = injector.injection(&w.pod, namespace) else { continue };
                let f = sink.emit_on(
                    &w.meta,
                    e.value_span,
                    format!(
                        "The annotation `{SKIP_CONTAINERS}` of {whose} names `{name}`, the sidecar {} injects, but {why}",
                        injector.name
                    ),
                );
                f.help(format!(
                    "Opt the pod or its namespace into {} injection, or drop `{name}` from the list. {known}",
                    injector.name
                ));
                if let Some(ns) = namespace {
                    f.related(ns.at(ns.name_span.unwrap_or(ns.kind_span)), format!("Namespace {}", ns.name));
                }
            }
        }
    }
}

/// The names of a comma-separated `skip-containers` value joined by `;`, each kept only when it is
/// a container name (a DNS-1123 label) so that the suggested value holds nothing else.
fn semicolon_separated(value: &str) -> String {
    let names: Vec<&str> = value
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| if is_dns1123_label(n) { n } else { "<container>" })
        .collect();
    names.join(";")
}
