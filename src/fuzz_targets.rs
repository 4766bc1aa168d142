//! Entry points shared by the `cargo fuzz` targets (`fuzz/`) and the stable-toolchain mutation
//! fuzzer (`tests/fuzz.rs`). Each takes arbitrary bytes and must return without panicking.

use std::sync::Arc;

use crate::check::{self, CheckOptions};
use crate::config::{self, Config};
use crate::report::{self, Format, RenderOptions};
use crate::source::files::FileKind;
use crate::source::{self, Input, LoadOptions};

/// Every source that turns file bytes into model objects, by the file name it is read from.
/// A new source is one line here: both fuzzers then cover it.
pub const SOURCES: &[(&str, FileKind)] = &[
    ("fuzz.yaml", FileKind::Manifest),
    ("fuzz.tf", FileKind::Terraform),
    ("fuzz.tf.json", FileKind::Terraform),
    ("fuzz.bicep", FileKind::Bicep),
    ("fuzz.sh", FileKind::Script),
    ("fuzz.ps1", FileKind::Script),
    (".github/workflows/fuzz.yml", FileKind::Manifest),
];

/// One source on its own: bytes → model objects.
pub fn source(kind: FileKind, name: &str, bytes: &[u8]) {
    let display: Arc<str> = Arc::from(name);
    let input = Input { display: &display, kind, bytes, is_patch: false };
    let _ = source::load(&input, &LoadOptions::default());
    let patch = Input { is_patch: true, ..input };
    let _ = source::load(&patch, &LoadOptions::default());
}

/// The whole `check` pipeline on a manifest read from standard input: YAML source, model,
/// every rule, suppressions, and all four output formats.
pub fn pipeline(bytes: &[u8]) {
    let Ok(cwd) = std::env::current_dir() else { return };
    let opts = CheckOptions {
        paths: vec!["-".into()],
        stdin: Some(String::from_utf8_lossy(bytes).into_owned()),
        ..CheckOptions::default()
    };
    let Ok(outcome) = check::run(&opts, &Config::default(), &cwd) else { return };
    for format in [Format::Human, Format::Sarif, Format::Json, Format::Github] {
        let _ = report::render(format, &outcome, &RenderOptions::default());
    }
}

/// The config file parser.
pub fn config(bytes: &[u8]) {
    let _ = config::parse(&String::from_utf8_lossy(bytes), Arc::from(".iblint.yaml"));
}

/// A kustomize build: the bytes as the kustomization, as a resource and as a patch of a small
/// tree (held in memory), then the tree's objects through the model.
pub fn kustomize(bytes: &[u8]) {
    use crate::source::kustomize;
    use crate::source::loader::MemLoader;
    let text = String::from_utf8_lossy(bytes);
    let resource = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    \
                    metadata:\n      labels: {app: api}\n    spec:\n      containers: [{name: a}]\n";
    let kustomization = "namespace: n\nnamePrefix: p-\nresources: [r.yaml, ../base]\ncomponents: [../c]\n\
                         commonLabels: {a: b}\npatches:\n  - path: p.yaml\n  - path: p.yaml\n    target: {kind: .*}\n";
    let trees: [[(&str, &str); 5]; 3] = [
        [
            ("k/kustomization.yaml", &text),
            ("k/r.yaml", resource),
            ("k/p.yaml", resource),
            ("base/kustomization.yaml", "resources: [../k]\n"),
            ("c/kustomization.yaml", "kind: Component\n"),
        ],
        [
            ("k/kustomization.yaml", kustomization),
            ("k/r.yaml", &text),
            ("k/p.yaml", resource),
            ("base/kustomization.yaml", &text),
            ("c/kustomization.yaml", &text),
        ],
        [
            ("k/kustomization.yaml", kustomization),
            ("k/r.yaml", resource),
            ("k/p.yaml", &text),
            ("base/kustomization.yaml", "resources: []\n"),
            ("c/kustomization.yaml", "kind: Component\npatches: [{path: ../k/p.yaml}]\n"),
        ],
    ];
    for files in trees {
        let loader = MemLoader::new(files);
        let built = kustomize::build(std::path::Path::new("/k"), &loader, &LoadOptions::default());
        for object in &built.objects {
            let cx = crate::source::manifest::DocContext {
                origin: crate::model::Origin::file(Arc::from("k/r.yaml")),
                default_namespace: "default",
                is_patch: false,
                build: Some(Arc::from("k/kustomization.yaml")),
            };
            let mut objects = crate::model::Objects::default();
            crate::source::manifest::load_document(object, &cx, &mut objects);
        }
    }
}

/// A list page as an API server sends it: the JSON reader never panics, and what it takes reads
/// as the YAML reader reads it.
#[cfg(feature = "live")]
pub fn list_page(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    assert!(crate::source::cluster::json_page::agrees_with_yaml(&text), "the JSON and YAML readers disagree");
}
