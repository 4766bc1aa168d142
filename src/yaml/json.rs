//! A tree as the JSON the Kubernetes toolchain makes of it (scalars typed as `kubectl` types
//! them), so that two renderings of the same objects can be compared value by value.

use serde_json::{Map, Number, Value};

use super::node::{Node, NodeKind, Scalar, ScalarType};

/// The JSON value of `node`.
pub fn to_json(node: &Node) -> Value {
    match &node.kind {
        NodeKind::Scalar(s) => scalar(s),
        NodeKind::Seq(items) => Value::Array(items.iter().map(to_json).collect()),
        NodeKind::Map(entries) => {
            let mut map = Map::new();
            for (k, v) in entries {
                let key = match &k.kind {
                    NodeKind::Scalar(s) => s.value.to_string(),
                    _ => to_json(k).to_string(),
                };
                map.insert(key, to_json(v));
            }
            Value::Object(map)
        }
    }
}

fn scalar(s: &Scalar) -> Value {
    let text = s.value.as_str();
    match s.resolved_type() {
        ScalarType::String => Value::String(s.value.to_string()),
        ScalarType::Null => Value::Null,
        ScalarType::Bool => Value::Bool(matches!(text.to_ascii_lowercase().as_str(), "true" | "yes" | "on" | "y")),
        ScalarType::Int => integer(text).map_or_else(|| Value::String(s.value.to_string()), Value::Number),
        ScalarType::Float => {
            let cleaned = text.replace('_', "");
            let number = cleaned.parse::<f64>().ok().and_then(|f| {
                // A float with an integral value is the same JSON number as the integer.
                if f.fract() == 0.0 && f.abs() < 9.0e15 {
                    Some(Number::from(f as i64))
                } else {
                    Number::from_f64(f)
                }
            });
            number.map_or_else(|| Value::String(s.value.to_string()), Value::Number)
        }
    }
}

/// An integer in the notations YAML 1.1 knows: decimal, `0x` hex, `0o`/leading-zero octal,
/// `0b` binary, `_` separators.
fn integer(text: &str) -> Option<Number> {
    let cleaned = text.replace('_', "");
    let (negative, digits) = match cleaned.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, cleaned.strip_prefix('+').unwrap_or(&cleaned)),
    };
    let (radix, body) = if let Some(h) = digits.strip_prefix("0x") {
        (16, h)
    } else if let Some(o) = digits.strip_prefix("0o") {
        (8, o)
    } else if let Some(b) = digits.strip_prefix("0b") {
        (2, b)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, &digits[1..])
    } else {
        (10, digits)
    };
    let magnitude = i64::from_str_radix(body, radix).ok()?;
    Some(Number::from(if negative { -magnitude } else { magnitude }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse_stream, Limits};

    #[test]
    fn scalars_are_typed_as_kubectl_types_them() {
        let mut out = None;
        parse_stream(
            "a: \"x\"\nb: true\nc: 0x10\nd: 1_000\ne: 012\nf: 1e3\ng: ~\nh: .5\ni: [1, yes]\n",
            &Limits::default(),
            |n| out = Some(n),
        );
        let v = to_json(&out.expect("doc"));
        assert_eq!(
            v,
            serde_json::json!({"a": "x", "b": true, "c": 16, "d": 1000, "e": 10, "f": 1000, "g": null, "h": 0.5,
                "i": [1, true]})
        );
    }
}
