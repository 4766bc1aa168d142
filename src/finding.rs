//! The project's own finding type. Reporters adapt it to miette, SARIF, JSON and GitHub.

use std::fmt;
use std::sync::Arc;

use crate::model::{Meta, ObjectRef, Place};
use crate::span::Span;

/// Severity, ordered: `Note < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Note,
    Warning,
    Error,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Note => "note",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "note" => Some(Level::Note),
            "warning" => Some(Level::Warning),
            "error" => Some(Level::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a finding points.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Location {
    /// A region of a file (display path, relative and `/`-separated).
    File { path: Arc<str>, span: Span },
    /// A live object with no file: `context/namespace/Kind/name`.
    Logical { name: String },
}

impl Location {
    /// The location of `span`, a span of the file `holder` unless the span names another file.
    pub fn in_file(holder: &Arc<str>, span: Span) -> Location {
        match span.file.path() {
            Some(path) => Location::File { path, span: span.in_file(crate::span::FileId::HOLDER) },
            None => Location::File { path: holder.clone(), span },
        }
    }

    pub fn path(&self) -> Option<&Arc<str>> {
        match self {
            Location::File { path, .. } => Some(path),
            Location::Logical { .. } => None,
        }
    }

    pub fn span(&self) -> Option<Span> {
        match self {
            Location::File { span, .. } => Some(*span),
            Location::Logical { .. } => None,
        }
    }
}

impl Meta {
    /// The location of `span` in this object's file, or its logical location when it is live.
    pub fn at(&self, span: Span) -> Location {
        match self.origin.place() {
            Place::File(path) => Location::in_file(path, span),
            Place::Live { context } => Location::Logical { name: self.logical_name(context) },
        }
    }

    /// `context/namespace/Kind/name` (`context/Kind/name` for cluster-scoped kinds).
    pub fn logical_name(&self, context: &str) -> String {
        if self.cluster_scoped {
            format!("{context}/{}/{}", self.kind, self.name)
        } else {
            format!("{context}/{}/{}/{}", self.namespace, self.kind, self.name)
        }
    }
}

/// Another place involved in a finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub location: Location,
    pub message: String,
    /// A place the finding's value comes from (a variable's default, a tfvars entry, a parameter
    /// file, a module call): changing it changes the finding, so a run given only that file
    /// (a pre-commit hook staging a tfvars file) still reports the finding.
    pub provenance: bool,
}

/// Whether `iblint fix` applies a fix without being asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applicability {
    /// Keeps what the author evidently meant (a quoted value, a lower-cased GUID): applied by default.
    Safe,
    /// Adds authority or a value iblint inferred (a grant, a tenant id): `iblint fix --unsafe`.
    Unsafe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// One replacement in a file (SARIF `replacement`): the text from `start` to `end` (1-based lines,
/// columns in characters, `end` exclusive) becomes `text`. A zero-width region is an insertion;
/// a region just past the last line appends to the file.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Replacement {
    pub start: crate::span::Pos,
    pub end: crate::span::Pos,
    pub text: String,
}

/// The replacements a fix makes in one file (created when missing), in text order.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FileChange {
    /// Display path: relative to the working directory, `/`-separated.
    pub path: std::sync::Arc<str>,
    pub replacements: Vec<Replacement>,
}

/// A fix: byte-exact replacements in one or more files, computed from the positioned model and the
/// file texts (never a re-serialised document). `iblint fix` applies these, and SARIF `fixes`
/// carry them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub description: String,
    pub applicability: Applicability,
    pub changes: Vec<FileChange>,
}

/// Why a finding does not count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    /// `inSource` (an annotation on the object) or `external` (config, baseline).
    pub in_source: bool,
    pub justification: String,
}

/// One problem found.
#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: &'static str,
    pub level: Level,
    /// One sentence naming the objects involved.
    pub message: String,
    /// What to change, with the YAML to add where that is the fix.
    pub help: String,
    pub location: Location,
    pub related: Vec<Related>,
    /// The object the finding is about (for suppressions and fingerprints).
    pub object: Option<ObjectRef>,
    /// The file that declares that object (a finding on a value a kustomize patch set is in the
    /// patch's file, while the object's suppressions are read from this one).
    pub origin: Option<Arc<str>>,
    /// The kustomize roots whose builds produced the object (empty for objects linted as
    /// written).
    pub builds: Vec<Arc<str>>,
    pub fixes: Vec<Fix>,
    /// Fixes as rules plan them (edits of keys and values at model spans), turned into `fixes`
    /// once the file texts are at hand ([`crate::fix::resolve`]).
    pub plans: Vec<crate::fix::Plan>,
    pub suppression: Option<Suppression>,
    /// Stable across unrelated edits: no line numbers go into it.
    pub fingerprint: String,
}

impl Finding {
    pub fn new(rule: &'static str, level: Level, location: Location, message: impl Into<String>) -> Self {
        Finding {
            rule,
            level,
            message: message.into(),
            help: String::new(),
            location,
            related: Vec::new(),
            object: None,
            origin: None,
            builds: Vec::new(),
            fixes: Vec::new(),
            plans: Vec::new(),
            suppression: None,
            fingerprint: String::new(),
        }
    }

    pub fn help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = help.into();
        self
    }

    pub fn level(&mut self, level: Level) -> &mut Self {
        self.level = level;
        self
    }

    pub fn related(&mut self, location: Location, message: impl Into<String>) -> &mut Self {
        self.related.push(Related { location, message: message.into(), provenance: false });
        self
    }

    /// A related location the finding's value comes from (see [`Related::provenance`]).
    pub fn provenance(&mut self, location: Location, message: impl Into<String>) -> &mut Self {
        self.related.push(Related { location, message: message.into(), provenance: true });
        self
    }

    /// Whether the finding is located in, or its value comes from, a file `path_in` accepts.
    pub fn concerns(&self, path_in: impl Fn(&Arc<str>) -> bool) -> bool {
        let at = |l: &Location| l.path().is_none_or(&path_in);
        at(&self.location) || self.related.iter().any(|r| r.provenance && r.location.path().is_some_and(&path_in))
    }

    pub fn object(&mut self, object: ObjectRef) -> &mut Self {
        self.object = Some(object);
        self
    }

    /// Plans a fix; a plan that could not be made (a live object, a value not valid in place) is
    /// dropped.
    pub fn plan(&mut self, plan: Option<crate::fix::Plan>) -> &mut Self {
        self.plans.extend(plan);
        self
    }

    /// Drops the spare capacity of the finding's texts and lists, which it keeps to the end of
    /// the run (a large repository has thousands of findings).
    pub fn shrink_to_fit(&mut self) {
        self.message.shrink_to_fit();
        self.help.shrink_to_fit();
        self.related.shrink_to_fit();
        self.related.iter_mut().for_each(|r| r.message.shrink_to_fit());
        self.plans.shrink_to_fit();
        self.plans.iter_mut().for_each(crate::fix::Plan::shrink_to_fit);
    }

    /// Sort key: path, line, column, rule, message.
    pub fn sort_key(&self) -> (Option<&str>, Option<Span>, Option<&str>, &'static str, &str) {
        let logical = match &self.location {
            Location::Logical { name } => Some(name.as_str()),
            Location::File { .. } => None,
        };
        (self.location.path().map(|p| p.as_ref()), self.location.span(), logical, self.rule, &self.message)
    }
}
