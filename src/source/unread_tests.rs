//! Leaving unread ConfigMap settings out of the tree ([`UnreadSettings`]) changes nothing the
//! linter reads: the same objects, the same secret values to mask, the same parse problems.

use std::path::Path;
use std::sync::Arc;

use super::manifest::{load_document, DocContext, UnreadSettings};
use super::{read_manifest, LoadOptions};
use crate::model::{Objects, Origin};
use crate::yaml::Unread;

/// Everything reading `text` yields, as text to compare.
fn read(display: &str, text: &str, unread: Option<&dyn Unread>) -> String {
    let display: Arc<str> = Arc::from(display);
    let opts = LoadOptions::default();
    let cx = DocContext {
        origin: Origin::File(display.clone()),
        default_namespace: "default",
        is_patch: false,
        build: None,
    };
    let (mut out, mut loaded) = (Objects::default(), Objects::default());
    let kept = read_manifest(&display, text, &opts, unread, &mut out, |root| load_document(&root, &cx, &mut loaded));
    out.secret_values.sort();
    format!("{kept}\n{out:?}\n{loaded:?}")
}

fn same_either_way(display: &str, text: &str) {
    let whole = read(display, text, None);
    let pruned = read(display, text, Some(&UnreadSettings));
    assert!(whole == pruned, "{display}: pruned reading differs\n--- whole\n{whole}\n--- pruned\n{pruned}");
}

#[test]
fn settings_that_matter_stay() {
    let text = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  LOG_LEVEL: debug
  AZURE_CLIENT_ID: 00000000-0000-0000-0000-000000000001
  token-path: /var/run/secrets/azure/tokens/azure-identity-token
  DB_PASSWORD: hunter22hunter
  connection: "Server=db;User Id=app;Password=s3cr3t-pw"
  url: postgres://app:pw1234@db:5432/x
  name: API_TOKEN
  value: the-token-value
  azure.json: '{"useWorkloadIdentityExtension": true, "aadClientId": "x"}'
  dup: 1
  dup: 2
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: contradicted
data:
  plain: value
kind: Secret
"#;
    same_either_way("settings.yaml", text);
    // What makes the comparison bite: the policy leaves out the plain settings, and only them.
    let mut data = Vec::new();
    crate::yaml::parse_stream_pruned(text, &LoadOptions::default().limits, Some(&UnreadSettings), |root| {
        let keys = root.get("data").and_then(|d| d.as_map()).unwrap_or_default().iter();
        data.push(keys.filter_map(|(k, _)| k.as_str().map(str::to_owned)).collect::<Vec<_>>());
    });
    let expected = ["AZURE_CLIENT_ID", "token-path", "DB_PASSWORD", "connection", "url", "name", "value", "azure.json"];
    assert_eq!(data, [expected.to_vec(), vec!["plain"]]);
}

/// Every manifest of the bundled example and of the real-world corpus (when present) reads the
/// same pruned or whole.
#[test]
fn every_known_manifest_reads_the_same_pruned() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = std::env::var_os("IBLINT_REALWORLD")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/realworld"));
    let mut checked = 0;
    for dir in [root.join("testdata"), corpus] {
        for entry in ignore::WalkBuilder::new(&dir).standard_filters(false).build().filter_map(Result::ok) {
            let path = entry.path();
            let is_manifest = path.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "json");
            let Some(text) = is_manifest.then(|| std::fs::read_to_string(path).ok()).flatten() else { continue };
            same_either_way(&path.display().to_string(), &text);
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} manifests found");
}
