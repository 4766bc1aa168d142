use super::{Context, Rule, Sink};
use crate::model::{is_dns1123_label, SKIP_CONTAINERS};

/// IB110: `skip-containers` written with commas (one name that skips nothing) or naming a
/// container the pod does not have (ignored silently by the webhook).
pub struct SkipContainersMismatch;

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
            for name in e.value.split(';').map(str::trim).filter(|n| !n.is_empty()) {
                if w.pod.has_container(name) {
                    continue;
                }
                let known: Vec<&str> = w.pod.containers.iter().map(|c| c.name.value.as_str()).collect();
                sink.emit_on(
                    &w.meta,
                    e.value_span,
                    format!("The annotation `{SKIP_CONTAINERS}` of {whose} names container `{name}`, which the pod does not have"),
                )
                .help(format!("The pod's containers (init containers included) are: {}.", known.join(", ")));
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
