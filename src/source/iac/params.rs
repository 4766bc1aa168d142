//! Deployment parameter files (`*.parameters.json`, schema `deploymentParameters`): the values
//! a template or Bicep file is deployed with, each keeping the span it was written at.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::value::{Text, Value, MAX_ITEMS};
use crate::span::FileId;
use crate::yaml::{parse_stream, Limits, Node, NodeKind, ScalarType};

/// Parameter values by name (lower case: ARM parameter names ignore case).
pub type Bound = HashMap<String, Value>;

/// The values of a parameter file's text; `None` when it is not a parameter file. A
/// `reference` (Key Vault secret) is unknown.
pub fn read(text: &str, display: &Arc<str>) -> Option<Bound> {
    let file = FileId::of(display);
    let mut out = None;
    parse_stream(text, &Limits::default(), |root| {
        if out.is_none() && is_parameter_file(&root) {
            let mut bound = Bound::new();
            for (k, v) in root.get("parameters").and_then(Node::as_map).unwrap_or_default() {
                let Some(name) = k.as_str() else { continue };
                let value = v.get("value").map_or(Value::Unknown, |n| json_value(n, file, 0));
                bound.insert(name.to_ascii_lowercase(), value);
            }
            out = Some(bound);
        }
    });
    out
}

/// A `deploymentParameters` document (or one with only `parameters` and `contentVersion`).
pub fn is_parameter_file(root: &Node) -> bool {
    let schema = root.get("$schema").and_then(Node::as_str).unwrap_or_default();
    schema.contains("deploymentParameters")
        || (schema.is_empty()
            && root.get("parameters").and_then(Node::as_map).is_some()
            && root.get("resources").is_none()
            && root.get("contentVersion").is_some())
}

/// A JSON node as a value; strings keep their span (in `file`).
pub fn json_value(node: &Node, file: FileId, depth: usize) -> Value {
    if depth > 64 {
        return Value::Unknown;
    }
    match &node.kind {
        NodeKind::Scalar(s) => match s.resolved_type() {
            ScalarType::String => Value::Str(Text::literal(&s.value, Some(node.span.in_file(file)))),
            ScalarType::Bool => Value::Bool(s.value.eq_ignore_ascii_case("true")),
            ScalarType::Int => s.value.parse().map_or(Value::Unknown, Value::Int),
            ScalarType::Float => Value::Unknown,
            ScalarType::Null => Value::Null,
        },
        NodeKind::Seq(items) if items.len() <= MAX_ITEMS => {
            Value::array(items.iter().map(|i| json_value(i, file, depth + 1)).collect())
        }
        NodeKind::Map(entries) if entries.len() <= MAX_ITEMS => Value::object(
            entries
                .iter()
                .filter_map(|(k, v)| Some((k.as_str()?.to_string(), json_value(v, file, depth + 1))))
                .collect(),
        ),
        _ => Value::Unknown,
    }
}

/// The template a parameter file named `<stem>.parameters[.<env>].json` or
/// `<stem>.<env>.parameters.json` belongs to: the first of `<stem>.bicep`, `<stem>.json` that
/// `exists`.
pub fn template_of(param_file: &Path, exists: impl Fn(&Path) -> bool) -> Option<PathBuf> {
    let name = param_file.file_name()?.to_str()?;
    let lower = name.to_ascii_lowercase();
    if !lower.ends_with(".json") {
        return None;
    }
    let at = lower.find(".parameters.")?;
    let dir = param_file.parent()?;
    let mut stem = &name[..at];
    loop {
        for ext in ["bicep", "json"] {
            let candidate = dir.join(format!("{stem}.{ext}"));
            if exists(&candidate) {
                return Some(candidate);
            }
        }
        // `main.dev.parameters.json` belongs to `main.bicep`.
        stem = &stem[..stem.rfind('.')?];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_values_keep_their_positions() {
        let text = "{\n  \"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#\",\n  \"contentVersion\": \"1.0.0.0\",\n  \"parameters\": {\n    \"FicName\": { \"value\": \"aks-identity-binding\" },\n    \"secret\": { \"reference\": { \"keyVault\": {} } }\n  }\n}\n";
        let bound = read(text, &Arc::from("main.parameters.json")).expect("a parameter file");
        let name = bound["ficname"].as_text().expect("text");
        assert_eq!(name.known().as_deref(), Some("aks-identity-binding"));
        assert_eq!(name.first_src().map(|s| (s.start().line, s.start().col)), Some((5, 27)));
        assert_eq!(bound["secret"], Value::Unknown);
        assert!(read("{\"resources\": []}", &Arc::from("x.json")).is_none());
    }

    #[test]
    fn parameter_files_find_their_template() {
        let exists = |p: &Path| p == Path::new("/d/main.bicep") || p == Path::new("/d/azuredeploy.json");
        assert_eq!(template_of(Path::new("/d/main.parameters.json"), exists), Some(PathBuf::from("/d/main.bicep")));
        assert_eq!(
            template_of(Path::new("/d/main.parameters.prod.json"), exists),
            Some(PathBuf::from("/d/main.bicep"))
        );
        assert_eq!(template_of(Path::new("/d/main.dev.parameters.json"), exists), Some(PathBuf::from("/d/main.bicep")));
        assert_eq!(
            template_of(Path::new("/d/azuredeploy.parameters.json"), exists),
            Some(PathBuf::from("/d/azuredeploy.json"))
        );
        assert_eq!(template_of(Path::new("/d/other.parameters.json"), exists), None);
        assert_eq!(template_of(Path::new("/d/main.json"), exists), None);
    }
}
