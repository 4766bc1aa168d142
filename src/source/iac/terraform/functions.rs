//! Terraform's pure built-in functions on known values (`format`, `lower`, `join`, `merge`,
//! `lookup`, `coalesce`, …), `try`/`can`, and the file functions (`file`, `templatefile`,
//! `yamldecode`, `jsonencode`). A function iblint does not know, or an unknown argument where the
//! result depends on it, gives `Unknown`.

use hcl_edit::expr::{Expression, FuncCall};

use super::eval::{placeholder, unknown_like, Bindings, Run, Scope};
use super::module::Src;
use super::value::{number_text, Key, Kind, Value};
use crate::model::Text;
use crate::span::{FileId, Span};
use crate::yaml::{Node, NodeKind, ScalarType};

pub(super) fn call<'m>(run: &Run<'m>, call: &FuncCall, sc: Scope<'_, 'm>, expr: &Expression, origin: Span) -> Value {
    let unknown = || Value::unknown(placeholder(sc.src, expr), None, origin);
    if call.name.is_namespaced() {
        return unknown();
    }
    let name = call.name.name.as_str();
    match name {
        // Lazy: a failing argument falls back to the next.
        "try" => {
            for arg in call.args.iter() {
                let v = run.eval(arg, sc);
                if !v.is_failed() {
                    return v;
                }
            }
            return Value::failed(placeholder(sc.src, expr), origin);
        }
        "can" => {
            let v = call.args.iter().next().map(|a| run.eval(a, sc));
            return match v {
                Some(v) if v.is_failed() => Value::new(Kind::Bool(false), origin),
                Some(v) if !v.is_wholly_known() => unknown(),
                Some(_) => Value::new(Kind::Bool(true), origin),
                None => Value::failed(placeholder(sc.src, expr), origin),
            };
        }
        _ => {}
    }
    let mut args: Vec<Value> = call.args.iter().map(|a| run.eval(a, sc)).collect();
    if call.args.expand_final() {
        // `f(list...)`: the last argument's elements are the arguments.
        match args.pop() {
            Some(Value { kind: Kind::List(items), .. }) => args.extend(items.iter().cloned()),
            Some(last) => return unknown_like(&last, sc.src, expr, origin),
            None => {}
        }
    }
    if let Some(failed) = args.iter().find(|a| a.is_failed()) {
        return failed.clone();
    }
    let result = match name {
        "file" | "templatefile" | "yamldecode" | "jsondecode" => file_function(run, name, &args, sc, origin),
        _ => pure(name, &args, origin, run.limits.collection),
    };
    match result {
        Some(v) if v.as_str().is_some_and(|s| s.len() > run.limits.string) => {
            run.note(format!("a string longer than {} bytes: treated as unknown", run.limits.string));
            Value::failed(placeholder(sc.src, expr), origin)
        }
        Some(v) => v,
        None if args.iter().any(|a| !a.is_wholly_known()) => unknown(),
        None if KNOWN.contains(&name) => Value::failed(placeholder(sc.src, expr), origin),
        None => unknown(),
    }
}

/// Functions evaluated here; any other is unknown (never an error).
const KNOWN: &[&str] = &[
    "format",
    "lower",
    "upper",
    "title",
    "trimspace",
    "chomp",
    "trim",
    "trimprefix",
    "trimsuffix",
    "join",
    "split",
    "concat",
    "merge",
    "tomap",
    "toset",
    "tolist",
    "tostring",
    "tonumber",
    "tobool",
    "lookup",
    "coalesce",
    "coalescelist",
    "replace",
    "substr",
    "length",
    "element",
    "keys",
    "values",
    "contains",
    "distinct",
    "flatten",
    "compact",
    "reverse",
    "sort",
    "range",
    "zipmap",
    "slice",
    "index",
    "startswith",
    "endswith",
    "strcontains",
    "min",
    "max",
    "one",
    "alltrue",
    "anytrue",
    "sum",
    "jsonencode",
    "nonsensitive",
    "sensitive",
    "basename",
    "dirname",
];

fn text(v: &Value) -> Option<Text> {
    v.to_text()
}

fn list(v: &Value) -> Option<&[Value]> {
    v.as_list()
}

/// The pure functions; `None` when an argument is unknown or of the wrong type.
fn pure(name: &str, args: &[Value], origin: Span, max: usize) -> Option<Value> {
    let s = |t: String| Some(Value::string(t, origin));
    let b = |v: bool| Some(Value::new(Kind::Bool(v), origin));
    let n = |v: f64| Some(Value::new(Kind::Number(v), origin));
    let arg = |i: usize| args.get(i);
    let str_arg = |i: usize| arg(i).and_then(text);
    match (name, args.len()) {
        ("format", _) => s(format(&str_arg(0)?, &args[1..])?),
        ("lower", 1) => s(str_arg(0)?.to_lowercase().to_string()),
        ("upper", 1) => s(str_arg(0)?.to_uppercase().to_string()),
        ("title", 1) => s(title(&str_arg(0)?)),
        ("trimspace", 1) => s(str_arg(0)?.trim().to_string()),
        ("chomp", 1) => s(str_arg(0)?.trim_end_matches(['\n', '\r']).to_string()),
        ("trim", 2) => {
            let cut = str_arg(1)?;
            s(str_arg(0)?.trim_matches(|c| cut.contains(c)).to_string())
        }
        ("trimprefix", 2) => {
            let v = str_arg(0)?;
            s(v.strip_prefix(str_arg(1)?.as_str()).unwrap_or(&v).to_string())
        }
        ("trimsuffix", 2) => {
            let v = str_arg(0)?;
            s(v.strip_suffix(str_arg(1)?.as_str()).unwrap_or(&v).to_string())
        }
        ("join", k) if k >= 2 => {
            let sep = str_arg(0)?;
            let mut parts = Vec::new();
            for l in &args[1..] {
                for item in list(l)? {
                    parts.push(text(item)?.to_string());
                }
            }
            s(parts.join(&sep))
        }
        ("split", 2) => {
            let (sep, v) = (str_arg(0)?, str_arg(1)?);
            let parts: Vec<Value> = v.split(sep.as_str()).take(max).map(|p| Value::string(p, origin)).collect();
            Some(Value::list(parts, origin))
        }
        ("concat", _) => {
            let mut out = Vec::new();
            for l in args {
                out.extend(list(l)?.iter().cloned());
            }
            Some(Value::list(out, origin))
        }
        ("merge", _) => {
            let mut entries: Vec<(Key, Value)> = Vec::new();
            for m in args.iter().filter(|a| !a.is_null()) {
                entries.extend(m.as_map()?.iter().cloned());
            }
            Some(Value::map(entries, origin))
        }
        ("tomap", 1) => arg(0)?.as_map().map(|_| arg(0).cloned())?,
        ("toset", 1) => Some(Value::set(list(arg(0)?)?.to_vec(), arg(0)?.origin)),
        ("tolist", 1) => Some(Value::list(list(arg(0)?)?.to_vec(), arg(0)?.origin)),
        ("tostring", 1) => Some(Value::string(str_arg(0)?, arg(0)?.origin)),
        ("tonumber", 1) => Some(Value::new(Kind::Number(arg(0)?.as_number()?), arg(0)?.origin)),
        ("tobool", 1) => Some(Value::new(Kind::Bool(arg(0)?.as_bool()?), arg(0)?.origin)),
        ("nonsensitive" | "sensitive", 1) => arg(0).cloned(),
        ("lookup", 2 | 3) => {
            let map = arg(0)?;
            map.as_map()?;
            map.get(&str_arg(1)?).cloned().or_else(|| arg(2).cloned())
        }
        ("coalesce", _) => {
            for a in args {
                match &a.kind {
                    Kind::Unknown(_) => return None,
                    Kind::Null => continue,
                    Kind::String(t) if t.is_empty() => continue,
                    _ => return Some(a.clone()),
                }
            }
            None
        }
        ("coalescelist", _) => {
            for a in args {
                if !list(a)?.is_empty() {
                    return Some(a.clone());
                }
            }
            None
        }
        ("replace", 3) => {
            let (v, from, to) = (str_arg(0)?, str_arg(1)?, str_arg(2)?);
            if from.len() > 1 && from.starts_with('/') && from.ends_with('/') {
                return None; // a regular expression: not evaluated
            }
            s(v.replace(from.as_str(), &to))
        }
        ("substr", 3) => {
            let v = str_arg(0)?;
            let (off, len) = (arg(1)?.as_number()?, arg(2)?.as_number()?);
            let chars: Vec<char> = v.chars().collect();
            let start = if off < 0.0 { chars.len().saturating_sub((-off) as usize) } else { off as usize };
            let end = if len < 0.0 { chars.len() } else { (start + len as usize).min(chars.len()) };
            s(chars.get(start..end.max(start))?.iter().collect())
        }
        ("length", 1) => match &arg(0)?.kind {
            Kind::String(t) => n(t.chars().count() as f64),
            Kind::List(items) => n(items.len() as f64),
            Kind::Map(entries) => n(entries.len() as f64),
            _ => None,
        },
        ("element", 2) => {
            let items = list(arg(0)?)?;
            let i = arg(1)?.as_number()?;
            (!items.is_empty() && i >= 0.0).then(|| items[i as usize % items.len()].clone())
        }
        ("keys", 1) => {
            let keys = arg(0)?.as_map()?.iter().map(|(k, _)| Value::string(k.text.clone(), k.span)).collect();
            Some(Value::list(keys, origin))
        }
        ("values", 1) => Some(Value::list(arg(0)?.as_map()?.iter().map(|(_, v)| v.clone()).collect(), origin)),
        ("contains", 2) => {
            let items = list(arg(0)?)?;
            if !arg(1)?.is_wholly_known() || items.iter().any(|i| i.is_unknown()) {
                return None;
            }
            let needle = arg(1)?;
            b(items.iter().any(|i| i.same(needle)))
        }
        ("distinct", 1) => {
            let mut out: Vec<Value> = Vec::new();
            for item in list(arg(0)?)? {
                if !out.iter().any(|o| o.same(item)) {
                    out.push(item.clone());
                }
            }
            Some(Value::list(out, origin))
        }
        ("flatten", 1) => {
            let mut out = Vec::new();
            flatten(arg(0)?, &mut out, max)?;
            Some(Value::list(out, origin))
        }
        ("compact", 1) => Some(Value::list(
            list(arg(0)?)?.iter().filter(|v| !v.is_null() && v.as_str() != Some("")).cloned().collect(),
            origin,
        )),
        ("reverse", 1) => Some(Value::list(list(arg(0)?)?.iter().rev().cloned().collect(), origin)),
        ("sort", 1) => {
            let mut items: Vec<(Text, Value)> =
                list(arg(0)?)?.iter().map(|v| Some((text(v)?, v.clone()))).collect::<Option<_>>()?;
            items.sort_by(|a, b| a.0.cmp(&b.0));
            Some(Value::list(items.into_iter().map(|(_, v)| v).collect(), origin))
        }
        ("range", 1..=3) => {
            let nums: Vec<f64> = args.iter().map(Value::as_number).collect::<Option<_>>()?;
            let (start, end, step) = match nums.as_slice() {
                [end] => (0.0, *end, 1.0),
                [start, end] => (*start, *end, if end >= start { 1.0 } else { -1.0 }),
                [start, end, step] => (*start, *end, *step),
                _ => return None,
            };
            if step == 0.0 || ((end - start) / step) > max as f64 {
                return None;
            }
            let mut out = Vec::new();
            let mut x = start;
            while (step > 0.0 && x < end) || (step < 0.0 && x > end) {
                out.push(Value::new(Kind::Number(x), origin));
                x += step;
            }
            Some(Value::list(out, origin))
        }
        ("zipmap", 2) => {
            let (keys, values) = (list(arg(0)?)?, list(arg(1)?)?);
            let entries = keys
                .iter()
                .zip(values)
                .map(|(k, v)| Some((Key { text: text(k)?, span: k.origin }, v.clone())))
                .collect::<Option<_>>()?;
            Some(Value::map(entries, origin))
        }
        ("slice", 3) => {
            let items = list(arg(0)?)?;
            let (a, z) = (arg(1)?.as_number()? as usize, arg(2)?.as_number()? as usize);
            Some(Value::list(items.get(a..z)?.to_vec(), origin))
        }
        ("index", 2) => {
            let items = list(arg(0)?)?;
            let needle = arg(1)?;
            n(items.iter().position(|i| i.same(needle))? as f64)
        }
        ("startswith", 2) => b(str_arg(0)?.starts_with(str_arg(1)?.as_str())),
        ("endswith", 2) => b(str_arg(0)?.ends_with(str_arg(1)?.as_str())),
        ("strcontains", 2) => b(str_arg(0)?.contains(str_arg(1)?.as_str())),
        ("min" | "max", k) if k >= 1 => {
            let nums: Vec<f64> = args.iter().map(Value::as_number).collect::<Option<_>>()?;
            let pick = if name == "min" { f64::min } else { f64::max };
            n(nums.into_iter().reduce(pick)?)
        }
        ("sum", 1) => n(list(arg(0)?)?.iter().map(Value::as_number).sum::<Option<f64>>()?),
        ("one", 1) => match list(arg(0)?)? {
            [] => Some(Value::new(Kind::Null, origin)),
            [one] => Some(one.clone()),
            _ => None,
        },
        ("alltrue", 1) => b(list(arg(0)?)?.iter().map(Value::as_bool).collect::<Option<Vec<_>>>()?.iter().all(|x| *x)),
        ("anytrue", 1) => b(list(arg(0)?)?.iter().map(Value::as_bool).collect::<Option<Vec<_>>>()?.iter().any(|x| *x)),
        ("jsonencode", 1) => s(serde_json::to_string(&to_json(arg(0)?)?).ok()?),
        ("basename", 1) => s(str_arg(0)?.rsplit('/').next().unwrap_or("").to_string()),
        ("dirname", 1) => {
            let v = str_arg(0)?;
            s(v.rsplit_once('/').map_or(".".to_string(), |(d, _)| d.to_string()))
        }
        _ => None,
    }
}

fn title(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let mut start = true;
    for c in v.chars() {
        if start && c.is_alphabetic() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        start = !c.is_alphanumeric();
    }
    out
}

fn flatten(v: &Value, out: &mut Vec<Value>, max: usize) -> Option<()> {
    for item in v.as_list()? {
        if out.len() > max {
            return None;
        }
        match &item.kind {
            Kind::List(_) => flatten(item, out, max)?,
            Kind::Unknown(_) => return None,
            _ => out.push(item.clone()),
        }
    }
    Some(())
}

/// `format` with the verbs configurations use (`%s`, `%d`, `%v`, `%q`, `%%`); anything fancier
/// (widths, precision) is left unknown.
fn format(spec: &str, args: &[Value]) -> Option<String> {
    let mut out = String::new();
    let mut chars = spec.chars();
    let mut next = args.iter();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '%' => out.push('%'),
            's' | 'v' => out.push_str(&text(next.next()?)?),
            'd' => {
                let n = next.next()?.as_number()?;
                (n.fract() == 0.0).then_some(())?;
                out.push_str(&number_text(n));
            }
            'q' => out.push_str(&serde_json::to_string(text(next.next()?)?.as_str()).ok()?),
            _ => return None,
        }
    }
    Some(out)
}

fn to_json(v: &Value) -> Option<serde_json::Value> {
    Some(match &v.kind {
        Kind::Null => serde_json::Value::Null,
        Kind::Bool(b) => serde_json::Value::Bool(*b),
        Kind::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => serde_json::Value::from(*n as i64),
        Kind::Number(n) => serde_json::Value::from(*n),
        Kind::String(s) => serde_json::Value::String(s.to_string()),
        Kind::List(items) => serde_json::Value::Array(items.iter().map(to_json).collect::<Option<_>>()?),
        Kind::Map(entries) => serde_json::Value::Object(
            entries.iter().map(|(k, v)| Some((k.text.to_string(), to_json(v)?))).collect::<Option<_>>()?,
        ),
        Kind::Unknown(_) => return None,
    })
}

fn file_function<'m>(run: &Run<'m>, name: &str, args: &[Value], sc: Scope<'_, 'm>, origin: Span) -> Option<Value> {
    match (name, args) {
        ("file", [path]) => {
            let (p, text) = run.read_file(path.as_str()?)?;
            let display = run.loader.display(&p);
            let mut v = Value::string(text.as_ref(), origin);
            v.read_from = (run.in_scope)(&p).then_some(display);
            Some(v)
        }
        ("templatefile", [path, vars]) => {
            let (p, text) = run.read_file(path.as_str()?)?;
            let template = hcl_edit::parser::parse_template(&text).ok()?;
            let mut bindings = Bindings::default();
            for (k, v) in vars.as_map()? {
                bindings = bindings.with(&k.text, v.clone());
            }
            let display = run.loader.display(&p);
            let src = Src::new(&text, &display);
            let rendered = run.template(&template, Scope { inst: sc.inst, src: &src, bindings: &bindings }, origin);
            let mut v = rendered.with_origin(origin);
            // Lines are kept when the template adds none: then `yamldecode` can point into it.
            if (run.in_scope)(&p) && v.as_str().is_some_and(|r| r.lines().count() == text.lines().count()) {
                v.read_from = Some(display);
            }
            Some(v)
        }
        ("yamldecode" | "jsondecode", [doc]) => {
            let text = doc.as_str()?;
            let mut first = None;
            let outcome = crate::yaml::parse_stream(text, &crate::yaml::Limits::default(), |root| {
                first.get_or_insert(root);
            });
            if outcome.fatal.is_some() {
                return None;
            }
            let node = first?;
            Some(from_node(&node, doc.read_from.as_deref().map(FileId::of), origin))
        }
        _ => None,
    }
}

/// A YAML/JSON document as a value: positions in its file when it was read with `file()`, else
/// the call's.
pub(super) fn from_node(node: &Node, file: Option<FileId>, origin: Span) -> Value {
    let span = |n: &Node| file.map_or(origin, |f| n.span.in_file(f));
    match &node.kind {
        NodeKind::Scalar(s) => match s.resolved_type() {
            ScalarType::Null => Value::new(Kind::Null, span(node)),
            ScalarType::Bool => {
                Value::new(Kind::Bool(matches!(s.value.as_str(), "true" | "True" | "TRUE")), span(node))
            }
            ScalarType::Int | ScalarType::Float => match s.value.parse() {
                Ok(n) => Value::new(Kind::Number(n), span(node)),
                Err(_) => Value::string(s.value.as_str(), span(node)),
            },
            ScalarType::String => Value::string(s.value.as_str(), span(node)),
        },
        NodeKind::Seq(items) => Value::list(items.iter().map(|i| from_node(i, file, origin)).collect(), span(node)),
        NodeKind::Map(entries) => Value::map(
            entries
                .iter()
                .filter_map(|(k, v)| {
                    Some((Key { text: k.as_str()?.into(), span: span(k) }, from_node(v, file, origin)))
                })
                .collect(),
            span(node),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Value {
        Value::string(v, Span::default())
    }

    #[test]
    fn pure_functions() {
        let o = Span::default();
        let call = |name: &str, args: &[Value]| pure(name, args, o, 1000).map(|v| v.display());
        assert_eq!(call("format", &[s("%s-%d"), s("a"), Value::new(Kind::Number(3.0), o)]), Some("a-3".into()));
        assert_eq!(call("lower", &[s("AKS")]), Some("aks".into()));
        let l = Value::list(vec![s("a"), s("b")], o);
        assert_eq!(call("join", &[s("-"), l.clone()]), Some("a-b".into()));
        assert_eq!(call("coalesce", &[s(""), s("x")]), Some("x".into()));
        assert_eq!(call("replace", &[s("a-b"), s("-"), s("_")]), Some("a_b".into()));
        assert_eq!(call("replace", &[s("a-b"), s("/-/"), s("_")]), None);
        assert_eq!(call("range", &[Value::new(Kind::Number(1e9), o)]), None);
        assert_eq!(call("format", &[s("%5s"), s("a")]), None);
    }
}
