//! `replacements:` copy a value from one object of the build (the source) into fields of others
//! (the targets), after every other transformation of the kustomization, as kustomize's
//! replacement transformer does. The copied value keeps the span of the source's text, so a
//! finding about it lands where the value is written (a client id copied from a ConfigMap is
//! reported on the ConfigMap's line).
//!
//! What kustomize refuses (no source or several, a missing field, an index out of bounds) is a
//! note and the replacement is skipped. A source that may be a generated object (the build has
//! generators, which are not evaluated) is noted without claiming that kustomize refuses it.

use std::path::PathBuf;

use super::build::{normalize, Acc, Context, KustomizationRead};
use super::kustomization::{Entry, Kustomization};
use super::resource::Resource;
use super::select::{Compiled, Selector};
use crate::source::loader::LoadError;
use crate::span::FileId;
use crate::yaml::{Node, NodeKind, ScalarType};

/// One `replacements:` item as written: inline, or a file holding one replacement or a list.
#[derive(Clone, Debug)]
pub(super) enum Item {
    Inline(Node),
    File(Entry),
}

/// `metadata.name`, kustomize's default field path for sources and targets.
const DEFAULT_FIELD_PATH: &str = "metadata.name";

/// One step of a field path.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    /// A mapping key.
    Key(String),
    /// The list items whose field `key` is `value` (`[name=api]`).
    Matching { key: String, value: String },
    /// A list item by position.
    Index(usize),
    /// Every list item (`*`).
    Every,
}

/// Splits a field path as kustomize does: on dots, except inside brackets and after a
/// backslash; `[key=value]` selects list items, any other bracketed step is a key that may
/// hold dots (`metadata.annotations.[azure.workload.identity/client-id]`).
fn steps(path: &str) -> Vec<Step> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let (mut depth, mut escaped) = (0usize, false);
    for c in path.chars() {
        match c {
            _ if escaped => {
                current.push(c);
                escaped = false;
            }
            '\\' => escaped = true,
            '[' => {
                depth += 1;
                current.push(c);
            }
            ']' => {
                depth = depth.saturating_sub(1);
                current.push(c);
            }
            '.' if depth == 0 => parts.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    parts.push(current);
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .map(|p| match p.strip_prefix('[').and_then(|rest| rest.strip_suffix(']')) {
            Some(inner) => match inner.split_once('=') {
                Some((key, value)) => Step::Matching { key: key.to_string(), value: value.to_string() },
                None => Step::Key(inner.to_string()),
            },
            None if p == "*" => Step::Every,
            None => p.parse::<usize>().map_or(Step::Key(p), Step::Index),
        })
        .collect()
}

fn item_matches(item: &Node, key: &str, value: &str) -> bool {
    item.get(key).and_then(Node::as_str) == Some(value)
}

/// The node at `path` (the first list item where several match), as a source is read.
fn lookup<'a>(node: &'a Node, path: &[Step]) -> Option<&'a Node> {
    let Some((step, rest)) = path.split_first() else { return Some(node) };
    let next = match step {
        Step::Key(key) => node.get(key),
        Step::Matching { key, value } => node.as_seq()?.iter().find(|i| item_matches(i, key, value)),
        Step::Index(i) => node.as_seq()?.get(*i),
        Step::Every => None,
    }?;
    lookup(next, rest)
}

/// Calls `set` on every node at `path` in `node`; with `create`, missing keys are made (maps
/// on the way, `leaf` at the end) and a missing `[key=value]` item is appended. Returns how
/// many nodes were set.
fn each_target(node: &mut Node, path: &[Step], create: Option<&Node>, set: &mut dyn FnMut(&mut Node)) -> usize {
    let Some((step, rest)) = path.split_first() else {
        set(node);
        return 1;
    };
    let made = |rest: &[Step], leaf: &Node| match rest.first() {
        None => leaf.clone(),
        Some(Step::Key(_)) => Node::empty_map(leaf.span),
        Some(_) => Node { span: leaf.span, kind: NodeKind::Seq(Vec::new()) },
    };
    match step {
        Step::Key(key) => {
            if node.get(key).is_none() {
                let Some(leaf) = create else { return 0 };
                if node.as_map().is_none() {
                    return 0;
                }
                node.set(key, leaf.span, made(rest, leaf));
            }
            node.get_mut(key).map_or(0, |next| each_target(next, rest, create, set))
        }
        Step::Matching { key, value } => {
            let Some(items) = node.as_seq_mut() else { return 0 };
            let mut count = 0;
            for item in items.iter_mut().filter(|i| item_matches(i, key, value)) {
                count += each_target(item, rest, create, set);
            }
            if count == 0 {
                if let Some(leaf) = create {
                    let mut item = Node::empty_map(leaf.span);
                    item.set(key, leaf.span, Node::string(value.clone(), leaf.span));
                    count = each_target(&mut item, rest, create, set);
                    items.push(item);
                }
            }
            count
        }
        Step::Index(i) => {
            node.as_seq_mut().and_then(|items| items.get_mut(*i)).map_or(0, |item| each_target(item, rest, create, set))
        }
        Step::Every => {
            node.as_seq_mut().map_or(0, |items| items.iter_mut().map(|i| each_target(i, rest, create, set)).sum())
        }
    }
}

/// `delimiter` and `index` of a source or target.
#[derive(Clone, Debug, Default)]
struct Options {
    delimiter: String,
    index: i64,
    create: bool,
}

impl Options {
    fn read(node: Option<&Node>) -> Options {
        let Some(node) = node else { return Options::default() };
        let text = |k: &str| node.get(k).and_then(Node::as_str).unwrap_or("");
        Options {
            delimiter: text("delimiter").to_string(),
            index: text("index").parse().unwrap_or(0),
            create: text("create") == "true",
        }
    }
}

/// A selector of identities, matched exactly as kustomize matches replacement sources and
/// targets (no regular expressions, unlike patch targets).
fn exact(node: &Node) -> Result<Compiled, String> {
    let mut s = Selector::read(node);
    for field in [&mut s.group, &mut s.version, &mut s.kind, &mut s.name, &mut s.namespace] {
        *field = regex::escape(field);
    }
    s.compile()
}

fn describe(node: &Node) -> String {
    let text = |k: &str| node.get(k).and_then(Node::as_str).unwrap_or("");
    let mut parts: Vec<String> = ["kind", "name", "namespace"]
        .iter()
        .filter(|k| !text(k).is_empty())
        .map(|k| format!("{k} {}", text(k)))
        .collect();
    if parts.is_empty() {
        parts.push("any object".into());
    }
    parts.join(", ")
}

/// Applies the kustomization's replacements to what it built.
pub(super) fn apply(cx: &Context, read: &KustomizationRead, k: &Kustomization, acc: &mut Acc) {
    for item in &k.replacements {
        for replacement in load(cx, read, k, item, acc) {
            let Err(problem) = replace(&replacement, &mut acc.resources) else { continue };
            let message = match problem {
                Problem::Refused(why) => format!("replacement: {why}: kustomize refuses this kustomization"),
                Problem::NoSource(source) if acc.report.incomplete => format!(
                    "replacement: no object of the build is its source ({source}); it may be one the build \
                     leaves out (generated or remote): the replacement is skipped"
                ),
                Problem::NoSource(source) => {
                    format!("replacement: nothing is selected by its source ({source}): kustomize refuses this kustomization")
                }
            };
            acc.report.note(k, message);
        }
    }
}

/// The replacements of one item (a file may hold a list).
fn load(cx: &Context, read: &KustomizationRead, k: &Kustomization, item: &Item, acc: &mut Acc) -> Vec<Node> {
    match item {
        Item::Inline(node) => vec![node.clone()],
        Item::File(entry) => {
            let path: PathBuf = normalize(&read.dir.join(&entry.text));
            if !path.starts_with(&read.dir) {
                acc.report.note(
                    k,
                    format!(
                        "replacement `{}` is outside the kustomization's directory: kustomize refuses to load it",
                        entry.text
                    ),
                );
                return Vec::new();
            }
            let file = cx.read(&path);
            match &file.docs {
                Ok(docs) => {
                    acc.report.kustomizations.insert(path);
                    let id = FileId::of(&file.display);
                    let doc = docs.first().map(|d| d.clone().in_file(id));
                    match doc {
                        Some(Node { kind: NodeKind::Seq(items), .. }) => items,
                        Some(single) if single.as_map().is_some() => vec![single],
                        _ => Vec::new(),
                    }
                }
                Err(LoadError::NotFound) => {
                    acc.report.note(
                        k,
                        format!("replacement `{}` does not exist: kustomize refuses this kustomization", entry.text),
                    );
                    Vec::new()
                }
                Err(_) => Vec::new(),
            }
        }
    }
}

enum Problem {
    /// kustomize stops the build.
    Refused(String),
    /// No object is the source: kustomize stops, unless the source is one of the objects this
    /// build leaves out (generated, or from a remote base).
    NoSource(String),
}

fn replace(spec: &Node, resources: &mut [Resource]) -> Result<(), Problem> {
    let (Some(source), Some(targets)) = (spec.get("source"), spec.get("targets").and_then(Node::as_seq)) else {
        return Err(Problem::Refused("a replacement needs a `source` and at least one target".into()));
    };
    let value = source_value(source, resources)?;
    for target in targets {
        let Some(select) = target.get("select").filter(|s| s.as_map().is_some()) else {
            return Err(Problem::Refused("a target must say which objects to `select`".into()));
        };
        let select = exact(select).map_err(Problem::Refused)?;
        // An empty `reject` item rejects nothing (kustomize skips it).
        let rejects = target
            .get("reject")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter(|r| r.as_map().is_some_and(|m| m.iter().any(|(_, v)| v.as_str().is_some_and(|v| !v.is_empty()))))
            .map(exact)
            .collect::<Result<Vec<_>, _>>()
            .map_err(Problem::Refused)?;
        let paths: Vec<String> = match target.get("fieldPaths").and_then(Node::as_seq) {
            Some(paths) if !paths.is_empty() => paths.iter().filter_map(Node::as_str).map(str::to_string).collect(),
            _ => vec![DEFAULT_FIELD_PATH.to_string()],
        };
        let options = Options::read(target.get("options"));
        for r in resources.iter_mut().filter(|r| select.matches(r) && !rejects.iter().any(|x| x.matches(r))) {
            for path in &paths {
                let create = options.create.then_some(&value);
                let mut failed = None;
                let set = each_target(&mut r.node, &steps(path), create, &mut |field| {
                    if let Err(e) = set_value(field, &value, &options) {
                        failed = Some(e);
                    }
                });
                if let Some(e) = failed {
                    return Err(Problem::Refused(e));
                }
                if set == 0 {
                    let what = if options.create { "find or create" } else { "find" };
                    return Err(Problem::Refused(format!(
                        "unable to {what} field `{path}` in target {}",
                        r.cur_id().describe()
                    )));
                }
            }
        }
    }
    Ok(())
}

/// The value the source gives: its field (with the spans of its text, in its file), or the
/// delimited part of it.
fn source_value(source: &Node, resources: &[Resource]) -> Result<Node, Problem> {
    let select = exact(source).map_err(Problem::Refused)?;
    let mut matches = resources.iter().filter(|r| select.matches(r));
    let Some(found) = matches.next() else {
        return Err(Problem::NoSource(describe(source)));
    };
    if matches.next().is_some() {
        return Err(Problem::Refused(format!("several objects match its source ({})", describe(source))));
    }
    let path = source.get("fieldPath").and_then(Node::as_str).filter(|p| !p.is_empty()).unwrap_or(DEFAULT_FIELD_PATH);
    let node = lookup(&found.node, &steps(path))
        .filter(|n| !n.is_null() && n.as_str() != Some("") && !n.as_map().is_some_and(<[_]>::is_empty))
        .ok_or_else(|| {
            Problem::Refused(format!("field `{path}` is missing in source {}", found.cur_id().describe()))
        })?;
    let mut value = node.clone().in_file(FileId::of(&found.file));
    let options = Options::read(source.get("options"));
    if options.delimiter.is_empty() {
        return Ok(value);
    }
    let NodeKind::Scalar(s) = &mut value.kind else {
        return Err(Problem::Refused("a delimiter applies to a scalar value only".into()));
    };
    let parts: Vec<&str> = s.value.split(options.delimiter.as_str()).collect();
    let part = usize::try_from(options.index).ok().and_then(|i| parts.get(i)).ok_or_else(|| {
        Problem::Refused(format!("index {} is out of bounds for the source value `{}`", options.index, s.value))
    })?;
    s.value = (*part).into();
    Ok(value)
}

/// Writes `value` into a target field: a scalar field takes the text and keeps its type (a
/// string stays a string); any other field becomes the value.
fn set_value(field: &mut Node, value: &Node, options: &Options) -> Result<(), String> {
    let mut value = value.clone();
    if !options.delimiter.is_empty() {
        let (Some(target), Some(text)) = (field.as_str(), value.as_str()) else {
            return Err("a delimiter applies to a scalar value only".into());
        };
        let mut parts: Vec<String> = target.split(options.delimiter.as_str()).map(str::to_string).collect();
        match usize::try_from(options.index) {
            Err(_) => parts.insert(0, text.to_string()),
            Ok(i) if i >= parts.len() => parts.push(text.to_string()),
            Ok(i) => parts[i] = text.to_string(),
        }
        let joined = parts.join(&options.delimiter);
        if let NodeKind::Scalar(s) = &mut value.kind {
            s.value = joined.into();
        }
    }
    match (&field.kind, &mut value.kind) {
        (NodeKind::Scalar(target), NodeKind::Scalar(new)) if target.resolved_type() != ScalarType::Null => {
            if target.resolved_type() == ScalarType::String {
                new.quoted = true;
                new.tag = None;
            } else {
                new.quoted = target.quoted;
                new.tag = target.tag;
            }
        }
        _ => {}
    }
    *field = value;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_paths_split_as_kustomize_splits_them() {
        assert_eq!(
            steps("metadata.annotations.[azure.workload.identity/client-id]"),
            [
                Step::Key("metadata".into()),
                Step::Key("annotations".into()),
                Step::Key("azure.workload.identity/client-id".into())
            ]
        );
        assert_eq!(
            steps("spec.template.spec.containers.[name=a.b].env.0.value"),
            [
                Step::Key("spec".into()),
                Step::Key("template".into()),
                Step::Key("spec".into()),
                Step::Key("containers".into()),
                Step::Matching { key: "name".into(), value: "a.b".into() },
                Step::Key("env".into()),
                Step::Index(0),
                Step::Key("value".into()),
            ]
        );
        assert_eq!(steps(r"data.a\.b"), [Step::Key("data".into()), Step::Key("a.b".into())]);
        assert_eq!(steps("spec.containers.*.image")[2], Step::Every);
    }
}
