//! A `kustomization.yaml` read into what the build evaluates, every value with its span (values
//! the build writes into objects are placed in the kustomization's file, so findings about them
//! land on the kustomization's line).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::fieldspec::FieldSpec;
use super::replacement;
use super::select::Selector;
use crate::source::loader::{LoadError, Loader};
use crate::span::{FileId, Span};
use crate::yaml::Node;

/// The names kustomize looks for in a directory, in its order.
pub(super) const FILE_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The kustomization file names present in `dir` (whether or not they can be read).
pub(super) fn present_in<'a>(loader: &'a dyn Loader, dir: &'a Path) -> impl Iterator<Item = PathBuf> + 'a {
    FILE_NAMES.iter().map(|name| dir.join(name)).filter(|p| !matches!(loader.read(p), Err(LoadError::NotFound)))
}

/// A string entry (a resource path, a component) and where it is written.
#[derive(Clone, Debug)]
pub(super) struct Entry {
    pub text: String,
    pub span: Span,
}

/// One `labels:` item (or `commonLabels`, which is one with selectors).
#[derive(Clone, Debug)]
pub(super) struct LabelSet {
    /// Key and value nodes, in the kustomization's file.
    pub pairs: Vec<(Node, Node)>,
    pub include_selectors: bool,
    pub include_templates: bool,
    pub fields: Vec<FieldSpec>,
    /// Where created `labels:` keys point.
    pub span: Span,
}

/// Where a patch's text is.
#[derive(Clone, Debug)]
pub(super) enum PatchText {
    /// A file, relative to the kustomization's directory.
    File(Entry),
    /// Written in the kustomization: the text, and how its positions map into the file.
    Inline { text: String, place: InlinePlace },
}

/// How positions in an inline patch's text map to the kustomization file.
#[derive(Clone, Copy, Debug)]
pub(super) enum InlinePlace {
    /// A literal block (`|`): line `n` of the text is line `lines + n` of the file, `cols` to
    /// the right.
    Shifted { lines: u32, cols: u32 },
    /// Any other string: every value is placed at the string.
    At(Span),
}

/// One entry of `patches`, `patchesStrategicMerge` or `patchesJson6902`.
#[derive(Clone, Debug)]
pub(super) struct Patch {
    pub text: PatchText,
    pub target: Option<Selector>,
    pub allow_name_change: bool,
    pub allow_kind_change: bool,
}

/// What a build evaluates of one kustomization file.
#[derive(Clone, Debug, Default)]
pub(super) struct Kustomization {
    pub display: Arc<str>,
    pub is_component: bool,
    /// `resources` then the deprecated `bases`.
    pub resources: Vec<Entry>,
    pub components: Vec<Entry>,
    pub namespace: Option<Node>,
    pub name_prefix: Option<Node>,
    pub name_suffix: Option<Node>,
    /// `labels` in order, then `commonLabels`.
    pub labels: Vec<LabelSet>,
    pub common_annotations: Vec<(Node, Node)>,
    pub annotations_span: Span,
    pub patches_strategic_merge: Vec<Patch>,
    pub patches: Vec<Patch>,
    pub patches_json6902: Vec<Patch>,
    pub replacements: Vec<replacement::Item>,
    /// Fields that change the output but are not evaluated (generators, replacements, …).
    pub unsupported: Vec<String>,
    /// Things kustomize would refuse (unknown fields, wrong shapes), for the notes.
    pub problems: Vec<String>,
}

/// Fields that change what kustomize produces and that this build does not evaluate.
const UNSUPPORTED: &[&str] = &[
    "configMapGenerator",
    "secretGenerator",
    "helmCharts",
    "helmChartInflationGenerator",
    "vars",
    "generators",
    "transformers",
    "validators",
    "crds",
    "configurations",
    "openapi",
];

/// Fields that do not change identity wiring: read by kustomize, ignored here.
const IGNORED: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "images",
    "imageTags",
    "replicas",
    "sortOptions",
    "buildMetadata",
    "generatorOptions",
    "helmGlobals",
];

/// Reads a kustomization document. `text` is the file's text (for inline patches' positions).
pub(super) fn parse(root: &Node, text: &str, display: &Arc<str>) -> Kustomization {
    let file = FileId::of(display);
    let mut k = Kustomization { display: display.clone(), ..Kustomization::default() };
    let mut common_labels = None;
    let Some(entries) = root.as_map() else {
        if !root.is_null() {
            k.problems.push("is not a mapping: kustomize refuses it".into());
        }
        return k;
    };
    for (key, value) in entries {
        let Some(name) = key.as_str() else { continue };
        let value_in_file = || value.clone().in_file(file);
        match name {
            "kind" => k.is_component = value.as_str() == Some("Component"),
            "resources" | "bases" => k.resources.extend(strings(value, name, file, &mut k.problems)),
            "components" => k.components.extend(strings(value, name, file, &mut k.problems)),
            "namespace" => k.namespace = scalar(value, name, &mut k.problems).map(|_| value_in_file()),
            "namePrefix" => k.name_prefix = scalar(value, name, &mut k.problems).map(|_| value_in_file()),
            "nameSuffix" => k.name_suffix = scalar(value, name, &mut k.problems).map(|_| value_in_file()),
            "commonLabels" => {
                let pairs = pairs(value, name, file, &mut k.problems);
                if !pairs.is_empty() {
                    common_labels = Some(LabelSet {
                        pairs,
                        include_selectors: true,
                        include_templates: false,
                        fields: Vec::new(),
                        span: key.span.in_file(file),
                    });
                }
            }
            "labels" => {
                for item in value.as_seq().unwrap_or_default() {
                    k.labels.push(label_set(item, file, &mut k.problems));
                }
            }
            "commonAnnotations" => {
                k.common_annotations = pairs(value, name, file, &mut k.problems);
                k.annotations_span = key.span.in_file(file);
            }
            "patchesStrategicMerge" => {
                k.patches_strategic_merge = value
                    .as_seq()
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|item| legacy_strategic_merge(item, text, file))
                    .collect();
            }
            "patches" | "patchesJson6902" => {
                let list: Vec<Patch> = value
                    .as_seq()
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|item| patch(item, text, file, &mut k.problems))
                    .collect();
                if name == "patches" {
                    k.patches = list;
                } else {
                    k.patches_json6902 = list;
                }
            }
            "replacements" => {
                for item in value.as_seq().unwrap_or_default() {
                    match item.get("path").filter(|p| !p.is_null()) {
                        Some(p) if item.get("source").is_none() && item.get("targets").is_none() => {
                            if let Some(text) = p.as_str() {
                                let entry = Entry { text: text.trim().to_string(), span: p.span.in_file(file) };
                                k.replacements.push(replacement::Item::File(entry));
                            }
                        }
                        Some(_) => k.problems.push(
                            "a replacement has both `path` and an inline replacement: kustomize refuses it".into(),
                        ),
                        None => k.replacements.push(replacement::Item::Inline(item.clone().in_file(file))),
                    }
                }
            }
            _ if UNSUPPORTED.contains(&name) => {
                let empty = value.is_null()
                    || value.as_seq().is_some_and(<[Node]>::is_empty)
                    || value.as_map().is_some_and(<[(Node, Node)]>::is_empty);
                if !empty {
                    k.unsupported.push(name.to_string());
                }
            }
            _ if IGNORED.contains(&name) => {}
            _ => k.problems.push(format!("unknown field `{name}`: kustomize refuses this kustomization")),
        }
    }
    // `commonLabels` is applied after every `labels` item, whatever the order in the file.
    k.labels.extend(common_labels);
    k
}

fn scalar<'a>(value: &'a Node, field: &str, problems: &mut Vec<String>) -> Option<&'a str> {
    match value.as_str() {
        Some(s) if !value.is_null() && !s.is_empty() => Some(s),
        Some(_) => None,
        None => {
            problems.push(format!("`{field}` is not a string: ignored"));
            None
        }
    }
}

fn strings(value: &Node, field: &str, file: FileId, problems: &mut Vec<String>) -> Vec<Entry> {
    if value.is_null() {
        return Vec::new();
    }
    let Some(items) = value.as_seq() else {
        problems.push(format!("`{field}` is not a list: ignored"));
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| item.as_str().map(|s| Entry { text: s.trim().to_string(), span: item.span.in_file(file) }))
        .filter(|e| !e.text.is_empty())
        .collect()
}

fn pairs(value: &Node, field: &str, file: FileId, problems: &mut Vec<String>) -> Vec<(Node, Node)> {
    if value.is_null() {
        return Vec::new();
    }
    let Some(entries) = value.as_map() else {
        problems.push(format!("`{field}` is not a mapping: ignored"));
        return Vec::new();
    };
    entries
        .iter()
        .filter(|(k, _)| k.as_str().is_some())
        .map(|(k, v)| (k.clone().in_file(file), v.clone().in_file(file)))
        .collect()
}

fn flag(node: &Node, key: &str) -> bool {
    node.get(key).and_then(Node::as_str) == Some("true")
}

fn label_set(item: &Node, file: FileId, problems: &mut Vec<String>) -> LabelSet {
    let fields = item
        .get("fields")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|f| {
            let text = |k: &str| f.get(k).and_then(Node::as_str).unwrap_or("").to_string();
            let path = text("path");
            (!path.is_empty()).then(|| FieldSpec {
                group: text("group"),
                version: text("version"),
                kind: text("kind"),
                path,
                create: flag(f, "create"),
            })
        })
        .collect();
    LabelSet {
        pairs: item.get("pairs").map(|p| pairs(p, "labels.pairs", file, problems)).unwrap_or_default(),
        include_selectors: flag(item, "includeSelectors"),
        include_templates: flag(item, "includeTemplates"),
        fields,
        span: item.span.in_file(file),
    }
}

/// A `patchesStrategicMerge` item: a file path, or (as kustomize also accepts) the patch itself.
fn legacy_strategic_merge(item: &Node, text: &str, file: FileId) -> Option<Patch> {
    let s = item.as_str()?;
    let inline = s.contains('\n') || s.trim_start().starts_with(['{', '[']) || s.contains(": ");
    let text = if inline {
        PatchText::Inline { text: s.to_string(), place: inline_place(item, text, file) }
    } else {
        PatchText::File(Entry { text: s.trim().to_string(), span: item.span.in_file(file) })
    };
    Some(Patch { text, target: None, allow_name_change: false, allow_kind_change: false })
}

/// A `patches` / `patchesJson6902` item.
fn patch(item: &Node, text: &str, file: FileId, problems: &mut Vec<String>) -> Option<Patch> {
    let path = item.get("path").filter(|p| !p.is_null());
    let inline = item.get("patch").filter(|p| !p.is_null());
    let text = match (path, inline) {
        (Some(p), None) => PatchText::File(Entry { text: p.as_str()?.trim().to_string(), span: p.span.in_file(file) }),
        (None, Some(p)) => PatchText::Inline { text: p.as_str()?.to_string(), place: inline_place(p, text, file) },
        (Some(_), Some(_)) => {
            problems.push("a patch has both `path` and `patch`: kustomize refuses it".into());
            return None;
        }
        (None, None) => {
            problems.push("a patch has neither `path` nor `patch`: kustomize refuses it".into());
            return None;
        }
    };
    let options = item.get("options");
    Some(Patch {
        text,
        target: item.get("target").filter(|t| t.as_map().is_some()).map(Selector::read),
        allow_name_change: options.is_some_and(|o| flag(o, "allowNameChange")),
        allow_kind_change: options.is_some_and(|o| flag(o, "allowKindChange")),
    })
}

/// Where the text of the string `value` sits in the file: a literal block (`|`) maps line by
/// line (its span starts at its first content character).
fn inline_place(value: &Node, text: &str, file: FileId) -> InlinePlace {
    let at = InlinePlace::At(value.span.in_file(file));
    let start = value.span.start();
    let literal = value.as_scalar().is_some_and(|s| s.quoted)
        && start.line >= 2
        && text.lines().nth(start.line as usize - 2).is_some_and(|line| {
            let head = line.split(" #").next().unwrap_or("").trim_end();
            head.trim_end_matches(|c: char| c == '-' || c == '+' || c.is_ascii_digit()).ends_with('|')
        });
    if !literal {
        return at;
    }
    InlinePlace::Shifted { lines: start.line - 1, cols: start.col - 1 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse_stream, Limits};

    fn read(text: &str) -> Kustomization {
        let mut root = None;
        parse_stream(text, &Limits::default(), |n| root = Some(n));
        parse(&root.expect("doc"), text, &Arc::from("k/kustomization.yaml"))
    }

    #[test]
    fn reads_fields_with_their_places() {
        let k = read(
            "resources:\n  - ../base\nbases: [../old]\nnamespace: prod\ncommonLabels:\n  team: a\nlabels:\n  - pairs: {x: y}\n    includeTemplates: true\npatches:\n  - patch: |-\n      - op: add\n        path: /a\n        value: true\n    target: {kind: Deployment, name: api}\nconfigMapGenerator:\n  - name: c\nfoo: 1\n",
        );
        assert_eq!(k.resources.iter().map(|e| e.text.as_str()).collect::<Vec<_>>(), ["../base", "../old"]);
        assert_eq!(k.namespace.as_ref().and_then(Node::as_str), Some("prod"));
        assert_eq!(k.labels.len(), 2);
        assert!(k.labels[0].include_templates && k.labels[1].include_selectors, "commonLabels last");
        match &k.patches[0].text {
            PatchText::Inline { place: InlinePlace::Shifted { lines, cols }, .. } => {
                assert_eq!((*lines, *cols), (11, 6))
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(k.patches[0].target.as_ref().map(|t| t.name.as_str()), Some("api"));
        assert_eq!(k.unsupported, ["configMapGenerator"]);
        assert_eq!(k.problems.len(), 1, "{:?}", k.problems);
    }
}
