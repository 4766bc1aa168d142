//! The template functions Bicep and ARM share, on literal arguments: `concat`, `format`, `toLower`,
//! `resourceId`, `range`, … A function of an unknown argument is unknown (string functions keep
//! the known pieces where they can); a function iblint does not know is unknown.

use super::value::{Budget, ResourceId, Text, Value, MAX_ITEMS};

/// Calls the function `name` (any case, without a `sys.`/`az.` namespace).
pub fn call(name: &str, args: &[Value], budget: &Budget) -> Value {
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Unknown);
    match name.to_ascii_lowercase().as_str() {
        "concat" => concat(args),
        "format" => format(args),
        "tolower" => text_map(&arg(0), |s| s.to_lowercase()),
        "toupper" => text_map(&arg(0), |s| s.to_uppercase()),
        "trim" => known_str(&arg(0))
            .map_or(Value::Unknown, |s| Value::str(s.trim(), arg(0).as_text().and_then(Text::first_src))),
        "string" => match arg(0) {
            v @ (Value::Str(_) | Value::Int(_) | Value::Bool(_)) => Value::Str(v.to_text()),
            _ => Value::Unknown,
        },
        "int" => match arg(0) {
            Value::Int(i) => Value::Int(i),
            v => known_str(&v).and_then(|s| s.trim().parse().ok()).map_or(Value::Unknown, Value::Int),
        },
        "bool" => match arg(0) {
            Value::Bool(b) => Value::Bool(b),
            v => match known_str(&v).map(|s| s.to_ascii_lowercase()).as_deref() {
                Some("true") => Value::Bool(true),
                Some("false") => Value::Bool(false),
                _ => Value::Unknown,
            },
        },
        "replace" => match (known_str(&arg(0)), known_str(&arg(1)), known_str(&arg(2))) {
            (Some(s), Some(old), Some(new)) if !old.is_empty() => {
                let out = s.replace(&old, &new);
                Value::str(&out, arg(0).as_text().and_then(Text::first_src))
            }
            _ => Value::Unknown,
        },
        "split" => split(&arg(0), &arg(1)),
        "join" => join(&arg(0), &arg(1)),
        "substring" => substring(&arg(0), &arg(1), args.get(2)),
        "take" => take_skip(&arg(0), &arg(1), true),
        "skip" => take_skip(&arg(0), &arg(1), false),
        "first" => first_last(&arg(0), true),
        "last" => first_last(&arg(0), false),
        "length" => match arg(0) {
            Value::Array(items) => Value::Int(items.len() as i64),
            Value::Object(props) => Value::Int(props.len() as i64),
            v => known_str(&v).map_or(Value::Unknown, |s| Value::Int(s.chars().count() as i64)),
        },
        "empty" => match arg(0) {
            Value::Array(items) => Value::Bool(items.is_empty()),
            Value::Object(props) => Value::Bool(props.is_empty()),
            Value::Null => Value::Bool(true),
            v => known_str(&v).map_or(Value::Unknown, |s| Value::Bool(s.is_empty())),
        },
        "contains" => contains(&arg(0), &arg(1)),
        "startswith" | "endswith" => match (known_str(&arg(0)), known_str(&arg(1))) {
            (Some(s), Some(p)) => {
                let (s, p) = (s.to_lowercase(), p.to_lowercase());
                Value::Bool(if name.eq_ignore_ascii_case("startswith") { s.starts_with(&p) } else { s.ends_with(&p) })
            }
            _ => Value::Unknown,
        },
        "createarray" | "array" => {
            if name.eq_ignore_ascii_case("array") && matches!(arg(0), Value::Array(_)) {
                arg(0)
            } else {
                Value::array(args.to_vec())
            }
        }
        "createobject" => {
            let mut props = Vec::new();
            for pair in args.chunks(2) {
                match (pair.first().and_then(known_str), pair.get(1)) {
                    (Some(k), Some(v)) => props.push((k, v.clone())),
                    _ => return Value::Unknown,
                }
            }
            Value::object(props)
        }
        "union" => union(args),
        "range" => range(&arg(0), &arg(1), budget),
        "coalesce" => args.iter().find(|v| !matches!(v, Value::Null)).cloned().unwrap_or(Value::Null),
        "if" => match arg(0) {
            Value::Bool(true) => arg(1),
            Value::Bool(false) => arg(2),
            _ => Value::Unknown,
        },
        "equals" => equals(&arg(0), &arg(1)),
        "not" => arg(0).as_bool().map_or(Value::Unknown, |b| Value::Bool(!b)),
        "and" | "or" => logic(args, name.eq_ignore_ascii_case("and")),
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        "null" => Value::Null,
        "less" | "lessorequals" | "greater" | "greaterorequals" => compare(name, &arg(0), &arg(1)),
        "add" | "sub" | "mul" | "div" | "mod" => arithmetic(name, &arg(0), &arg(1)),
        "min" | "max" => min_max(args, name.eq_ignore_ascii_case("min")),
        "resourceid" | "subscriptionresourceid" | "tenantresourceid" => resource_id(args),
        _ => Value::Unknown,
    }
}

fn known_str(v: &Value) -> Option<String> {
    v.known_str()
}

fn text_map(v: &Value, f: impl Fn(&str) -> String) -> Value {
    match v {
        Value::Str(t) => Value::Str(t.map_known(f)),
        _ => Value::Unknown,
    }
}

/// `concat` joins strings (keeping known pieces of partly unknown ones) or arrays.
fn concat(args: &[Value]) -> Value {
    if args.iter().any(|a| matches!(a, Value::Array(_))) {
        let mut out = Vec::new();
        for a in args {
            match a {
                Value::Array(items) if out.len() + items.len() <= MAX_ITEMS => out.extend(items.iter().cloned()),
                _ => return Value::Unknown,
            }
        }
        return Value::array(out);
    }
    let mut text = Text::default();
    for a in args {
        text.push(&a.to_text());
    }
    Value::Str(text)
}

/// `format('{0}/{1}', a, b)`: .NET composite formatting (format specifiers are ignored).
fn format(args: &[Value]) -> Value {
    let Some(pattern) = args.first().and_then(known_str) else { return Value::Unknown };
    let src = args.first().and_then(|a| a.as_text()).and_then(Text::first_src);
    let mut out = Text::default();
    let mut literal = String::new();
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                literal.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                literal.push('}');
            }
            '{' => {
                let spec: String = chars.by_ref().take_while(|&c| c != '}').collect();
                let index = spec.split([':', ',']).next().and_then(|i| i.trim().parse::<usize>().ok());
                let Some(value) = index.and_then(|i| args.get(i + 1)) else { return Value::Unknown };
                out.push_str(&std::mem::take(&mut literal), src);
                out.push(&value.to_text());
            }
            _ => literal.push(c),
        }
    }
    out.push_str(&literal, src);
    Value::Str(out)
}

fn split(s: &Value, sep: &Value) -> Value {
    let src = s.as_text().and_then(Text::first_src);
    let (Some(s), seps) = (known_str(s), sep) else { return Value::Unknown };
    let seps: Vec<String> = match seps {
        Value::Array(items) => match items.iter().map(known_str).collect::<Option<Vec<_>>>() {
            Some(v) => v,
            None => return Value::Unknown,
        },
        v => match known_str(v) {
            Some(sep) => vec![sep],
            None => return Value::Unknown,
        },
    };
    let mut parts = vec![s];
    for sep in seps.iter().filter(|s| !s.is_empty()) {
        parts = parts.iter().flat_map(|p| p.split(sep.as_str()).map(str::to_string).collect::<Vec<_>>()).collect();
    }
    if parts.len() > MAX_ITEMS {
        return Value::Unknown;
    }
    Value::array(parts.iter().map(|p| Value::str(p, src)).collect())
}

fn join(items: &Value, sep: &Value) -> Value {
    let (Value::Array(items), Some(sep)) = (items, known_str(sep)) else { return Value::Unknown };
    let mut out = Text::default();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(&sep, None);
        }
        out.push(&item.to_text());
    }
    Value::Str(out)
}

fn substring(s: &Value, start: &Value, len: Option<&Value>) -> Value {
    let src = s.as_text().and_then(Text::first_src);
    let (Some(s), Some(start)) = (known_str(s), start.as_int()) else { return Value::Unknown };
    let chars: Vec<char> = s.chars().collect();
    let start = usize::try_from(start).unwrap_or(0).min(chars.len());
    let end = match len.map(Value::as_int) {
        None => chars.len(),
        Some(Some(n)) => start.saturating_add(usize::try_from(n).unwrap_or(0)).min(chars.len()),
        Some(None) => return Value::Unknown,
    };
    Value::str(&chars[start..end].iter().collect::<String>(), src)
}

fn take_skip(v: &Value, n: &Value, take: bool) -> Value {
    let Some(n) = n.as_int() else { return Value::Unknown };
    let n = usize::try_from(n).unwrap_or(0);
    match v {
        Value::Array(items) => {
            let n = n.min(items.len());
            Value::array(if take { items[..n].to_vec() } else { items[n..].to_vec() })
        }
        v => match known_str(v) {
            Some(s) => {
                let src = v.as_text().and_then(Text::first_src);
                let out: String = if take { s.chars().take(n).collect() } else { s.chars().skip(n).collect() };
                Value::str(&out, src)
            }
            None => Value::Unknown,
        },
    }
}

fn first_last(v: &Value, first: bool) -> Value {
    match v {
        Value::Array(items) => {
            let item = if first { items.first() } else { items.last() };
            item.cloned().unwrap_or(Value::Null)
        }
        // Of a string: its first or last character.
        Value::Str(t) => {
            let c = t.known().and_then(|s| if first { s.chars().next() } else { s.chars().last() });
            c.map_or(Value::Unknown, |c| Value::str(&c.to_string(), t.first_src()))
        }
        _ => Value::Unknown,
    }
}

fn contains(container: &Value, item: &Value) -> Value {
    match container {
        Value::Array(items) => {
            if items.iter().any(|i| equals(i, item) == Value::Bool(true)) {
                Value::Bool(true)
            } else if items.iter().all(|i| i.is_known()) && item.is_known() {
                Value::Bool(false)
            } else {
                Value::Unknown
            }
        }
        Value::Object(_) => match known_str(item) {
            Some(k) => Value::Bool(container.get(&k) != Value::Unknown || has_key(container, &k)),
            None => Value::Unknown,
        },
        v => match (known_str(v), known_str(item)) {
            (Some(s), Some(i)) => Value::Bool(s.contains(&i)),
            _ => Value::Unknown,
        },
    }
}

fn has_key(obj: &Value, key: &str) -> bool {
    matches!(obj, Value::Object(props) if props.iter().any(|(k, _)| k.eq_ignore_ascii_case(key)))
}

/// Shallow union: later objects' properties win; arrays keep the first of equal items.
fn union(args: &[Value]) -> Value {
    match args.first() {
        Some(Value::Object(_)) => {
            let mut props: Vec<(String, Value)> = Vec::new();
            for a in args {
                let Value::Object(more) = a else { return Value::Unknown };
                for (k, v) in more.iter() {
                    props.retain(|(old, _)| !old.eq_ignore_ascii_case(k));
                    props.push((k.clone(), v.clone()));
                }
            }
            Value::object(props)
        }
        Some(Value::Array(_)) => {
            let mut items: Vec<Value> = Vec::new();
            for a in args {
                let Value::Array(more) = a else { return Value::Unknown };
                for v in more.iter() {
                    if !items.contains(v) {
                        items.push(v.clone());
                    }
                }
                if items.len() > MAX_ITEMS {
                    return Value::Unknown;
                }
            }
            Value::array(items)
        }
        _ => Value::Unknown,
    }
}

fn range(start: &Value, count: &Value, budget: &Budget) -> Value {
    let (Some(start), Some(count)) = (start.as_int(), count.as_int()) else { return Value::Unknown };
    let Ok(count) = usize::try_from(count) else { return Value::Unknown };
    if count > MAX_ITEMS || !budget.take(count as u64) {
        return Value::Unknown;
    }
    Value::array((0..count as i64).map(|i| Value::Int(start.saturating_add(i))).collect())
}

/// Equality of known values (ARM's `equals` and Bicep's `==` compare strings exactly).
fn equals(a: &Value, b: &Value) -> Value {
    if !a.is_known() || !b.is_known() {
        return Value::Unknown;
    }
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => Value::Bool(x.known() == y.known()),
        (Value::ResourceId(_), _) | (_, Value::ResourceId(_)) | (Value::Symbol(_), _) | (_, Value::Symbol(_)) => {
            Value::Unknown
        }
        _ => Value::Bool(a == b),
    }
}

fn logic(args: &[Value], and: bool) -> Value {
    let mut unknown = false;
    for a in args {
        match a.as_bool() {
            Some(b) if b != and => return Value::Bool(b),
            Some(_) => {}
            None => unknown = true,
        }
    }
    if unknown {
        Value::Unknown
    } else {
        Value::Bool(and)
    }
}

fn compare(name: &str, a: &Value, b: &Value) -> Value {
    let ordering = match (a, b) {
        (Value::Int(x), Value::Int(y)) => x.cmp(y),
        _ => match (known_str(a), known_str(b)) {
            (Some(x), Some(y)) => x.cmp(&y),
            _ => return Value::Unknown,
        },
    };
    Value::Bool(match name.to_ascii_lowercase().as_str() {
        "less" => ordering.is_lt(),
        "lessorequals" => ordering.is_le(),
        "greater" => ordering.is_gt(),
        _ => ordering.is_ge(),
    })
}

fn arithmetic(name: &str, a: &Value, b: &Value) -> Value {
    let (Some(x), Some(y)) = (a.as_int(), b.as_int()) else { return Value::Unknown };
    let out = match name.to_ascii_lowercase().as_str() {
        "add" => x.checked_add(y),
        "sub" => x.checked_sub(y),
        "mul" => x.checked_mul(y),
        "div" => x.checked_div(y),
        _ => x.checked_rem(y),
    };
    out.map_or(Value::Unknown, Value::Int)
}

fn min_max(args: &[Value], min: bool) -> Value {
    let items: Vec<Value> = match args {
        [Value::Array(items)] => items.to_vec(),
        _ => args.to_vec(),
    };
    let ints: Option<Vec<i64>> = items.iter().map(Value::as_int).collect();
    let ints = ints.unwrap_or_default();
    let best = if min { ints.iter().min() } else { ints.iter().max() };
    best.map_or(Value::Unknown, |i| Value::Int(*i))
}

/// `resourceId([subscriptionId], [resourceGroupName], type, name1, name2, …)`: the type is the
/// first argument with a `/` in it.
fn resource_id(args: &[Value]) -> Value {
    let Some(at) = args.iter().position(|a| known_str(a).is_some_and(|s| s.contains('/'))) else {
        return Value::Unknown;
    };
    let ty = known_str(&args[at]).unwrap_or_default();
    let names: Vec<Text> = args[at + 1..].iter().map(Value::to_text).collect();
    if names.is_empty() {
        return Value::Unknown;
    }
    Value::ResourceId(ResourceId { ty, names, symbol: None })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Value {
        Value::str(v, None)
    }

    fn run(name: &str, args: &[Value]) -> Value {
        call(name, args, &Budget::new(1_000_000))
    }

    #[test]
    fn string_functions_on_literals() {
        assert_eq!(run("concat", &[s("a"), s("-b")]).known_str().as_deref(), Some("a-b"));
        assert_eq!(run("format", &[s("{0}/{1}"), s("id"), s("fic")]).known_str().as_deref(), Some("id/fic"));
        assert_eq!(run("toLower", &[s("AKS-Identity-Binding")]).known_str().as_deref(), Some("aks-identity-binding"));
        assert_eq!(
            run("replace", &[s("x-binding"), s("x"), s("aks-identity")]).known_str().as_deref(),
            Some("aks-identity-binding")
        );
        assert_eq!(run("last", &[run("split", &[s("a/b/c"), s("/")])]).known_str().as_deref(), Some("c"));
        assert_eq!(run("join", &[Value::array(vec![s("a"), s("b")]), s("-")]).known_str().as_deref(), Some("a-b"));
    }

    #[test]
    fn unknown_arguments_keep_known_pieces() {
        let v = run("concat", &[Value::Unknown, s("/aks-identity-binding")]);
        let (tail, ..) = v.as_text().expect("text").split_last('/').expect("tail");
        assert_eq!(tail, "aks-identity-binding");
        assert_eq!(run("toLower", &[Value::Unknown]), Value::Unknown);
        assert_eq!(run("uniqueString", &[s("x")]), Value::Unknown);
    }

    #[test]
    fn ranges_are_bounded() {
        assert_eq!(
            run("range", &[Value::Int(0), Value::Int(3)]),
            Value::array(vec![Value::Int(0), Value::Int(1), Value::Int(2)])
        );
        assert_eq!(run("range", &[Value::Int(0), Value::Int(1 << 40)]), Value::Unknown);
    }

    #[test]
    fn resource_ids_keep_their_names() {
        let v = run("resourceId", &[s("rg"), s("Microsoft.ManagedIdentity/userAssignedIdentities"), s("orders")]);
        let Value::ResourceId(id) = v else { panic!("not an id: {v:?}") };
        assert_eq!(id.name().and_then(Text::known).as_deref(), Some("orders"));
    }
}
