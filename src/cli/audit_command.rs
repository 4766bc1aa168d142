//! `kubectl iblint audit` (and `iblint audit`): live clusters, one or a fleet.

use std::process::ExitCode;

#[cfg(feature = "live")]
use super::outputs::write_outputs;
#[cfg(feature = "live")]
use super::{exit_code, load_config, EXIT_INCOMPLETE};
use super::{AuditArgs, CliError, Common};
use crate::report::Format;

#[cfg(not(feature = "live"))]
pub(super) fn run_audit(
    _common: &Common,
    _args: &AuditArgs,
    _outputs: &[(Format, Option<String>)],
) -> Result<ExitCode, CliError> {
    Err(CliError::Usage(
        "this iblint was built without live-cluster support: use a release binary or the container image (both \
         include it), or build with the cargo feature `live` (`cargo install --path . --features live` in a clone); \
         `iblint check` lints manifests"
            .into(),
    ))
}

#[cfg(feature = "live")]
pub(super) fn run_audit(
    common: &Common,
    args: &AuditArgs,
    outputs: &[(Format, Option<String>)],
) -> Result<ExitCode, CliError> {
    use crate::audit::{self, AuditOptions};
    use crate::source::cluster::{AuditRequest, Contexts};
    crate::memory::release_memory_promptly();
    let cwd = std::env::current_dir().map_err(CliError::WorkingDirectory)?;
    let config = load_config(common, &cwd)?;
    let contexts = match (&args.context, args.contexts.as_slice(), args.all_contexts) {
        (_, _, true) => Contexts::All,
        (_, [_, ..], false) => Contexts::Named(args.contexts.clone()),
        (Some(name), [], false) => Contexts::Named(vec![name.clone()]),
        (None, [], false) => Contexts::Current,
    };
    let opts = AuditOptions {
        request: AuditRequest {
            contexts,
            kubeconfig: args.kubeconfig.clone(),
            namespace: args.namespace.clone(),
            timeout: args.timeout.0,
            deadline: args.deadline.and_then(|d| d.0),
            access_reviews: !args.no_sar,
            progress: !common.quiet,
            concurrency: args.concurrent_clusters.max(1),
        },
        fleet: args.all_contexts || !args.contexts.is_empty(),
        manifests: args.manifests.clone(),
        enable: common.enable.clone(),
        disable: common.disable.clone(),
    };
    let outcome = audit::run(&opts, &config, &cwd)?;
    write_outputs(common, outputs, &outcome, "iblint/audit/")?;
    let code = if outcome.is_incomplete() && !args.allow_incomplete {
        ExitCode::from(EXIT_INCOMPLETE)
    } else {
        ExitCode::from(exit_code(&outcome, common.fail_on))
    };
    // The process exits next: freeing the model object by object costs time for nothing.
    std::mem::forget(outcome);
    Ok(code)
}
