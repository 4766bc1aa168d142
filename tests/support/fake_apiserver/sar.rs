//! Canned answers to SubjectAccessReviews (and SelfSubjectAccessReviews, for `kubectl auth can-i`).
//!
//! `sar.json` in a fixture directory:
//! ```json
//! { "currentUser": "audit",
//!   "rules": [ { "user": "system:serviceaccount:team-a:api", "verb": "use-managed-identity",
//!                "group": "cid.wi.aks.azure.com", "resource": "<client-id>", "namespace": "team-a",
//!                "allowed": true, "reason": "RBAC: allowed by …" } ] }
//! ```
//! `namespace` is optional (any namespace); `"*"` in any field matches everything. The first
//! matching rule answers; no match is a denial with reason [`NO_MATCH_REASON`].

use serde_json::{json, Value};

/// The reason given when no rule matches, as a denial without an opinion.
pub const NO_MATCH_REASON: &str = "no RBAC policy matched";
/// The user the kubeconfig's token authenticates as, unless the table says otherwise.
pub const DEFAULT_CURRENT_USER: &str = "audit";

/// One canned answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SarRule {
    pub user: String,
    pub verb: String,
    pub group: String,
    pub resource: String,
    /// `None`: any namespace (and cluster-scoped requests).
    pub namespace: Option<String>,
    pub allowed: bool,
    /// Sets `status.denied` on a refusal (an authorizer's explicit "no", not RBAC's silence).
    pub denied: bool,
    pub reason: String,
}

impl SarRule {
    /// An allowing rule with RBAC's usual reason left to the caller.
    pub fn allow(user: &str, verb: &str, group: &str, resource: &str, reason: &str) -> SarRule {
        SarRule {
            user: user.to_string(),
            verb: verb.to_string(),
            group: group.to_string(),
            resource: resource.to_string(),
            namespace: None,
            allowed: true,
            denied: false,
            reason: reason.to_string(),
        }
    }

    /// A refusing rule (`allowed: false`, `denied: true`).
    pub fn deny(user: &str, verb: &str, group: &str, resource: &str, reason: &str) -> SarRule {
        SarRule { allowed: false, denied: true, ..SarRule::allow(user, verb, group, resource, reason) }
    }

    pub fn in_namespace(mut self, namespace: &str) -> SarRule {
        self.namespace = Some(namespace.to_string());
        self
    }

    /// The answer a `SubjectAccessReview` object of a fixture gives: its `spec` is the question
    /// (user and resource attributes; no namespace: any), its `status` the answer.
    pub fn from_review(review: &Value) -> Result<SarRule, String> {
        let question = SarQuestion::from_spec(&review["spec"], "");
        let status = &review["status"];
        let allowed =
            status.get("allowed").and_then(Value::as_bool).ok_or("a SubjectAccessReview needs status.allowed")?;
        let namespace = review.pointer("/spec/resourceAttributes/namespace").and_then(Value::as_str);
        Ok(SarRule {
            user: question.user,
            verb: question.verb,
            group: question.group,
            resource: question.resource,
            namespace: namespace.map(str::to_string),
            allowed,
            denied: status.get("denied").and_then(Value::as_bool).unwrap_or(false),
            reason: status.get("reason").and_then(Value::as_str).unwrap_or("").to_string(),
        })
    }

    fn matches(&self, question: &SarQuestion) -> bool {
        let field = |pattern: &str, value: &str| pattern == "*" || pattern == value;
        field(&self.user, &question.user)
            && field(&self.verb, &question.verb)
            && field(&self.group, &question.group)
            && field(&self.resource, &question.resource)
            && self.namespace.as_deref().is_none_or(|ns| field(ns, &question.namespace))
    }

    fn from_json(value: &Value) -> Result<SarRule, String> {
        let text = |key: &str| value.get(key).and_then(Value::as_str).unwrap_or("").to_string();
        let allowed = value.get("allowed").and_then(Value::as_bool).ok_or("a rule needs \"allowed\": true|false")?;
        Ok(SarRule {
            user: text("user"),
            verb: text("verb"),
            group: text("group"),
            resource: text("resource"),
            namespace: value.get("namespace").and_then(Value::as_str).map(str::to_string),
            allowed,
            denied: value.get("denied").and_then(Value::as_bool).unwrap_or(false),
            reason: text("reason"),
        })
    }
}

/// What a review asks: may `user` `verb` `resource` in `group` (in `namespace`)?
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SarQuestion {
    pub user: String,
    pub verb: String,
    pub group: String,
    pub resource: String,
    /// `""` for cluster scope.
    pub namespace: String,
}

impl SarQuestion {
    /// Reads `spec` of a (Self)SubjectAccessReview; `user` is the asker for self reviews.
    pub fn from_spec(spec: &Value, user: &str) -> SarQuestion {
        let attributes = spec.get("resourceAttributes").cloned().unwrap_or(Value::Null);
        let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).unwrap_or("").to_string();
        SarQuestion {
            user: spec.get("user").and_then(Value::as_str).unwrap_or(user).to_string(),
            verb: text(&attributes, "verb"),
            group: text(&attributes, "group"),
            resource: text(&attributes, "resource"),
            namespace: text(&attributes, "namespace"),
        }
    }
}

/// The table of answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SarTable {
    /// Who the kubeconfig's token is: the subject of SelfSubjectAccessReviews and Forbidden messages.
    pub current_user: String,
    pub rules: Vec<SarRule>,
}

impl Default for SarTable {
    fn default() -> SarTable {
        SarTable { current_user: DEFAULT_CURRENT_USER.to_string(), rules: Vec::new() }
    }
}

impl SarTable {
    pub fn with_rule(mut self, rule: SarRule) -> SarTable {
        self.rules.push(rule);
        self
    }

    /// Parses `sar.json` (see the module docs).
    pub fn from_json(value: &Value) -> Result<SarTable, String> {
        let current_user = value.get("currentUser").and_then(Value::as_str).unwrap_or(DEFAULT_CURRENT_USER);
        let rules = value.get("rules").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        Ok(SarTable {
            current_user: current_user.to_string(),
            rules: rules.iter().map(SarRule::from_json).collect::<Result<_, _>>()?,
        })
    }

    /// The `status` of the review: the first matching rule, else a denial without an opinion.
    pub fn answer(&self, question: &SarQuestion) -> Value {
        match self.rules.iter().find(|rule| rule.matches(question)) {
            Some(rule) if rule.allowed => json!({ "allowed": true, "reason": rule.reason }),
            Some(rule) if rule.denied => json!({ "allowed": false, "denied": true, "reason": rule.reason }),
            Some(rule) => json!({ "allowed": false, "reason": rule.reason }),
            None => json!({ "allowed": false, "reason": NO_MATCH_REASON }),
        }
    }
}
