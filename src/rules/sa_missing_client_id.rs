use super::sa_support::{
    hand_set_env, is_set, service_account_field, set_by_another_declaration, supplied_at_deploy_time, wi_workloads,
    HandSet,
};
use super::{identity_binding_enabled, Context, Rule, Sink};
use crate::finding::Level;
use crate::model::{ServiceAccount, Workload, CLIENT_ID};
use crate::span::Span;

/// IB201: the ServiceAccount of a workload identity pod has no (or an empty) `client-id`
/// annotation, so the webhook injects no `AZURE_CLIENT_ID`.
pub struct SaMissingClientId;

impl Rule for SaMissingClientId {
    fn id(&self) -> &'static str {
        "IB201"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        for (w, sa) in wi_workloads(cx.inventory) {
            let Some(sa) = sa else { continue };
            let Some(problem) = problem(cx, sa) else { continue };
            report(sink, w, sa, &problem);
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
            supplied_elsewhere: supplied_at_deploy_time(cx.inventory, sa),
        }),
    }
}

fn report(sink: &mut Sink, w: &Workload, sa: &ServiceAccount, problem: &Problem) {
    let binding = identity_binding_enabled(&w.pod);
    let hand_set = hand_set_env(&w.pod, "AZURE_CLIENT_ID");
    // `None`: the documented default level (error).
    let (level, consequence) = match (hand_set, problem.supplied_elsewhere) {
        (Some(HandSet::Env(_)), _) => (Some(Level::Note), "its containers set AZURE_CLIENT_ID themselves".to_string()),
        (Some(HandSet::EnvFrom(_)), _) => (
            Some(Level::Note),
            "the webhook injects no AZURE_CLIENT_ID, unless its `envFrom` sources provide it".to_string(),
        ),
        (None, _) if binding => (None, "identity binding has no managed identity to use".to_string()),
        (None, Some(why)) => (Some(Level::Note), format!("the webhook injects no AZURE_CLIENT_ID ({why})")),
        (None, None) => (Some(Level::Warning), "the webhook injects no AZURE_CLIENT_ID".to_string()),
    };
    let pod = w.meta.object_ref();
    let account = sa.meta.object_ref();
    let finding = sink.emit_on(
        &sa.meta,
        problem.span,
        format!("{account}, used by {pod}, has {} `{CLIENT_ID}` annotation: {consequence}", problem.what),
    );
    if let Some(level) = level {
        finding.level(level);
    }
    finding
        .help(format!(
            "Annotate the ServiceAccount with the client id of the managed identity the pod should use \
         (`az identity show -g <group> -n <identity> --query clientId -o tsv`):\n\n    metadata:\n      \
         annotations:\n        {CLIENT_ID}: \"<client-id>\"\n\nIf a controller or the application supplies the \
         id itself, suppress this finding on the ServiceAccount with `iblint.io/ignore: \"IB201 -- reason\"`."
        ))
        .related(w.meta.at(service_account_field(w)), format!("{pod} runs as {account} here"));
    match hand_set {
        Some(HandSet::Env(span)) => finding.related(w.meta.at(span), "AZURE_CLIENT_ID is set here"),
        Some(HandSet::EnvFrom(span)) => finding.related(w.meta.at(span), "these variables may include AZURE_CLIENT_ID"),
        None => finding,
    };
}
