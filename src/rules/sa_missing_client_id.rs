use super::sa_support::{
    and_others, hand_set_env, is_set, service_account_field, set_by_another_declaration, supplied_at_deploy_time,
    tool_supply, HandSet,
};
use super::{Context, Rule, Sink};
use crate::finding::Level;
use crate::model::identity_binding_enabled;
use crate::model::{ServiceAccount, Tool, Workload, CLIENT_ID};
use crate::span::Span;

/// IB201: the ServiceAccount of a workload identity pod has no (or an empty) `client-id`
/// annotation, so the webhook injects no `AZURE_CLIENT_ID`. One finding per account, at the level
/// of the neediest pod that uses it.
pub(super) struct SaMissingClientId;

impl Rule for SaMissingClientId {
    fn id(&self) -> &'static str {
        "IB201"
    }

    fn reads_shared_answers(&self) -> bool {
        true
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        for u in cx.account_users() {
            if let Some(problem) = problem(cx, u.sa) {
                report(cx, sink, u.sa, u.pods, &problem);
            }
        }
    }
}

/// What is wrong with the account's `client-id`, and where.
struct Problem {
    span: Span,
    what: &'static str,
    /// A sign that something outside the manifest supplies the id.
    supplied_elsewhere: Option<&'static str>,
}

fn problem(cx: &Context, sa: &ServiceAccount) -> Option<Problem> {
    match sa.client_id() {
        Some(e) if is_set(Some(e)) => None,
        Some(e) => Some(Problem { span: e.value_span, what: "an empty", supplied_elsewhere: None }),
        // A patch is partial, and an overlay may complete the base: absence means nothing there.
        None if sa.meta.is_patch || set_by_another_declaration(cx.inventory, sa, CLIENT_ID) => None,
        None => Some(Problem {
            span: sa.meta.anchor_for(&sa.meta.annotations),
            what: "no",
            supplied_elsewhere: supplied_at_deploy_time(sa),
        }),
    }
}

/// How much one pod suffers from the missing id.
struct Need {
    level: Level,
    consequence: String,
    hand_set: Option<HandSet>,
    /// The tool the pod runs, when it takes the id from its own configuration.
    tool: Option<&'static Tool>,
}

/// What the pod needs; `None` when a tool it runs takes the id from a configuration in scope
/// that names one (IB301 and IB206 then check that id).
fn need_of(cx: &Context, w: &Workload, problem: &Problem) -> Option<Need> {
    let hand_set = hand_set_env(&w.pod, "AZURE_CLIENT_ID");
    if let Some(supply) = tool_supply(cx.inventory, w) {
        if supply.names_an_id() {
            return None;
        }
        // The documented setup of these tools leaves the annotation off: at most a note.
        let consequence = format!(
            "the webhook injects no AZURE_CLIENT_ID, and {} takes its client id from {}, none of which in scope \
             names one",
            supply.tool.name, supply.tool.id_field
        );
        return Some(Need { level: Level::Note, consequence, hand_set, tool: Some(supply.tool) });
    }
    let (level, consequence) = match (hand_set, problem.supplied_elsewhere) {
        (Some(HandSet::Env(_)), _) => (Level::Note, "its containers set AZURE_CLIENT_ID themselves".to_string()),
        (Some(HandSet::EnvFrom(_)), _) => {
            (Level::Note, "the webhook injects no AZURE_CLIENT_ID, unless its `envFrom` sources provide it".into())
        }
        (None, _) if identity_binding_enabled(&w.pod) => {
            (Level::Error, "identity binding has no managed identity to use".to_string())
        }
        (None, Some(why)) => (Level::Note, format!("the webhook injects no AZURE_CLIENT_ID ({why})")),
        (None, None) => (Level::Warning, "the webhook injects no AZURE_CLIENT_ID".to_string()),
    };
    Some(Need { level, consequence, hand_set, tool: None })
}

fn report(cx: &Context, sink: &mut Sink, sa: &ServiceAccount, pods: &[&Workload], problem: &Problem) {
    let needs: Vec<(&&Workload, Need)> = pods.iter().filter_map(|w| Some((w, need_of(cx, w, problem)?))).collect();
    // The neediest pod speaks for all; the first one in source order on a tie.
    let Some((w, need)) = needs.iter().rev().max_by_key(|(_, n)| n.level) else { return };
    let account = sa.meta.object_ref();
    let others = and_others(pods.len());
    let finding = sink.emit_on(
        &sa.meta,
        problem.span,
        format!(
            "{account}, used by {}{others}, has {} `{CLIENT_ID}` annotation: {}",
            w.object(),
            problem.what,
            need.consequence
        ),
    );
    if need.level != Level::Error {
        finding.level(need.level);
    }
    let tool = need.tool.map_or(String::new(), |t| {
        format!("Give {} the client id where it reads it, {}, or annotate its ServiceAccount. ", t.name, t.id_field)
    });
    finding.help(format!(
        "{tool}Annotate the ServiceAccount with the client id of the managed identity the pod should use \
         (`az identity show -g <group> -n <identity> --query clientId -o tsv`):\n\n    metadata:\n      \
         annotations:\n        {CLIENT_ID}: \"<client-id>\"\n\nIf a controller or the application supplies the \
         id itself, suppress this finding on the ServiceAccount with `iblint.io/ignore: \"IB201 -- reason\"`."
    ));
    for pod in pods {
        finding.related(pod.meta.at(service_account_field(pod)), format!("{} runs as {account} here", pod.object()));
    }
    match need.hand_set {
        Some(HandSet::Env(span)) => finding.related(w.meta.at(span), "AZURE_CLIENT_ID is set here"),
        Some(HandSet::EnvFrom(span)) => finding.related(w.meta.at(span), "these variables may include AZURE_CLIENT_ID"),
        None => finding,
    };
}
