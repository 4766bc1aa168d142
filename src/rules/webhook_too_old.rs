use super::live_support::{live, Version};
use super::{Context, Rule, Sink};
use crate::finding::Level;
use crate::model::is_ib_pod;
use crate::model::{WebhookDeployment, IDENTITY_BINDING_AUDIENCE, USE_IDENTITY_BINDING};

/// The first webhook version that honours identity bindings.
const FIRST_IB_VERSION: &str = "v1.6.0-alpha.1";
/// The flags an open-source webhook needs to serve identity-binding pods.
const FLAGS: &[(&str, &str)] = &[
    ("--custom-token-endpoint-annotation-suffix", "identity-binding"),
    ("--custom-token-endpoint-audience", IDENTITY_BINDING_AUDIENCE),
];

/// IB602: identity-binding pods run, but the webhook is older than v1.6.0-alpha.1, or an
/// open-source v1.6 runs without the custom-token-endpoint flags.
pub(super) struct WebhookTooOld;

impl Rule for WebhookTooOld {
    fn id(&self) -> &'static str {
        "IB602"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        let Some(live) = live(cx) else { return };
        let ib_pods = cx.inventory.workloads.iter().any(|w| is_ib_pod(&w.pod))
            || live.pods.iter().any(|p| p.meta.annotations.contains(USE_IDENTITY_BINDING));
        if !ib_pods || !live.could_list("deployments") {
            return;
        }
        let first = Version::parse(FIRST_IB_VERSION);
        for d in &live.webhook_deployments {
            let tag = d.version().unwrap_or("");
            let at = d.meta.kind_span;
            match Version::parse(tag) {
                None => {
                    sink.emit_on(
                        &d.meta,
                        at,
                        format!(
                            "The version of the workload identity webhook {} cannot be read from its image `{}`: \
                             identity bindings need {FIRST_IB_VERSION} or later",
                            d.meta.object_ref(),
                            d.image
                        ),
                    )
                    .level(Level::Note)
                    .help(
                        "Pin the webhook image to a version tag so its support for identity bindings can be checked.",
                    );
                }
                Some(v) if Some(&v) < first.as_ref() => {
                    sink.emit_on(
                        &d.meta,
                        at,
                        format!(
                            "The workload identity webhook {} runs {tag}, older than {FIRST_IB_VERSION}: identity-binding \
                             pods get a plain workload identity token and fail with AADSTS700212",
                            d.meta.object_ref()
                        ),
                    )
                    .help(
                        "Upgrade the webhook: on AKS, `az aks update --enable-workload-identity` on a version with \
                         identity bindings; for the open-source install, its Helm chart at v1.6.0 or later with the \
                         custom-token-endpoint flags.",
                    );
                }
                Some(_) if !d.aks_managed => {
                    let missing: Vec<String> =
                        FLAGS.iter().filter(|(f, v)| !has_flag(d, f, v)).map(|(f, v)| format!("{f}={v}")).collect();
                    if !missing.is_empty() {
                        sink.emit_on(
                            &d.meta,
                            at,
                            format!(
                                "The open-source workload identity webhook {} ({tag}) runs without {}: it gives \
                                 identity-binding pods a plain workload identity token",
                                d.meta.object_ref(),
                                missing.join(" and ")
                            ),
                        )
                        .help(format!(
                            "Add to the `manager` container's args:\n\n    args:\n{}",
                            missing.iter().map(|m| format!("      - {m}\n")).collect::<String>()
                        ));
                    }
                }
                Some(_) => {}
            }
        }
    }
}

/// `--flag=value`, or `--flag` followed by `value`.
fn has_flag(d: &WebhookDeployment, flag: &str, value: &str) -> bool {
    d.args.iter().enumerate().any(|(i, a)| {
        a.strip_prefix(flag).and_then(|rest| rest.strip_prefix('=')) == Some(value)
            || (a == flag && d.args.get(i + 1).map(String::as_str) == Some(value))
    })
}
