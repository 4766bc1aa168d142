//! Fixture objects written as YAML (as `kubectl get -o yaml` prints them), read through the
//! linter's own span-keeping YAML reader and turned into the JSON values the server stores.
//! Scalars resolve as the Kubernetes toolchain resolves them (YAML 1.1: unquoted `true`, `yes`
//! are booleans, `3600` an integer).

use iblint::yaml::{parse_stream, Limits, Node, NodeKind, ScalarType};
use serde_json::{Map, Number, Value};

/// One document of a YAML stream: its value, and the line of its `metadata.name` value (where a
/// fixture marks the findings about that object).
#[derive(Clone, Debug)]
pub struct Document {
    pub value: Value,
    pub name_line: Option<u32>,
}

/// The documents of `text`, empty ones (a stream that ends in `---`, a comment-only document)
/// left out.
pub fn documents(text: &str) -> Result<Vec<Document>, String> {
    let mut nodes = Vec::new();
    let outcome = parse_stream(text, &Limits::default(), |node| nodes.push(node));
    if let Some(e) = outcome.fatal.or_else(|| outcome.problems.into_iter().next()) {
        return Err(format!("line {}: {}", e.pos.line, e.message));
    }
    Ok(nodes
        .iter()
        .filter(|node| !node.is_null())
        .map(|node| Document {
            value: to_json(node),
            name_line: node.path(&["metadata", "name"]).map(|name| name.span.start().line),
        })
        .collect())
}

fn to_json(node: &Node) -> Value {
    match &node.kind {
        NodeKind::Map(entries) => {
            let mut map = Map::new();
            for (key, value) in entries {
                let key = key.as_scalar().map_or_else(|| format!("{:?}", key.kind), |s| s.value.to_string());
                map.insert(key, to_json(value));
            }
            Value::Object(map)
        }
        NodeKind::Seq(items) => Value::Array(items.iter().map(to_json).collect()),
        NodeKind::Scalar(scalar) => {
            let text = scalar.value.as_str();
            match scalar.resolved_type() {
                ScalarType::Null => Value::Null,
                ScalarType::Bool => Value::Bool(matches!(
                    text,
                    "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON"
                )),
                ScalarType::Int => {
                    text.replace('_', "").parse::<i64>().map_or_else(|_| Value::String(text.into()), Value::from)
                }
                ScalarType::Float => text
                    .parse::<f64>()
                    .ok()
                    .and_then(Number::from_f64)
                    .map_or_else(|| Value::String(text.into()), Value::Number),
                ScalarType::String => Value::String(text.into()),
            }
        }
    }
}
