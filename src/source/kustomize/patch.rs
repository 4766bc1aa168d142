//! Patches: `patchesStrategicMerge`, `patches` (strategic merge or JSON 6902, from a file or
//! inline, with or without a `target`) and `patchesJson6902`. Patch nodes keep the spans of the
//! patch's own text (in its file), so a value a patch sets is reported on the patch's line.

use std::path::PathBuf;

use super::build::{as_yaml_1_2, normalize, Acc, Context, KustomizationRead};
use super::json_patch;
use super::kustomization::{InlinePlace, Kustomization, Patch, PatchText};
use super::merge::{merge_object, Merged};
use super::resource::{Gvk, ResId, Resource};
use crate::model::ParseFailure;
use crate::source::loader::LoadError;
use crate::span::FileId;
use crate::yaml::{parse_stream, Node};

/// A patch's documents, placed where they are written.
struct Loaded {
    docs: Vec<Node>,
    /// The patch file (none for an inline patch).
    file: Option<PathBuf>,
    /// How notes name the patch.
    name: String,
}

impl Loaded {
    fn is_json(&self) -> bool {
        self.docs.first().is_some_and(|d| d.as_seq().is_some())
    }

    fn applied(&self, acc: &mut Acc) {
        if let Some(file) = &self.file {
            acc.report.patches_applied.insert(file.clone());
        }
    }
}

fn load(cx: &Context, read: &KustomizationRead, k: &Kustomization, patch: &Patch, acc: &mut Acc) -> Option<Loaded> {
    match &patch.text {
        PatchText::File(entry) => {
            let path = normalize(&read.dir.join(&entry.text));
            let name = format!("`{}`", entry.text);
            if !path.starts_with(&read.dir) {
                acc.report.note(
                    k,
                    format!(
                        "patch {name} is outside the kustomization's directory: kustomize refuses to load it \
                         (without --load-restrictor LoadRestrictionsNone)"
                    ),
                );
                return None;
            }
            let file = cx.read(&path);
            let docs = match &file.docs {
                Ok(docs) => docs,
                Err(LoadError::NotFound) => {
                    acc.report.note(k, format!("patch {name} does not exist: kustomize refuses this kustomization"));
                    return None;
                }
                Err(_) => return None,
            };
            let id = FileId::of(&file.display);
            let docs = docs.iter().filter(|d| !d.is_null()).map(|d| d.clone().in_file(id)).collect();
            Some(Loaded { docs, file: Some(path), name })
        }
        PatchText::Inline { text, place } => {
            let file = FileId::of(&k.display);
            let mut docs = Vec::new();
            let outcome = parse_stream(text, &cx.opts.limits, |d| docs.push(d));
            let place_pos = |pos: crate::span::Pos| match place {
                InlinePlace::Shifted { lines, cols } => {
                    crate::span::Pos { line: pos.line + lines, col: pos.col + cols }
                }
                InlinePlace::At(span) => span.start(),
            };
            if let Some(err) = outcome.fatal {
                acc.report.failures.push(ParseFailure {
                    path: k.display.clone(),
                    pos: place_pos(err.pos),
                    message: format!("inline patch: {}", err.message),
                    cause: Default::default(),
                });
                return None;
            }
            let docs = docs
                .into_iter()
                .filter(|d| !d.is_null())
                .map(|d| match place {
                    InlinePlace::Shifted { lines, cols } => d.shifted(*lines, *cols).in_file(file),
                    InlinePlace::At(span) => d.all_at(*span),
                })
                .collect();
            Some(Loaded { docs, file: None, name: "an inline patch".into() })
        }
    }
}

/// `patchesStrategicMerge:` (kustomize applies these first).
pub(super) fn strategic_merge_legacy(cx: &Context, read: &KustomizationRead, k: &Kustomization, acc: &mut Acc) {
    for patch in &k.patches_strategic_merge {
        let Some(loaded) = load(cx, read, k, patch, acc) else { continue };
        for doc in &loaded.docs {
            if apply_by_id(acc, k, &loaded, doc, false, false) {
                loaded.applied(acc);
            }
        }
    }
}

/// `patches:`.
pub(super) fn patches(cx: &Context, read: &KustomizationRead, k: &Kustomization, acc: &mut Acc) {
    for patch in &k.patches {
        let Some(loaded) = load(cx, read, k, patch, acc) else { continue };
        if loaded.is_json() {
            json(acc, k, patch, &loaded, true);
            continue;
        }
        match &patch.target {
            None => {
                for doc in &loaded.docs {
                    if apply_by_id(acc, k, &loaded, doc, patch.allow_name_change, patch.allow_kind_change) {
                        loaded.applied(acc);
                    }
                }
            }
            Some(_) if loaded.docs.len() > 1 => acc.report.note(
                k,
                format!("patch {} holds several objects and has a `target`: kustomize refuses it", loaded.name),
            ),
            Some(_) => {
                let Some(selected) = select(acc, k, patch) else { continue };
                let Some(doc) = loaded.docs.first() else { continue };
                let mut body = doc.clone();
                as_yaml_1_2(&mut body);
                // With a target, the patch takes the target's apiVersion; its own name and kind
                // are ignored unless allowed to change them.
                body.remove("apiVersion");
                for i in selected {
                    apply_strategic_merge(
                        &mut acc.resources[i],
                        &body,
                        patch.allow_name_change,
                        patch.allow_kind_change,
                    );
                    loaded.applied(acc);
                }
                acc.resources.retain(|r| !r.node.is_null());
            }
        }
    }
}

/// `patchesJson6902:` (kustomize applies these after labels and annotations).
pub(super) fn json6902_legacy(cx: &Context, read: &KustomizationRead, k: &Kustomization, acc: &mut Acc) {
    for patch in &k.patches_json6902 {
        let Some(loaded) = load(cx, read, k, patch, acc) else { continue };
        if patch.target.as_ref().is_none_or(|t| t.name.is_empty()) {
            acc.report.note(k, format!("JSON patch {} has no target name: kustomize refuses it", loaded.name));
            continue;
        }
        json(acc, k, patch, &loaded, false);
    }
}

/// The objects a patch's target selects.
fn select(acc: &mut Acc, k: &Kustomization, patch: &Patch) -> Option<Vec<usize>> {
    let target = patch.target.as_ref()?;
    match target.compile() {
        Ok(compiled) => Some((0..acc.resources.len()).filter(|&i| compiled.matches(&acc.resources[i])).collect()),
        Err(e) => {
            acc.report.note(k, format!("patch target: {e}: kustomize refuses it"));
            None
        }
    }
}

/// A JSON 6902 patch applied to its target's objects.
fn json(acc: &mut Acc, k: &Kustomization, patch: &Patch, loaded: &Loaded, store_previous_id: bool) {
    if patch.target.is_none() {
        acc.report.note(k, format!("JSON patch {} has no `target`: kustomize refuses it", loaded.name));
        return;
    }
    let Some(doc) = loaded.docs.first() else { return };
    let ops = match json_patch::operations(doc) {
        Ok(ops) => ops,
        Err(e) => {
            acc.report.note(k, format!("JSON patch {}: {e}", loaded.name));
            return;
        }
    };
    let Some(selected) = select(acc, k, patch) else { return };
    for i in selected {
        let r = &mut acc.resources[i];
        let before = r.cur_id();
        let mut node = r.node.clone();
        match json_patch::apply(&mut node, &ops) {
            Ok(()) => {
                if store_previous_id {
                    r.prev_ids.push(before);
                }
                r.node = node;
                loaded.applied(acc);
            }
            Err(e) => {
                let what = before.describe();
                acc.report.note(k, format!("JSON patch {} does not apply to {what}: {e}", loaded.name));
            }
        }
    }
}

/// A strategic merge patch without a target: applied to the one object with its identity.
fn apply_by_id(acc: &mut Acc, k: &Kustomization, loaded: &Loaded, doc: &Node, name: bool, kind: bool) -> bool {
    if doc.as_map().is_none_or(|m| m.is_empty()) {
        return false;
    }
    let text = |path: &[&str]| doc.path(path).and_then(Node::as_str).unwrap_or("").to_string();
    let id = ResId {
        gvk: Gvk::of(&text(&["apiVersion"]), &text(&["kind"])),
        name: text(&["metadata", "name"]),
        namespace: text(&["metadata", "namespace"]),
    };
    let matches: Vec<usize> = (0..acc.resources.len()).filter(|&i| acc.resources[i].has_id(&id)).collect();
    match matches.as_slice() {
        [i] => {
            let mut body = doc.clone();
            as_yaml_1_2(&mut body);
            apply_strategic_merge(&mut acc.resources[*i], &body, name, kind);
            acc.resources.retain(|r| !r.node.is_null());
            true
        }
        [] => {
            acc.report.note(
                k,
                format!(
                    "patch {} matches no object of the build ({}): kustomize refuses this kustomization; the patch is \
                     linted as a partial object",
                    loaded.name,
                    id.describe()
                ),
            );
            false
        }
        _ => {
            acc.report.note(k, format!("patch {} matches several objects: kustomize refuses it", loaded.name));
            false
        }
    }
}

/// Merges `patch` into `r`; its name, namespace and kind stay unless the patch may change them.
/// A patch that deletes the object leaves a null node (removed by the caller).
fn apply_strategic_merge(r: &mut Resource, patch: &Node, allow_name: bool, allow_kind: bool) {
    let name = r.node.path(&["metadata", "name"]).cloned();
    let namespace = r.node.path(&["metadata", "namespace"]).cloned();
    let kind = r.node.get("kind").cloned();
    if allow_name || allow_kind {
        r.store_previous_id();
    }
    let gvk = r.gvk();
    if merge_object(&mut r.node, patch, &gvk) == Merged::Deleted {
        r.node = Node::null(r.node.span);
        return;
    }
    let at = r.node.span;
    if let (false, Some(kind)) = (allow_kind, kind) {
        r.node.set("kind", at, kind);
    }
    let Some(metadata) = r.node.get_or_insert("metadata", at, || Node::empty_map(at)) else { return };
    if let (false, Some(name)) = (allow_name, name) {
        metadata.set("name", at, name);
    }
    match namespace {
        Some(ns) => metadata.set("namespace", at, ns),
        None => {
            metadata.remove("namespace");
        }
    }
}
