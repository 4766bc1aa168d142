//! A Terraform module as Terraform reads it: every `.tf` file of one directory (plus, for the
//! root module, `terraform.tfvars` and `*.auto.tfvars`), indexed by what expressions refer to —
//! variables, locals, outputs, resources, data sources and module calls.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use hcl_edit::expr::Expression;
use hcl_edit::structure::{Attribute, Block, Body};

use crate::model::ParseFailure;
use crate::source::loader::{LoadError, Loader};
use crate::span::{FileId, LineIndex, Pos, Span};

/// How a file takes part in a module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// `.tf`: configuration.
    Config,
    /// `terraform.tfvars`, `*.auto.tfvars`: variable values of the root module.
    Vars,
    /// `terraform.tfvars.json`, `*.auto.tfvars.json`.
    VarsJson,
    /// Any other `.tfvars(.json)`: only used when named with `-var-file`, which iblint cannot know.
    OtherVars,
}

impl Role {
    /// The role of a file by its name; `None` for files Terraform does not read.
    pub fn of(path: &Path) -> Option<Role> {
        Role::of_name(path.file_name()?.to_str()?)
    }

    /// The role of a file named `name`. Asked of every file a walk meets: compared in place,
    /// ASCII case ignored.
    pub fn of_name(name: &str) -> Option<Role> {
        let is = |whole: &str| name.eq_ignore_ascii_case(whole);
        let ends = |suffix: &str| {
            name.len() >= suffix.len()
                && name.as_bytes()[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
        };
        Some(if ends(".tf") || ends(".tf.json") {
            Role::Config
        } else if is("terraform.tfvars") || ends(".auto.tfvars") {
            Role::Vars
        } else if is("terraform.tfvars.json") || ends(".auto.tfvars.json") {
            Role::VarsJson
        } else if ends(".tfvars") || ends(".tfvars.json") {
            Role::OtherVars
        } else {
            return None;
        })
    }
}

/// One parsed file.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub display: Arc<str>,
    pub id: FileId,
    pub text: Arc<str>,
    pub role: Role,
    /// `None` when the file does not parse (the failure is reported by the file's own claim).
    pub body: Option<Body>,
    /// JSON variable files, parsed by the project's span-keeping parser.
    pub json: Option<crate::yaml::Node>,
    /// A `.tf.json` file: the native syntax `body` was parsed from, and where its pieces are in
    /// `text`.
    pub translated: Option<super::json_syntax::Translated>,
    pub failure: Option<ParseFailure>,
}

impl SourceFile {
    /// Parses `text` as a file of `role`.
    pub fn parse(path: PathBuf, display: Arc<str>, text: Arc<str>, role: Role) -> SourceFile {
        let id = FileId::of(&display);
        let mut file =
            SourceFile { path, display, id, text, role, body: None, json: None, translated: None, failure: None };
        match role {
            Role::VarsJson | Role::OtherVars if file.path.to_string_lossy().ends_with(".json") => {
                let mut failure = None;
                let mut json = None;
                let outcome = crate::yaml::parse_stream(&file.text, &crate::yaml::Limits::default(), |root| {
                    json.get_or_insert(root);
                });
                if let Some(err) = outcome.fatal {
                    failure = Some(ParseFailure {
                        path: file.display.clone(),
                        pos: err.pos,
                        message: err.message,
                        cause: Default::default(),
                    });
                }
                file.json = json;
                file.failure = failure;
            }
            Role::Config if file.path.to_string_lossy().to_ascii_lowercase().ends_with(".json") => {
                match super::json_syntax::translate(&file.text) {
                    // Native syntax iblint wrote that does not parse (an escape HCL lacks) is
                    // left unread rather than reported against the user's file.
                    Some(t) => {
                        file.body = hcl_edit::parser::parse_body(&t.hcl).ok();
                        file.translated = Some(t);
                    }
                    None => {
                        file.failure = Some(ParseFailure {
                            path: file.display.clone(),
                            pos: Pos { line: 1, col: 1 },
                            message: "invalid Terraform JSON (or nested too deep)".into(),
                            cause: Default::default(),
                        })
                    }
                }
            }
            _ => match hcl_edit::parser::parse_body(&file.text) {
                Ok(body) => file.body = Some(body),
                Err(e) => {
                    file.failure = Some(ParseFailure {
                        path: file.display.clone(),
                        pos: Pos { line: e.location().line() as u32, col: e.location().column() as u32 },
                        message: format!("invalid HCL: {}", e.message()),
                        cause: Default::default(),
                    })
                }
            },
        }
        file
    }

    /// Reads and parses the file at `path` through `loader`.
    pub fn load(path: &Path, loader: &dyn Loader) -> Result<SourceFile, LoadError> {
        let role = Role::of(path).unwrap_or(Role::Config);
        let text = loader.read(path)?;
        Ok(SourceFile::parse(path.to_path_buf(), loader.display(path), text, role))
    }
}

/// A text that expressions are evaluated from (a module's file, a template file): positions
/// resolve to that file.
pub(super) struct Src<'t> {
    /// The native syntax the expressions' ranges are in.
    pub text: &'t str,
    pub display: Arc<str>,
    pub id: FileId,
    /// Lines of the file as written (the JSON of a `.tf.json` file).
    index: LineIndex<'t>,
    /// A `.tf.json` file: where the native syntax's pieces are in the JSON.
    translated: Option<&'t super::json_syntax::Translated>,
}

impl<'t> Src<'t> {
    pub(super) fn new(text: &'t str, display: &Arc<str>) -> Src<'t> {
        Src { text, display: display.clone(), id: FileId::of(display), index: LineIndex::new(text), translated: None }
    }

    /// The expressions of a parsed file (for a `.tf.json` file, with JSON positions).
    pub(super) fn of(file: &'t SourceFile) -> Src<'t> {
        match &file.translated {
            Some(t) => Src {
                text: &t.hcl,
                display: file.display.clone(),
                id: file.id,
                index: LineIndex::new(&file.text),
                translated: Some(t),
            },
            None => Src::new(&file.text, &file.display),
        }
    }

    /// The span of a byte range, naming this file.
    pub(super) fn span(&self, range: Option<std::ops::Range<usize>>) -> Span {
        let range = match (range, self.translated) {
            (Some(r), Some(t)) => Some(t.json_offset(r.start)..t.json_offset(r.end)),
            (r, _) => r,
        };
        range.map_or(Span::default(), |r| self.index.span(r)).in_file(self.id)
    }

    /// The text of a byte range, as written.
    pub(super) fn slice(&self, range: Option<std::ops::Range<usize>>) -> &'t str {
        range.and_then(|r| self.text.get(r)).unwrap_or("").trim()
    }
}

/// A declaration: the file it is in and the syntax that declares it.
#[derive(Clone, Copy, Debug)]
pub(super) struct Decl<'m, T> {
    pub file: usize,
    pub item: &'m T,
}

/// A `resource` or `data` block.
#[derive(Debug)]
pub(super) struct Resource<'m> {
    pub data: bool,
    pub kind: &'m str,
    pub name: &'m str,
    pub decl: Decl<'m, Block>,
}

/// Where a `module` block's `source` points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Target {
    /// A directory of this repository: the index of its module in the tree.
    Local(usize),
    /// A registry, git or other remote source, or a local directory that is not there: its
    /// outputs are unknown.
    Remote,
}

/// A `module` block.
#[derive(Debug)]
pub(super) struct Call<'m> {
    pub name: &'m str,
    pub decl: Decl<'m, Block>,
    pub target: Target,
}

/// The files of one directory and what they declare.
pub(super) struct Module<'m> {
    pub dir: PathBuf,
    pub files: Vec<Src<'m>>,
    pub variables: HashMap<&'m str, Decl<'m, Block>>,
    pub locals: HashMap<&'m str, Decl<'m, Attribute>>,
    pub outputs: HashMap<&'m str, Decl<'m, Block>>,
    pub resources: Vec<Resource<'m>>,
    pub calls: Vec<Call<'m>>,
}

impl<'m> Module<'m> {
    pub(super) fn resource(&self, kind: &str, name: &str, data: bool) -> Option<&Resource<'m>> {
        self.resources.iter().find(|r| r.kind == kind && r.name == name && r.data == data)
    }

    pub(super) fn call(&self, name: &str) -> Option<&Call<'m>> {
        self.calls.iter().find(|c| c.name == name)
    }
}

fn empty_module<'m>() -> Module<'m> {
    Module {
        dir: PathBuf::new(),
        files: Vec::new(),
        variables: HashMap::new(),
        locals: HashMap::new(),
        outputs: HashMap::new(),
        resources: Vec::new(),
        calls: Vec::new(),
    }
}

/// The parsed files of one module directory.
pub(super) struct ModuleDir {
    pub dir: PathBuf,
    pub display: Arc<str>,
    pub files: Vec<Arc<SourceFile>>,
}

/// Builds the index of a module directory, borrowing its files.
pub(super) fn index_module<'m>(dir: &'m ModuleDir, target: &dyn Fn(&Path) -> Target) -> Module<'m> {
    let mut m =
        Module { dir: dir.dir.clone(), files: dir.files.iter().map(|f| Src::of(f)).collect(), ..empty_module() };
    for (i, file) in dir.files.iter().enumerate() {
        let Some(body) = file.body.as_ref().filter(|_| file.role == Role::Config) else { continue };
        for block in body.blocks() {
            let labels: Vec<&'m str> = block.labels.iter().map(|l| l.as_str()).collect();
            let decl = Decl { file: i, item: block };
            match (block.ident.as_str(), labels.as_slice()) {
                ("variable", [name]) => {
                    m.variables.insert(name, decl);
                }
                ("output", [name]) => {
                    m.outputs.insert(name, decl);
                }
                ("locals", []) => {
                    for attr in block.body.attributes() {
                        m.locals.insert(attr.key.as_str(), Decl { file: i, item: attr });
                    }
                }
                ("resource", [kind, name]) => m.resources.push(Resource { data: false, kind, name, decl }),
                ("data", [kind, name]) => m.resources.push(Resource { data: true, kind, name, decl }),
                ("module", [name]) => {
                    let target = module_source(&block.body)
                        .filter(|s| is_local_source(s))
                        .map_or(Target::Remote, |s| target(&normalize(&dir.dir.join(s))));
                    m.calls.push(Call { name, decl, target });
                }
                _ => {}
            }
        }
    }
    m
}

/// The literal `source` of a `module` block.
pub(super) fn module_source(body: &Body) -> Option<&str> {
    match &body.get_attribute("source")?.value {
        Expression::String(s) => Some(s.value().as_str()),
        _ => None,
    }
}

/// Terraform treats only `./` and `../` sources as local paths.
pub(super) fn is_local_source(source: &str) -> bool {
    source.starts_with("./") || source.starts_with("../") || source == "." || source == ".."
}

/// `path` with `.` and `..` resolved lexically (module sources may climb out of symlinked
/// directories the way Terraform resolves them: by text).
pub(super) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The directories of the modules that `root` calls, transitively, each once: the tree's arena.
/// `files_of` lists a directory's Terraform files in the scope (`None`: the directory is not in
/// the scope, so its module is as unknown as a remote one). Depth-bounded; a cycle simply reaches
/// a directory already listed.
pub(super) fn load_tree(
    root: &Path,
    loader: &dyn Loader,
    files_of: &dyn Fn(&Path) -> Option<Vec<PathBuf>>,
    parsed: &dyn Fn(&Path) -> Option<Arc<SourceFile>>,
    max_depth: usize,
) -> (Vec<ModuleDir>, Vec<String>) {
    let mut dirs: Vec<ModuleDir> = Vec::new();
    let mut notes = Vec::new();
    let mut queue = vec![(root.to_path_buf(), 0usize)];
    while let Some((dir, depth)) = queue.pop() {
        if dirs.iter().any(|d| d.dir == dir) {
            continue;
        }
        let Some(paths) = files_of(&dir) else { continue };
        if depth > max_depth {
            notes.push(format!(
                "module calls nest deeper than {max_depth} levels at {}: not followed",
                loader.display(&dir)
            ));
            continue;
        }
        let files: Vec<Arc<SourceFile>> = paths.iter().filter_map(|p| parsed(p)).collect();
        for file in files.iter().filter(|f| f.role == Role::Config) {
            for block in file.body.iter().flat_map(|b| b.get_blocks("module")) {
                if let Some(source) = module_source(&block.body).filter(|s| is_local_source(s)) {
                    queue.push((normalize(&dir.join(source)), depth + 1));
                }
            }
        }
        dirs.push(ModuleDir { display: loader.display(&dir), dir, files });
    }
    (dirs, notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_by_name() {
        assert_eq!(Role::of(Path::new("main.tf")), Some(Role::Config));
        assert_eq!(Role::of(Path::new("terraform.tfvars")), Some(Role::Vars));
        assert_eq!(Role::of(Path::new("prod.auto.tfvars")), Some(Role::Vars));
        assert_eq!(Role::of(Path::new("prod.auto.tfvars.json")), Some(Role::VarsJson));
        assert_eq!(Role::of(Path::new("prod.tfvars")), Some(Role::OtherVars));
        assert_eq!(Role::of(Path::new("main.yaml")), None);
    }

    #[test]
    fn sources_resolve_lexically() {
        assert_eq!(normalize(Path::new("/a/b/../c/./d")), PathBuf::from("/a/c/d"));
        assert!(is_local_source("../modules/x"));
        assert!(!is_local_source("Azure/aks/azurerm"));
        assert!(!is_local_source("git::https://example.com/x.git"));
    }
}
