use super::live_support::{live, Version};
use super::{Context, Rule, Sink};

/// IB609 (fleet audit): this cluster runs an older workload identity webhook than other clusters
/// of the fleet.
pub(super) struct FleetWebhookVersionDrift;

impl Rule for FleetWebhookVersionDrift {
    fn id(&self) -> &'static str {
        "IB609"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        let Some(live) = live(cx) else { return };
        let Some(fleet) = &live.fleet else { return };
        // The newest version each other cluster runs.
        let elsewhere: Vec<(&str, &str)> = fleet
            .clusters
            .iter()
            .filter(|c| c.context != *live.context)
            .filter_map(|c| {
                let newest = c.webhooks.as_ref()?.iter().filter_map(|(_, v)| Some((Version::parse(v)?, v))).max()?;
                Some((c.context.as_str(), newest.1.as_str()))
            })
            .collect();
        for d in &live.webhook_deployments {
            let Some(tag) = d.version() else { continue };
            let Some(here) = Version::parse(tag) else { continue };
            let newer: Vec<&(&str, &str)> =
                elsewhere.iter().filter(|(_, v)| Version::parse(v).is_some_and(|v| v > here)).collect();
            let Some(newest) = newer.iter().map(|(_, v)| *v).max_by(|a, b| Version::parse(a).cmp(&Version::parse(b)))
            else {
                continue;
            };
            let contexts: Vec<&str> = newer.iter().map(|(c, _)| *c).collect();
            sink.emit_on(
                &d.meta,
                d.meta.kind_span,
                format!(
                    "{} runs webhook {tag}, older than the {newest} of context{} {}: pods behave differently across \
                     the fleet (identity bindings need v1.6.0-alpha.1)",
                    d.meta.object_ref(),
                    if contexts.len() == 1 { "" } else { "s" },
                    contexts.join(", ")
                ),
            )
            .help(
                "Upgrade the webhook here to the version the other clusters run (the AKS add-on follows the \
                 cluster's upgrades; an open-source install follows its Helm chart).",
            );
        }
    }
}
