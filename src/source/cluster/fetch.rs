//! The audit's requests: GET list pages (bounded in size) and the SubjectAccessReview POST.
//! Nothing here can change the cluster.

use super::transport::{Reply, RequestError, Transport};

/// Objects per list page: large enough to keep round trips few on big clusters, small enough to
/// keep a page's parse tree small.
pub(super) const PAGE_SIZE: u32 = 500;
/// Objects per page when a full page was too large (a namespace of 1 MiB ConfigMaps).
pub(super) const SMALL_PAGE_SIZE: u32 = 50;
/// The largest list page read: 500 pods take a few MB; a server that sends more is refused
/// rather than given the audit's memory.
pub(super) const MAX_PAGE_BYTES: usize = 64 * 1024 * 1024;
/// A SubjectAccessReview answer is a few hundred bytes.
const MAX_REVIEW_BYTES: usize = 1024 * 1024;

/// A GET of one list page of at most `limit` objects.
pub(super) async fn list_page(
    transport: &Transport,
    path: &str,
    limit: u32,
    continue_token: Option<&str>,
) -> Result<String, RequestError> {
    let mut url = format!("{path}?limit={limit}");
    if let Some(token) = continue_token {
        url.push_str("&continue=");
        url.push_str(&percent_encode(token));
    }
    let reply = transport.get(&url, "application/json", MAX_PAGE_BYTES).await?;
    text_of(reply, path)
}

/// A POST creating one SubjectAccessReview (a question, not a change: nothing is stored).
pub(super) async fn create_access_review(transport: &Transport, body: &[u8]) -> Result<String, RequestError> {
    const PATH: &str = "/apis/authorization.k8s.io/v1/subjectaccessreviews";
    let reply = transport.post_json(PATH, body, MAX_REVIEW_BYTES).await?;
    text_of(reply, PATH)
}

/// The answer as JSON text: anything else (an HTML login page of a proxy, a binary body) is an
/// error, not an empty list.
pub(super) fn text_of(reply: Reply, path: &str) -> Result<String, RequestError> {
    let media_type = reply.content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if !media_type.is_empty() && media_type != "application/json" {
        return Err(RequestError::Failed(format!(
            "{path}: the answer is not JSON (Content-Type {})",
            printable(&media_type)
        )));
    }
    String::from_utf8(reply.body).map_err(|_| RequestError::Failed(format!("{path}: the answer is not UTF-8 text")))
}

/// A media type as received, reduced to the characters media types are made of.
fn printable(media_type: &str) -> String {
    media_type.chars().filter(|c| c.is_ascii_alphanumeric() || "/+.-_=".contains(*c)).take(80).collect()
}

/// Query-string encoding of a continue token (base64 text: `+`, `/` and `=` need it).
fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continue_tokens_are_encoded_for_the_query() {
        assert_eq!(percent_encode("eyJ2Ijo+/x=="), "eyJ2Ijo%2B%2Fx%3D%3D");
    }

    #[test]
    fn only_json_answers_are_read() {
        let html = Reply { content_type: "text/html; charset=utf-8".into(), body: b"<html>".to_vec() };
        assert!(matches!(text_of(html, "/api/v1/pods"), Err(RequestError::Failed(m)) if m.contains("text/html")));
        let json = Reply { content_type: "application/json".into(), body: b"{}".to_vec() };
        assert_eq!(text_of(json, "/api/v1/pods").ok().as_deref(), Some("{}"));
    }
}
