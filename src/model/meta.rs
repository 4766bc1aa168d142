use std::fmt;
use std::sync::Arc;

use crate::span::Span;

/// Where a model object came from: a file, or a live cluster.
///
/// One per file, which every object read from it shares: 8 bytes in each object, where the place
/// itself takes 24 (every object has one, and a large repository's model is millions of bytes of
/// them). [`Origin::file`] and the cache's decoder share it with the previous object's origin
/// made on the same thread, as a file's objects are made together, one file per thread at a time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin(Arc<Place>);

/// What an [`Origin`] names.
#[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Place {
    /// A file, by its display path (relative to the working directory, `/`-separated).
    File(#[serde(deserialize_with = "shared_path")] Arc<str>),
    /// A live object in the cluster of the named kubeconfig context.
    Live { context: Arc<str> },
}

/// A file's path as decoded from the incremental cache: the objects of one file share one copy,
/// as the objects read from the file itself do (a warm run on 10,000 apps otherwise held 60,000
/// copies). The objects of a file are decoded together, on one thread: the last path is the one
/// to share.
fn shared_path<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Arc<str>, D::Error> {
    thread_local! {
        static LAST: std::cell::RefCell<Option<Arc<str>>> = const { std::cell::RefCell::new(None) };
    }
    let path: &str = serde::Deserialize::deserialize(deserializer)?;
    Ok(LAST.with_borrow_mut(|last| match last {
        Some(shared) if **shared == *path => shared.clone(),
        _ => last.insert(Arc::from(path)).clone(),
    }))
}

impl Origin {
    /// The file at display path `path`.
    pub fn file(path: Arc<str>) -> Origin {
        Origin::shared(Place::File(path))
    }

    /// The cluster of kubeconfig context `context`.
    pub fn live(context: Arc<str>) -> Origin {
        Origin::shared(Place::Live { context })
    }

    /// The origin of the previous object made on this thread when it names the same place,
    /// else a new one.
    fn shared(place: Place) -> Origin {
        thread_local! {
            static LAST: std::cell::RefCell<Option<Origin>> = const { std::cell::RefCell::new(None) };
        }
        LAST.with_borrow_mut(|last| match last {
            Some(shared) if *shared.0 == place => shared.clone(),
            _ => last.insert(Origin(Arc::new(place))).clone(),
        })
    }

    pub fn place(&self) -> &Place {
        &self.0
    }

    pub fn path(&self) -> Option<&Arc<str>> {
        match self.place() {
            Place::File(p) => Some(p),
            Place::Live { .. } => None,
        }
    }
}

impl serde::Serialize for Origin {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.place().serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Origin {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Origin, D::Error> {
        Place::deserialize(deserializer).map(Origin::shared)
    }
}

/// The model's strings. Names, keys and most values are short: up to 24 bytes are stored
/// inline, so a large repository's model is not millions of small allocations (each a cache
/// miss for the rules that read it).
pub type Text = compact_str::CompactString;

/// A string value with the span of its text.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Str {
    pub value: Text,
    pub span: Span,
}

impl Str {
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

/// A string value that many objects repeat (a credential's issuer URL, its audience), with the
/// span of its text: the text is interned, one copy however many credentials name it (a
/// Terraform `for_each` declares one credential per application, all with the same issuer).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SharedStr {
    pub value: super::Interned,
    pub span: Span,
}

impl From<Str> for SharedStr {
    fn from(s: Str) -> SharedStr {
        SharedStr { value: super::Interned::new(&s.value), span: s.span }
    }
}

impl SharedStr {
    /// Each of `items`, shared (a credential's audiences).
    pub fn all(items: Vec<Str>) -> Vec<SharedStr> {
        items.into_iter().map(SharedStr::from).collect()
    }
}

/// What a label or annotation value decodes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ValueType {
    String,
    Bool,
    Int,
    Float,
    Null,
    Sequence,
    Mapping,
}

/// One label or annotation.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    /// Interned: a repository repeats a few dozen keys a million times.
    pub key: super::Interned,
    pub key_span: Span,
    /// The value's text (empty for sequences and mappings).
    pub value: Text,
    pub value_span: Span,
    pub value_type: ValueType,
}

impl Entry {
    /// The value is a string (or null, which the API server reads as empty). Only then do rules
    /// judge what it says: any other type is IB002's alone (see `rules` on which rule owns a value).
    pub fn is_string(&self) -> bool {
        matches!(self.value_type, ValueType::String | ValueType::Null)
    }
}

/// The entry for `key` among `items`; with duplicates the last one wins, as in the API server.
pub(crate) fn last_named<'a>(items: &'a [Entry], key: &str) -> Option<&'a Entry> {
    items.iter().rev().find(|e| e.key == key)
}

/// Labels or annotations, in source order, with the span of the `labels:`/`annotations:` key.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Entries {
    pub key_span: Option<Span>,
    pub items: Box<[Entry]>,
}

impl Entries {
    /// The entry for `key`; with duplicates the last one wins, as in the API server.
    pub fn get(&self, key: &str) -> Option<&Entry> {
        last_named(&self.items, key)
    }

    pub fn value(&self, key: &str) -> Option<&str> {
        self.get(key).map(|e| e.value.as_str())
    }

    pub fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Entries whose key starts with `prefix`.
    pub fn with_prefix<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a Entry> + 'a {
        self.items.iter().filter(move |e| e.key.starts_with(prefix))
    }
}

/// Identity of an object as users name it: `Deployment team-a/api`, `ClusterRole reader`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectRef {
    /// Interned, as in [`Meta`]: every finding names its object, and a reference made of three
    /// allocated strings took more memory than most findings' messages.
    pub kind: super::Interned,
    /// `None` for cluster-scoped kinds.
    pub namespace: Option<super::Interned>,
    pub name: Text,
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {}/{}", self.kind, ns, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

/// What every object has: identity, metadata and where it was declared.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Meta {
    /// Interned, as every object has one and they are few.
    pub api_version: super::Interned,
    pub kind: super::Interned,
    pub name: Text,
    pub name_span: Option<Span>,
    /// Resolved: `metadata.namespace`, else `--namespace`, else `default`.
    /// Interned: a repository has few namespaces and every object names one.
    pub namespace: super::Interned,
    pub namespace_span: Option<Span>,
    /// The `metadata:` key, if present.
    pub metadata_span: Option<Span>,
    /// The `kind:` value: the anchor of last resort.
    pub kind_span: Span,
    pub labels: Entries,
    pub annotations: Entries,
    pub origin: Origin,
    /// Declared in a kustomize patch: a partial object, so absence of a field means nothing.
    pub is_patch: bool,
    /// The kustomize root (its kustomization file) whose build produced the object. The same
    /// file built by several roots gives several objects: one per deployment of it.
    pub build: Option<super::Interned>,
    /// Cluster-scoped kinds have no namespace in their identity.
    pub cluster_scoped: bool,
}

impl Meta {
    pub fn object_ref(&self) -> ObjectRef {
        ObjectRef {
            kind: self.kind,
            namespace: (!self.cluster_scoped).then_some(self.namespace),
            name: self.name.clone(),
        }
    }

    /// The nearest existing anchor for a missing metadata key: the map, else `metadata:`, else
    /// `kind:`.
    pub fn anchor_for(&self, entries: &Entries) -> Span {
        nearest_in_own_file(&[entries.key_span, self.metadata_span], self.kind_span)
    }
}

/// The first of `candidates` in the object's own file, else the first there is, else `last`. In a
/// kustomize build a map can come from another file (`commonAnnotations` creates `annotations:`
/// on objects that had none): a missing key is still best added where the object is declared.
pub(crate) fn nearest_in_own_file(candidates: &[Option<Span>], last: Span) -> Span {
    let own = |s: &&Span| s.file == crate::span::FileId::HOLDER;
    let present = || candidates.iter().flatten();
    present().find(own).or_else(|| present().next()).copied().unwrap_or(last)
}

/// A ServiceAccount.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ServiceAccount {
    pub meta: Meta,
}

impl ServiceAccount {
    pub fn client_id(&self) -> Option<&Entry> {
        self.meta.annotations.get(super::CLIENT_ID)
    }

    pub fn tenant_id(&self) -> Option<&Entry> {
        self.meta.annotations.get(super::TENANT_ID)
    }
}

/// A ConfigMap; only its string data is kept.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ConfigMap {
    pub meta: Meta,
    pub data: Vec<Entry>,
}

#[cfg(test)]
mod tests {
    use super::{Entry, Meta};

    /// Every object has a `Meta` and most have several entries: a repository of 100,000
    /// applications holds 600,000 of one and a million of the other, so a field added here is
    /// paid for in the benchmark's memory figures (docs/performance.md).
    #[test]
    fn the_facts_every_object_repeats_stay_small() {
        assert!(std::mem::size_of::<Entry>() <= 80, "Entry: {} bytes", std::mem::size_of::<Entry>());
        assert!(std::mem::size_of::<Meta>() <= 184, "Meta: {} bytes", std::mem::size_of::<Meta>());
        assert_eq!(std::mem::size_of::<Option<crate::model::Interned>>(), 8);
        assert_eq!(std::mem::size_of::<super::Origin>(), 8);
        // Every finding names its object; every role has a rule or two.
        assert!(
            std::mem::size_of::<super::ObjectRef>() <= 40,
            "ObjectRef: {} bytes",
            std::mem::size_of::<super::ObjectRef>()
        );
        let rule = std::mem::size_of::<crate::model::PolicyRule>();
        assert!(rule <= 40, "PolicyRule: {rule} bytes");
    }

    /// Objects decoded from the cache share their file's path, as objects read from the file do.
    #[test]
    fn origins_decoded_together_share_their_path() {
        use super::Origin;
        let origins =
            vec![Origin::file("apps/a.yaml".into()), Origin::file("apps/a.yaml".into()), Origin::file("b.yaml".into())];
        let bytes = postcard::to_stdvec(&origins).unwrap();
        let decoded: Vec<Origin> = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(decoded, origins);
        assert!(std::sync::Arc::ptr_eq(&decoded[0].0, &decoded[1].0), "one origin for the file's objects");
        assert!(!std::sync::Arc::ptr_eq(&decoded[0].0, &origins[0].0), "decoded, not the ones encoded");
        assert_eq!(&**decoded[2].path().unwrap(), "b.yaml");
    }

    /// The objects made from one file share its origin; another file, or a cluster, has its own.
    #[test]
    fn objects_made_one_after_another_from_a_file_share_its_origin() {
        use super::{Origin, Place};
        let path: std::sync::Arc<str> = "apps/a.yaml".into();
        let (a, b) = (Origin::file(path.clone()), Origin::file(path.clone()));
        assert!(std::sync::Arc::ptr_eq(&a.0, &b.0));
        let other = Origin::file("apps/b.yaml".into());
        assert!(!std::sync::Arc::ptr_eq(&a.0, &other.0));
        let live = Origin::live("prod".into());
        assert!(matches!(live.place(), Place::Live { context } if &**context == "prod"));
        assert_eq!(live.path(), None);
        assert_eq!(Origin::file(path.clone()), a, "equal by what they name");
    }

    /// Credentials a `for_each` expands repeat one issuer URL each: they must share its text.
    #[test]
    fn credentials_share_the_text_of_a_repeated_issuer() {
        let issuer = "https://westeurope.oic.prod-aks.azure.com/tenant/cluster/";
        let at = |line| super::Str { value: issuer.into(), span: crate::span::Span::line(line) };
        let (a, b) = (super::SharedStr::from(at(3)), super::SharedStr::from(at(9)));
        assert_eq!(a.value.as_str(), issuer);
        assert_eq!((a.span.start().line, b.span.start().line), (3, 9));
        assert!(std::ptr::eq(a.value.as_str(), b.value.as_str()), "one copy of the text");
    }
}
