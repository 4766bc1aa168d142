//! HTTP to the API server the way kubectl does it: a time limit per request (`--timeout`, as
//! kubectl's `--request-timeout`), GETs retried on throttling, server errors and dropped
//! connections, answers read up to a size limit, and every failure told with its cause and the
//! server's host — never a credential.

use std::time::Duration;

use http::header::{ACCEPT, CONTENT_TYPE, RETRY_AFTER};
use http_body_util::BodyExt;
use kube::client::Body;

use super::errors::{self, Cause};

/// Attempts per request when the API server throttles (429), fails (5xx) or drops the connection.
const ATTEMPTS: u32 = 6;
/// Error answers (Status objects) are small: read this much of them at most.
const MAX_ERROR_BODY: usize = 64 * 1024;
/// Longest server message kept for a report.
const MAX_MESSAGE: usize = 500;
/// kube-apiserver's answer to plain HTTP on its TLS port (Go's `net/http` writes it).
const HTTP_ON_TLS_PORT: &str = "Client sent an HTTP request to an HTTPS server";

/// Requests to one API server.
#[derive(Clone)]
pub(super) struct Transport {
    client: kube::Client,
    /// `host:port` of the server, for messages.
    pub host: String,
    /// The most one request may take; `None`: no limit.
    timeout: Option<Duration>,
}

/// A successful (2xx) answer.
pub(super) struct Reply {
    pub content_type: String,
    pub body: Vec<u8>,
}

/// Why a request produced no answer to use.
#[derive(Debug)]
pub(super) enum RequestError {
    /// 401: the credentials were rejected.
    Unauthorized(String),
    /// 403: the audit's identity may not do this.
    Forbidden(String),
    /// 404: not served here (an uninstalled CRD, an old API).
    NotFound(String),
    /// 410: a list's `continue` token expired.
    Expired(String),
    /// The answer is larger than the limit given.
    TooLarge(usize),
    /// Anything else: persistent 5xx, a redirect, a time-out, the network; the text says which.
    Failed(String),
}

/// One attempt's outcome when it is not an answer.
enum Attempt {
    /// Worth another try, after the server's hint if it gave one.
    Retry {
        wait: Option<Duration>,
        why: String,
    },
    Final(RequestError),
}

impl Transport {
    pub(super) fn new(client: kube::Client, host: String, timeout: Option<Duration>) -> Transport {
        Transport { client, host, timeout }
    }

    /// `GET path` (with its query), accepting `accept`; the answer may hold `limit` bytes at most.
    pub(super) async fn get(&self, path: &str, accept: &str, limit: usize) -> Result<Reply, RequestError> {
        let build = || http::Request::get(path).header(ACCEPT, accept).body(Body::empty());
        self.send(path, build, limit).await
    }

    /// `POST path` of a JSON object (a review: a question, nothing is stored).
    pub(super) async fn post_json(&self, path: &str, body: &[u8], limit: usize) -> Result<Reply, RequestError> {
        let build = || {
            http::Request::post(path)
                .header(ACCEPT, "application/json")
                .header(CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_vec()))
        };
        self.send(path, build, limit).await
    }

    async fn send<F>(&self, path: &str, build: F, limit: usize) -> Result<Reply, RequestError>
    where
        F: Fn() -> Result<http::Request<Body>, http::Error>,
    {
        let mut pause = Duration::from_millis(200);
        for attempt in 1..=ATTEMPTS {
            let request = build().map_err(|e| RequestError::Failed(format!("{path}: {e}")))?;
            let outcome = match self.timeout {
                Some(limit_time) => tokio::time::timeout(limit_time, self.attempt(request, limit))
                    .await
                    .unwrap_or_else(|_| Err(Attempt::Final(RequestError::Failed(self.timed_out(path, limit_time))))),
                None => self.attempt(request, limit).await,
            };
            match outcome {
                Ok(reply) => return Ok(reply),
                Err(Attempt::Retry { wait, why }) => {
                    if attempt == ATTEMPTS {
                        return Err(RequestError::Failed(format!("{why} ({ATTEMPTS} attempts)")));
                    }
                    tokio::time::sleep(wait.unwrap_or(pause)).await;
                    pause = (pause * 2).min(Duration::from_secs(5));
                }
                Err(Attempt::Final(e)) => return Err(e),
            }
        }
        Err(RequestError::Failed(format!("{path}: no answer after {ATTEMPTS} attempts")))
    }

    fn timed_out(&self, path: &str, after: Duration) -> String {
        let path = path.split('?').next().unwrap_or(path);
        format!("{} did not answer {path} within {} (--timeout)", self.host, seconds(after))
    }

    async fn attempt(&self, request: http::Request<Body>, limit: usize) -> Result<Reply, Attempt> {
        let path = request.uri().path().to_string();
        let response = self.client.send(request).await.map_err(|e| self.unanswered(&e))?;
        let (parts, body) = response.into_parts();
        let status = parts.status;
        let header = |name| parts.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        let content_type = header(CONTENT_TYPE).unwrap_or_default();
        let retry_after = header(RETRY_AFTER).and_then(|v| v.trim().parse::<u64>().ok());
        let body_limit = if status.is_success() { limit } else { MAX_ERROR_BODY };
        let body = match read_body(body, body_limit).await {
            Ok(body) => body,
            Err(BodyError::TooLarge) if status.is_success() => {
                return Err(Attempt::Final(RequestError::TooLarge(limit)));
            }
            // An error answer cut short still says enough.
            Err(BodyError::TooLarge) => Vec::new(),
            Err(BodyError::Broken(e)) => return Err(self.unanswered_body(e.as_ref())),
        };
        if status.is_success() {
            return Ok(Reply { content_type, body });
        }
        Err(self.refusal(&path, status.as_u16(), &body, retry_after))
    }

    /// A request that got no HTTP answer.
    fn unanswered(&self, e: &kube::Error) -> Attempt {
        let cause = errors::cause(e);
        let why = errors::describe(&cause, &self.host);
        match cause {
            Cause::Reset => Attempt::Retry { wait: None, why },
            _ => Attempt::Final(RequestError::Failed(why)),
        }
    }

    /// An answer whose body broke off.
    fn unanswered_body(&self, e: &(dyn std::error::Error + 'static)) -> Attempt {
        let cause = errors::cause(e);
        let why = errors::describe(&cause, &self.host);
        match cause {
            // The connection dropped while the body was read: as good a reason to retry as any.
            Cause::Reset | Cause::Other(_) => Attempt::Retry { wait: None, why },
            _ => Attempt::Final(RequestError::Failed(why)),
        }
    }

    /// A non-2xx answer.
    fn refusal(&self, path: &str, code: u16, body: &[u8], retry_after: Option<u64>) -> Attempt {
        let status = StatusText::of(body);
        let said = status.message(code);
        let hint = retry_after.or(status.retry_after).map(|s| Duration::from_secs(s.clamp(1, 10)));
        let host = &self.host;
        let error = match code {
            300..=399 => RequestError::Failed(format!(
                "{host} answered {path} with a redirect (HTTP {code}); API servers do not redirect: check the \
                 kubeconfig's server URL"
            )),
            400 if String::from_utf8_lossy(body).contains(HTTP_ON_TLS_PORT) => {
                RequestError::Failed(format!("{host} speaks TLS: the kubeconfig's server URL must start with https://"))
            }
            401 => RequestError::Unauthorized(said),
            403 => RequestError::Forbidden(said),
            404 => RequestError::NotFound(said),
            410 => RequestError::Expired(said),
            429 | 500 | 502..=599 => {
                return Attempt::Retry { wait: hint, why: format!("{host}: {path}: HTTP {code}: {said}") };
            }
            _ => RequestError::Failed(format!("{host}: {path}: HTTP {code}: {said}")),
        };
        Attempt::Final(error)
    }
}

/// `30 s`, `1.5 s`.
pub(super) fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0} s")
    } else {
        format!("{s:.1} s")
    }
}

enum BodyError {
    TooLarge,
    Broken(Box<dyn std::error::Error + Send + Sync>),
}

/// Reads a body frame by frame, stopping (and dropping the connection) past `limit` bytes.
async fn read_body(mut body: Body, limit: usize) -> Result<Vec<u8>, BodyError> {
    let mut out = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| BodyError::Broken(Box::new(e)))?;
        if let Some(data) = frame.data_ref() {
            if out.len() + data.len() > limit {
                return Err(BodyError::TooLarge);
            }
            out.extend_from_slice(data);
        }
    }
    Ok(out)
}

/// What a Kubernetes `Status` error body says.
#[derive(Default)]
struct StatusText {
    message: String,
    reason: String,
    retry_after: Option<u64>,
}

impl StatusText {
    fn of(body: &[u8]) -> StatusText {
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else { return StatusText::default() };
        let text = |key: &str| value.get(key).and_then(|v| v.as_str()).unwrap_or("").to_string();
        StatusText {
            message: text("message"),
            reason: text("reason"),
            retry_after: value.pointer("/details/retryAfterSeconds").and_then(serde_json::Value::as_u64),
        }
    }

    /// The server's message (its `reason` when the message is empty), shortened; the reason
    /// phrase of the code when the body was no Status.
    fn message(&self, code: u16) -> String {
        let said = if !self.message.is_empty() {
            self.message.as_str()
        } else if !self.reason.is_empty() {
            self.reason.as_str()
        } else {
            return http::StatusCode::from_u16(code)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("no Kubernetes Status in the answer")
                .to_string();
        };
        shorten(said, MAX_MESSAGE)
    }
}

/// At most `max` characters, marked when cut.
fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_messages_are_kept_short_and_fall_back_to_the_reason_phrase() {
        let long = format!(r#"{{"kind":"Status","message":"{}","reason":"InternalError"}}"#, "x".repeat(900));
        let said = StatusText::of(long.as_bytes()).message(500);
        assert_eq!(said.chars().count(), MAX_MESSAGE + 1);
        assert_eq!(StatusText::of(b"<html>bad gateway</html>").message(502), "Bad Gateway");
        assert_eq!(StatusText::of(br#"{"reason":"Expired"}"#).message(410), "Expired");
        let hinted = StatusText::of(br#"{"details":{"retryAfterSeconds":3}}"#);
        assert_eq!(hinted.retry_after, Some(3));
    }

    #[test]
    fn durations_read_as_seconds() {
        assert_eq!(seconds(Duration::from_secs(30)), "30 s");
        assert_eq!(seconds(Duration::from_millis(1500)), "1.5 s");
    }
}
