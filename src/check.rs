//! `iblint check`: walk → read → parse (in parallel) → inventory → rules → config → findings.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::GlobSet;
use rayon::prelude::*;

use crate::cache::{Cache, Stat};
use crate::config::{Config, RuleSetting};
use crate::finding::{Finding, Location};
use crate::fix::Op;
use crate::model::{Inventory, Meta, Objects, SkipNote};
pub use crate::outcome::{AuditSummary, Outcome, Texts, STDIN_NAME};
use crate::redact::Scrubber;
use crate::rules::{self, Context, Mode, ReportsOn, Rule, Settings};
use crate::source::files::{self, FileKind, WalkOptions};
use crate::source::listing::Listing;
use crate::source::loader::FsLoader;
use crate::source::render::Rendered;
use crate::source::{self, Input, LoadOptions};
use crate::timings;
use crate::yaml::Limits;

/// Everything `check` needs besides the config file.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    /// Paths to lint; `-` is standard input (its text in `stdin`).
    pub paths: Vec<PathBuf>,
    pub stdin: Option<String>,
    pub scope: Option<PathBuf>,
    pub excludes: Vec<String>,
    /// `--namespace`; the config's `namespace:` otherwise; `default` last.
    pub namespace: Option<String>,
    pub enable: Vec<String>,
    pub disable: Vec<String>,
    /// Files larger than this are skipped with a note.
    pub max_file_size: u64,
    /// Output of `--kustomize` / `--helm`, linted like standard input under its own names.
    pub rendered: Vec<Rendered>,
    /// Texts that stand in for files, by display path (a file not on disk is added to the run):
    /// `iblint fix` lints its edits before it writes them.
    pub overlay: Option<Arc<Overlay>>,
    /// `iblint fix --grants-file`: the documents fixes append go to this file (display path).
    pub append_fixes_to: Option<Arc<str>>,
    /// `--follow-symlinks`: follow links that leave the scope ([`files::WalkOptions`]).
    pub follow_symlinks: bool,
    /// Keep what files turned into for the next run, and use what earlier runs kept
    /// ([`crate::cache`]; `iblint check` unless `--no-cache`). Never with an `overlay`.
    pub cache: bool,
    /// Give back the model's storage once the rules have run, before the texts are read and the
    /// findings rendered, instead of returning it in [`Outcome::inventory`] (left empty): for
    /// callers that only report findings, then exit (what the objects point to is leaked).
    pub release_model: bool,
    /// No output shows source snippets: texts are read only for the files that hold an inline
    /// suppression (the only other reader of texts).
    pub without_snippets: bool,
    /// Keep the objects no rule reads ([`LoadOptions::keep_unread`]).
    pub keep_unread: bool,
}

/// File texts by display path.
pub type Overlay = HashMap<Arc<str>, Arc<str>>;

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Walk(#[from] files::WalkError),
    #[error("invalid exclude glob `{glob}`: {message}")]
    Glob { glob: String, message: String },
    #[error(transparent)]
    UnknownRule(#[from] rules::UnknownRule),
    #[error("cannot determine the working directory: {0}")]
    Cwd(std::io::Error),
}

pub const DEFAULT_MAX_FILE_SIZE: u64 = 50 * 1024 * 1024;

/// Runs a check in `cwd`.
pub fn run(opts: &CheckOptions, config: &Config, cwd: &Path) -> Result<Outcome, CheckError> {
    let cwd = cwd.canonicalize().map_err(CheckError::Cwd)?;
    let enabled = enabled_rules(opts, config)?;
    let excludes = exclude_set(config.exclude.iter().chain(&opts.excludes))?;
    let file_paths: Vec<PathBuf> = opts.paths.iter().filter(|p| p.as_os_str() != "-").cloned().collect();
    let only_text = opts.stdin.is_some() || !opts.rendered.is_empty();
    let load_opts = LoadOptions {
        default_namespace: opts
            .namespace
            .clone()
            .or_else(|| config.namespace.clone())
            .unwrap_or_else(|| "default".into()),
        limits: Limits::default(),
        keep_unread: opts.keep_unread,
    };
    let max = if opts.max_file_size == 0 { DEFAULT_MAX_FILE_SIZE } else { opts.max_file_size };
    // Read while the walk runs: the walk waits on the file system, reading the cache on little else.
    let opening = (opts.cache && opts.overlay.is_none()).then(|| {
        let (cwd, config, load_opts) = (cwd.clone(), config.clone(), load_opts.clone());
        std::thread::spawn(move || open_cache(&cwd, &config, &load_opts, max))
    });
    let walk = timings::phase("walk");
    let mut walked = if file_paths.is_empty() && opts.scope.is_none() && only_text {
        files::Walked { files: Vec::new(), notes: Vec::new() }
    } else {
        files::walk(&WalkOptions {
            paths: &file_paths,
            scope: opts.scope.as_deref(),
            excludes: &excludes,
            cwd: &cwd,
            follow_symlinks: opts.follow_symlinks,
        })?
    };
    add_overlay_files(&mut walked.files, opts.overlay.as_deref(), &cwd);
    drop(walk);

    let load = timings::phase("load");
    let overlay = opts.overlay.as_deref();
    let loader = FsLoader::new(&cwd, max).with_overlay(opts.overlay.clone());
    // No files, no cache: a run on standard input must not drop the results of the work tree.
    let cache = opening.and_then(|o| o.join().ok()).flatten().filter(|_| !walked.files.is_empty());
    let loaded: Vec<Objects> =
        source::stage::load_all(&walked.files, &loader, &load_opts, cache.as_ref(), |f, is_patch| {
            match overlay.and_then(|o| o.get(&f.display)) {
                Some(text) => {
                    let input = Input { display: &f.display, kind: f.kind, bytes: text.as_bytes(), is_patch };
                    source::load(&input, &load_opts)
                }
                None => match &cache {
                    Some(cache) => cache.file(file_key(f, is_patch), &f.path, &loader, || {
                        load_file(f, is_patch, max, &load_opts, ForCache::Yes)
                    }),
                    None => load_file(f, is_patch, max, &load_opts, ForCache::No).0,
                },
            }
        });
    // The texts evaluators read (kustomize resources, Terraform sources) are kept for the load
    // alone: what reads files later (fixes, snippets) reads them again, few as they are.
    drop(loader);
    drop(load);
    let (by_lines, declined) = crate::yaml::streams_read_by_lines();
    timings::note(format_args!("yaml streams: {by_lines} read by the line scanner, {declined} declined by it"));
    let listing = Listing::new(walked.files, &cwd);
    crate::memory::return_freed_memory();
    // Written while the rules run: nothing after this point reads it.
    let saving = cache.map(|cache| std::thread::spawn(move || cache.save()));
    let merge = timings::phase("merge + index");
    let mut objects = Objects::default();
    objects.notes.extend(walked.notes);
    // Notes, like findings, concern only the paths the user gave (not the rest of the scope).
    let given = given_display_paths(&file_paths, &cwd);
    // Texts given in memory are reported too.
    let mut reported_in_memory: HashSet<Arc<str>> = HashSet::new();
    objects.merge_all(loaded);
    if let Some(text) = &opts.stdin {
        let display: Arc<str> = Arc::from(STDIN_NAME);
        let input = Input { display: &display, kind: FileKind::Manifest, bytes: text.as_bytes(), is_patch: false };
        objects.merge(source::load(&input, &load_opts));
        reported_in_memory.insert(display);
    }
    for piece in &opts.rendered {
        let display: Arc<str> = Arc::from(piece.display.as_str());
        let input =
            Input { display: &display, kind: FileKind::Manifest, bytes: piece.text.as_bytes(), is_patch: false };
        objects.merge(source::load(&input, &load_opts));
        reported_in_memory.insert(display);
    }
    // A file read both by a build and on its own reports its failures once.
    objects.parse_failures.sort_by(|a, b| (&a.path, a.pos, &a.message).cmp(&(&b.path, b.pos, &b.message)));
    objects.parse_failures.dedup_by(|a, b| (&a.path, a.pos, &a.message) == (&b.path, b.pos, &b.message));
    let mut notes = std::mem::take(&mut objects.notes);
    notes.sort();
    notes.dedup();
    let inventory = Inventory::build(objects);
    let reported = |p: &str| listing.is_reported(p) || reported_in_memory.contains(p);
    drop(merge);

    // Findings concern the files given: those located in them, and those whose value comes from
    // them (provenance), which includes the root kustomization of the build that deploys it (a
    // staged overlay that drops its grant is what makes its base's account lack one).
    // A rule that judges each object on its own can pass over the objects of files whose
    // findings are not reported. Not when the config has suppressions: one that matches no
    // finding is reported, so each must see every finding to know.
    let passed_over = (config.suppressions.is_empty() && !listing.reports_all())
        .then(|| read_whole_from_unreported_files(&inventory, &listing));
    let reports_on = |meta: &Meta| passed_over.as_ref().is_some_and(|files| !files.holds(meta));
    let reports_on: Option<ReportsOn> = passed_over.is_some().then_some(&reports_on);
    let (mut findings, scrubber) =
        lint(&inventory, &enabled, config, Mode::Check, reports_on, |f| f.concerns(|p| reported(p)));
    // The memory the snippets and the output take is then what the model gave back, not more.
    let inventory = if opts.release_model {
        inventory.release_storage();
        Inventory::default()
    } else {
        inventory
    };
    let fixes_phase = timings::phase("fixes");
    let in_memory: Vec<(&str, &str)> = opts
        .stdin
        .iter()
        .map(|t| (STDIN_NAME, t.as_str()))
        .chain(opts.rendered.iter().map(|r| (r.display.as_str(), r.text.as_str())))
        .chain(overlay.into_iter().flatten().map(|(p, t)| (p.as_ref(), t.as_ref())))
        .collect();
    let text_of = |display: &str| -> Option<String> {
        match in_memory.iter().find(|(name, _)| *name == display) {
            Some((_, text)) => Some((*text).to_string()),
            None => std::fs::read_to_string(listing.path_of(display)).ok(),
        }
    };
    let sources = crate::fix::Sources { text_of: &text_of, append_to: opts.append_fixes_to.clone() };
    crate::fix::resolve_all(&mut findings, &sources);
    drop_fixes_with_secrets(&mut findings, &scrubber);
    drop(fixes_phase);
    let snippets_phase = timings::phase("snippet texts");
    let wanted = if opts.without_snippets { TextsWanted::Suppressions } else { TextsWanted::All };
    let texts = snippet_texts(&findings, &scrubber, &in_memory, wanted, |display| listing.path_of(display));
    drop(snippets_phase);
    let findings = apply_inline_suppressions(findings, &texts, &enabled, config);
    if let Some(summary) = saving.and_then(|s| s.join().ok()) {
        timings::note(format_args!(
            "cache: {} reused, {} computed, {} dropped, {}",
            summary.reused,
            summary.computed,
            summary.dropped,
            if summary.written { "written" } else { "not written" }
        ));
    }
    Ok(Outcome {
        findings,
        notes: notes
            .into_iter()
            .filter(|n| reported(n.path.as_str()) || given.iter().any(|g| is_under(&n.path, g)))
            .collect(),
        texts,
        files_read: listing.reported() + usize::from(opts.stdin.is_some()) + opts.rendered.len(),
        scrubber,
        inventory,
        audit: None,
        fleet: None,
    })
}

/// The objects read whole from manifests whose findings a run does not report: objects of no
/// kustomize build, by the address of their file's path, which the objects of a file share
/// (rules ask for every object they look at, so the answer must not take a search of the
/// listing each time).
struct UnreportedFiles(foldhash::HashSet<usize>);

impl UnreportedFiles {
    fn holds(&self, meta: &Meta) -> bool {
        match meta.origin.path() {
            Some(path) if meta.build.is_none() => self.0.contains(&address(path)),
            _ => false,
        }
    }
}

fn address(path: &Arc<str>) -> usize {
    Arc::as_ptr(path).cast::<u8>() as usize
}

fn read_whole_from_unreported_files(inventory: &Inventory, listing: &Listing) -> UnreportedFiles {
    let mut seen = foldhash::HashSet::default();
    let mut unreported = foldhash::HashSet::default();
    for meta in inventory.metas().filter(|m| m.build.is_none()) {
        let Some(path) = meta.origin.path() else { continue };
        if seen.insert(address(path)) && listing.is_unreported_manifest(path) {
            unreported.insert(address(path));
        }
    }
    UnreportedFiles(unreported)
}

/// The given paths as display paths (relative to the canonical working directory `cwd`), to
/// compare with [`is_under`]; paths that do not exist are left out.
pub fn given_display_paths(paths: &[PathBuf], cwd: &Path) -> Vec<String> {
    // Each given path as written and where its links lead (a link not followed has its note).
    paths
        .iter()
        .flat_map(|p| [cwd.join(p).canonicalize().ok(), Some(files::lexical(&cwd.join(p)))])
        .flatten()
        .map(|p| files::display_path(&p, cwd).to_string())
        .collect()
}

/// Whether the display path `path` is `given` or below it. Display paths are relative to the
/// working directory, so `.` holds everything but what climbs out of it (`../…`, absolute paths).
pub fn is_under(path: &str, given: &str) -> bool {
    if given == "." {
        return !path.starts_with("../") && path != ".." && !path.starts_with('/');
    }
    path == given || path.strip_prefix(given).is_some_and(|rest| rest.starts_with('/'))
}

/// Runs the enabled rules over a finished inventory, then config levels and suppressions; keeps
/// the findings `keep` accepts; masks secret-looking values; sorts and fingerprints. Returns the
/// findings and the scrubber that masked them, for the snippets.
pub(crate) fn lint(
    inventory: &Inventory,
    enabled: &[&'static dyn Rule],
    config: &Config,
    mode: Mode,
    reports_on: Option<ReportsOn>,
    keep: impl Fn(&Finding) -> bool,
) -> (Vec<Finding>, Scrubber) {
    let settings = Settings { tenants: config.tenants.clone(), today: crate::config::today() };
    let cx = Context::new(inventory, &settings, mode);
    let mut cx = match reports_on {
        Some(reports_on) => cx.reporting_on(reports_on),
        None => cx,
    };
    let phase = timings::phase("rules");
    let findings = rules::run(enabled, &mut cx);
    drop(phase);
    let mut findings = merge_builds(findings);
    let _phase = timings::phase("suppress + sort");
    let today = crate::config::today();
    let config_problems = crate::suppress::apply(&mut findings, inventory, config, &today);
    findings.retain(keep);
    // What is wrong with the config itself concerns every run, whatever paths were given.
    let config_findings = rules::config_suppression_findings(&config_problems);
    findings.extend(config_findings.into_iter().filter(|f| enabled.iter().any(|r| r.id() == f.rule)));
    apply_levels(&mut findings, config);
    let scrubber = Scrubber::new(inventory.secret_values.clone());
    scrub_findings(&mut findings, &scrubber);
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    crate::fingerprint::assign(&mut findings);
    (findings, scrubber)
}

/// `iblint:ignore` comments in the texts the findings point into (read once for snippets, so
/// no evaluator needs to know about them); the IB003 findings about comments that are not
/// applied join the others, at the config's level for IB003.
pub(crate) fn apply_inline_suppressions(
    mut findings: Vec<Finding>,
    texts: &Texts,
    enabled: &[&'static dyn Rule],
    config: &Config,
) -> Vec<Finding> {
    let problems = crate::suppress::inline::apply(&mut findings, texts, &crate::config::today());
    let mut added = rules::inline_suppression_findings(&problems);
    added.retain(|f| enabled.iter().any(|r| r.id() == f.rule));
    if added.is_empty() {
        return findings;
    }
    apply_levels(&mut added, config);
    findings.extend(added);
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    crate::fingerprint::assign(&mut findings);
    findings
}

/// A base that several kustomize roots build is linted once per root; a problem on one of its
/// lines is one finding, whose related locations name every root that deploys it (the message
/// is the first root's, by path).
///
/// Its fixes are those that rewrite the text of the value where it is written (quoting it,
/// correcting its spelling): the same in every build. Fixes that add or remove entries are
/// dropped: the mapping they would edit may be a base other builds share (the label would land
/// in every overlay), or the entry may come from an overlay's patch or `labels:` list, and the
/// grant IB301 writes would land in a base that every overlay deploys, in one overlay's
/// namespace. Their help still says what to change.
fn merge_builds(mut out: Vec<Finding>) -> Vec<Finding> {
    // Taken out in place: partitioning copied every finding of the run into a second vector.
    let mut built: Vec<Finding> = out.extract_if(.., |f| !f.builds.is_empty()).collect();
    if built.is_empty() {
        return out;
    }
    built.sort_by(|a, b| {
        (a.rule, &a.location, &a.builds, &a.message).cmp(&(b.rule, &b.location, &b.builds, &b.message))
    });
    let mut merged: Vec<Finding> = Vec::new();
    for f in built {
        match merged.last_mut() {
            Some(last) if last.rule == f.rule && last.location == f.location => last.builds.extend(f.builds),
            _ => merged.push(f),
        }
    }
    for mut f in merged {
        f.builds.sort();
        f.builds.dedup();
        f.plans.retain(|plan| plan.edits.iter().all(|e| matches!(e.op, Op::Rewrite { .. } | Op::Quote { .. })));
        for root in f.builds.clone() {
            let dir = root.rsplit_once('/').map_or(".", |(dir, _)| dir).to_string();
            let location = Location::File { path: root, span: crate::span::Span::line(1) };
            f.provenance(location, format!("deployed by the kustomize build of {dir}"));
        }
        out.push(f);
    }
    out
}

/// No secret-looking input value reaches a message, a help text or a fix, whatever the format.
fn scrub_findings(findings: &mut [Finding], scrubber: &Scrubber) {
    if scrubber.secrets().is_empty() {
        return;
    }
    for f in findings {
        scrubber.scrub_in_place(&mut f.message);
        scrubber.scrub_in_place(&mut f.help);
        for r in &mut f.related {
            scrubber.scrub_in_place(&mut r.message);
        }
        for plan in &mut f.plans {
            scrubber.scrub_in_place(&mut plan.description);
        }
    }
}

/// A fix is applied as it is written: one that would write a secret-looking value of the input is
/// dropped rather than masked.
fn drop_fixes_with_secrets(findings: &mut [Finding], scrubber: &Scrubber) {
    if scrubber.secrets().is_empty() {
        return;
    }
    for f in findings {
        f.fixes.retain(|fix| !fix.changes.iter().flat_map(|c| &c.replacements).any(|r| scrubber.finds_in(&r.text)));
    }
}

/// Files of the overlay that the walk did not find (a file `iblint fix` creates) join the run.
fn add_overlay_files(files: &mut Vec<files::FileEntry>, overlay: Option<&Overlay>, cwd: &Path) {
    let Some(overlay) = overlay else { return };
    for display in overlay.keys() {
        if files.iter().any(|f| f.display == *display) {
            continue;
        }
        let path = cwd.join(display.as_ref());
        if let Some(kind) = FileKind::of(&path) {
            files.push(files::FileEntry { path, display: display.clone(), kind, reported: true });
        }
    }
    files.sort_by(|a, b| a.display.cmp(&b.display));
}

/// Which texts the findings point into are kept.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum TextsWanted {
    /// Every one, for snippets.
    All,
    /// Only those that hold an inline suppression.
    Suppressions,
}

/// The masked texts of every file a finding points into (its location or a related one), as
/// many as `wanted_texts` asks for: texts given in memory (standard input, rendered output) as
/// they are, files read once, in parallel.
pub(crate) fn snippet_texts(
    findings: &[Finding],
    scrubber: &Scrubber,
    in_memory: &[(&str, &str)],
    wanted_texts: TextsWanted,
    path_of: impl Fn(&str) -> PathBuf + Sync,
) -> Texts {
    let mut wanted: Vec<&Arc<str>> = findings
        .iter()
        .flat_map(|f| std::iter::once(&f.location).chain(f.related.iter().map(|r| &r.location)))
        .filter_map(|l| l.path())
        .collect();
    wanted.sort();
    wanted.dedup();
    let read: Vec<(Arc<str>, crate::span::SourceText)> = wanted
        .par_iter()
        .filter_map(|display| {
            let text = match in_memory.iter().find(|(name, _)| *name == display.as_ref()) {
                Some((_, text)) => (*text).to_string(),
                None => std::fs::read_to_string(path_of(display)).ok()?,
            };
            if wanted_texts == TextsWanted::Suppressions && !text.contains(crate::suppress::inline::MARKER) {
                return None;
            }
            let masked = scrubber.scrub(&crate::redact::mask_lines(&text));
            Some(((*display).clone(), crate::span::SourceText::new(masked)))
        })
        .collect();
    let mut texts = Texts::default();
    for (path, text) in read {
        texts.insert(path, text);
    }
    texts
}

/// Whether a file's objects are loaded for the cache, which needs the file's size, time and hash.
#[derive(Clone, Copy, PartialEq)]
enum ForCache {
    Yes,
    No,
}

/// Reads and loads one file; I/O errors and oversized files become IB001 findings or notes.
/// For the cache, it also returns, when the file is a regular file read whole, its size and time
/// (taken before it was read) and the hash of what was read.
fn load_file(
    f: &files::FileEntry,
    is_patch: bool,
    max: u64,
    opts: &LoadOptions,
    for_cache: ForCache,
) -> (Objects, Option<(Stat, [u8; 32])>) {
    let mut inv = Objects::default();
    let unreadable = |e: std::io::Error, inv: &mut Objects| {
        inv.parse_failures.push(crate::model::ParseFailure {
            path: f.display.clone(),
            pos: crate::span::Pos { line: 1, col: 1 },
            message: format!("cannot be read: {e}"),
            cause: Default::default(),
        });
    };
    // One open and one stat per file: the size check and the read share the handle.
    let mut file = match std::fs::File::open(&f.path) {
        Ok(file) => file,
        Err(e) => {
            unreadable(e, &mut inv);
            return (inv, None);
        }
    };
    let meta = file.metadata().ok();
    let size = meta.as_ref().map_or(0, |m| m.len());
    if size > max {
        inv.notes.push(too_large(f, max));
        return (inv, None);
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0).saturating_add(1));
    // The size was read before the file: one that grows meanwhile (or reports no size, like
    // `/proc` files) is still read no further than the limit.
    match std::io::Read::read_to_end(&mut std::io::Read::take(&mut file, max.saturating_add(1)), &mut bytes) {
        Ok(_) if bytes.len() as u64 > max => {
            inv.notes.push(too_large(f, max));
            (inv, None)
        }
        Ok(_) => {
            let mut inv = source::load(&Input { display: &f.display, kind: f.kind, bytes: &bytes, is_patch }, opts);
            inv.shrink_to_fit();
            let read = meta
                .filter(|m| for_cache == ForCache::Yes && m.is_file())
                .map(|m| (Stat::of(&m), crate::cache::content_hash(&bytes)));
            (inv, read)
        }
        Err(e) => {
            unreadable(e, &mut inv);
            (inv, None)
        }
    }
}

/// The cache of runs in `cwd` with these options: results depend on the build, the working
/// directory (results name files relative to it), the options that shape objects and the config
/// (which sets the namespace; it is taken whole, so any change to it starts afresh).
fn open_cache(cwd: &Path, config: &Config, load_opts: &LoadOptions, max: u64) -> Option<Cache> {
    let exe = std::env::current_exe().ok().and_then(|p| std::fs::metadata(p).ok())?;
    let exe = Stat::of(&exe);
    let config_text = config.path.as_deref().and_then(|p| std::fs::read(cwd.join(p)).ok()).unwrap_or_default();
    let stamp = crate::cache::stamp(&[
        env!("CARGO_PKG_VERSION").as_bytes(),
        format!("{exe:?}").as_bytes(),
        cwd.as_os_str().as_encoded_bytes(),
        format!("{load_opts:?} {max}").as_bytes(),
        format!("{:?}", config.path).as_bytes(),
        &config_text,
    ]);
    Some(Cache::open(crate::cache::cache_file(cwd)?, stamp))
}

/// The cache key of one file loaded on its own.
fn file_key(f: &files::FileEntry, is_patch: bool) -> String {
    // Joined rather than formatted: a warm run makes one for every file, and `format!` cost ten
    // times the copying.
    let patch = if is_patch { " patch " } else { " whole " };
    ["file ", f.kind.name(), patch, &f.display].concat()
}

fn too_large(f: &files::FileEntry, max: u64) -> SkipNote {
    SkipNote { path: f.display.to_string(), message: format!("larger than {max} bytes (--max-file-size): skipped") }
}

/// The rules that run: all, minus config `off` and `--disable`, plus `--enable`.
pub(crate) fn enabled_rules(opts: &CheckOptions, config: &Config) -> Result<Vec<&'static dyn Rule>, CheckError> {
    // Rules are named by id or by name (`IB101`, `missing-use-label`).
    let split = |v: &[String]| -> Result<Vec<&'static str>, CheckError> {
        let named = v.iter().flat_map(|s| s.split(',')).map(str::trim).filter(|s| !s.is_empty());
        Ok(named.map(rules::resolve).collect::<Result<_, _>>()?)
    };
    let enable = split(&opts.enable)?;
    let disable = split(&opts.disable)?;
    Ok(rules::RULES
        .iter()
        .copied()
        .filter(|r| {
            let id = r.id();
            let off_in_config = matches!(config.rules.get(id), Some((RuleSetting::Off, _)));
            !disable.contains(&id) && (!off_in_config || enable.contains(&id))
        })
        .collect())
}

/// Config level overrides replace whatever level the rule chose.
fn apply_levels(findings: &mut [Finding], config: &Config) {
    for f in findings {
        if let Some((RuleSetting::Level(l), _)) = config.rules.get(f.rule) {
            f.level = *l;
        }
    }
}

/// The `--exclude` and config `exclude:` globs ([`crate::glob`]'s rules).
pub fn exclude_set<'a>(globs: impl Iterator<Item = &'a String>) -> Result<GlobSet, CheckError> {
    crate::glob::path_globs(globs.map(String::as_str))
        .map_err(|e| CheckError::Glob { glob: e.glob, message: e.message })
}
