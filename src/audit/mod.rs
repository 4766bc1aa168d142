//! `iblint audit`: cluster → inventory (with `LiveState`) → every rule in audit mode → findings,
//! optionally mapped back onto the manifests that declare the objects (`--manifests DIR`,
//! `manifests.rs`). Several clusters (a fleet) share one report.

mod manifests;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::check::{self, CheckOptions};
use crate::config::Config;
use crate::model::{ClusterFacts, FleetView};
use crate::outcome::{AuditSummary, Fleet, FleetMember, Outcome};
use crate::rules::{Mode, Rule};
use crate::source::cluster::{self, AuditRequest, ClusterError, Snapshot};

/// Everything `audit` needs besides the config file.
#[derive(Clone, Debug)]
pub struct AuditOptions {
    pub request: AuditRequest,
    /// `--contexts` / `--all-contexts`: one report over several clusters.
    pub fleet: bool,
    /// Map live findings onto the files in this directory that declare the objects.
    pub manifests: Option<PathBuf>,
    pub enable: Vec<String>,
    pub disable: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    #[error(transparent)]
    Check(#[from] check::CheckError),
    #[error("--manifests {0}: not a directory")]
    Manifests(String),
}

/// Audits the cluster, or every cluster of a fleet; `cwd` is where `--manifests` paths are shown
/// from.
pub fn run(opts: &AuditOptions, config: &Config, cwd: &Path) -> Result<Outcome, AuditError> {
    let rule_opts =
        CheckOptions { enable: opts.enable.clone(), disable: opts.disable.clone(), ..CheckOptions::default() };
    let enabled = check::enabled_rules(&rule_opts, config)?;
    let manifests = match &opts.manifests {
        Some(dir) if !dir.is_dir() => return Err(AuditError::Manifests(dir.display().to_string())),
        Some(dir) => Some(check::run(
            // Every declaration counts: a live finding may be on an object no rule reads in files.
            &CheckOptions {
                paths: vec![dir.clone()],
                scope: Some(dir.clone()),
                keep_unread: true,
                ..rule_opts.clone()
            },
            config,
            cwd,
        )?),
        None => None,
    };
    let results = cluster::snapshots(&opts.request)?;
    let audit = |snapshot| audit_snapshot(snapshot, &enabled, config, manifests.as_ref(), cwd);
    if !opts.fleet {
        let (_, result) =
            results.into_iter().next().ok_or_else(|| ClusterError::Config("no context to audit".into()))?;
        return Ok(audit(result?));
    }
    // What every audited cluster shows, for the rules that compare clusters (IB608, IB609).
    let view = Arc::new(FleetView {
        clusters: results
            .iter()
            .filter_map(|(context, r)| r.as_ref().ok().map(|s| ClusterFacts::of(context, &s.inventory)))
            .collect(),
    });
    let members = results
        .into_iter()
        .map(|(context, result)| {
            let outcome = result.map(|mut snapshot| {
                if let Some(live) = snapshot.inventory.live.as_mut() {
                    live.fleet = Some(view.clone());
                }
                audit(snapshot)
            });
            FleetMember { context, outcome: outcome.map_err(|e| e.to_string()) }
        })
        .collect();
    Ok(Outcome { fleet: Some(Fleet { members }), ..Outcome::default() })
}

/// The rules over one cluster's model, findings mapped onto `manifests` when given.
fn audit_snapshot(
    snapshot: Snapshot,
    enabled: &[&'static dyn Rule],
    config: &Config,
    manifests: Option<&Outcome>,
    cwd: &Path,
) -> Outcome {
    let inventory = snapshot.inventory;
    let live = inventory.live.as_ref();
    let unavailable = live.map(|l| l.unavailable.clone()).unwrap_or_default();
    // Rules whose inputs could not be read are skipped, not guessed.
    let mut enabled = enabled.to_vec();
    enabled.retain(|r: &&'static dyn Rule| !unavailable.iter().any(|u| u.rules.contains(&r.id())));
    let summary = AuditSummary {
        context: snapshot.context,
        server: snapshot.server,
        objects: snapshot.objects,
        pods: live.map_or(0, |l| l.pods.len()),
        access_reviews: live.filter(|l| !l.reviews_skipped).map(|l| l.access_reviews.len()),
        unavailable,
        hint: snapshot.hint,
    };
    let (mut findings, mut scrubber) = check::lint(&inventory, &enabled, config, Mode::Audit, None, |_| true);
    let mut files_read = 0;
    let mut texts = crate::outcome::Texts::default();
    if let Some(manifests) = manifests {
        manifests::map_onto(&mut findings, manifests);
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        if !manifests.scrubber.secrets().is_empty() {
            let both = scrubber.secrets().iter().chain(manifests.scrubber.secrets()).cloned().collect();
            scrubber = crate::redact::Scrubber::new(both);
        }
        files_read = manifests.files_read;
        texts = check::snippet_texts(&findings, &scrubber, &[], check::TextsWanted::All, |display| cwd.join(display));
        // Findings now on manifest lines honour the `iblint:ignore` comments there.
        findings = check::apply_inline_suppressions(findings, &texts, &enabled, config);
    }
    Outcome { findings, scrubber, inventory, files_read, texts, audit: Some(summary), ..Outcome::default() }
}
