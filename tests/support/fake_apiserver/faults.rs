//! Injected failures: what a real cluster does to an audit on a bad day.
//!
//! ```ignore
//! Fault::resource("clusterroles").forbidden()   // 403 on every request for clusterroles
//! Fault::resource("pods").throttle(2)           // the first 2 pod requests get 429, Retry-After: 1
//! Fault::path("/apis/apps").error(1)            // the first request under /apis/apps gets 500
//! Fault::resource("pods").delay(Duration::from_millis(200))
//! Fault::all().unauthorized()                   // 401 on everything
//! Fault::resource("pods").reset(1)              // the first pod request: connection closed unanswered
//! Fault::resource("pods").expire(1)             // the first page after the first: 410 Expired
//! Fault::resource("pods").respond(Response::json(200, &json!({})))   // this answer, every time
//! Fault::resource("configmaps").oversized(70 << 20)                  // a 70 MiB answer
//! ```

use std::time::Duration;

use super::http::Response;

/// Which requests a fault applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// Every request, discovery included.
    All,
    /// Requests for one resource type (plural, e.g. `clusterroles`): lists, gets and creates.
    Resource(String),
    /// Requests whose path starts with this prefix.
    PathPrefix(String),
}

/// What happens to a request a fault applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// 403 with a real Forbidden Status, on every matching request.
    Forbidden,
    /// 429 with `Retry-After: 1` for the next `remaining` matching requests.
    Throttle { remaining: usize },
    /// 500 for the next `remaining` matching requests.
    Error { remaining: usize },
    /// Answer normally, this much later.
    Delay(Duration),
    /// 401 on every matching request.
    Unauthorized,
    /// The connection closed without an answer, for the next `remaining` matching requests.
    Reset { remaining: usize },
    /// 410 Expired for the next `remaining` list requests that carry a `continue` token.
    Expire { remaining: usize },
    /// This answer to every matching request (HTML, `{}`, a redirect, a repeating token, …).
    Respond(Box<Response>),
    /// A 200 answer of this many bytes (a list that never ends), streamed.
    Oversized(u64),
}

/// A fault: a target and what happens to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    pub target: Target,
    pub kind: FaultKind,
}

/// Chooses the target first: `Fault::resource("pods").throttle(2)`.
#[derive(Clone, Debug)]
pub struct FaultTarget(Target);

impl Fault {
    pub fn all() -> FaultTarget {
        FaultTarget(Target::All)
    }

    pub fn resource(plural: &str) -> FaultTarget {
        FaultTarget(Target::Resource(plural.to_string()))
    }

    pub fn path(prefix: &str) -> FaultTarget {
        FaultTarget(Target::PathPrefix(prefix.to_string()))
    }

    /// Whether the fault applies to a request for `path` naming `resource` (plural), if any.
    pub fn applies_to(&self, path: &str, resource: Option<&str>) -> bool {
        let targeted = match &self.target {
            Target::All => true,
            Target::Resource(plural) => resource == Some(plural.as_str()),
            Target::PathPrefix(prefix) => path.starts_with(prefix.as_str()),
        };
        targeted && !self.spent()
    }

    /// A counted fault that has fired its last time.
    pub fn spent(&self) -> bool {
        matches!(
            self.kind,
            FaultKind::Throttle { remaining: 0 }
                | FaultKind::Error { remaining: 0 }
                | FaultKind::Reset { remaining: 0 }
                | FaultKind::Expire { remaining: 0 }
        )
    }

    /// Counts one firing of a counted fault.
    pub fn fire(&mut self) {
        if let FaultKind::Throttle { remaining }
        | FaultKind::Error { remaining }
        | FaultKind::Reset { remaining }
        | FaultKind::Expire { remaining } = &mut self.kind
        {
            *remaining = remaining.saturating_sub(1);
        }
    }
}

impl FaultTarget {
    fn with(self, kind: FaultKind) -> Fault {
        Fault { target: self.0, kind }
    }

    pub fn forbidden(self) -> Fault {
        self.with(FaultKind::Forbidden)
    }

    pub fn throttle(self, times: usize) -> Fault {
        self.with(FaultKind::Throttle { remaining: times })
    }

    pub fn error(self, times: usize) -> Fault {
        self.with(FaultKind::Error { remaining: times })
    }

    pub fn delay(self, by: Duration) -> Fault {
        self.with(FaultKind::Delay(by))
    }

    pub fn unauthorized(self) -> Fault {
        self.with(FaultKind::Unauthorized)
    }

    pub fn reset(self, times: usize) -> Fault {
        self.with(FaultKind::Reset { remaining: times })
    }

    pub fn expire(self, times: usize) -> Fault {
        self.with(FaultKind::Expire { remaining: times })
    }

    pub fn respond(self, response: Response) -> Fault {
        self.with(FaultKind::Respond(Box::new(response)))
    }

    pub fn oversized(self, bytes: u64) -> Fault {
        self.with(FaultKind::Oversized(bytes))
    }
}
