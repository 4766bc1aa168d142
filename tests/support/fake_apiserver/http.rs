//! Just enough HTTP/1.1 for kubectl (Go net/http) and kube-rs (hyper): one request at a time on a
//! kept-alive connection, `Content-Length` bodies, `Connection: close`.

use std::io::{self, BufRead, Write};

use serde_json::Value;

/// Request heads larger than this are refused: the clients under test never send them.
const MAX_HEAD_LINES: usize = 200;
/// Bodies larger than this are refused (a SubjectAccessReview is a few hundred bytes).
const MAX_BODY: usize = 1 << 20;

/// One parsed request.
#[derive(Clone, Debug, Default)]
pub struct Request {
    pub method: String,
    /// The path without the query string, e.g. `/api/v1/pods`.
    pub path: String,
    /// The raw query string (without `?`), still percent-encoded.
    pub query: String,
    /// Header names lower-cased, in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// A decoded query parameter (`labelSelector`, `limit`, `continue`, …).
    pub fn param(&self, name: &str) -> Option<String> {
        query_param(&self.query, name)
    }

    /// Whether the client asked to close the connection after this request.
    pub fn wants_close(&self) -> bool {
        self.header("connection").is_some_and(|c| c.eq_ignore_ascii_case("close"))
    }
}

/// A decoded query parameter of a raw query string.
pub fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').filter_map(|pair| pair.split_once('=')).find(|(k, _)| *k == name).map(|(_, v)| percent_decode(v))
}

/// Reads one request; `Ok(None)` when the client closed the connection between requests.
pub fn read_request(reader: &mut impl BufRead) -> io::Result<Option<Request>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return Err(invalid("malformed request line"));
    };
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut request = Request {
        method: method.to_string(),
        path: percent_decode(path),
        query: query.to_string(),
        ..Request::default()
    };
    read_headers(reader, &mut request.headers)?;
    let length = request.header("content-length").map_or(Ok(0), |v| v.trim().parse::<usize>());
    let length = length.map_err(|_| invalid("bad Content-Length"))?;
    if length > MAX_BODY {
        return Err(invalid("body too large"));
    }
    request.body = vec![0; length];
    reader.read_exact(&mut request.body)?;
    Ok(Some(request))
}

fn read_headers(reader: &mut impl BufRead, headers: &mut Vec<(String, String)>) -> io::Result<()> {
    for _ in 0..MAX_HEAD_LINES {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Err(invalid("connection closed inside the request head"));
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            return Ok(());
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    Err(invalid("too many header lines"))
}

fn invalid(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.to_string())
}

/// `%2F` → `/`, `+` → space (Go encodes spaces in label selectors either way).
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => match text.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok()) {
                Some(byte) => {
                    out.push(byte);
                    i += 3;
                    continue;
                }
                None => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One response, before it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub content_type: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Close the connection instead of answering (a reset, as a load balancer does it).
    pub unanswered: bool,
    /// Stream a body of this many bytes (a list opening that never ends) instead of `body`.
    pub streamed: Option<u64>,
}

impl Response {
    pub fn json(status: u16, value: &Value) -> Response {
        Response::raw(status, "application/json", value.to_string().into_bytes())
    }

    /// Any body, as given.
    pub fn raw(status: u16, content_type: &str, body: Vec<u8>) -> Response {
        Response {
            status,
            content_type: content_type.to_string(),
            headers: Vec::new(),
            body,
            unanswered: false,
            streamed: None,
        }
    }

    /// No answer: the connection is closed.
    pub fn unanswered() -> Response {
        Response { unanswered: true, ..Response::raw(0, "", Vec::new()) }
    }

    /// A 200 JSON answer of `len` bytes that opens a list and never closes it.
    pub fn streamed(len: u64) -> Response {
        Response { streamed: Some(len), ..Response::raw(200, "application/json", Vec::new()) }
    }

    pub fn with_content_type(mut self, content_type: &str) -> Response {
        self.content_type = content_type.to_string();
        self
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn write_to(&self, out: &mut impl Write, close: bool) -> io::Result<()> {
        let length = self.streamed.unwrap_or(self.body.len() as u64);
        let mut head = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-cache, private\r\n",
            self.status,
            reason_phrase(self.status),
            self.content_type,
            length
        );
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if close {
            head.push_str("Connection: close\r\n");
        }
        head.push_str("\r\n");
        out.write_all(head.as_bytes())?;
        match self.streamed {
            Some(len) => write_endless_list(out, len)?,
            None => out.write_all(&self.body)?,
        }
        out.flush()
    }
}

/// `len` bytes of a list that opens and never ends: `{"kind":"ConfigMapList","items":[` and spaces.
fn write_endless_list(out: &mut impl Write, len: u64) -> io::Result<()> {
    let opening = br#"{"kind":"ConfigMapList","apiVersion":"v1","metadata":{},"items":["#;
    out.write_all(opening)?;
    let chunk = [b' '; 64 * 1024];
    let mut left = len.saturating_sub(opening.len() as u64);
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        out.write_all(&chunk[..n])?;
        left -= n as u64;
    }
    Ok(())
}

fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        201 => "Created",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        410 => "Gone",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        _ => "Unknown",
    }
}
