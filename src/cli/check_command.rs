//! `iblint check`: config, rendering, standard input, the run, baselines.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::{finish, write_atomically, CheckArgs, CliError, Common};
use crate::baseline::Baseline;
use crate::check::{self, CheckOptions, Outcome};
use crate::config::{self, Config};
use crate::report::Format;
use crate::source::render::{self, Rendered};

pub(crate) fn load_config(common: &Common, cwd: &Path) -> Result<Config, CliError> {
    load_config_file(common.config.as_deref(), cwd)
}

/// The config of `--config FILE`, or the `.iblint.yaml` found upward from `cwd`, or the default.
pub(crate) fn load_config_file(given: Option<&Path>, cwd: &Path) -> Result<Config, CliError> {
    let path = match given {
        Some(p) => {
            if !p.is_file() {
                return Err(CliError::ConfigNotFound(p.to_path_buf()));
            }
            Some(p.to_path_buf())
        }
        None => config::find(cwd),
    };
    match path {
        Some(p) => {
            let abs = cwd.join(&p);
            let canon_cwd = cwd.canonicalize().unwrap_or_else(|_| cwd.to_path_buf());
            let display = crate::source::files::display_path(&abs.canonicalize().unwrap_or(abs.clone()), &canon_cwd);
            Ok(config::load(&abs, display)?)
        }
        None => Ok(Config::default()),
    }
}

pub(super) fn run_check(
    common: &Common,
    args: &CheckArgs,
    outputs: &[(Format, Option<String>)],
) -> Result<ExitCode, CliError> {
    let cwd = std::env::current_dir().map_err(CliError::WorkingDirectory)?;
    let config = load_config(common, &cwd)?;
    let requests = args.render.requests(&args.namespace);
    let max_size = if args.max_file_size == 0 { check::DEFAULT_MAX_FILE_SIZE } else { args.max_file_size };
    let limits = render::RenderLimits { max_output: max_size, allow_remote: args.render.allow_remote };
    let mut rendered: Vec<Rendered> = Vec::new();
    for request in &requests {
        rendered.extend(render::render(request, &cwd, limits)?);
    }
    let mut paths = args.paths.clone();
    if paths.is_empty() && requests.is_empty() {
        paths.push(PathBuf::from("."));
    }
    let stdin = if paths.iter().any(|p| p.as_os_str() == "-") {
        let mut buf = Vec::new();
        // Read no more than the limit (and one byte to tell): an endless stream must not fill memory.
        std::io::stdin().lock().take(max_size.saturating_add(1)).read_to_end(&mut buf).map_err(CliError::ReadStdin)?;
        if buf.len() as u64 > max_size {
            return Err(CliError::StdinTooLarge(max_size));
        }
        Some(String::from_utf8_lossy(&buf).into_owned())
    } else {
        None
    };
    let opts = CheckOptions {
        paths,
        stdin,
        scope: args.scope.clone(),
        follow_symlinks: args.follow_symlinks,
        cache: !args.no_cache,
        excludes: args.exclude.clone(),
        namespace: args.namespace.clone(),
        enable: common.enable.clone(),
        disable: common.disable.clone(),
        max_file_size: args.max_file_size,
        rendered,
        release_model: true,
        without_snippets: outputs.iter().all(|(format, _)| *format != crate::report::Format::Human),
        ..CheckOptions::default()
    };
    // A run with a cache to read decodes its model; any other parses it (`memory`).
    let warm =
        opts.cache && cwd.canonicalize().ok().and_then(|c| crate::cache::cache_file(&c)).is_some_and(|f| f.is_file());
    if warm {
        crate::memory::tune_for_decoding();
    } else {
        crate::memory::tune_for_parsing();
    }
    let mut outcome = check::run(&opts, &config, &cwd)?;
    for warning in config_warnings(&opts, &config, &outcome) {
        eprintln!("warning: {}", crate::report::escape::human_text(&warning));
    }
    if outcome.files_read == 0 && !args.allow_empty {
        return Err(CliError::NothingToLint(nothing_to_lint(&opts.paths, &outcome)));
    }
    apply_baseline(args, &mut outcome)?;
    let render = crate::timings::phase("render");
    let code = finish(common, outputs, &outcome, "iblint/check/");
    drop(render);
    // The process exits next: freeing the model object by object would cost a large repository
    // ~5% of its run time for nothing.
    std::mem::forget(outcome);
    Ok(code)
}

/// Paths that hold nothing to lint are a mistake to report, not a clean run: a CI job pointed at
/// the wrong folder must not pass. The notes say what was skipped there.
/// A config that turns every rule off or excludes every file passes whatever the files hold: said
/// on standard error, so that a change adding such a config does not pass unnoticed.
fn config_warnings(opts: &CheckOptions, config: &crate::config::Config, outcome: &Outcome) -> Vec<String> {
    let Some(path) = config.path.as_deref() else { return Vec::new() };
    let mut warnings = Vec::new();
    let turned_off =
        |id: &str| config.rules.get(id).is_some_and(|(setting, _)| *setting == crate::config::RuleSetting::Off);
    if crate::rules::RULES.iter().all(|r| turned_off(r.id())) {
        warnings.push(format!("{path} turns every rule off: nothing is checked"));
    }
    // The config file itself is a YAML file under the paths, read like the others.
    let config_read = opts.paths.iter().any(|p| {
        let given = p.to_string_lossy();
        given == "." || path.strip_prefix(given.trim_end_matches('/')).is_some_and(|rest| rest.starts_with('/'))
    });
    if !config.exclude.is_empty() && outcome.files_read <= usize::from(config_read) && !opts.paths.is_empty() {
        warnings.push(format!("{path} excludes every file under the given paths (exclude:): nothing is checked"));
    }
    warnings
}

fn nothing_to_lint(paths: &[PathBuf], outcome: &Outcome) -> String {
    let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let mut message = format!(
        "no files to lint under {} (iblint reads .yaml, .yml, .json, .tf, .tfvars, .bicep, .bicepparam, .sh, \
         .bash, .ps1 and .psm1 files; --allow-empty accepts an empty run)",
        shown.join(", ")
    );
    for n in &outcome.notes {
        message.push_str(&format!("\n  note: {}: {}", n.path, n.message));
    }
    message
}

/// `--write-baseline` records today's findings (which then no longer count); `--baseline` marks
/// the findings it records as suppressed.
fn apply_baseline(args: &CheckArgs, outcome: &mut Outcome) -> Result<(), CliError> {
    let baseline = match (&args.write_baseline, &args.baseline) {
        (Some(path), _) => {
            let baseline = Baseline::of(&outcome.findings);
            write_atomically(path, baseline.to_json().as_bytes())
                .map_err(|source| CliError::WriteFile { path: path.clone(), source })?;
            baseline
        }
        (None, Some(path)) => Baseline::load(path)?,
        (None, None) => return Ok(()),
    };
    baseline.apply(&mut outcome.findings);
    Ok(())
}
