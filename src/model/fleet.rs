//! What a fleet audit (`--contexts`, `--all-contexts`) knows of every cluster, for the rules that
//! compare clusters (IB608, IB609): which ServiceAccounts may use which client id, and which
//! webhook version each cluster runs. Built once from every audited cluster's model.

use super::authz::Request;
use super::inventory::Inventory;
use super::{is_guid, IDENTITY_API_GROUP, USE_MANAGED_IDENTITY};

/// Every audited cluster's facts, the cluster reading it included.
#[derive(Clone, Debug, Default)]
pub struct FleetView {
    pub clusters: Vec<ClusterFacts>,
}

/// One cluster's facts.
#[derive(Clone, Debug)]
pub struct ClusterFacts {
    pub context: String,
    /// ServiceAccounts with a client id (a GUID) and whether RBAC lets them use it; `None` when
    /// the ServiceAccounts or the RBAC objects could not all be read (nothing to compare then).
    pub accounts: Option<Vec<AccountGrant>>,
    /// The version of each webhook install, as `(namespace, version)`; `None` when the webhook's
    /// Deployments could not be read.
    pub webhooks: Option<Vec<(String, String)>>,
}

/// A ServiceAccount, its client id, and the grant that lets it use it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountGrant {
    pub namespace: String,
    pub service_account: String,
    pub client_id: String,
    /// The binding that grants it (`ClusterRoleBinding use-mi-…`), or `None`: no grant.
    pub granted_by: Option<Grantor>,
}

/// What grants an account the use of its client id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grantor {
    /// `ClusterRoleBinding` or `RoleBinding`.
    pub kind: String,
    /// The binding's namespace (RoleBindings).
    pub namespace: Option<String>,
    pub name: String,
}

/// Lists whose absence makes the grants unknown.
const GRANT_LISTS: &[&str] = &["serviceaccounts", "clusterroles", "clusterrolebindings", "roles", "rolebindings"];

impl ClusterFacts {
    /// The facts of an audited cluster's model.
    pub fn of(context: &str, inventory: &Inventory) -> ClusterFacts {
        let live = inventory.live.as_ref();
        let read = |resource: &str| live.is_some_and(|l| l.could_list(resource));
        let accounts = GRANT_LISTS.iter().all(|r| read(r)).then(|| account_grants(inventory));
        let webhooks = read("deployments").then(|| {
            live.into_iter()
                .flat_map(|l| &l.webhook_deployments)
                .filter_map(|d| Some((d.meta.namespace.to_string(), d.version()?.to_string())))
                .collect()
        });
        ClusterFacts { context: context.to_string(), accounts, webhooks }
    }

    /// The grant facts of `namespace/service_account` with `client_id`, if the account is known.
    pub fn account(&self, namespace: &str, service_account: &str, client_id: &str) -> Option<&AccountGrant> {
        self.accounts
            .as_ref()?
            .iter()
            .find(|a| a.namespace == namespace && a.service_account == service_account && a.client_id == client_id)
    }
}

fn account_grants(inventory: &Inventory) -> Vec<AccountGrant> {
    let mut out = Vec::new();
    for sa in &inventory.service_accounts {
        let Some(id) = sa.client_id().map(|e| e.value.trim()).filter(|v| is_guid(v)) else { continue };
        let request = Request {
            sa_namespace: &sa.meta.namespace,
            sa_name: &sa.meta.name,
            verb: USE_MANAGED_IDENTITY,
            api_group: IDENTITY_API_GROUP,
            resource: id,
            namespace: Some(&sa.meta.namespace),
        };
        let granted_by = inventory.grants(&request).first().map(|g| Grantor {
            kind: g.binding.meta.kind.to_string(),
            namespace: (!g.binding.is_cluster_binding()).then(|| g.binding.meta.namespace.to_string()),
            name: g.binding.meta.name.to_string(),
        });
        out.push(AccountGrant {
            namespace: sa.meta.namespace.to_string(),
            service_account: sa.meta.name.to_string(),
            client_id: id.to_string(),
            granted_by,
        });
    }
    out
}
