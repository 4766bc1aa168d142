//! Blocks as values: a resource's nested blocks (`metadata { … }`) and `dynamic` blocks expanded
//! over their collections, for the configured arguments other expressions refer to.

use hcl_edit::expr::Expression;
use hcl_edit::structure::Body;
use hcl_edit::Span as _;

use super::eval::{iterate, Bindings, Run, Scope, META_ARGUMENTS};
use super::value::{Key, Value};
use crate::span::Span;

impl<'m> Run<'m> {
    /// The blocks named `name` in `body` (and `dynamic "name"` blocks, expanded) as a list of
    /// objects; a dynamic block over an unknown collection adds one unknown element.
    pub(super) fn block_list(&self, body: &Body, name: &str, sc: Scope<'_, 'm>) -> Value {
        let mut items = Vec::new();
        let mut origin = None;
        for block in body.blocks() {
            let span = sc.src.span(block.span());
            if block.ident.as_str() == name && block.labels.is_empty() {
                origin.get_or_insert(span);
                items.push(self.body_value(&block.body, sc, span));
            } else if block.ident.as_str() == "dynamic" && block.labels.first().is_some_and(|l| l.as_str() == name) {
                origin.get_or_insert(span);
                self.dynamic(block, name, sc, &mut items);
            }
        }
        Value::list(items, origin.unwrap_or_default())
    }

    fn dynamic(&self, block: &hcl_edit::structure::Block, name: &str, sc: Scope<'_, 'm>, items: &mut Vec<Value>) {
        let span = sc.src.span(block.span());
        match self.dynamic_instances(block, name, sc) {
            Some((content, instances)) => {
                for b in instances {
                    items.push(self.body_value(content, Scope { bindings: &b, ..sc }, span));
                }
            }
            None => items.push(Value::unknown(format!("${{dynamic \"{name}\"}}"), None, span)),
        }
    }

    /// The `content` of a `dynamic "name"` block and the bindings of each block it makes;
    /// `None` when its `for_each` is unknown.
    pub(super) fn dynamic_instances<'b>(
        &self,
        block: &'b hcl_edit::structure::Block,
        name: &str,
        sc: Scope<'_, 'm>,
    ) -> Option<(&'b Body, Vec<Bindings>)> {
        let span = sc.src.span(block.span());
        let iterator = match block.body.get_attribute("iterator").map(|a| &a.value) {
            Some(Expression::Variable(v)) => v.as_str().to_string(),
            _ => name.to_string(),
        };
        let content = block.body.get_blocks("content").next()?;
        let coll = self.eval(&block.body.get_attribute("for_each")?.value, sc);
        let instances = iterate(&coll)?
            .into_iter()
            .map(|(k, v)| {
                let it = Value::map(
                    vec![
                        (Key { text: "key".into(), span: k.origin }, k),
                        (Key { text: "value".into(), span: v.origin }, v),
                    ],
                    span,
                );
                sc.bindings.with(&iterator, it)
            })
            .collect();
        Some((&content.body, instances))
    }

    /// A block body as an object: attributes, and nested blocks as lists (meta-arguments left out).
    pub(super) fn body_value(&self, body: &Body, sc: Scope<'_, 'm>, origin: Span) -> Value {
        let mut entries = Vec::new();
        let mut seen_blocks: Vec<&str> = Vec::new();
        for attr in body.attributes() {
            if META_ARGUMENTS.contains(&attr.key.as_str()) {
                continue;
            }
            let key = Key { text: attr.key.as_str().into(), span: sc.src.span(attr.key.span()) };
            entries.push((key, self.eval(&attr.value, sc)));
        }
        for block in body.blocks() {
            let name = if block.ident.as_str() == "dynamic" {
                match block.labels.first() {
                    Some(l) => l.as_str(),
                    None => continue,
                }
            } else {
                block.ident.as_str()
            };
            if META_ARGUMENTS.contains(&name) || seen_blocks.contains(&name) {
                continue;
            }
            seen_blocks.push(name);
            let key = Key { text: name.into(), span: sc.src.span(block.ident.span()) };
            entries.push((key, self.block_list(body, name, sc)));
        }
        Value::map(entries, origin)
    }
}
