//! The fixture: the objects a fake cluster holds, the types it knows, its access-review answers
//! and its faults.
//!
//! Fixture directory (`testdata/live/<scenario>/`): every `*.json` file is one object or a
//! `{"kind": "List", "items": [..]}`, except `sar.json`, which is the [`SarTable`]; every `*.yaml`
//! file is a stream of such objects. A `SubjectAccessReview` among the objects (spec and status,
//! as the API server returns one) is not stored: it is how the server answers that question
//! ([`SarRule::from_review`]). A fixture may also be a single file. Objects need
//! `apiVersion`, `kind` and `metadata.name`; objects of unknown groups register a custom resource type
//! (plural derived from the kind — `AzureIdentity` → `azureidentities` — and namespaced when
//! the object has a namespace; [`Cluster::with_resource`] registers any other shape).

use std::collections::HashMap;
use std::path::Path;

use serde_json::{json, Value};

use super::faults::Fault;
use super::resources::{self, ResourceType};
use super::sar::{SarRule, SarTable};
use super::yaml;

/// The Kubernetes version `/version` reports unless changed.
pub const DEFAULT_VERSION: &str = "v1.32.4";
/// The name of the access-review table inside a fixture directory.
pub const SAR_FILE: &str = "sar.json";

/// A fake cluster's contents.
#[derive(Clone, Debug)]
pub struct Cluster {
    /// Stored objects, each with `apiVersion`, `kind` and `metadata`.
    pub objects: Vec<Value>,
    /// The types discovery lists and the routes serve.
    pub resources: Vec<ResourceType>,
    pub sar: SarTable,
    pub faults: Vec<Fault>,
    /// `gitVersion` of `/version`, e.g. `v1.32.4`.
    pub version: String,
    /// Whether discovery answers in the aggregated format when asked (Kubernetes 1.26+); legacy
    /// discovery is always served.
    pub aggregated_discovery: bool,
    /// Where each type's objects are in `objects` (by `apiVersion` and `kind`), made once the
    /// objects are final ([`Cluster::index`]): each page of a list looked at every object of
    /// every type, and serving 50,000 pods took the server more processor time than the audit
    /// that read them.
    by_type: HashMap<(String, String), Vec<usize>>,
    /// Each object's JSON as a list item, written the first time a list sends it (as built-in
    /// lists send items, without `apiVersion`/`kind`, and as custom resources' lists do, with
    /// them): a real server keeps its objects encoded in its watch cache, and encoding every
    /// item of every page again made the fake the slowest part of an audit of 50,000 pods.
    encoded: Vec<[std::sync::OnceLock<String>; 2]>,
}

impl Default for Cluster {
    fn default() -> Cluster {
        Cluster {
            objects: Vec::new(),
            resources: resources::builtin(),
            sar: SarTable::default(),
            faults: Vec::new(),
            version: DEFAULT_VERSION.to_string(),
            aggregated_discovery: true,
            by_type: HashMap::new(),
            encoded: Vec::new(),
        }
    }
}

impl Cluster {
    pub fn new() -> Cluster {
        Cluster::default()
    }

    /// Loads a fixture file or directory (see the module docs).
    pub fn load(path: impl AsRef<Path>) -> Result<Cluster, String> {
        let mut cluster = Cluster::new();
        cluster.load_path(path.as_ref())?;
        Ok(cluster)
    }

    /// Adds the objects (and the `sar.json`) of a fixture file or directory.
    pub fn load_path(&mut self, path: &Path) -> Result<(), String> {
        if path.is_dir() {
            let entries = std::fs::read_dir(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let mut files: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
            files.sort();
            return files.iter().filter(|f| f.is_dir() || is_json(f) || is_yaml(f)).try_for_each(|f| self.load_path(f));
        }
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        if is_yaml(path) {
            let documents = yaml::documents(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            return documents
                .into_iter()
                .try_for_each(|d| self.add_all(d.value))
                .map_err(|e| format!("{}: {e}", path.display()));
        }
        let value: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        if path.file_name().is_some_and(|name| name == SAR_FILE) {
            self.sar = SarTable::from_json(&value).map_err(|e| format!("{}: {e}", path.display()))?;
            return Ok(());
        }
        self.add_all(value).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Adds one object or every item of a `List`.
    pub fn add_all(&mut self, value: Value) -> Result<(), String> {
        if value.get("kind").and_then(Value::as_str) == Some("List") {
            let items = value.get("items").and_then(Value::as_array).cloned().unwrap_or_default();
            return items.into_iter().try_for_each(|item| self.add(item));
        }
        self.add(value)
    }

    /// Adds one object, registering its type if the cluster does not know it, and filling the
    /// metadata a real server always sets (`uid`, `resourceVersion`, `creationTimestamp`).
    pub fn add(&mut self, mut object: Value) -> Result<(), String> {
        let (api_version, kind) = type_of(&object).ok_or("an object needs apiVersion and kind")?;
        if api_version == "authorization.k8s.io/v1" && kind == "SubjectAccessReview" {
            self.sar.rules.push(SarRule::from_review(&object)?);
            return Ok(());
        }
        let name = object.pointer("/metadata/name").and_then(Value::as_str).ok_or("an object needs metadata.name")?;
        let namespaced = object.pointer("/metadata/namespace").is_some();
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version.as_str()));
        if self.resource_for_kind(group, version, &kind).is_none() {
            self.resources.push(ResourceType::custom(group, version, &kind, namespaced));
        }
        let serial = self.objects.len() + 1;
        let namespace = object.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or("");
        let identity = format!("{api_version}/{kind}/{namespace}/{name}");
        let uid = format!("5f3c2a10-0000-4000-8000-{:012x}", fnv(identity.as_bytes()) & 0xffff_ffff_ffff);
        if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.entry("uid").or_insert_with(|| json!(uid));
            meta.entry("resourceVersion").or_insert_with(|| json!((1000 + serial).to_string()));
            meta.entry("creationTimestamp").or_insert_with(|| json!("2026-01-05T09:00:00Z"));
        }
        self.objects.push(object);
        Ok(())
    }

    /// Builder form of [`Cluster::add`] for objects written in tests.
    pub fn with(mut self, object: Value) -> Cluster {
        if let Err(e) = self.add(object) {
            panic!("fake cluster object: {e}");
        }
        self
    }

    /// Registers a resource type (a CRD whose plural or scope cannot be derived from its objects).
    /// Register before adding objects of that type.
    pub fn with_resource(mut self, resource: ResourceType) -> Cluster {
        self.resources
            .retain(|r| !(r.group == resource.group && r.version == resource.version && r.kind == resource.kind));
        self.resources.push(resource);
        self
    }

    pub fn with_fault(mut self, fault: Fault) -> Cluster {
        self.faults.push(fault);
        self
    }

    pub fn with_sar(mut self, sar: SarTable) -> Cluster {
        self.sar = sar;
        self
    }

    pub fn resource_for_kind(&self, group: &str, version: &str, kind: &str) -> Option<&ResourceType> {
        self.resources.iter().find(|r| r.group == group && r.version == version && r.kind == kind)
    }

    pub fn resource(&self, group: &str, version: &str, plural: &str) -> Option<&ResourceType> {
        self.resources.iter().find(|r| r.group == group && r.version == version && r.plural == plural)
    }

    /// The stored objects of one type, in any namespace.
    pub fn objects_of<'a>(&'a self, resource: &'a ResourceType) -> impl Iterator<Item = &'a Value> + 'a {
        self.positions_of(resource).iter().map(|&i| &self.objects[i])
    }

    /// Where the objects of one type are in `objects`, in order.
    pub fn positions_of(&self, resource: &ResourceType) -> &[usize] {
        self.by_type.get(&(resource.api_version(), resource.kind.clone())).map_or(&[], Vec::as_slice)
    }

    /// Object `i` as an item of a list of `resource`: its JSON, encoded once.
    pub fn list_item(&self, i: usize, resource: &ResourceType) -> std::borrow::Cow<'_, str> {
        let encode = || super::lists::list_item(resource, &self.objects[i]).to_string();
        match self.encoded.get(i) {
            Some(forms) => forms[usize::from(resource.builtin)].get_or_init(encode).as_str().into(),
            None => encode().into(),
        }
    }

    /// Indexes the objects by type for [`Cluster::objects_of`]; called when the server starts,
    /// once the objects are in their final order.
    pub fn index(&mut self) {
        self.by_type.clear();
        self.encoded = self.objects.iter().map(|_| Default::default()).collect();
        for (i, object) in self.objects.iter().enumerate() {
            let (Some(api_version), Some(kind)) = (object["apiVersion"].as_str(), object["kind"].as_str()) else {
                continue;
            };
            self.by_type.entry((api_version.to_string(), kind.to_string())).or_default().push(i);
        }
    }

    /// `(group, [versions])` of every API group, core excluded, in registration order.
    pub fn groups(&self) -> Vec<(String, Vec<String>)> {
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        for resource in self.resources.iter().filter(|r| !r.group.is_empty()) {
            match groups.iter_mut().find(|(g, _)| *g == resource.group) {
                Some((_, versions)) if !versions.contains(&resource.version) => versions.push(resource.version.clone()),
                Some(_) => {}
                None => groups.push((resource.group.clone(), vec![resource.version.clone()])),
            }
        }
        groups
    }

    /// The types served under one group version.
    pub fn resources_in(&self, group: &str, version: &str) -> Vec<&ResourceType> {
        self.resources.iter().filter(|r| r.group == group && r.version == version).collect()
    }
}

/// `(apiVersion, kind)` of an object.
pub fn type_of(object: &Value) -> Option<(String, String)> {
    let api_version = object.get("apiVersion").and_then(Value::as_str)?;
    let kind = object.get("kind").and_then(Value::as_str)?;
    Some((api_version.to_string(), kind.to_string()))
}

fn is_json(path: &Path) -> bool {
    path.extension().is_some_and(|ext| ext == "json")
}

fn is_yaml(path: &Path) -> bool {
    path.extension().is_some_and(|ext| ext == "yaml" || ext == "yml")
}

/// FNV-1a: stable made-up identifiers (uids, hashes) without a hashing crate.
pub fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3))
}
