//! Kubeconfig files, found and merged as kubectl does: `--kubeconfig FILE` alone (it must exist),
//! else every file `KUBECONFIG` lists (empty entries and missing files ignored, the first file to
//! set a value or name an entry wins), else `~/.kube/config`. A malformed file is an error naming
//! the file and the line — never showing its contents, which hold tokens and keys.

use std::path::{Path, PathBuf};

use kube::config::Kubeconfig;

use super::ClusterError;
use crate::yaml::{parse_stream, Limits, Node, NodeKind};

/// The merged kubeconfig, or `None` when there is no file at all (then: in-cluster).
pub(super) fn load(explicit: Option<&Path>) -> Result<Option<Kubeconfig>, ClusterError> {
    if let Some(path) = explicit {
        if !path.is_file() {
            return Err(ClusterError::Config(format!("--kubeconfig {}: no such file", path.display())));
        }
        return read(path).map(Some);
    }
    let files = match std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
        Some(list) => dedup(std::env::split_paths(&list).filter(|p| !p.as_os_str().is_empty()).collect()),
        None => home_config().into_iter().collect(),
    };
    let mut merged: Option<Kubeconfig> = None;
    for path in files.iter().filter(|p| p.is_file()) {
        let mut next = read(path)?;
        // kubectl merges files of any `kind`/`apiVersion`; kube's merge would refuse a mismatch.
        next.kind = None;
        next.api_version = None;
        merged = Some(match merged {
            None => next,
            Some(first) => first.merge(next).map_err(|e| ClusterError::Config(format!("{}: {e}", path.display())))?,
        });
    }
    Ok(merged)
}

/// `~/.kube/config`, when there is a home directory.
fn home_config() -> Option<PathBuf> {
    let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE")).filter(|h| !h.is_empty())?;
    Some(PathBuf::from(home).join(".kube").join("config"))
}

/// The first occurrence of each path, in order (client-go deduplicates the list the same way).
fn dedup(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    for p in paths {
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

/// One file: its shape checked first (so an error can name a line without quoting it), then read
/// by kube (which also makes relative certificate and token paths relative to the file).
fn read(path: &Path) -> Result<Kubeconfig, ClusterError> {
    let bytes = std::fs::read(path)
        .map_err(|e| ClusterError::Config(format!("{}: cannot be read: {}", path.display(), e.kind())))?;
    // UTF-16 files (PowerShell's `>`) are left to kube, which decodes them.
    if let Ok(text) = std::str::from_utf8(&bytes) {
        check_shape(text).map_err(|(line, col, what)| {
            ClusterError::Config(format!("{}:{line}:{col}: not a valid kubeconfig: {what}", path.display()))
        })?;
    }
    Kubeconfig::read_from(path).map_err(|e| {
        // kube's messages may quote the file (a token included): only their kind is told.
        let what = match e {
            kube::config::KubeconfigError::ReadConfig(io, _) => format!("cannot be read: {}", io.kind()),
            _ => "not a valid kubeconfig (check it with `kubectl config view --kubeconfig FILE`)".to_string(),
        };
        ClusterError::Config(format!("{}: {what}", path.display()))
    })
}

/// `(line, column, what)` of the first problem: a YAML syntax error, or a value whose type a
/// kubeconfig cannot have. Messages name the schema's keys, never a value.
fn check_shape(text: &str) -> Shape {
    let mut problem = None;
    let outcome = parse_stream(text, &Limits::default(), |root| {
        if problem.is_none() {
            problem = check_root(&root).err();
        }
    });
    if let Some(e) = outcome.fatal {
        return Err((e.pos.line, e.pos.col, format!("YAML syntax: {}", e.message)));
    }
    problem.map_or(Ok(()), Err)
}

/// Where a kubeconfig goes wrong: line, column and what is wrong.
type Problem = (u32, u32, String);
type Shape = Result<(), Problem>;

fn wrong(node: &Node, key: &str, want: &str) -> Shape {
    Err((node.span.start().line, node.span.start().col, format!("`{key}` must be {want}")))
}

fn is_null(node: &Node) -> bool {
    matches!(&node.kind, NodeKind::Scalar(s) if !s.quoted && matches!(s.value.as_str(), "" | "~" | "null"))
}

fn scalar(node: &Node, key: &str) -> Shape {
    match node.kind {
        NodeKind::Scalar(_) => Ok(()),
        _ => wrong(node, key, "a string"),
    }
}

fn entries<'a>(node: &'a Node, key: &str) -> Result<&'a [(Node, Node)], Problem> {
    match &node.kind {
        NodeKind::Map(entries) => Ok(entries),
        _ if is_null(node) => Ok(&[]),
        _ => wrong(node, key, "a mapping").map(|_| &[][..]),
    }
}

fn items<'a>(node: &'a Node, key: &str) -> Result<&'a [Node], Problem> {
    match &node.kind {
        NodeKind::Seq(items) => Ok(items),
        _ if is_null(node) => Ok(&[]),
        _ => wrong(node, key, "a list").map(|_| &[][..]),
    }
}

fn check_root(root: &Node) -> Shape {
    for (k, v) in entries(root, "the document")? {
        match k.as_str().unwrap_or("") {
            "clusters" => named_list(v, "clusters", "cluster", check_cluster)?,
            "contexts" => named_list(v, "contexts", "context", check_context)?,
            "users" => named_list(v, "users", "user", check_user)?,
            key @ ("current-context" | "kind" | "apiVersion") => scalar(v, key)?,
            key @ "preferences" => entries(v, key).map(|_| ())?,
            _ => {}
        }
    }
    Ok(())
}

/// `- name: …` entries holding a mapping under `inner`.
fn named_list(list: &Node, key: &str, inner: &str, check: fn(&Node) -> Shape) -> Shape {
    for entry in items(list, key)? {
        for (k, v) in entries(entry, key)? {
            match k.as_str().unwrap_or("") {
                "name" => scalar(v, &format!("{key}[].name"))?,
                field if field == inner => check(v)?,
                _ => {}
            }
        }
    }
    Ok(())
}

fn scalars_in(map: &Node, key: &str, fields: &[&str]) -> Shape {
    for (k, v) in entries(map, key)? {
        let name = k.as_str().unwrap_or("");
        if fields.contains(&name) {
            scalar(v, name)?;
        }
    }
    Ok(())
}

fn check_cluster(node: &Node) -> Shape {
    const FIELDS: &[&str] = &[
        "server",
        "certificate-authority",
        "certificate-authority-data",
        "insecure-skip-tls-verify",
        "tls-server-name",
        "proxy-url",
        "disable-compression",
    ];
    scalars_in(node, "cluster", FIELDS)
}

fn check_context(node: &Node) -> Shape {
    scalars_in(node, "context", &["cluster", "user", "namespace"])
}

fn check_user(node: &Node) -> Shape {
    const FIELDS: &[&str] = &[
        "token",
        "tokenFile",
        "client-certificate",
        "client-certificate-data",
        "client-key",
        "client-key-data",
        "username",
        "password",
        "as",
    ];
    scalars_in(node, "user", FIELDS)?;
    for (k, v) in entries(node, "user")? {
        match k.as_str().unwrap_or("") {
            "exec" => check_exec(v)?,
            key @ "auth-provider" => entries(v, key).map(|_| ())?,
            key @ "as-groups" => items(v, key).map(|_| ())?,
            _ => {}
        }
    }
    Ok(())
}

fn check_exec(node: &Node) -> Shape {
    scalars_in(node, "exec", &["command", "apiVersion", "interactiveMode", "installHint"])?;
    for (k, v) in entries(node, "exec")? {
        match k.as_str().unwrap_or("") {
            "args" => {
                for arg in items(v, "exec.args")? {
                    scalar(arg, "exec.args[]")?;
                }
            }
            "env" => {
                for var in items(v, "exec.env")? {
                    scalars_in(var, "exec.env[]", &["name", "value"])?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2Vu";

    #[test]
    fn syntax_errors_name_a_line_without_quoting_it() {
        let text = format!("users:\n- name: u\n  user:\n    token: {TOKEN}\n  bad: [\n");
        let (line, _, what) = check_shape(&text).expect_err("broken YAML");
        assert!(line >= 5, "{line}");
        assert!(!what.contains(TOKEN), "{what}");
    }

    #[test]
    fn values_of_the_wrong_type_are_found_by_their_key() {
        let text = format!("users:\n- name: u\n  user:\n    token: {TOKEN}\n    exec:\n      args: {TOKEN}\n");
        let (line, col, what) = check_shape(&text).expect_err("args is not a list");
        assert_eq!((line, col), (6, 13));
        assert_eq!(what, "`exec.args` must be a list");
        assert!(check_shape("clusters:\n- name: c\n  cluster:\n    server: https://x\n").is_ok());
        assert!(check_shape("").is_ok());
    }
}
