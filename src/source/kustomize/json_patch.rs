//! JSON patches (RFC 6902) applied to a tree: `add`, `remove`, `replace`, `move`, `copy`,
//! `test`, with JSON pointers (`~1` for `/`, `~0` for `~`). A value set by an operation is the
//! patch's own node, so its span (and type: `value: true` stays a boolean) reaches the model.

use crate::span::Span;
use crate::yaml::{to_json, Node};

/// One operation of a patch.
#[derive(Clone, Debug)]
pub(super) struct Operation {
    pub op: String,
    pub path: String,
    pub from: Option<String>,
    pub value: Option<Node>,
    /// The operation's entry in the patch.
    pub span: Span,
}

/// The operations of a patch document (a list of mappings).
pub(super) fn operations(doc: &Node) -> Result<Vec<Operation>, String> {
    let items = doc.as_seq().ok_or("a JSON patch is a list of operations")?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let text = |k: &str| item.get(k).and_then(Node::as_str).map(str::to_string);
            let op = text("op").ok_or_else(|| format!("operation {} has no `op`", i + 1))?;
            let path = text("path").ok_or_else(|| format!("operation {} has no `path`", i + 1))?;
            Ok(Operation { op, path, from: text("from"), value: item.get("value").cloned(), span: item.span })
        })
        .collect()
}

/// Applies every operation to `doc`, or none: the first that does not apply is the error.
pub(super) fn apply(doc: &mut Node, ops: &[Operation]) -> Result<(), String> {
    let mut work = doc.clone();
    for (i, op) in ops.iter().enumerate() {
        apply_one(&mut work, op).map_err(|e| format!("operation {} (`{} {}`): {e}", i + 1, op.op, op.path))?;
    }
    *doc = work;
    Ok(())
}

fn apply_one(doc: &mut Node, op: &Operation) -> Result<(), String> {
    let path = pointer(&op.path)?;
    let value = || op.value.clone().ok_or_else(|| "no `value`".to_string());
    let from = || op.from.as_deref().ok_or_else(|| "no `from`".to_string()).and_then(pointer);
    match op.op.as_str() {
        "add" => add(doc, &path, value()?, op.span),
        "remove" => remove(doc, &path).map(drop),
        "replace" => {
            let target = get_mut(doc, &path)?;
            *target = value()?;
            Ok(())
        }
        "move" => {
            let from = from()?;
            if path.len() > from.len() && path[..from.len()] == from[..] {
                return Err("cannot move a value into itself".into());
            }
            let moved = remove(doc, &from)?;
            add(doc, &path, moved, op.span)
        }
        "copy" => {
            let copied = get_mut(doc, &from()?)?.clone();
            add(doc, &path, copied, op.span)
        }
        "test" => {
            let have = get_mut(doc, &path)?;
            if to_json(have) == to_json(&value()?) {
                Ok(())
            } else {
                Err("the test failed".into())
            }
        }
        other => Err(format!("unknown operation `{other}`")),
    }
}

/// The tokens of a JSON pointer.
fn pointer(text: &str) -> Result<Vec<String>, String> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let rest = text.strip_prefix('/').ok_or_else(|| format!("`{text}` is not a JSON pointer"))?;
    Ok(rest.split('/').map(|t| t.replace("~1", "/").replace("~0", "~")).collect())
}

fn index(token: &str, len: usize) -> Result<usize, String> {
    let valid =
        !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()) && (token == "0" || !token.starts_with('0'));
    match token.parse::<usize>() {
        Ok(i) if valid && i < len => Ok(i),
        _ => Err(format!("no element `{token}`")),
    }
}

fn get_mut<'a>(doc: &'a mut Node, path: &[String]) -> Result<&'a mut Node, String> {
    let mut node = doc;
    for token in path {
        node = if node.as_map().is_some() {
            node.get_mut(token).ok_or_else(|| format!("no field `{token}`"))?
        } else if let Some(items) = node.as_seq_mut() {
            let i = index(token, items.len())?;
            &mut items[i]
        } else {
            return Err(format!("`{token}` is below a value that is neither a mapping nor a list"));
        };
    }
    Ok(node)
}

fn add(doc: &mut Node, path: &[String], value: Node, span: Span) -> Result<(), String> {
    let Some((last, parent)) = path.split_last() else {
        *doc = value;
        return Ok(());
    };
    let parent = get_mut(doc, parent)?;
    if parent.as_map().is_some() {
        parent.set(last, span, value);
        return Ok(());
    }
    let items = parent.as_seq_mut().ok_or_else(|| format!("cannot add `{last}` to a value that is not a container"))?;
    if last == "-" {
        items.push(value);
    } else {
        let at = index(last, items.len() + 1)?;
        items.insert(at, value);
    }
    Ok(())
}

fn remove(doc: &mut Node, path: &[String]) -> Result<Node, String> {
    let (last, parent) = path.split_last().ok_or("cannot remove the whole object")?;
    let parent = get_mut(doc, parent)?;
    if let Some(value) = parent.get(last).cloned() {
        parent.remove(last);
        return Ok(value);
    }
    let items = parent.as_seq_mut().ok_or_else(|| format!("no field `{last}`"))?;
    let at = index(last, items.len())?;
    Ok(items.remove(at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::test_document;

    #[test]
    fn operations_apply_in_order_and_keep_the_patch_value() {
        let mut d = test_document("metadata:\n  labels: {app: api}\nspec:\n  list: [a, b]\n");
        let ops = operations(&test_document(
            "- op: add\n  path: /metadata/labels/azure.workload.identity~1use\n  value: true\n- op: remove\n  path: /spec/list/0\n- op: add\n  path: /spec/list/-\n  value: c\n- op: copy\n  from: /metadata/labels/app\n  path: /metadata/name\n- op: test\n  path: /metadata/name\n  value: api\n",
        ))
        .expect("ops");
        apply(&mut d, &ops).expect("applies");
        let label = d.path(&["metadata", "labels", "azure.workload.identity/use"]).expect("label");
        assert_eq!(label.span.start().line, 3, "the patch's value node");
        assert_eq!(to_json(&d)["spec"]["list"], serde_json::json!(["b", "c"]));
        assert_eq!(to_json(&d)["metadata"]["name"], "api");
    }

    #[test]
    fn a_failing_operation_applies_nothing() {
        let mut d = test_document("a: 1\n");
        let ops = operations(&test_document(
            "- {op: add, path: /b, value: 2}\n- {op: replace, path: /missing/x, value: 3}\n",
        ))
        .expect("ops");
        let err = apply(&mut d, &ops).expect_err("fails");
        assert!(err.contains("operation 2"), "{err}");
        assert!(d.get("b").is_none());
    }
}
