use super::fix_values;
use super::sa_support::is_complete_wi_workload;
use super::{edit_distance, service_account_of, Context, Mode, Rule, Sink};
use crate::finding::Level;
use crate::model::is_placeholder;
use crate::model::{Inventory, Meta, Str, Workload, CLIENT_ID};

/// IB204: the ServiceAccount a workload identity pod names is not in scope. The webhook reads the
/// account to mutate the pod; without it the pod is denied.
pub(super) struct ServiceAccountNotFound;

impl Rule for ServiceAccountNotFound {
    fn id(&self) -> &'static str {
        "IB204"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        for w in cx.inventory.workloads.iter().filter(|w| is_complete_wi_workload(w)) {
            // `default` exists in every namespace (IB107 judges using it); placeholders name nothing yet.
            let Some(field) = w.pod.service_account_ref() else { continue };
            // A found account answers most workloads, before the slower placeholder tests.
            if field.value == "default"
                || service_account_of(cx.inventory, w).is_some()
                || is_placeholder(&field.value)
                || is_placeholder(w.namespace())
            {
                continue;
            }
            report(cx, sink, w, field);
        }
    }
}

fn report(cx: &Context, sink: &mut Sink, w: &Workload, field: &Str) {
    let (pod, name, ns) = (w.object(), &field.value, w.namespace());
    let near = near_misses(cx.inventory, w, name);
    let missing = match cx.mode {
        Mode::Check => "is not declared in the scope",
        Mode::Audit => "does not exist in the cluster, so the webhook denies new pods",
    };
    let finding =
        sink.emit_on(&w.meta, field.span, format!("{pod} runs as ServiceAccount {ns}/{name}, which {missing}"));
    // In a repository the account may come from a script, a chart or Terraform: only a near miss
    // (a likely typo or namespace mix-up) is worth a warning. A cluster is the whole truth.
    match cx.mode {
        Mode::Audit => {
            finding.level(Level::Error);
        }
        Mode::Check if near.is_empty() => {
            finding.level(Level::Note);
        }
        Mode::Check => {}
    }
    finding.help(format!(
        "The webhook must read the ServiceAccount to mutate the pod. Fix the name if it is a typo, or declare \
         the account (or widen `--scope` to the tree that declares it):\n\n    apiVersion: v1\n    kind: \
         ServiceAccount\n    metadata:\n      name: {}\n      namespace: {}\n      annotations:\n        \
         {CLIENT_ID}: \"<client-id>\"",
        fix_values::object_name(name),
        fix_values::namespace(ns)
    ));
    for other in near {
        let what = if other.name == *name { "has this name in another namespace" } else { "has a similar name" };
        finding.related(other.at(other.name_span.unwrap_or(other.kind_span)), format!("{} {what}", other.object_ref()));
    }
}

/// Declared ServiceAccounts the pod probably meant: the same name in another namespace, or a name
/// a small edit away in the pod's namespace (one edit for short names, two otherwise).
fn near_misses<'a>(inv: &'a Inventory, w: &Workload, name: &str) -> Vec<&'a Meta> {
    let mut out: Vec<&Meta> = inv
        .service_accounts
        .iter()
        .map(|sa| &sa.meta)
        .filter(|m| {
            if m.namespace == w.namespace() {
                let budget = if name.len() < 6 { 1 } else { 2 };
                m.name != name && edit_distance(&m.name, name) <= budget
            } else {
                m.name == name
            }
        })
        .collect();
    out.sort_by_key(|m| (m.origin.path().cloned(), m.name_span));
    out.dedup_by_key(|m| m.object_ref());
    out
}
