use std::collections::HashMap;
use std::sync::Arc;

use super::fic::FederatedCredential;
use super::legacy::LegacyPodIdentity;
use super::live::LiveState;
use super::meta::{ConfigMap, Meta, ServiceAccount, Text};
use super::rbac::{Binding, Role};
use super::workload::Workload;
use crate::span::Pos;

/// A file that could not be read or parsed (IB001).
#[derive(Clone, Debug)]
pub struct ParseFailure {
    pub path: Arc<str>,
    pub pos: Pos,
    pub message: String,
}

/// A file or directory skipped on purpose, told to the user once (not a finding).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SkipNote {
    pub path: String,
    pub message: String,
}

/// Everything the sources found, with the indexes rules need.
#[derive(Debug, Default)]
pub struct Inventory {
    pub workloads: Vec<Workload>,
    pub service_accounts: Vec<ServiceAccount>,
    pub config_maps: Vec<ConfigMap>,
    pub roles: Vec<Role>,
    pub bindings: Vec<Binding>,
    pub federated_credentials: Vec<FederatedCredential>,
    pub legacy: Vec<LegacyPodIdentity>,
    /// Present in `audit` only.
    pub live: Option<LiveState>,
    /// Objects of kinds no rule models in detail (kept for metadata checks).
    pub others: Vec<Meta>,
    pub parse_failures: Vec<ParseFailure>,
    pub notes: Vec<SkipNote>,
    /// Values that look secret (`crate::redact`): masked in every output.
    pub secret_values: Vec<String>,
    /// namespace → name → ServiceAccounts (nested so lookups need no allocation).
    sa_index: HashMap<Text, HashMap<Text, Vec<usize>>>,
    pub(super) rbac: super::authz::RbacIndex,
}

impl Inventory {
    /// Appends another inventory (one file's objects) to this one.
    pub fn merge(&mut self, other: Inventory) {
        self.workloads.extend(other.workloads);
        self.service_accounts.extend(other.service_accounts);
        self.config_maps.extend(other.config_maps);
        self.roles.extend(other.roles);
        self.bindings.extend(other.bindings);
        self.federated_credentials.extend(other.federated_credentials);
        self.legacy.extend(other.legacy);
        self.others.extend(other.others);
        self.parse_failures.extend(other.parse_failures);
        self.notes.extend(other.notes);
        self.secret_values.extend(other.secret_values);
    }

    /// Appends many inventories in order. Each kind is concatenated on its own thread, into a
    /// vector reserved to the exact total (growth by doubling would cost up to twice the model's
    /// memory at the peak).
    pub fn merge_all(&mut self, parts: Vec<Inventory>) {
        let n = parts.len();
        let (mut workloads, mut service_accounts, mut config_maps, mut roles, mut bindings, mut others) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        for mut part in parts {
            workloads.push(std::mem::take(&mut part.workloads));
            service_accounts.push(std::mem::take(&mut part.service_accounts));
            config_maps.push(std::mem::take(&mut part.config_maps));
            roles.push(std::mem::take(&mut part.roles));
            bindings.push(std::mem::take(&mut part.bindings));
            others.push(std::mem::take(&mut part.others));
            self.merge(part); // the few remaining kinds
        }
        rayon::scope(|s| {
            s.spawn(|_| append_all(&mut self.workloads, workloads));
            s.spawn(|_| append_all(&mut self.service_accounts, service_accounts));
            s.spawn(|_| append_all(&mut self.config_maps, config_maps));
            s.spawn(|_| append_all(&mut self.roles, roles));
            s.spawn(|_| append_all(&mut self.bindings, bindings));
            s.spawn(|_| append_all(&mut self.others, others));
        });
    }

    /// Drops the spare capacity of one file's vectors (a vector that received one object holds
    /// room for four): thousands of per-file inventories wait for `merge_all` at once.
    pub fn shrink_to_fit(&mut self) {
        self.workloads.shrink_to_fit();
        self.service_accounts.shrink_to_fit();
        self.config_maps.shrink_to_fit();
        self.roles.shrink_to_fit();
        self.bindings.shrink_to_fit();
        self.federated_credentials.shrink_to_fit();
        self.legacy.shrink_to_fit();
        self.others.shrink_to_fit();
    }

    /// Builds the lookup indexes; call once, after the last merge.
    pub fn index(&mut self) {
        self.notes.sort();
        self.notes.dedup();
        // Independent tables over a large model: built side by side.
        let (sa_index, rbac) = rayon::join(|| self.build_sa_index(), || super::authz::RbacIndex::build(self));
        self.sa_index = sa_index;
        self.rbac = rbac;
    }

    fn build_sa_index(&self) -> HashMap<Text, HashMap<Text, Vec<usize>>> {
        let mut index: HashMap<Text, HashMap<Text, Vec<usize>>> = HashMap::new();
        for (i, sa) in self.service_accounts.iter().enumerate() {
            index.entry(sa.meta.namespace.clone()).or_default().entry(sa.meta.name.clone()).or_default().push(i);
        }
        index
    }

    /// The ServiceAccount `namespace/name` as seen from an object declared at `near`: when
    /// several files declare it (kustomize base and overlays), the one closest in the tree.
    pub fn service_account(&self, namespace: &str, name: &str, near: &Meta) -> Option<&ServiceAccount> {
        self.service_account_index(namespace, name, near).map(|i| &self.service_accounts[i])
    }

    /// [`Inventory::service_account`]'s position in `service_accounts`.
    pub fn service_account_index(&self, namespace: &str, name: &str, near: &Meta) -> Option<usize> {
        let candidates = self.sa_index.get(namespace)?.get(name)?;
        let here = near.origin.path().map(|p| p.as_ref()).unwrap_or("");
        candidates.iter().copied().max_by_key(|&i| {
            let sa = &self.service_accounts[i];
            let there = sa.meta.origin.path().map(|p| p.as_ref()).unwrap_or("");
            (common_prefix(here, there), !sa.meta.is_patch)
        })
    }

    /// Every ServiceAccount named `namespace/name`.
    pub fn service_accounts_named(&self, namespace: &str, name: &str) -> impl Iterator<Item = &ServiceAccount> {
        self.sa_index
            .get(namespace)
            .and_then(|by_name| by_name.get(name))
            .into_iter()
            .flatten()
            .map(|&i| &self.service_accounts[i])
    }

    /// The metadata of every object, whatever its kind.
    pub fn metas(&self) -> impl Iterator<Item = &Meta> {
        self.workloads
            .iter()
            .map(|w| &w.meta)
            .chain(self.service_accounts.iter().map(|s| &s.meta))
            .chain(self.config_maps.iter().map(|c| &c.meta))
            .chain(self.roles.iter().map(|r| &r.meta))
            .chain(self.bindings.iter().map(|b| &b.meta))
            .chain(self.legacy.iter().map(|l| &l.meta))
            .chain(self.federated_credentials.iter().filter_map(|f| f.meta.as_ref()))
            .chain(self.others.iter())
    }
}

fn append_all<T>(into: &mut Vec<T>, parts: Vec<Vec<T>>) {
    into.reserve_exact(parts.iter().map(Vec::len).sum());
    for part in parts {
        into.extend(part);
    }
}

fn common_prefix(a: &str, b: &str) -> usize {
    a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count()
}
