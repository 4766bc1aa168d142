//! Requests to the API server: GET lists page by page and the SubjectAccessReview POST, with
//! retries on throttling and server errors. Nothing here can change the cluster.

use std::time::Duration;

use kube::core::params::{ListParams, PostParams};
use kube::core::Request;
use kube::Client;

use super::ClusterError;

/// Objects per list page: large enough to keep round trips few on big clusters, small enough to
/// keep a page's parse tree small.
pub const PAGE_SIZE: u32 = 500;
/// Attempts per request when the API server throttles (429) or fails (5xx).
const ATTEMPTS: u32 = 6;

/// Why one request did not produce a body.
#[derive(Debug)]
pub enum RequestError {
    /// 403: the audit's identity may not read this; the rules that need it are skipped.
    Forbidden(String),
    /// 404: the resource does not exist on this server (an uninstalled CRD, an old API).
    NotFound(String),
    /// Anything that makes the whole audit meaningless: 401, unreachable, persistent 5xx.
    Fatal(ClusterError),
}

/// A GET of one list page.
pub async fn list_page(client: &Client, path: &str, continue_token: Option<&str>) -> Result<String, RequestError> {
    let params =
        ListParams { limit: Some(PAGE_SIZE), continue_token: continue_token.map(String::from), ..Default::default() };
    send(client, path, || Request::new(path).list(&params)).await
}

/// A POST creating one SubjectAccessReview (a question, not a change: nothing is stored).
pub async fn create_access_review(client: &Client, body: Vec<u8>) -> Result<String, RequestError> {
    const PATH: &str = "/apis/authorization.k8s.io/v1/subjectaccessreviews";
    send(client, PATH, || Request::new(PATH).create(&PostParams::default(), body.clone())).await
}

/// Sends a request built by `build`, retrying 429 and 5xx answers with growing pauses.
async fn send<F>(client: &Client, path: &str, build: F) -> Result<String, RequestError>
where
    F: Fn() -> Result<http::Request<Vec<u8>>, kube::core::request::Error>,
{
    let mut pause = Duration::from_millis(200);
    for attempt in 1..=ATTEMPTS {
        let request = build().map_err(|e| RequestError::Fatal(ClusterError::Request(format!("{path}: {e}"))))?;
        match client.request_text(request).await {
            Ok(text) => return Ok(text),
            Err(kube::Error::Api(status)) => {
                let code = status.code;
                let retryable = code == 429 || (500..600).contains(&code);
                if retryable && attempt < ATTEMPTS {
                    let hinted = status.details.as_ref().map_or(0, |d| d.retry_after_seconds);
                    let wait = if hinted > 0 { Duration::from_secs(u64::from(hinted).min(10)) } else { pause };
                    tokio::time::sleep(wait).await;
                    pause = (pause * 2).min(Duration::from_secs(5));
                    continue;
                }
                return Err(classify(path, code, &status.message, &status.reason));
            }
            Err(e) => return Err(RequestError::Fatal(ClusterError::Unreachable(e.to_string()))),
        }
    }
    Err(RequestError::Fatal(ClusterError::Request(format!("{path}: no answer after {ATTEMPTS} attempts"))))
}

fn classify(path: &str, code: u16, message: &str, reason: &str) -> RequestError {
    let said = if message.is_empty() { reason.to_string() } else { message.to_string() };
    match code {
        401 => RequestError::Fatal(ClusterError::Unauthorized(said)),
        403 => RequestError::Forbidden(said),
        404 => RequestError::NotFound(said),
        _ => RequestError::Fatal(ClusterError::Request(format!("{path}: HTTP {code}: {said}"))),
    }
}
