//! The graph as JSON (a versioned schema: docs/map.schema.json), Mermaid and Graphviz DOT.

use serde_json::{json, Value};

use super::graph::{Graph, Node};

/// The version of the JSON document; fields are only ever added within a version.
pub const JSON_VERSION: u32 = 1;

pub fn json(graph: &Graph) -> String {
    let nodes: Vec<Value> = graph
        .nodes
        .iter()
        .map(|n| {
            json!({
                "id": n.id,
                "kind": n.kind.as_str(),
                "label": n.label,
                "details": n.details,
                "location": n.location,
                "findings": n.findings,
            })
        })
        .collect();
    let edges: Vec<Value> = graph
        .edges
        .iter()
        .map(|e| {
            json!({
                "from": e.from,
                "to": e.to,
                "kind": e.kind.as_str(),
                "why": e.why,
                "broad": e.broad,
                "findings": e.findings,
            })
        })
        .collect();
    let findings: Vec<Value> = graph
        .findings
        .iter()
        .map(|f| json!({"id": f.id, "rule": f.rule, "level": f.level.as_str(), "message": f.message, "location": f.location}))
        .collect();
    let doc = json!({
        "version": JSON_VERSION,
        "tool": {"name": "iblint", "version": env!("CARGO_PKG_VERSION")},
        "nodes": nodes,
        "edges": edges,
        "findings": findings,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// Text inside a double-quoted Mermaid label: quotes and markup characters as entities, one line.
fn mermaid_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            '|' => out.push_str("#124;"),
            c if c.is_control() || crate::report::escape::is_hostile(c) => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn node_text(n: &Node, line_break: &str, escape: impl Fn(&str) -> String) -> String {
    std::iter::once(n.label.as_str())
        .chain(n.details.iter().map(String::as_str))
        .map(escape)
        .collect::<Vec<_>>()
        .join(line_break)
}

pub fn mermaid(graph: &Graph) -> String {
    let mut out = String::from("flowchart LR\n");
    let positions = super::graph::node_index(graph);
    let index = |id: &str| positions.get(id).copied().unwrap_or(0);
    for (i, n) in graph.nodes.iter().enumerate() {
        let text = node_text(n, "<br/>", mermaid_text);
        let (open, close) = match n.kind {
            super::graph::NodeKind::Workload => ("[", "]"),
            super::graph::NodeKind::ServiceAccount => ("([", "])"),
            super::graph::NodeKind::Grant => ("[[", "]]"),
            super::graph::NodeKind::Credential => ("[/", "/]"),
            super::graph::NodeKind::Identity => ("{{", "}}"),
        };
        out.push_str(&format!("  n{i}{open}\"{text}\"{close}\n"));
    }
    let mut red = Vec::new();
    for (i, e) in graph.edges.iter().enumerate() {
        let arrow = if e.broad { "-.->" } else { "-->" };
        out.push_str(&format!(
            "  n{} {arrow}|\"{}\"| n{}\n",
            index(&e.from),
            mermaid_text(&e.why.join("; ")),
            index(&e.to)
        ));
        if !e.findings.is_empty() {
            red.push(i.to_string());
        }
    }
    if !red.is_empty() {
        out.push_str(&format!("  linkStyle {} stroke:#d12,stroke-width:2px,color:#d12\n", red.join(",")));
    }
    for (i, n) in graph.nodes.iter().enumerate().filter(|(_, n)| !n.findings.is_empty()) {
        let _ = n;
        out.push_str(&format!("  style n{i} stroke:#d12,stroke-width:2px\n"));
    }
    out
}

/// Text inside a double-quoted DOT string.
fn dot_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() || crate::report::escape::is_hostile(c) => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

pub fn dot(graph: &Graph) -> String {
    let mut out = String::from("digraph iblint {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n");
    for n in &graph.nodes {
        let shape = match n.kind {
            super::graph::NodeKind::Workload => "box",
            super::graph::NodeKind::ServiceAccount => "ellipse",
            super::graph::NodeKind::Grant => "box3d",
            super::graph::NodeKind::Credential => "parallelogram",
            super::graph::NodeKind::Identity => "hexagon",
        };
        let color = if n.findings.is_empty() { "" } else { ", color=\"#d12\"" };
        out.push_str(&format!(
            "  \"{}\" [label=\"{}\", shape={shape}{color}];\n",
            dot_text(&n.id),
            node_text(n, "\\n", dot_text)
        ));
    }
    for e in &graph.edges {
        let mut attrs = vec![format!("label=\"{}\"", dot_text(&e.why.join("; ")))];
        if e.broad {
            attrs.push("style=dashed".into());
        }
        if !e.findings.is_empty() {
            attrs.push("color=\"#d12\"".into());
            attrs.push("fontcolor=\"#d12\"".into());
        }
        out.push_str(&format!("  \"{}\" -> \"{}\" [{}];\n", dot_text(&e.from), dot_text(&e.to), attrs.join(", ")));
    }
    out.push_str("}\n");
    out
}
