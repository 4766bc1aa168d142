//! Questions the ServiceAccount rules (IB201–IB205) share: which pods need which account, whether
//! an identity value can be checked at all, and whether something other than the manifest supplies
//! a missing id.

use rayon::prelude::*;

use crate::model::{is_guid, is_placeholder, is_wi_pod, tool_of};
use crate::model::{Entry, Inventory, Meta, PodTemplate, ServiceAccount, Tool, ToolConfig, Workload, WI_PREFIX};
use crate::span::Span;

/// " and 2 other workloads": the tail of a message that names the first of several pods.
pub(super) fn and_others(pods: usize) -> String {
    match pods.saturating_sub(1) {
        0 => String::new(),
        1 => " and 1 other workload".to_string(),
        n => format!(" and {n} other workloads"),
    }
}

/// A ServiceAccount in scope and the workload identity pods that run as it, in source order.
#[derive(Clone, Copy)]
pub struct AccountUsers<'s, 'a> {
    pub sa: &'a ServiceAccount,
    pub pods: &'s [&'a Workload],
}

/// Every [`AccountUsers`], each account's pods a range of one vector: the rules hold them from
/// start to end, one entry per account of the repository, and a vector of pods per account was
/// an allocation each (~26,000 at 30,000 applications, at the run's peak).
#[derive(Default)]
pub(super) struct AllAccountUsers<'a> {
    /// Each account, with where its pods start in `pods`.
    accounts: Vec<(&'a ServiceAccount, u32)>,
    pods: Vec<&'a Workload>,
}

impl<'a> AllAccountUsers<'a> {
    pub(super) fn len(&self) -> usize {
        self.accounts.len()
    }

    /// The `i`th account, in the order of its first pod.
    pub(super) fn get(&self, i: usize) -> AccountUsers<'_, 'a> {
        let (sa, start) = self.accounts[i];
        let end = self.accounts.get(i + 1).map_or(self.pods.len(), |&(_, next)| next as usize);
        AccountUsers { sa, pods: &self.pods[start as usize..end] }
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = AccountUsers<'_, 'a>> {
        (0..self.len()).map(|i| self.get(i))
    }
}

/// The pods of [`is_complete_wi_workload`] workloads whose account is in scope, grouped by account: each account
/// once, in the order of its first pod. Rules read it through
/// [`super::Context::account_users`], which computes it once.
pub(super) fn account_users(inv: &Inventory) -> AllAccountUsers<'_> {
    // The lookups are independent: done in parallel, then grouped in source order.
    let accounts: Vec<Option<usize>> = inv
        .workloads
        .par_iter()
        .map(|w| {
            is_complete_wi_workload(w)
                .then(|| inv.service_account_index(w.namespace(), w.pod.service_account_name()?, &w.meta))?
        })
        .collect();
    // Each account's group in the order of its first pod, and how many pods each group has;
    // then each pod is placed in its group's range, in source order.
    let mut group_of = vec![u32::MAX; inv.service_accounts.len()];
    let mut groups: Vec<(&ServiceAccount, u32)> = Vec::new();
    for &sa in accounts.iter().flatten() {
        if group_of[sa] == u32::MAX {
            group_of[sa] = groups.len() as u32;
            groups.push((&inv.service_accounts[sa], 0));
        }
        groups[group_of[sa] as usize].1 += 1;
    }
    let mut start = 0;
    for group in &mut groups {
        let count = group.1;
        group.1 = start;
        start += count;
    }
    let mut next: Vec<u32> = groups.iter().map(|g| g.1).collect();
    // Every place is filled once below (the counts are exact): the first workload only holds it.
    let Some(first) = inv.workloads.first() else { return AllAccountUsers::default() };
    let mut pods = vec![first; start as usize];
    for (w, sa) in inv.workloads.iter().zip(&accounts) {
        let Some(sa) = sa else { continue };
        let at = &mut next[group_of[*sa] as usize];
        pods[*at as usize] = w;
        *at += 1;
    }
    AllAccountUsers { accounts: groups, pods }
}

/// A complete workload that opts into workload identity (kustomize patches are partial).
pub(super) fn is_complete_wi_workload(w: &Workload) -> bool {
    !w.meta.is_patch && is_wi_pod(&w.pod)
}

/// The location of the field that names the pod's ServiceAccount (the pod template's anchor when
/// it names none), for related locations.
pub(super) fn service_account_field(w: &Workload) -> Span {
    w.pod.service_account_ref().map_or(w.pod.anchor, |s| s.span)
}

/// What a tool's configuration supplies for a pod that runs it: the tool and the configurations
/// in scope that apply to the pod (they name the client id, or reference a Secret holding it).
pub(super) struct ToolSupply<'a> {
    pub tool: &'static Tool,
    pub configs: Vec<&'a ToolConfig>,
}

impl ToolSupply<'_> {
    /// Some configuration names the id (a literal or a Secret reference).
    pub(super) fn names_an_id(&self) -> bool {
        self.configs.iter().any(|c| !c.ids.is_empty())
    }
}

/// The tool a pod runs and the configurations in scope that supply its client id, if the pod
/// runs one of the tools that take the id from their own configuration.
pub(super) fn tool_supply<'a>(inv: &'a Inventory, w: &Workload) -> Option<ToolSupply<'a>> {
    let tool = tool_of(w)?;
    let configs = inv
        .tool_configs
        .iter()
        .filter(|c| std::ptr::eq(c.tool, tool) && c.account.is_none() && c.applies_to(w))
        .collect();
    Some(ToolSupply { tool, configs })
}

/// An annotation value that is present and not blank.
pub(super) fn is_set(entry: Option<&Entry>) -> bool {
    entry.is_some_and(|e| !e.value.trim().is_empty())
}

/// A kustomize patch of the same ServiceAccount in scope sets `key`: an overlay completes the
/// account, so its absence in the base is by design. (Only a patch can add to a base object;
/// unrelated full declarations of the same name elsewhere in a repository prove nothing.)
pub(super) fn set_by_another_declaration(inv: &Inventory, sa: &ServiceAccount, key: &str) -> bool {
    inv.service_accounts_named(&sa.meta.namespace, &sa.meta.name)
        .any(|other| other.meta.is_patch && is_set(other.meta.annotations.get(key)))
}

/// How a pod's containers provide an environment variable themselves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum HandSet {
    /// An `env` entry of that name (literal or `valueFrom`): the webhook leaves it alone.
    Env(Span),
    /// `envFrom` sources, whose keys are not visible here: they may provide it.
    EnvFrom(Span),
}

/// Whether any container sets `name` itself; an explicit `env` entry wins over `envFrom`.
pub(super) fn hand_set_env(pod: &PodTemplate, name: &str) -> Option<HandSet> {
    let containers = || pod.all_containers();
    let env = containers().flat_map(|c| &c.env).find(|e| e.name.value == name).map(|e| HandSet::Env(e.name.span));
    env.or_else(|| containers().flat_map(|c| c.env_from.first()).next().map(|s| HandSet::EnvFrom(*s)))
}

/// Why a missing `client-id` may be supplied at deploy time rather than in the manifest, if the
/// tree shows a sign of it.
pub(super) fn supplied_at_deploy_time(sa: &ServiceAccount) -> Option<&'static str> {
    if managed_by_another_controller(&sa.meta) {
        return Some("its labels ask another controller to manage its identity");
    }
    if in_kustomize_tree(&sa.meta) {
        return Some("it is part of a kustomize tree, where ids are often added per environment");
    }
    None
}

/// A label or annotation outside the webhook's prefix that names a client id or an identity,
/// such as `workload.identity.labeler/azure-mi-client-name`: a controller fills the id in.
fn managed_by_another_controller(meta: &Meta) -> bool {
    meta.labels.items.iter().chain(&meta.annotations.items).any(|e| {
        let key = e.key.to_ascii_lowercase();
        let Some((prefix, name)) = key.split_once('/') else { return false };
        !key.starts_with(WI_PREFIX)
            && (prefix.contains("identity") || prefix.contains("azure"))
            && (name.contains("client") || name.contains("identity"))
    })
}

/// The object is part of a kustomize build.
fn in_kustomize_tree(meta: &Meta) -> bool {
    meta.build.is_some()
}

/// A value that cannot be checked: a template placeholder (`${VAR}`, `__NAME__`, `<client-id>`, …)
/// or a stand-in that spells out what it stands for (`your-client-id`, `CLIENT_ID`,
/// `some-client-id-value`, `xxxxxxxx-xxxx-…`, the nil GUID).
pub(super) fn is_unchecked_value(v: &str) -> bool {
    let v = v.trim();
    if is_guid(v) {
        // The common case, answered without allocating: only the nil GUID stands in for an id.
        return v.bytes().all(|c| c == b'0' || c == b'-');
    }
    if is_placeholder(v) {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    let squashed: String = lower.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    let names_itself = ["clientid", "tenantid", "identityid", "appid"].iter().any(|w| squashed.contains(w));
    let env_name = v.len() > 2 && v.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    // `xxxxxxxx-xxxx-…` and the nil GUID `00000000-0000-…` stand in for an id never filled in.
    let crossed_out =
        !squashed.is_empty() && (squashed.chars().all(|c| c == 'x') || squashed.chars().all(|c| c == '0'));
    names_itself || env_name || crossed_out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stand_ins_are_not_checked() {
        for v in [
            "${ID}",
            "__clientId__",
            "some-client-id-value",
            "YOUR_CLIENT_ID",
            "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
            "00000000-0000-0000-0000-000000000000",
        ] {
            assert!(is_unchecked_value(v), "{v}");
        }
        for v in ["3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60", "my-app", "3f2c1a9e", ""] {
            assert!(!is_unchecked_value(v), "{v}");
        }
    }
}
