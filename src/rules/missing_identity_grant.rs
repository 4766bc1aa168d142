use std::collections::{HashMap, HashSet};

use super::rbac_support::{applicable_grant_yaml, grant_yaml, BoundAccount};
use super::{grant_id_mismatch::near_misses, sa_support::and_others, Context, Rule, Sink};
use crate::fix::Plan;
use crate::model::ServiceAccount;
use crate::model::{IDENTITY_API_GROUP, USE_MANAGED_IDENTITY};

/// In an audit, the API server's SubjectAccessReview allowed what the static evaluation denies.
fn allowed_by_api_server(cx: &Context, sa: &ServiceAccount, client_id: &str) -> bool {
    cx.inventory
        .live
        .as_ref()
        .and_then(|live| live.review(&sa.meta.namespace, &sa.meta.name, client_id))
        .is_some_and(|r| r.allowed)
}

/// IB301: no ClusterRole/ClusterRoleBinding in scope lets an identity-binding pod's
/// ServiceAccount `use-managed-identity` for its client id.
pub(super) struct MissingIdentityGrant;

impl Rule for MissingIdentityGrant {
    fn id(&self) -> &'static str {
        "IB301"
    }

    fn reads_shared_answers(&self) -> bool {
        true
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        let inv = cx.inventory;
        let missing: Vec<BoundAccount> = cx
            .bound_accounts()
            .filter(|b| {
                let id = b.client_id.value;
                // An API server that allowed what the listed RBAC objects do not show knows of a
                // grant (IB607 notes it).
                b.grants.is_empty() && near_misses(inv, b.sa, id).is_empty() && !allowed_by_api_server(cx, b.sa, id)
            })
            .collect();
        if missing.is_empty() {
            return;
        }
        // Each client id's fix names every account that lacks it, so it is made once per id:
        // made for each finding, it looked through every finding and every role and binding
        // again (an audit of 50,000 pods spent a second there).
        let taken: HashSet<&str> = inv
            .roles
            .iter()
            .map(|r| &r.meta)
            .chain(inv.bindings.iter().map(|b| &b.meta))
            .map(|m| m.name.as_str())
            .collect();
        let mut lacking: HashMap<&str, Vec<&ServiceAccount>> = HashMap::new();
        for b in &missing {
            lacking.entry(b.client_id.value).or_default().push(b.sa);
        }
        let mut plans: HashMap<&str, Option<Plan>> = HashMap::new();
        for b in &missing {
            let id = b.client_id.value;
            let (yaml, _) = grant_yaml(b.sa, id);
            // The finding sits where the id is written: the ServiceAccount's annotation, or the
            // configuration of a tool that supplies the id itself.
            let f = sink.emit_on(
                b.client_id.holder,
                b.client_id.span,
                format!(
                    "No role in scope lets {} `{USE_MANAGED_IDENTITY}` on `{IDENTITY_API_GROUP}` for its client id \
                     `{id}`: the identity-binding pods of {}{} get no token",
                    b.sa.meta.object_ref(),
                    b.pods[0].object(),
                    and_others(b.pods.len())
                ),
            );
            // Indented like every code block of a help text, so the human format never wraps it.
            let block: String =
                yaml.lines().map(|l| if l.is_empty() { "\n".to_string() } else { format!("    {l}\n") }).collect();
            f.help(format!("Add a ClusterRole and a ClusterRoleBinding:\n\n{}", block.trim_end()));
            if !std::ptr::eq(b.client_id.holder, &b.sa.meta) {
                f.related(
                    b.sa.meta.at(b.sa.meta.anchor_for(&b.sa.meta.annotations)),
                    b.sa.meta.object_ref().to_string(),
                );
            }
            for w in b.pods {
                let at = w.pod.service_account_ref().map_or(w.pod.anchor, |s| s.span);
                f.related(w.meta.at(at), format!("{} runs as this ServiceAccount", w.object()));
            }
            let plan =
                plans.entry(id).or_insert_with(|| grant_plan(&taken, lacking.get(id).map_or(&[], Vec::as_slice), id));
            f.plan(plan.clone());
        }
    }
}

/// The unsafe fix: one ClusterRole and one ClusterRoleBinding per client id, naming every account
/// of the run that lacks it (`accounts`, so that each finding of those accounts carries the same
/// edit), appended to the first account's file. Not offered when the documented names are among
/// the `taken` names of roles and bindings, or a value is not valid in place (a tool applies it
/// as it is).
fn grant_plan(taken: &HashSet<&str>, accounts: &[&ServiceAccount], id: &str) -> Option<Plan> {
    let name = format!("use-mi-{}", id.to_ascii_lowercase());
    if taken.contains(name.as_str()) {
        return None;
    }
    let yaml = applicable_grant_yaml(accounts, id)?;
    let first = accounts.first()?;
    let whom = match accounts.len() {
        1 => first.meta.object_ref().to_string(),
        n => format!("{} and {} other ServiceAccounts", first.meta.object_ref(), n - 1),
    };
    Plan::unsafe_(format!("Grant {whom} the use of managed identity {id}"))
        // Appended at the end of the account's file: the span only names the file.
        .append(&first.meta.at(first.meta.kind_span), yaml)
}
