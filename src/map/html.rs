//! The graph as one self-contained HTML page: an inline SVG laid out here (no script, no network,
//! no CDN). The layout is layered: workloads, ServiceAccounts, grants and credentials, identities
//! in four columns; within a column, nodes are ordered by the mean position of their neighbours
//! (a few sweeps each way) so edges cross little; every column is as tall as it needs and the page
//! scrolls, so 500 nodes stay readable.

use super::graph::{node_index, Graph, Node, NodeKind};

const COLUMN_WIDTH: f64 = 300.0;
const COLUMN_GAP: f64 = 140.0;
const LINE: f64 = 15.0;
const ROW_GAP: f64 = 14.0;
const MARGIN: f64 = 24.0;
/// Characters of a line shown in a box (longer ones are cut, the full text is in the tooltip):
/// enough for `client id ` and a GUID.
const LINE_CHARS: usize = 48;
/// Characters of a title that shares its line with the `N findings` badge.
const TITLE_CHARS_BESIDE_BADGE: usize = 34;

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() || crate::report::escape::is_hostile(c) => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn cut(s: &str, chars: usize) -> String {
    match s.char_indices().nth(chars) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// Where each node is drawn: (x, y, height), by node index.
pub fn layout(graph: &Graph) -> Vec<(f64, f64, f64)> {
    let n = graph.nodes.len();
    let index = node_index(graph);
    let mut neighbours: Vec<Vec<usize>> = vec![Vec::new(); n];
    for e in &graph.edges {
        if let (Some(&a), Some(&b)) = (index.get(e.from.as_str()), index.get(e.to.as_str())) {
            neighbours[a].push(b);
            neighbours[b].push(a);
        }
    }
    let mut columns: Vec<Vec<usize>> = vec![Vec::new(); 4];
    for (i, node) in graph.nodes.iter().enumerate() {
        columns[node.kind.layer()].push(i);
    }
    let mut rank = vec![0.0_f64; n];
    let set_ranks = |columns: &Vec<Vec<usize>>, rank: &mut Vec<f64>| {
        for col in columns {
            for (r, &i) in col.iter().enumerate() {
                rank[i] = r as f64;
            }
        }
    };
    set_ranks(&columns, &mut rank);
    for sweep in 0..6 {
        let order: Vec<usize> = if sweep % 2 == 0 { (1..4).collect() } else { (0..3).rev().collect() };
        for c in order {
            let mut keyed: Vec<(f64, usize)> = columns[c]
                .iter()
                .map(|&i| {
                    let around = &neighbours[i];
                    let key = if around.is_empty() {
                        rank[i]
                    } else {
                        around.iter().map(|&j| rank[j]).sum::<f64>() / around.len() as f64
                    };
                    (key, i)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            columns[c] = keyed.into_iter().map(|(_, i)| i).collect();
            set_ranks(&columns, &mut rank);
        }
    }
    let mut out = vec![(0.0, 0.0, 0.0); n];
    for (c, col) in columns.iter().enumerate() {
        let x = MARGIN + c as f64 * (COLUMN_WIDTH + COLUMN_GAP);
        let mut y = MARGIN + 40.0;
        for &i in col {
            let h = box_height(&graph.nodes[i]);
            out[i] = (x, y, h);
            y += h + ROW_GAP;
        }
    }
    out
}

fn box_height(n: &Node) -> f64 {
    (1 + n.details.len() + usize::from(n.location.is_some())) as f64 * LINE + 10.0
}

fn fill(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Workload => "#e8f0fe",
        NodeKind::ServiceAccount => "#e6f4ea",
        NodeKind::Grant => "#fef7e0",
        NodeKind::Credential => "#f3e8fd",
        NodeKind::Identity => "#fce8e6",
    }
}

pub fn html(graph: &Graph, title: &str) -> String {
    let places = layout(graph);
    let width = MARGIN * 2.0 + 4.0 * COLUMN_WIDTH + 3.0 * COLUMN_GAP;
    let height = places.iter().map(|(_, y, h)| y + h).fold(200.0_f64, f64::max) + MARGIN;
    let mut svg = String::new();
    svg.push_str(&format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
    ));
    svg.push_str("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" markerUnits=\"userSpaceOnUse\" orient=\"auto-start-reverse\"><path d=\"M0,0L10,5L0,10z\" fill=\"#555\"/></marker><marker id=\"arrow-red\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" markerUnits=\"userSpaceOnUse\" orient=\"auto-start-reverse\"><path d=\"M0,0L10,5L0,10z\" fill=\"#d12\"/></marker></defs>\n");
    for (c, name) in
        ["Workloads", "ServiceAccounts", "Grants and federated credentials", "Managed identities"].iter().enumerate()
    {
        let x = MARGIN + c as f64 * (COLUMN_WIDTH + COLUMN_GAP);
        svg.push_str(&format!(
            "<text x=\"{x:.0}\" y=\"{:.0}\" font-size=\"14\" font-weight=\"bold\" fill=\"#333\">{name}</text>\n",
            MARGIN + 14.0
        ));
    }
    let index = node_index(graph);
    for e in &graph.edges {
        let (Some(&a), Some(&b)) = (index.get(e.from.as_str()), index.get(e.to.as_str())) else { continue };
        let ((ax, ay, ah), (bx, by, bh)) = (places[a], places[b]);
        let (x1, y1) = (ax + COLUMN_WIDTH, ay + ah / 2.0);
        let (x2, y2) = (bx, by + bh / 2.0);
        let (x1, x2) = if bx > ax { (x1, x2) } else { (ax, bx + COLUMN_WIDTH) };
        let mid = (x1 + x2) / 2.0;
        let red = !e.findings.is_empty();
        let stroke = if red { "#d12" } else { "#777" };
        let dash = if e.broad { " stroke-dasharray=\"6 4\"" } else { "" };
        let marker = if red { "arrow-red" } else { "arrow" };
        svg.push_str(&format!(
            "<path class=\"edge\" d=\"M{x1:.1},{y1:.1} C{mid:.1},{y1:.1} {mid:.1},{y2:.1} {x2:.1},{y2:.1}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"{}\"{dash} marker-end=\"url(#{marker})\"><title>{}</title></path>\n",
            if red { 2 } else { 1 },
            escape(&format!("{} → {}: {}{}", e.from, e.to, e.why.join("; "), if red { format!(" (findings: {})", e.findings.len()) } else { String::new() }))
        ));
    }
    for (i, n) in graph.nodes.iter().enumerate() {
        let (x, y, h) = places[i];
        let border = if n.findings.is_empty() { "#888" } else { "#d12" };
        let tooltip = std::iter::once(n.label.as_str())
            .chain(n.details.iter().map(String::as_str))
            .chain(n.location.as_deref())
            .collect::<Vec<_>>()
            .join("\n");
        svg.push_str(&format!(
            "<g class=\"node {}\"><title>{}</title><rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{COLUMN_WIDTH:.0}\" height=\"{h:.1}\" rx=\"6\" fill=\"{}\" stroke=\"{border}\" stroke-width=\"{}\"/>\n",
            n.kind.as_str(),
            escape(&tooltip),
            fill(n.kind),
            if n.findings.is_empty() { 1 } else { 2 }
        ));
        let mut ty = y + LINE;
        svg.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{ty:.1}\" font-weight=\"bold\">{}</text>\n",
            x + 8.0,
            escape(&cut(&n.label, if n.findings.is_empty() { LINE_CHARS } else { TITLE_CHARS_BESIDE_BADGE }))
        ));
        for d in n.details.iter().chain(n.location.as_ref()) {
            ty += LINE;
            svg.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{ty:.1}\" fill=\"#444\">{}</text>\n",
                x + 8.0,
                escape(&cut(d, LINE_CHARS))
            ));
        }
        if !n.findings.is_empty() {
            svg.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#d12\" font-weight=\"bold\">{} finding{}</text>\n",
                x + COLUMN_WIDTH - 8.0,
                y + LINE,
                n.findings.len(),
                if n.findings.len() == 1 { "" } else { "s" }
            ));
        }
        svg.push_str("</g>\n");
    }
    svg.push_str("</svg>\n");
    let mut findings = String::new();
    for f in &graph.findings {
        findings.push_str(&format!(
            "<li><b>{}</b> {} — {}{}</li>\n",
            escape(f.rule),
            escape(f.level.as_str()),
            escape(&f.message),
            f.location.as_ref().map(|l| format!(" <code>{}</code>", escape(l))).unwrap_or_default()
        ));
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n<title>{}</title>\n<style>\nbody {{ margin: 0; font-family: Helvetica, Arial, sans-serif; color: #222; }}\nheader {{ padding: 10px 24px; border-bottom: 1px solid #ddd; }}\nh1 {{ font-size: 18px; margin: 4px 0; }}\n.legend span {{ margin-right: 18px; font-size: 12px; }}\n.map {{ overflow: auto; }}\n.node:hover rect {{ stroke-width: 3; }}\n.edge:hover {{ stroke-width: 3; }}\nsection {{ padding: 0 24px 24px; font-size: 13px; }}\n</style>\n</head>\n<body>\n<header>\n<h1>{}</h1>\n<div class=\"legend\"><span>{} nodes, {} edges</span><span>── access</span><span>- - - only through a broad grant (a wildcard or a group)</span><span style=\"color:#d12\">── behind a finding</span><span>hover for why</span></div>\n</header>\n<div class=\"map\">\n{svg}</div>\n<section>\n<h2>Findings</h2>\n<ul>\n{findings}</ul>\n</section>\n</body>\n</html>\n",
        escape(title),
        escape(title),
        graph.nodes.len(),
        graph.edges.len()
    )
}
