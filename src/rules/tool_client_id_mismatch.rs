use super::sa_support::{and_others, is_unchecked_value, tool_supply};
use super::{Context, Rule, Sink};
use crate::finding::Level;
use crate::model::{Entry, ServiceAccount, SuppliedId, ToolConfig, Workload, CLIENT_ID};

/// IB206: a tool's configuration names a client id that differs from the `client-id` annotation of
/// the ServiceAccount the tool authenticates as (the tool uses its own, so the annotation is not
/// what runs), or — for External Secrets — names one although the account's annotation does too
/// (the store is refused).
pub(super) struct ToolClientIdMismatch;

impl Rule for ToolClientIdMismatch {
    fn id(&self) -> &'static str {
        "IB206"
    }

    fn reads_shared_answers(&self) -> bool {
        true
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        let inv = cx.inventory;
        // Without a configuration that names an id, no pod's tool can contradict its account.
        let names_ids = inv.tool_configs.iter().any(|c| c.literal_ids().next().is_some());
        for u in cx.account_users().filter(|_| names_ids) {
            let Some(annotation) = comparable_annotation(u.sa) else { continue };
            // One finding per id and account, naming the first of the tool's pods that use it
            // (a Deployment, its ReplicaSet and its pods in a live cluster are one problem).
            let mut seen: Vec<(&ToolConfig, &SuppliedId, &Workload, usize)> = Vec::new();
            for w in u.pods {
                let Some(supply) = tool_supply(inv, w) else { continue };
                for config in supply.configs {
                    for id in config.literal_ids().filter(|id| differs(&id.value.value, &annotation.value)) {
                        match seen.iter_mut().find(|(c, i, ..)| std::ptr::eq(*c, config) && std::ptr::eq(*i, id)) {
                            Some((.., users)) => *users += 1,
                            None => seen.push((config, id, w, 1)),
                        }
                    }
                }
            }
            for (config, id, w, users) in seen {
                report_mismatch(sink, w, users, config, id, u.sa, annotation);
            }
        }
        // A store that names its own ServiceAccount reads the id from it or from a Secret, never both.
        for config in &inv.tool_configs {
            let Some(account) = &config.account else { continue };
            let Some(sa) = inv.service_account(&account.namespace, &account.name.value, &config.meta) else { continue };
            let Some(annotation) = sa.client_id().filter(|e| !e.value.trim().is_empty()) else { continue };
            for id in config.ids.iter().filter(|id| id.from_secret) {
                report_both(sink, config, id, sa, annotation);
            }
        }
    }
}

/// The account's client id when it can be compared: a string that is not a placeholder.
fn comparable_annotation(sa: &ServiceAccount) -> Option<&Entry> {
    sa.client_id().filter(|e| e.is_string() && !e.value.trim().is_empty() && !is_unchecked_value(&e.value))
}

/// Two client ids name different identities (GUIDs compare ignoring case; placeholders name none).
fn differs(supplied: &str, annotation: &str) -> bool {
    !supplied.trim().is_empty()
        && !is_unchecked_value(supplied)
        && !supplied.trim().eq_ignore_ascii_case(annotation.trim())
}

fn report_mismatch(
    sink: &mut Sink,
    w: &Workload,
    users: usize,
    config: &ToolConfig,
    id: &SuppliedId,
    sa: &ServiceAccount,
    annotation: &Entry,
) {
    let tool = config.tool;
    let subject = format!("system:serviceaccount:{}:{}", sa.meta.namespace, sa.meta.name);
    let f = sink.emit_on(
        &config.meta,
        id.value.span,
        format!(
            "{} gives {} the client id `{}` in `{}`, not the `{}` that {}'s annotation names: {}{} \
             authenticate{} as `{}`, so the annotation is not what runs",
            config.meta.object_ref(),
            tool.name,
            id.value.value,
            id.field,
            annotation.value,
            sa.meta.object_ref(),
            w.object(),
            and_others(users),
            if users == 1 { "s" } else { "" },
            id.value.value
        ),
    );
    if tool.per_object_identities {
        f.level(Level::Note);
    }
    f.help(format!(
        "Use one identity in both places, or keep both on purpose: each identity {} uses needs a federated \
         credential for `{subject}` (and, with identity bindings, a grant). {} takes the id from {}.",
        tool.name, tool.name, tool.id_field
    ))
    .related(sa.meta.at(annotation.value_span), format!("`{CLIENT_ID}` of {}", sa.meta.object_ref()));
}

fn report_both(sink: &mut Sink, config: &ToolConfig, id: &SuppliedId, sa: &ServiceAccount, annotation: &Entry) {
    sink.emit_on(
        &config.meta,
        id.value.span,
        format!(
            "{} takes the client id from `{}` ({}) and {} is annotated with one too: External Secrets refuses the \
             store (\"multiple clientID found\")",
            config.meta.object_ref(),
            id.field,
            id.value.value,
            sa.meta.object_ref()
        ),
    )
    .level(Level::Error)
    .help(format!(
        "Keep one source of the client id: remove `authSecretRef.clientId` from the store, or the `{CLIENT_ID}` \
         annotation from the ServiceAccount."
    ))
    .related(sa.meta.at(annotation.value_span), format!("`{CLIENT_ID}` of {}", sa.meta.object_ref()));
}
