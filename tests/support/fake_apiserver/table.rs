//! Server-side printing: the `meta.k8s.io/v1 Table` kubectl asks for when it prints a human table
//! (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io,...`). Pods get NAME, READY, STATUS,
//! RESTARTS, AGE; every other type NAME, AGE.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use super::http::Request;
use super::resources::ResourceType;
use super::Response;

const TABLE_MEDIA_TYPE: &str = "application/json;as=Table;v=v1;g=meta.k8s.io";

/// Whether the client asked for a Table (in JSON).
pub fn wanted(request: &Request) -> bool {
    let accept = request.header("accept").unwrap_or("");
    accept.split(',').any(|t| {
        let t = t.replace(' ', "");
        t.starts_with("application/json;") && t.contains("as=Table") && t.contains("g=meta.k8s.io")
    })
}

pub fn response(resource: &ResourceType, objects: &[&Value], metadata: Value) -> Response {
    let pods = resource.group.is_empty() && resource.plural == "pods";
    let columns = if pods {
        vec![
            column("Name", "name"),
            column("Ready", ""),
            column("Status", ""),
            column("Restarts", ""),
            column("Age", ""),
        ]
    } else {
        vec![column("Name", "name"), column("Age", "")]
    };
    let now = now_seconds();
    let rows: Vec<Value> = objects.iter().map(|o| row(o, pods, now)).collect();
    let body = json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": metadata,
        "columnDefinitions": columns,
        "rows": rows,
    });
    Response::json(200, &body).with_content_type(TABLE_MEDIA_TYPE)
}

fn column(name: &str, format: &str) -> Value {
    json!({ "name": name, "type": "string", "format": format, "description": name, "priority": 0 })
}

fn row(object: &Value, pod: bool, now: i64) -> Value {
    let name = object.pointer("/metadata/name").cloned().unwrap_or(Value::Null);
    let created = object.pointer("/metadata/creationTimestamp").and_then(Value::as_str).and_then(parse_rfc3339);
    let age = created.map_or_else(|| "<unknown>".to_string(), |t| human_age(now - t));
    let cells = if pod {
        let (ready, restarts) = container_counts(object);
        let phase = object.pointer("/status/phase").and_then(Value::as_str).unwrap_or("Pending");
        json!([name, ready, phase, restarts, age])
    } else {
        json!([name, age])
    };
    // kubectl takes NAMESPACE (for -A) from the row's object metadata.
    let metadata = object.get("metadata").cloned().unwrap_or_else(|| json!({}));
    json!({
        "cells": cells,
        "object": { "kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": metadata },
    })
}

/// `"1/2"` ready containers and the total restart count.
fn container_counts(pod: &Value) -> (String, i64) {
    let total = pod.pointer("/spec/containers").and_then(Value::as_array).map_or(0, Vec::len);
    let statuses = pod.pointer("/status/containerStatuses").and_then(Value::as_array).map(Vec::as_slice);
    let statuses = statuses.unwrap_or_default();
    let ready = statuses.iter().filter(|s| s.get("ready").and_then(Value::as_bool) == Some(true)).count();
    let restarts = statuses.iter().filter_map(|s| s.get("restartCount").and_then(Value::as_i64)).sum();
    (format!("{ready}/{total}"), restarts)
}

fn now_seconds() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Seconds since the epoch of `2026-01-05T09:00:00Z` (UTC `Z` form only, as servers write it).
fn parse_rfc3339(text: &str) -> Option<i64> {
    let number = |range: std::ops::Range<usize>| text.get(range).and_then(|t| t.parse::<i64>().ok());
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// kubectl's short ages: `42s`, `5m`, `3h`, `12d`, `2y`.
fn human_age(seconds: i64) -> String {
    match seconds.max(0) {
        s if s < 120 => format!("{s}s"),
        s if s < 7_200 => format!("{}m", s / 60),
        s if s < 172_800 => format!("{}h", s / 3_600),
        s if s < 63_072_000 => format!("{}d", s / 86_400),
        s => format!("{}y", s / 31_536_000),
    }
}
