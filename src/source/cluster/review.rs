//! SubjectAccessReviews: ask the API server itself whether each identity-binding ServiceAccount
//! may `use-managed-identity` for its client id (IB607 compares the answer with the static one).

use serde_json::json;
use tokio::task::JoinSet;

use super::fetch;
use super::transport::{RequestError, Transport};
use super::ClusterError;
use crate::model::{is_guid, is_ib_pod};
use crate::model::{AccessReview, Inventory, IDENTITY_API_GROUP, USE_MANAGED_IDENTITY};

/// Reviews in flight at once: enough to hide latency, few enough not to be throttled.
const CONCURRENT: usize = 8;

/// The questions to ask: (namespace, ServiceAccount, client id) of every identity-binding pod.
pub(super) fn questions(inventory: &Inventory) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = Vec::new();
    for w in inventory.workloads.iter().filter(|w| is_ib_pod(&w.pod)) {
        let Some(name) = w.pod.service_account_name() else { continue };
        let ns = w.namespace();
        for sa in inventory.service_accounts_named(ns, name) {
            if let Some(id) = sa.client_id().map(|e| e.value.trim()).filter(|v| is_guid(v)) {
                out.push((ns.to_string(), name.to_string(), id.to_string()));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Outcome of the reviews: the answers, or the reason they could not be asked.
pub(super) enum Reviews {
    Answered(Vec<AccessReview>),
    Forbidden(String),
    Failed(String),
}

pub(super) async fn ask(
    transport: &Transport,
    questions: Vec<(String, String, String)>,
) -> Result<Reviews, ClusterError> {
    let mut answers = Vec::new();
    let mut pending = questions.into_iter();
    let mut running = JoinSet::new();
    loop {
        while running.len() < CONCURRENT {
            let Some((namespace, service_account, client_id)) = pending.next() else { break };
            let transport = transport.clone();
            running.spawn(async move {
                let body = request_body(&namespace, &service_account, &client_id);
                let answer = fetch::create_access_review(&transport, &body).await;
                (namespace, service_account, client_id, answer)
            });
        }
        let Some(joined) = running.join_next().await else { break };
        let (namespace, service_account, client_id, answer) =
            joined.map_err(|e| ClusterError::Request(format!("access review task: {e}")))?;
        match answer {
            Ok(text) => answers.push(parse_answer(namespace, service_account, client_id, &text)),
            Err(RequestError::Forbidden(reason)) => return Ok(Reviews::Forbidden(reason)),
            Err(RequestError::NotFound(reason)) => return Ok(Reviews::Failed(format!("not served: {reason}"))),
            Err(RequestError::Unauthorized(reason)) => return Err(ClusterError::Unauthorized(reason)),
            Err(RequestError::Failed(reason) | RequestError::Expired(reason)) => return Ok(Reviews::Failed(reason)),
            Err(RequestError::TooLarge(_)) => return Ok(Reviews::Failed("an answer was too large".into())),
        }
    }
    answers.sort_by(|a, b| {
        (&a.namespace, &a.service_account, &a.client_id).cmp(&(&b.namespace, &b.service_account, &b.client_id))
    });
    Ok(Reviews::Answered(answers))
}

/// The review as the token proxy would need it answered: the ServiceAccount's user and groups,
/// the verb and API group of identity bindings, the client id as the resource, in the pod's
/// namespace (so RoleBindings count, as in the static evaluator).
fn request_body(namespace: &str, service_account: &str, client_id: &str) -> Vec<u8> {
    let review = json!({
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SubjectAccessReview",
        "spec": {
            "user": format!("system:serviceaccount:{namespace}:{service_account}"),
            "groups": ["system:serviceaccounts", format!("system:serviceaccounts:{namespace}"), "system:authenticated"],
            "resourceAttributes": {
                "namespace": namespace,
                "verb": USE_MANAGED_IDENTITY,
                "group": IDENTITY_API_GROUP,
                "resource": client_id,
            },
        },
    });
    review.to_string().into_bytes()
}

fn parse_answer(namespace: String, service_account: String, client_id: String, text: &str) -> AccessReview {
    let value: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    let status = &value["status"];
    let allowed = status["allowed"].as_bool().unwrap_or(false);
    let reason = [status["reason"].as_str(), status["evaluationError"].as_str()]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    AccessReview { namespace, service_account, client_id, allowed, reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_review_asks_for_the_identity_binding_verb_on_the_client_id() {
        let body: serde_json::Value = serde_json::from_slice(&request_body("team-a", "api", "c")).unwrap_or_default();
        assert_eq!(body["spec"]["user"], "system:serviceaccount:team-a:api");
        assert_eq!(body["spec"]["resourceAttributes"]["verb"], "use-managed-identity");
        assert_eq!(body["spec"]["resourceAttributes"]["group"], "cid.wi.aks.azure.com");
        assert_eq!(body["spec"]["resourceAttributes"]["resource"], "c");
    }

    #[test]
    fn answers_keep_the_api_servers_reason() {
        let a =
            parse_answer("n".into(), "s".into(), "c".into(), r#"{"status":{"allowed":false,"reason":"no binding"}}"#);
        assert!(!a.allowed);
        assert_eq!(a.reason, "no binding");
    }
}
