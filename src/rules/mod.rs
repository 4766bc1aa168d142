//! Rules: pure functions of the model. One file per rule, listed once in [`RULES`].
//!
//! A rule reads the [`Context`] and emits findings through a [`Sink`]; it never touches the file
//! system, the network or the terminal. Its id, name, default level and documentation come from
//! `rules/<ID>.md`.
//!
//! # Which rule owns a value
//!
//! One problem, one finding. Where several rules could speak about the same label or annotation,
//! the first question that fails owns it and the later rules stay silent:
//!
//! 1. **Its type.** A value that is not a string (unquoted `true`, `3600`, a list) makes the API
//!    server reject the object: IB002 alone reports it. Every other rule reads a value only when
//!    [`crate::model::Entry::is_string`] holds, so an unquoted `azure.workload.identity/proxy-sidecar-port:
//!    70000` is IB002's, not IB111's too.
//! 2. **Its key.** An unknown key under the webhook's prefix is IB114's; a known key in the wrong
//!    place (a ServiceAccount key on a pod, the `use` label as an annotation or on a controller)
//!    is IB103's or IB102's. Value rules judge a key only where the webhook reads it.
//! 3. **What it says.** Each key has one value rule: `use` IB104, `use-identity-binding` IB105,
//!    `service-account-token-expiration` IB109, `skip-containers` IB110, the proxy keys IB111,
//!    the format of `client-id`/`tenant-id` IB203 and the allowed tenants IB205. A placeholder
//!    filled in later (`${VAR}`, a masked GUID) is judged by none of them: IB203 counts it in its
//!    one note.
//! 4. **Its absence.** A missing or empty id is IB201's or IB202's; the rules that need the id
//!    (IB301–IB303, IB206) skip the account until it has one.
//!
//! A rule that finds a problem another rule owns does not report it again, and the fixtures pin
//! it: every finding in a fixture must be marked.

use std::sync::OnceLock;

use rayon::prelude::*;

use crate::docs;
use crate::finding::{Finding, Level, Location};
use crate::model::{Inventory, Meta};

mod fix_values;
mod support;

mod sa_support;

mod live_support;

mod aad_pod_identity_label;
mod aad_pod_identity_resource;
mod access_review_denied;
mod annotated_sa_without_label;
mod broad_identity_grant;
mod dangling_identity_binding;
mod default_service_account;
mod duplicate_webhook;
mod fic_limit;
mod fleet_grant_drift;
mod fleet_webhook_version_drift;
mod grant_id_mismatch;
mod hardcoded_identity_env;
mod identity_binding_fallback;
mod identity_binding_issuer_fic;
mod identity_binding_value_ignored;
mod invalid_token_expiration;
mod legacy_token_path;
mod malformed_fic;
mod malformed_identity_id;
mod malformed_identity_rule;
mod managed_fic_touched;
mod misplaced_identity_key;
mod misplaced_use_label;
mod missing_identity_grant;
mod missing_use_label;
mod namespaced_identity_grant;
mod non_string_metadata_value;
mod own_token_mismatch;
mod pod_not_mutated;
mod protected_namespace;
mod proxy_sidecar_misuse;
mod rbac_support;
mod sa_missing_client_id;
mod sa_missing_tenant_id;
mod service_account_field_conflict;
mod service_account_not_found;
mod skip_containers_mismatch;
mod stale_client_id;
mod suppression_problem;
mod tool_client_id_mismatch;
mod unexpected_tenant;
mod unknown_identity_key;
mod unparseable_manifest;
mod unused_identity_grant;
mod use_label_not_true;
mod webhook_missing;
mod webhook_too_old;
mod wildcard_identity_grant;

pub use support::*;
pub use suppression_problem::config_findings as config_suppression_findings;
pub use suppression_problem::inline_findings as inline_suppression_findings;

/// Where the rules run: some levels differ between a manifest check and a live audit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Check,
    Audit,
}

/// Settings from the config file that rules read.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// Allowed tenant ids (IB205); empty means any.
    pub tenants: Vec<String>,
    /// Today's date, `YYYY-MM-DD` (IB003: suppressions past their `expires`).
    pub today: String,
}

/// Which objects a run can keep findings about, for [`Context::reporting_on`].
pub type ReportsOn<'a> = &'a (dyn Fn(&Meta) -> bool + Sync);

/// What a rule sees.
pub struct Context<'a> {
    pub inventory: &'a Inventory,
    pub settings: &'a Settings,
    pub mode: Mode,
    /// Objects whose own findings the run can keep ([`Context::reports_on`]); all when `None`.
    reports_on: Option<ReportsOn<'a>>,
    // Answers several rules need, computed once: up front by `run`, else by the first rule that
    // asks.
    account_users: OnceLock<sa_support::AllAccountUsers<'a>>,
    bound_accounts: OnceLock<rbac_support::AllBoundAccounts<'a>>,
}

impl<'a> Context<'a> {
    pub fn new(inventory: &'a Inventory, settings: &'a Settings, mode: Mode) -> Self {
        Context {
            inventory,
            settings,
            mode,
            reports_on: None,
            account_users: OnceLock::new(),
            bound_accounts: OnceLock::new(),
        }
    }

    /// A context whose run keeps the findings about an object only where `reports_on` says so
    /// ([`Context::reports_on`]).
    pub fn reporting_on(self, reports_on: ReportsOn<'a>) -> Self {
        Context { reports_on: Some(reports_on), ..self }
    }

    /// Whether findings about the object of `meta` alone can be kept by this run. Only an object
    /// read whole from one file whose findings are not reported (`iblint check FILE` in a large
    /// repository) answers no. A rule whose findings about an object are located in it and take
    /// no value from another file passes over such objects (IB002, IB103, IB114, IB306; IB308,
    /// which still counts every account's id; IB203, but for the placeholders it counts over every
    /// object). A rule that reports on one object what another says looks at every one.
    pub fn reports_on(&self, meta: &Meta) -> bool {
        self.reports_on.is_none_or(|reports_on| reports_on(meta))
    }

    /// The ServiceAccounts in scope that workload identity pods run as, with those pods
    /// ([`sa_support::account_users`]), shared by IB201, IB202 and IB301–IB303.
    pub fn account_users(&self) -> impl Iterator<Item = sa_support::AccountUsers<'_, 'a>> {
        self.all_account_users().iter()
    }

    fn all_account_users(&self) -> &sa_support::AllAccountUsers<'a> {
        self.account_users.get_or_init(|| sa_support::account_users(self.inventory))
    }

    /// The identity-binding ServiceAccounts with their client ids, pods and grants
    /// ([`rbac_support::bound_accounts`]), shared by IB301–IB303.
    pub fn bound_accounts(&self) -> impl Iterator<Item = rbac_support::BoundAccount<'_, 'a>> {
        self.all_bound_accounts().iter()
    }

    fn all_bound_accounts(&self) -> &rbac_support::AllBoundAccounts<'a> {
        self.bound_accounts.get_or_init(|| rbac_support::bound_accounts(self.inventory, self.all_account_users()))
    }

    /// Drops the shared answers once the rules that read them have run.
    fn forget_shared_answers(&mut self) {
        self.account_users.take();
        self.bound_accounts.take();
    }
}

/// A lint rule.
pub trait Rule: Sync {
    /// The stable id, e.g. `IB101`; its document is `rules/IB101.md`.
    fn id(&self) -> &'static str;
    fn check(&self, cx: &Context, sink: &mut Sink);

    /// Whether the rule reads the answers rules share ([`Context::account_users`],
    /// [`Context::bound_accounts`]): such rules run first, and the answers are dropped before the
    /// others run (see [`run`]). A rule that reads them without saying so still gets them,
    /// computed again.
    fn reads_shared_answers(&self) -> bool {
        false
    }
}

/// Collects one rule's findings, stamped with its id and default level.
pub struct Sink {
    rule: &'static str,
    level: Level,
    findings: Vec<Finding>,
}

impl Sink {
    pub fn new(rule: &'static str) -> Sink {
        let level = docs::get(rule).map_or(Level::Error, |d| d.level);
        Sink { rule, level, findings: Vec::new() }
    }

    /// Emits a finding at the rule's default level; refine it through the returned builder.
    pub fn emit(&mut self, location: Location, message: impl Into<String>) -> &mut Finding {
        self.findings.push(Finding::new(self.rule, self.level, location, message));
        let last = self.findings.len() - 1;
        &mut self.findings[last]
    }

    /// Emits a finding about `meta`'s object at `span` of its file.
    pub fn emit_on(&mut self, meta: &Meta, span: crate::span::Span, message: impl Into<String>) -> &mut Finding {
        let f = self.emit(meta.at(span), message);
        f.object = Some(meta.object_ref());
        f.origin = meta.origin.path().cloned();
        f.builds.extend(meta.build.map(|b| std::sync::Arc::from(b.as_str())));
        f
    }

    /// The findings, each once. An object with several pod templates yields the same finding
    /// from each template that shares a field (an Argo Workflow's `podMetadata` or
    /// `serviceAccountName`, merged into every template): those become one finding that names
    /// the object rather than one of its templates.
    pub fn into_findings(self) -> Vec<Finding> {
        let mut first: std::collections::HashMap<(Location, String), usize> = std::collections::HashMap::new();
        let mut out: Vec<Finding> = Vec::with_capacity(self.findings.len());
        for f in self.findings {
            let whole = without_parts(&f);
            match first.entry((f.location.clone(), whole.clone())) {
                std::collections::hash_map::Entry::Occupied(at) => {
                    let kept = &mut out[*at.get()];
                    if kept.message != f.message {
                        kept.message = whole;
                    }
                }
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(out.len());
                    out.push(f);
                }
            }
        }
        // Kept to the end of the run: without the room their vectors and texts grew into (a
        // vector that received one item holds four).
        out.iter_mut().for_each(Finding::shrink_to_fit);
        out
    }
}

/// The finding's message with the pod template it names removed: `Workflow argo/x (template a)`
/// becomes `Workflow argo/x`.
fn without_parts(f: &Finding) -> String {
    let Some(object) = &f.object else { return f.message.clone() };
    let named = format!("{object} (");
    let mut out = String::with_capacity(f.message.len());
    let mut rest = f.message.as_str();
    while let Some(at) = rest.find(&named) {
        let after = &rest[at + named.len()..];
        let Some(close) = after.find(')') else { break };
        out.push_str(&rest[..at]);
        out.push_str(&object.to_string());
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// Every rule, in id order. Adding a rule: one file, one line here, one `rules/<ID>.md`.
pub static RULES: &[&dyn Rule] = &[
    &unparseable_manifest::UnparseableManifest,
    &non_string_metadata_value::NonStringMetadataValue,
    &suppression_problem::SuppressionProblem,
    &missing_use_label::MissingUseLabel,
    &misplaced_use_label::MisplacedUseLabel,
    &misplaced_identity_key::MisplacedIdentityKey,
    &use_label_not_true::UseLabelNotTrue,
    &identity_binding_value_ignored::IdentityBindingValueIgnored,
    &annotated_sa_without_label::AnnotatedSaWithoutLabel,
    &default_service_account::DefaultServiceAccount,
    &service_account_field_conflict::ServiceAccountFieldConflict,
    &invalid_token_expiration::InvalidTokenExpiration,
    &skip_containers_mismatch::SkipContainersMismatch,
    &proxy_sidecar_misuse::ProxySidecarMisuse,
    &hardcoded_identity_env::HardcodedIdentityEnv,
    &legacy_token_path::LegacyTokenPath,
    &unknown_identity_key::UnknownIdentityKey,
    &protected_namespace::ProtectedNamespace,
    &own_token_mismatch::OwnTokenMismatch,
    &sa_missing_client_id::SaMissingClientId,
    &sa_missing_tenant_id::SaMissingTenantId,
    &malformed_identity_id::MalformedIdentityId,
    &service_account_not_found::ServiceAccountNotFound,
    &unexpected_tenant::UnexpectedTenant,
    &tool_client_id_mismatch::ToolClientIdMismatch,
    &missing_identity_grant::MissingIdentityGrant,
    &grant_id_mismatch::GrantIdMismatch,
    &namespaced_identity_grant::NamespacedIdentityGrant,
    &wildcard_identity_grant::WildcardIdentityGrant,
    &broad_identity_grant::BroadIdentityGrant,
    &malformed_identity_rule::MalformedIdentityRule,
    &dangling_identity_binding::DanglingIdentityBinding,
    &unused_identity_grant::UnusedIdentityGrant,
    &managed_fic_touched::ManagedFicTouched,
    &fic_limit::FicLimit,
    &identity_binding_issuer_fic::IdentityBindingIssuerFic,
    &malformed_fic::MalformedFic,
    &aad_pod_identity_resource::AadPodIdentityResource,
    &aad_pod_identity_label::AadPodIdentityLabel,
    &webhook_missing::WebhookMissing,
    &webhook_too_old::WebhookTooOld,
    &pod_not_mutated::PodNotMutated,
    &identity_binding_fallback::IdentityBindingFallback,
    &stale_client_id::StaleClientId,
    &duplicate_webhook::DuplicateWebhook,
    &access_review_denied::AccessReviewDenied,
    &fleet_grant_drift::FleetGrantDrift,
    &fleet_webhook_version_drift::FleetWebhookVersionDrift,
];

/// Runs `rules` over the context in parallel, in two waves: the rules that read the shared
/// answers, then the others once the answers are dropped. The answers hold an entry for every
/// identity-binding account (a few megabytes at 30,000 applications), and the findings of the
/// other rules would otherwise pile up on top of them, at the run's peak. The findings are
/// unsorted; each rule's keep the order the rule emitted them in.
pub fn run(rules: &[&dyn Rule], cx: &mut Context) -> Vec<Finding> {
    let (first, then): (Vec<_>, Vec<_>) =
        rules.iter().copied().enumerate().partition(|(_, r)| r.reads_shared_answers());
    let mut per_rule: Vec<Vec<Finding>> = rules.iter().map(|_| Vec::new()).collect();
    if !first.is_empty() {
        // Computed before the rules, themselves in parallel: computed by the first rule that
        // asks, they would hold the other workers that need them blocked meanwhile.
        let _phase = crate::timings::phase("shared answers");
        cx.all_bound_accounts();
    }
    for (i, findings) in run_wave(&first, cx) {
        per_rule[i] = findings;
    }
    {
        // What they freed is given back now, by every thread that built them: the other rules'
        // findings would not reuse it all, and the run's peak is at their end.
        let _phase = crate::timings::phase("answers dropped");
        cx.forget_shared_answers();
        rayon::broadcast(|_| crate::memory::collect_freed());
        crate::memory::collect_freed();
    }
    for (i, findings) in run_wave(&then, cx) {
        per_rule[i] = findings;
    }
    // Every rule runs over the fixtures in debug builds: one that reads the answers without
    // saying so is found there.
    debug_assert!(
        cx.account_users.get().is_none() && cx.bound_accounts.get().is_none(),
        "a rule read the shared answers without saying so (Rule::reads_shared_answers)"
    );
    // One vector per rule, then the others appended to the largest, grown once to the total:
    // collecting the rules' findings through a flattening iterator grew a vector per worker by
    // doubling and then copied them all, up to four copies of every finding at the run's peak
    // (findings are 300 bytes each before their texts, and a large repository has thousands).
    // The order does not matter: the findings are sorted by what they say.
    let total: usize = per_rule.iter().map(Vec::len).sum();
    let largest = (0..per_rule.len()).max_by_key(|&i| per_rule[i].len()).unwrap_or_default();
    let mut all = per_rule.get_mut(largest).map(std::mem::take).unwrap_or_default();
    all.reserve_exact(total - all.len());
    per_rule.into_iter().for_each(|findings| all.extend(findings));
    all
}

/// Runs each of `rules` (with its place in the run) in parallel.
fn run_wave(rules: &[(usize, &dyn Rule)], cx: &Context) -> Vec<(usize, Vec<Finding>)> {
    rules
        .par_iter()
        .map(|&(i, rule)| {
            let mut sink = Sink::new(rule.id());
            let _phase = crate::timings::phase(rule.id());
            rule.check(cx, &mut sink);
            (i, sink.into_findings())
        })
        .collect()
}

/// The rule with id `id`.
pub fn by_id(id: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|r| r.id().eq_ignore_ascii_case(id))
}

/// The id of the rule a user named, by id (`IB101`, any case) or by name (`missing-use-label`).
pub fn lookup(id_or_name: &str) -> Option<&'static str> {
    let wanted = id_or_name.trim();
    RULES.iter().map(|r| r.id()).find(|id| {
        id.eq_ignore_ascii_case(wanted) || docs::get(id).is_some_and(|d| d.name.eq_ignore_ascii_case(wanted))
    })
}

/// The error for a rule name nobody has: what the user typed, and the nearest rule when one is
/// close.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown rule `{typed}`{hint} (see `iblint rules`)")]
pub struct UnknownRule {
    /// What the user wrote.
    pub typed: String,
    /// `; did you mean `missing-use-label`?`, or empty.
    pub hint: String,
}

/// Resolves a rule named by id or by name; an unknown name echoes what was typed.
pub fn resolve(id_or_name: &str) -> Result<&'static str, UnknownRule> {
    lookup(id_or_name).ok_or_else(|| {
        let typed = id_or_name.trim().to_string();
        let lower = typed.to_ascii_lowercase();
        let suggestion = docs::all()
            .iter()
            .flat_map(|d| [d.id.to_ascii_lowercase(), d.name.clone()].into_iter().map(move |n| (d, n)))
            .map(|(d, n)| (edit_distance(&lower, &n), d))
            .filter(|(distance, _)| *distance <= 2)
            .min_by_key(|(distance, _)| *distance)
            .map(|(_, d)| if typed.to_ascii_uppercase().starts_with("IB") { d.id.to_string() } else { d.name.clone() });
        let hint = suggestion.map_or(String::new(), |s| format!("; did you mean `{s}`?"));
        UnknownRule { typed, hint }
    })
}

#[cfg(test)]
mod waves_tests;
