//! kubectl sends built-in objects it creates as protobuf (`application/vnd.kubernetes.protobuf`),
//! `kubectl auth can-i`'s SelfSubjectAccessReview included. This reads the few fields of a
//! (Self)SubjectAccessReview the fake answers from, into the JSON shape of the same object; the
//! answer goes back as JSON, which kubectl also accepts.
//!
//! Envelope: `k8s\0` + `runtime.Unknown { 1: typeMeta { 1: apiVersion, 2: kind }, 2: raw }`, and
//! `raw` is the object: `{ 1: metadata, 2: spec, 3: status }`.

use serde_json::{json, Map, Value};

const MAGIC: &[u8] = b"k8s\0";

/// The review as JSON, or `None` if the bytes are not a Kubernetes protobuf object.
pub fn review_from_protobuf(body: &[u8]) -> Option<Value> {
    let envelope = fields(body.strip_prefix(MAGIC)?)?;
    let type_meta = fields(bytes_of(&envelope, 1).unwrap_or_default())?;
    let object = fields(bytes_of(&envelope, 2)?)?;
    let spec = fields(bytes_of(&object, 2).unwrap_or_default())?;
    let mut json_spec = Map::new();
    if let Some(attributes) = bytes_of(&spec, 1) {
        json_spec.insert("resourceAttributes".to_string(), resource_attributes(attributes)?);
    }
    // SubjectAccessReviewSpec: 3 user, 4 groups, 6 uid. SelfSubjectAccessReviewSpec has none of them.
    if let Some(user) = string_of(&spec, 3) {
        json_spec.insert("user".to_string(), json!(user));
    }
    let groups: Vec<String> = strings_of(&spec, 4);
    if !groups.is_empty() {
        json_spec.insert("groups".to_string(), json!(groups));
    }
    Some(json!({
        "apiVersion": string_of(&type_meta, 1).unwrap_or_default(),
        "kind": string_of(&type_meta, 2).unwrap_or_default(),
        "metadata": { "creationTimestamp": null },
        "spec": json_spec,
    }))
}

/// `ResourceAttributes { 1 namespace, 2 verb, 3 group, 4 version, 5 resource, 6 subresource, 7 name }`.
fn resource_attributes(bytes: &[u8]) -> Option<Value> {
    let attributes = fields(bytes)?;
    let names = ["namespace", "verb", "group", "version", "resource", "subresource", "name"];
    let mut out = Map::new();
    for (number, name) in (1u64..).zip(names) {
        if let Some(value) = string_of(&attributes, number).filter(|v| !v.is_empty()) {
            out.insert(name.to_string(), json!(value));
        }
    }
    Some(Value::Object(out))
}

/// A decoded field: its number and, for length-delimited fields, its bytes.
struct Field<'a> {
    number: u64,
    bytes: Option<&'a [u8]>,
}

fn bytes_of<'a>(fields: &[Field<'a>], number: u64) -> Option<&'a [u8]> {
    fields.iter().find(|f| f.number == number).and_then(|f| f.bytes)
}

fn string_of(fields: &[Field], number: u64) -> Option<String> {
    bytes_of(fields, number).map(|b| String::from_utf8_lossy(b).into_owned())
}

fn strings_of(fields: &[Field], number: u64) -> Vec<String> {
    fields
        .iter()
        .filter(|f| f.number == number)
        .filter_map(|f| f.bytes)
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .collect()
}

/// The top-level fields of one message; `None` on malformed input.
fn fields(mut bytes: &[u8]) -> Option<Vec<Field<'_>>> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let key = varint(&mut bytes)?;
        let field = match key & 7 {
            0 => {
                varint(&mut bytes)?;
                None
            }
            1 => {
                take(&mut bytes, 8)?;
                None
            }
            2 => {
                let length = usize::try_from(varint(&mut bytes)?).ok()?;
                Some(take(&mut bytes, length)?)
            }
            5 => {
                take(&mut bytes, 4)?;
                None
            }
            _ => return None,
        };
        out.push(Field { number: key >> 3, bytes: field });
    }
    Some(out)
}

fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    if bytes.len() < n {
        return None;
    }
    let (head, rest) = bytes.split_at(n);
    *bytes = rest;
    Some(head)
}

fn varint(bytes: &mut &[u8]) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = bytes.split_first()?;
        *bytes = rest;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}
