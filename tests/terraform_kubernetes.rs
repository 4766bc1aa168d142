//! Terraform-defined Kubernetes objects get the same findings as the equivalent YAML: every
//! fixture of the pod, ServiceAccount and RBAC rules is rewritten as Terraform — once with the
//! provider's typed resources (`kubernetes_deployment_v1`, `kubernetes_service_account_v1`, …, in
//! the provider's block syntax) and once as `kubernetes_manifest` — and both must produce the same
//! rule ids, at the same kind of place (the field the finding points at), as the YAML.
//!
//! Left out by design: findings of IB002 (Terraform converts map values to strings, so an
//! unquoted `true` reaches the API server as `"true"`), fixtures that are not plain manifests
//! (kustomize trees, templates, JSON), and, for the typed form, the deprecated `serviceAccount`
//! field and kinds the provider has no resource for (those go through `kubernetes_manifest`). A
//! finding inside text a YAML block scalar embeds (a file in a Secret) is compared at the key that
//! holds the text, the only place Terraform's one-string form can point at.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use iblint::check::{self, CheckOptions};
use iblint::config::Config;
use iblint::finding::Location;
use iblint::yaml::{parse_stream, Limits, Node, NodeKind, ScalarType};

const RULE_PREFIXES: &[&str] = &["IB1", "IB2", "IB3", "IB502"];

/// Provider resources for the kinds that have one.
const TYPED: &[(&str, &str)] = &[
    ("Pod", "kubernetes_pod_v1"),
    ("Deployment", "kubernetes_deployment_v1"),
    ("StatefulSet", "kubernetes_stateful_set_v1"),
    ("DaemonSet", "kubernetes_daemon_set_v1"),
    ("ReplicationController", "kubernetes_replication_controller_v1"),
    ("Job", "kubernetes_job_v1"),
    ("CronJob", "kubernetes_cron_job_v1"),
    ("ServiceAccount", "kubernetes_service_account_v1"),
    ("ConfigMap", "kubernetes_config_map_v1"),
    ("ClusterRole", "kubernetes_cluster_role_v1"),
    ("Role", "kubernetes_role_v1"),
    ("ClusterRoleBinding", "kubernetes_cluster_role_binding_v1"),
    ("RoleBinding", "kubernetes_role_binding_v1"),
];

/// API list fields that are repeated blocks in the provider, and the block names.
const LIST_BLOCKS: &[(&str, &str)] = &[
    ("containers", "container"),
    ("initContainers", "init_container"),
    ("env", "env"),
    ("envFrom", "env_from"),
    ("volumes", "volume"),
    ("volumeMounts", "volume_mount"),
    ("ports", "port"),
    ("rules", "rule"),
    ("subjects", "subject"),
    ("clusterRoleSelectors", "cluster_role_selectors"),
    ("matchExpressions", "match_expressions"),
    ("tolerations", "toleration"),
    ("imagePullSecrets", "image_pull_secrets"),
];

/// Maps of strings: attributes in the provider (`labels = { … }`), their keys are data.
const STRING_MAPS: &[&str] = &["labels", "annotations", "matchLabels", "nodeSelector", "data"];

#[derive(Clone, Copy, PartialEq)]
enum Form {
    Typed,
    Manifest,
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn snake(key: &str) -> String {
    let mut out = String::new();
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out.replace("${", "$${").replace("%{", "%%{")
}

/// A scalar as an HCL literal of the type the YAML gives it.
fn literal(node: &Node, as_string: bool) -> Option<String> {
    let s = node.as_scalar()?;
    Some(match s.resolved_type() {
        _ if as_string => quote(&s.value),
        ScalarType::Null => return None,
        ScalarType::Bool => matches!(s.value.as_str(), "true" | "True" | "TRUE").to_string(),
        ScalarType::Int | ScalarType::Float if s.value.parse::<f64>().is_ok() => s.value.to_string(),
        _ => quote(&s.value),
    })
}

/// An HCL expression for a YAML node (`kubernetes_manifest` values, attribute values).
fn expression(node: &Node, as_string: bool, indent: usize) -> Option<String> {
    let pad = "  ".repeat(indent + 1);
    match &node.kind {
        NodeKind::Scalar(_) => literal(node, as_string),
        NodeKind::Seq(nodes) => {
            let items: Vec<String> = nodes.iter().filter_map(|i| expression(i, false, indent + 1)).collect();
            if nodes.iter().all(|n| n.as_scalar().is_some()) {
                return Some(format!("[{}]", items.join(", ")));
            }
            // Objects each on their own line, as people write them.
            Some(format!("[\n{pad}{}\n{}]", items.join(&format!(",\n{pad}")), "  ".repeat(indent)))
        }
        NodeKind::Map(entries) => {
            let mut out = String::from("{\n");
            for (k, v) in entries {
                let key = k.as_str()?;
                let strings = as_string || STRING_MAPS.contains(&key);
                if let Some(e) = expression(v, strings && v.as_scalar().is_some(), indent + 1).or_else(|| {
                    // A map of strings inside a map: keep its values as strings.
                    expression(v, false, indent + 1)
                }) {
                    let e = if STRING_MAPS.contains(&key) { string_map(v, indent + 1)? } else { e };
                    out.push_str(&format!("{pad}{} = {e}\n", quote(key)));
                }
            }
            out.push_str(&format!("{}}}", "  ".repeat(indent)));
            Some(out)
        }
    }
}

fn string_map(node: &Node, indent: usize) -> Option<String> {
    let pad = "  ".repeat(indent + 1);
    let mut out = String::from("{\n");
    for (k, v) in node.as_map()? {
        if let Some(value) = literal(v, true) {
            out.push_str(&format!("{pad}{} = {value}\n", quote(k.as_str()?)));
        }
    }
    out.push_str(&format!("{}}}", "  ".repeat(indent)));
    Some(out)
}

/// A mapping as a provider block body.
fn block_body(node: &Node, indent: usize, out: &mut String) {
    let pad = "  ".repeat(indent);
    for (k, v) in node.as_map().unwrap_or_default() {
        let Some(key) = k.as_str() else { continue };
        match &v.kind {
            NodeKind::Map(_) if STRING_MAPS.contains(&key) => {
                if let Some(m) = string_map(v, indent) {
                    out.push_str(&format!("{pad}{} = {m}\n", snake(key)));
                }
            }
            NodeKind::Map(_) => {
                out.push_str(&format!("{pad}{} {{\n", snake(key)));
                block_body(v, indent + 1, out);
                out.push_str(&format!("{pad}}}\n"));
            }
            NodeKind::Seq(items) => match LIST_BLOCKS.iter().find(|(api, _)| *api == key) {
                Some((_, block)) => {
                    for item in items {
                        out.push_str(&format!("{pad}{block} {{\n"));
                        block_body(item, indent + 1, out);
                        out.push_str(&format!("{pad}}}\n"));
                    }
                }
                None => {
                    if let Some(e) = expression(v, false, indent) {
                        out.push_str(&format!("{pad}{} = {e}\n", snake(key)));
                    }
                }
            },
            NodeKind::Scalar(_) => {
                if let Some(l) = literal(v, false) {
                    out.push_str(&format!("{pad}{} = {l}\n", snake(key)));
                }
            }
        }
    }
}

/// One YAML document as one Terraform resource.
fn resource(doc: &Node, form: Form, n: usize) -> Option<String> {
    let kind = doc.get("kind")?.as_str()?;
    let typed = TYPED.iter().find(|(k, _)| *k == kind).map(|(_, r)| *r).filter(|_| form == Form::Typed);
    let mut out = String::new();
    match typed {
        Some(resource) => {
            out.push_str(&format!("resource \"{resource}\" \"r{n}\" {{\n"));
            let mut body = doc.clone();
            if let NodeKind::Map(entries) = &mut body.kind {
                entries.retain(|(k, _)| !matches!(k.as_str(), Some("apiVersion" | "kind")));
            }
            block_body(&body, 1, &mut out);
        }
        None => {
            out.push_str(&format!("resource \"kubernetes_manifest\" \"r{n}\" {{\n  manifest = "));
            out.push_str(&expression(doc, false, 1)?);
            out.push('\n');
        }
    }
    out.push_str("}\n");
    Some(out)
}

/// The YAML files of a case, or `None` when the case is not plain manifests (templates, lists,
/// kustomizations, inline suppression comments).
fn yaml_files(case: &Path) -> Option<Vec<PathBuf>> {
    let files: Vec<PathBuf> = if case.is_dir() {
        let mut out = Vec::new();
        let mut stack = vec![case.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).ok()?.flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.file_name().is_some_and(|n| n != ".iblint.yaml") {
                    out.push(p);
                }
            }
        }
        out
    } else {
        vec![case.to_path_buf()]
    };
    let plain = files.iter().all(|f| {
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let text = std::fs::read_to_string(f).unwrap_or_default();
        (name.ends_with(".yaml") || name.ends_with(".yml"))
            && !name.starts_with("kustomization")
            && !text.contains("{{")
            && !text.contains("kind: List")
            // An `iblint:ignore` comment is about the YAML line it sits on: it has no Terraform form.
            && !text.contains("iblint:ignore")
    });
    plain.then_some(files)
}

/// Writes the Terraform form of a case into `dir`, mirroring its files; `None` when a document
/// cannot be expressed in that form.
fn convert(case: &Path, files: &[PathBuf], form: Form, dir: &Path) -> Option<()> {
    for f in files {
        let text = std::fs::read_to_string(f).ok()?;
        if form == Form::Typed && text.contains("serviceAccount:") {
            return None; // the provider has no deprecated `serviceAccount` field
        }
        let mut docs = Vec::new();
        parse_stream(&text, &Limits::default(), |root| docs.push(root));
        let mut tf = String::new();
        for (i, doc) in docs.iter().filter(|d| d.get("kind").is_some()).enumerate() {
            tf.push_str(&resource(doc, form, i)?);
        }
        let rel = f.strip_prefix(case.parent()?).ok()?;
        let target = dir.join(rel).with_extension("tf");
        std::fs::create_dir_all(target.parent()?).ok()?;
        std::fs::write(target, tf).ok()?;
    }
    if case.join(".iblint.yaml").is_file() {
        let target = dir.join(case.file_name()?).join(".iblint.yaml");
        std::fs::copy(case.join(".iblint.yaml"), target).ok()?;
    }
    Some(())
}

/// The field a finding points at: the key on its line (`labels`, `serviceAccountName`,
/// `azure.workload.identity/use`, a block such as `metadata`), in the API's spelling; `item` for
/// a list entry as a whole (a subject, a container), `kind` for the object itself.
/// For a line inside a YAML block scalar (a file embedded in a Secret or ConfigMap, such as
/// external-dns's `azure.json`), the key that holds the text: Terraform writes the text as one
/// string expression, whose inner lines are not the file's, so a finding inside it can only point
/// at that key there.
fn embedding_key(path: &Path, line: u32) -> Option<String> {
    fn walk(node: &Node, line: u32) -> Option<String> {
        match &node.kind {
            NodeKind::Map(entries) => entries.iter().find_map(|(k, v)| {
                let inside = v.span.start().line > k.span.start().line
                    && (v.span.start().line..=v.span.end().line).contains(&line);
                match (&v.kind, inside) {
                    (NodeKind::Scalar(_), true) => k.as_str().map(str::to_string),
                    _ => walk(v, line),
                }
            }),
            NodeKind::Seq(items) => items.iter().find_map(|i| walk(i, line)),
            _ => None,
        }
    }
    if path.extension().is_none_or(|e| e != "yaml" && e != "yml") {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    let mut found = None;
    parse_stream(&text, &Limits::default(), |root| found = found.take().or_else(|| walk(&root, line)));
    found
}

fn field(path: &Path, line: u32, col: u32) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let raw = text.lines().nth(line as usize - 1).unwrap_or("");
    let l = raw.trim_start();
    if l.starts_with("resource ") || l.starts_with("kind:") {
        return "kind".into();
    }
    // A YAML list entry pointed at where its first key starts.
    let item_start = raw.len() - l.len() + 3;
    if l.starts_with("- ") && col as usize == item_start {
        return "item".into();
    }
    let l = l.trim_start_matches("- ");
    if l.starts_with('{') {
        return "item".into(); // an object in an HCL list
    }
    let key = l.split([':', '=', '{']).next().unwrap_or("").trim().trim_matches('"').to_string();
    if l.trim_end().ends_with('{') && LIST_BLOCKS.iter().any(|(_, block)| *block == key) {
        return "item".into();
    }
    let mut camel = String::new();
    let mut upper = false;
    for c in key.chars() {
        match c {
            '_' if !key.contains('/') && !key.contains('.') => upper = true,
            c if upper => {
                camel.extend(c.to_uppercase());
                upper = false;
            }
            c => camel.push(c),
        }
    }
    camel
}

/// Rule id and field of every finding of a run on `case` (scope: the case).
fn findings(case: &Path, cwd: &Path) -> BTreeMap<(String, String), usize> {
    let config = if case.join(".iblint.yaml").is_file() {
        iblint::config::load(&case.join(".iblint.yaml"), "x".into()).expect("config")
    } else {
        Config::default()
    };
    let opts = CheckOptions { paths: vec![case.to_path_buf()], scope: Some(case.to_path_buf()), ..Default::default() };
    let outcome = check::run(&opts, &config, cwd).expect("check");
    let mut out = BTreeMap::new();
    for f in outcome.findings.iter().filter(|f| f.suppression.is_none() && f.rule != "IB002") {
        let Location::File { path, span } = &f.location else { continue };
        let file = cwd.join(path.as_ref());
        let place = embedding_key(&file, span.start().line)
            .unwrap_or_else(|| field(&file, span.start().line, span.start().col));
        *out.entry((f.rule.to_string(), place)).or_insert(0) += 1;
    }
    out
}

#[test]
fn terraform_defined_objects_get_the_findings_of_their_yaml() {
    let testdata = repo().join("testdata");
    let mut rule_dirs: Vec<PathBuf> = std::fs::read_dir(&testdata)
        .expect("testdata")
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| RULE_PREFIXES.iter().any(|r| n.starts_with(r)))
        })
        .collect();
    rule_dirs.sort();
    let mut compared = 0;
    let mut with_findings = 0;
    let mut failures = Vec::new();
    for rule_dir in rule_dirs {
        let mut cases: Vec<PathBuf> =
            std::fs::read_dir(&rule_dir).expect("rule dir").flatten().map(|e| e.path()).collect();
        cases.sort();
        for case in cases.iter().filter(|c| !c.to_string_lossy().ends_with(".expect")) {
            let Some(files) = yaml_files(case) else { continue };
            let yaml = findings(case, &repo());
            if yaml.keys().any(|(rule, _)| rule == "IB001") {
                continue;
            }
            for form in [Form::Typed, Form::Manifest] {
                let dir = tempfile::tempdir().expect("tempdir");
                if convert(case, &files, form, dir.path()).is_none() {
                    continue;
                }
                let tf_case = dir.path().join(case.file_name().expect("name"));
                let tf_case = if case.is_dir() { tf_case } else { tf_case.with_extension("tf") };
                let tf = findings(&tf_case, dir.path());
                compared += 1;
                with_findings += usize::from(!tf.is_empty());
                if tf != yaml {
                    let form = if form == Form::Typed { "typed resources" } else { "kubernetes_manifest" };
                    let listing = std::fs::read_dir(dir.path())
                        .ok()
                        .and_then(|mut d| d.next())
                        .and_then(|e| e.ok())
                        .and_then(|e| std::fs::read_to_string(e.path()).ok())
                        .unwrap_or_default();
                    failures.push(format!(
                        "{} as {form}:\n  YAML      {yaml:?}\n  Terraform {tf:?}\n{listing}",
                        case.strip_prefix(&testdata).unwrap_or(case).display()
                    ));
                }
            }
        }
    }
    assert!(compared > 200 && with_findings > 100, "only {compared} cases compared, {with_findings} with findings");
    assert!(failures.is_empty(), "{} of {compared} differ:\n{}", failures.len(), failures.join("\n"));
}
