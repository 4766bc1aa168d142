//! Facts only a live cluster has: the webhook installation, running pods, access reviews, and
//! what the audit could not see.

use std::sync::Arc;

use super::meta::{Meta, ObjectRef};

/// Name of the webhook's MutatingWebhookConfiguration (add-on and open-source installs alike).
pub const WEBHOOK_CONFIGURATION: &str = "azure-wi-webhook-mutating-webhook-configuration";
/// Namespace of the AKS add-on's webhook.
pub const ADDON_NAMESPACE: &str = "kube-system";
/// Namespace of the open-source (Helm/manifest) webhook install.
pub const OSS_NAMESPACE: &str = "azure-workload-identity-system";
/// Label AKS puts on its managed webhook's pods and deployment.
pub const AKS_SYSTEM_LABEL: &str = "azure-workload-identity.io/system";
/// The token audience of identity-binding pods.
pub const IDENTITY_BINDING_AUDIENCE: &str = "api://AKSIdentityBinding";
/// Env var the webhook injects into identity-binding pods only.
pub const TOKEN_PROXY_ENV: &str = "AZURE_KUBERNETES_TOKEN_PROXY";

/// What the audit learned about the cluster beyond its objects.
#[derive(Clone, Debug, Default)]
pub struct LiveState {
    /// The kubeconfig context audited: the first segment of every logical location.
    pub context: Arc<str>,
    /// MutatingWebhookConfigurations that belong to the workload identity webhook.
    pub webhook_configurations: Vec<WebhookConfiguration>,
    /// Webhook deployments found in `kube-system` and `azure-workload-identity-system`.
    pub webhook_deployments: Vec<WebhookDeployment>,
    /// Pods, with what the webhook did to them.
    pub pods: Vec<LivePod>,
    /// SubjectAccessReview answers, one per (namespace, ServiceAccount, client id) asked.
    pub access_reviews: Vec<AccessReview>,
    /// Lists the audit could not make (403, …); rules that need them were skipped.
    pub unavailable: Vec<Unavailable>,
    /// `--no-sar`, or the reviews themselves were forbidden.
    pub reviews_skipped: bool,
    /// The one namespace read (`-n`); `None`: every namespace.
    pub namespace: Option<String>,
    /// In a fleet audit, what every audited cluster shows (for IB608, IB609).
    pub fleet: Option<std::sync::Arc<super::FleetView>>,
    /// Where each access review is in `access_reviews`, by a hash of what it asked: made when
    /// first asked for, once the reviews are all in. Rules ask for the review of every account
    /// they judge, and a search of the list each time made an audit of 50,000 pods spend most of
    /// a second in IB301.
    pub review_index: std::sync::OnceLock<ReviewIndex>,
}

impl LiveState {
    /// Whether the audit could read `resource` (plural, e.g. `pods`, `clusterroles`).
    pub fn could_list(&self, resource: &str) -> bool {
        !self.unavailable.iter().any(|u| u.resource == resource)
    }

    /// The access review for a ServiceAccount and client id, if one was made (the first, if it
    /// was asked twice).
    pub fn review(&self, namespace: &str, service_account: &str, client_id: &str) -> Option<&AccessReview> {
        let asked = |r: &&AccessReview| {
            r.namespace == namespace && r.service_account == service_account && r.client_id == client_id
        };
        let index = self.review_index.get_or_init(|| {
            let mut at: foldhash::HashMap<u64, Vec<usize>> = foldhash::HashMap::default();
            for (i, r) in self.access_reviews.iter().enumerate() {
                at.entry(review_key(&r.namespace, &r.service_account, &r.client_id)).or_default().push(i);
            }
            ReviewIndex { reviews: self.access_reviews.len(), at }
        });
        // Reviews added after the index was made (none are, in a run) are searched for.
        if index.reviews != self.access_reviews.len() {
            return self.access_reviews.iter().find(asked);
        }
        let candidates = index.at.get(&review_key(namespace, service_account, client_id))?;
        candidates.iter().map(|&i| &self.access_reviews[i]).find(asked)
    }
}

/// [`LiveState::review_index`]: the positions of the reviews, by [`review_key`], made over the
/// first `reviews` of them.
#[derive(Clone, Debug, Default)]
pub struct ReviewIndex {
    reviews: usize,
    at: foldhash::HashMap<u64, Vec<usize>>,
}

/// What an access review asked, hashed (a fixed seed: the index lives as long as the run).
fn review_key(namespace: &str, service_account: &str, client_id: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0x1b).hash_one((namespace, service_account, client_id))
}

/// A MutatingWebhookConfiguration of the workload identity webhook.
#[derive(Clone, Debug)]
pub struct WebhookConfiguration {
    pub meta: Meta,
    /// `webhooks[].name`, e.g. `mutation.azure-workload-identity.io`.
    pub webhook_names: Vec<String>,
}

/// A Deployment running the webhook (container `manager`).
#[derive(Clone, Debug)]
pub struct WebhookDeployment {
    pub meta: Meta,
    /// The `manager` container's image, e.g. `mcr.microsoft.com/oss/v2/azure/workload-identity/webhook:v1.6.0-alpha.1`.
    pub image: String,
    /// The `manager` container's `command` and `args`, in order.
    pub args: Vec<String>,
    /// `spec.replicas` (default 1) and `status.readyReplicas` (default 0).
    pub replicas: i64,
    pub ready_replicas: i64,
    /// Managed by AKS (label `azure-workload-identity.io/system: "true"` on the deployment or its pods).
    pub aks_managed: bool,
}

impl WebhookDeployment {
    /// The image tag (the webhook's version), if the image has one.
    pub fn version(&self) -> Option<&str> {
        let last = self.image.rsplit('/').next().unwrap_or(&self.image);
        let last = last.split('@').next().unwrap_or(last);
        last.split_once(':').map(|(_, tag)| tag)
    }
}

/// One pod as it runs, reduced to what the live rules read.
#[derive(Clone, Debug)]
pub struct LivePod {
    /// The pod's own metadata (labels and annotations included).
    pub meta: Meta,
    /// The controller that owns it, resolved to the top (ReplicaSet → Deployment, Job → CronJob).
    /// Pods of one owner are reported once.
    pub owner: Option<ObjectRef>,
    /// `status.phase`: `Running`, `Pending`, `Succeeded`, `Failed`, `Unknown`.
    pub phase: String,
    /// `spec.serviceAccountName` (`default` when empty).
    pub service_account: String,
    /// The projected service-account-token volume the webhook injected, if any.
    pub token_volume: Option<TokenVolume>,
    /// Azure identity env vars of each container, as the pod runs with them.
    pub containers: Vec<LiveContainer>,
}

impl LivePod {
    pub fn is_running(&self) -> bool {
        self.phase == "Running"
    }

    /// The object findings about this pod are reported on: its owner, else the pod.
    pub fn report_ref(&self) -> ObjectRef {
        self.owner.clone().unwrap_or_else(|| self.meta.object_ref())
    }

    /// Whether the webhook mutated the pod: an injected token volume or `AZURE_FEDERATED_TOKEN_FILE`.
    pub fn is_mutated(&self) -> bool {
        self.token_volume.is_some()
            || self.containers.iter().any(|c| c.env.iter().any(|(k, _)| k == "AZURE_FEDERATED_TOKEN_FILE"))
    }

    /// The value of env var `name` in the first container that sets it.
    pub fn env(&self, name: &str) -> Option<&str> {
        self.containers.iter().flat_map(|c| &c.env).find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// The injected token volume.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenVolume {
    /// `azure-workload-identity-reserved-<hex>` (v1.6+) or `azure-identity-token` (up to v1.5).
    pub name: String,
    /// The projected token's `audience` (`api://AzureADTokenExchange` or `api://AKSIdentityBinding`).
    pub audience: Option<String>,
}

/// One container's Azure identity env vars (`AZURE_*`), names and literal values.
#[derive(Clone, Debug, Default)]
pub struct LiveContainer {
    pub name: String,
    pub init: bool,
    pub env: Vec<(String, String)>,
}

/// A SubjectAccessReview: may this ServiceAccount `use-managed-identity` for this client id?
#[derive(Clone, Debug)]
pub struct AccessReview {
    pub namespace: String,
    pub service_account: String,
    pub client_id: String,
    pub allowed: bool,
    /// `status.reason` / `status.evaluationError`, as the API server gave them.
    pub reason: String,
}

/// A list the audit could not make, and the checks that were skipped because of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unavailable {
    /// Plural resource name, e.g. `clusterroles`.
    pub resource: String,
    /// e.g. `forbidden: User "dev" cannot list resource "clusterroles"`.
    pub reason: String,
    /// Rule ids that were skipped.
    pub rules: Vec<&'static str>,
    pub cause: UnavailableCause,
}

impl Unavailable {
    /// Whether the audit's answer is incomplete because of it: a list that was refused or failed,
    /// as opposed to one left out on purpose (`-n`).
    pub fn makes_incomplete(&self) -> bool {
        self.cause != UnavailableCause::OutOfScope
    }
}

/// Why a list was not read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnavailableCause {
    /// 403: the audit's identity may not read it.
    Forbidden,
    /// The server or the network failed, or the answer was not the list asked for.
    Failed,
    /// Outside what the audit was asked to read (`-n NAMESPACE`).
    OutOfScope,
}

#[cfg(test)]
mod review_tests {
    use super::{AccessReview, LiveState};

    fn review(namespace: &str, account: &str, id: &str, allowed: bool) -> AccessReview {
        AccessReview {
            namespace: namespace.into(),
            service_account: account.into(),
            client_id: id.into(),
            allowed,
            reason: String::new(),
        }
    }

    /// The review of each question is found among thousands; the first when asked twice; and a
    /// review added after the first question is found too.
    #[test]
    fn reviews_are_found_by_what_they_asked() {
        let reviews = (0..3000).map(|i| review(&format!("ns-{}", i % 7), &format!("sa-{i}"), "c", i % 2 == 0));
        let mut live = LiveState { access_reviews: reviews.collect(), ..LiveState::default() };
        live.access_reviews.push(review("ns-0", "sa-0", "c", false));
        for i in [0, 1, 1234, 2999] {
            let found = live.review(&format!("ns-{}", i % 7), &format!("sa-{i}"), "c").map(|r| r.allowed);
            assert_eq!(found, Some(i % 2 == 0), "sa-{i}");
        }
        assert!(live.review("ns-1", "sa-0", "c").is_none(), "another namespace");
        assert!(live.review("ns-0", "sa-0", "d").is_none(), "another client id");
        live.access_reviews.push(review("late", "sa", "c", true));
        assert_eq!(live.review("late", "sa", "c").map(|r| r.allowed), Some(true));
    }
}
