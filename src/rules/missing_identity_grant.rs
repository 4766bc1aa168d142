use super::rbac_support::grant_yaml;
use super::{grant_id_mismatch::near_misses, sa_support::and_others, Context, Rule, Sink};
use crate::finding::Fix;
use crate::model::ServiceAccount;
use crate::model::{Origin, IDENTITY_API_GROUP, USE_MANAGED_IDENTITY};
use crate::span::Pos;

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
pub struct MissingIdentityGrant;

impl Rule for MissingIdentityGrant {
    fn id(&self) -> &'static str {
        "IB301"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        let inv = cx.inventory;
        for b in cx.bound_accounts() {
            let id = b.client_id.value.as_str();
            if !b.grants.is_empty() || !near_misses(inv, b.sa, id).is_empty() {
                continue;
            }
            if allowed_by_api_server(cx, b.sa, id) {
                continue; // the API server knows of a grant the listed RBAC objects do not show (IB607 notes it)
            }
            let (yaml, applicable) = grant_yaml(b.sa, id);
            let f = sink.emit_on(
                &b.sa.meta,
                b.client_id.value_span,
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
            for w in &b.pods {
                let at = w.pod.service_account_ref().map_or(w.pod.anchor, |s| s.span);
                f.related(w.meta.at(at), format!("{} runs as this ServiceAccount", w.object()));
            }
            // A fix a tool applies carries no placeholder: values that are not valid there get none.
            if let Origin::File(path) = &b.sa.meta.origin {
                if !path.ends_with(".json") && applicable {
                    f.fix(Fix {
                        description: format!("Grant {} the use of managed identity {id}", b.sa.meta.object_ref()),
                        path: path.to_string(),
                        insert_at: Pos { line: b.sa.meta.doc_span.start.line, col: 1 },
                        text: format!("{yaml}---\n"),
                    });
                }
            }
        }
    }
}
