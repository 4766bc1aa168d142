use std::sync::Arc;

use super::compact::Compact;
use super::fic::{same_identity, FederatedCredential, IdentityBindingResource};
use super::keyed::Keyed;
use super::legacy::LegacyPodIdentity;
use super::live::LiveState;
use super::meta::{ConfigMap, Meta, ServiceAccount};
use super::rbac::{Binding, Role};
use super::tools::ToolConfig;
use super::workload::Workload;
use crate::span::Pos;

/// A file that could not be read or parsed (IB001).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ParseFailure {
    pub path: Arc<str>,
    pub pos: Pos,
    pub message: String,
    pub cause: FailureCause,
}

/// Why a file is unusable.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum FailureCause {
    /// It cannot be read or parsed.
    #[default]
    Syntax,
    /// It parses, but the tool that reads it refuses it (a cycle between kustomizations).
    Refused,
}

/// A file or directory skipped on purpose, told to the user once (not a finding).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct SkipNote {
    pub path: String,
    pub message: String,
}

/// The kinds of objects the model holds, listed once: the fields of [`Objects`] and everything
/// that must visit every kind (merging, trimming, [`Objects::metas`]) come from this list, so a
/// new kind cannot be forgotten by suppressions or metadata rules.
macro_rules! object_kinds {
    ($($(#[$attr:meta])* $field:ident: $ty:ty),* $(,)?) => {
        /// The objects sources produce — one file's, one API page's, or a whole run's — before
        /// they are indexed into an [`Inventory`].
        #[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
        pub struct Objects {
            $($(#[$attr])* pub $field: Vec<$ty>,)*
            pub parse_failures: Vec<ParseFailure>,
            pub notes: Vec<SkipNote>,
            /// Values that look secret (`crate::redact`): masked in every output.
            pub secret_values: Vec<String>,
        }

        impl Objects {
            /// Appends another part (one file's objects) to this one.
            pub fn merge(&mut self, other: Objects) {
                $(self.$field.extend(other.$field);)*
                self.parse_failures.extend(other.parse_failures);
                self.notes.extend(other.notes);
                self.secret_values.extend(other.secret_values);
            }

            /// Appends many parts in order. Each kind is concatenated on its own thread, into a
            /// vector reserved to the exact total (growth by doubling would cost up to twice
            /// the model's memory at the peak).
            pub fn merge_all(&mut self, parts: Vec<Objects>) {
                $(let mut $field = Vec::with_capacity(parts.len());)*
                for mut part in parts {
                    $($field.push(std::mem::take(&mut part.$field));)*
                    self.merge(part); // what remains: failures, notes, secrets
                }
                rayon::scope(|s| {
                    $(
                        let into = &mut self.$field;
                        s.spawn(move |_| append_all(into, $field));
                    )*
                });
            }

            /// Makes room for the objects still to come when `done` of `total` files are in,
            /// assuming the rest hold as many of each kind as those so far (and an eighth more):
            /// growing one file at a time doubles each vector, copying it every time and
            /// leaving up to half of it unused.
            pub fn reserve_in_proportion(&mut self, done: usize, total: usize) {
                $(
                    let expected = self.$field.len() * total / done.max(1) / 8 * 9;
                    if expected > self.$field.capacity() {
                        let target = expected.max(self.$field.capacity() * 3 / 2);
                        self.$field.reserve_exact(target - self.$field.len());
                    }
                )*
            }

            /// Drops the spare capacity of one file's vectors (a vector that received one object
            /// holds room for four), and of the vectors inside each object (see [`Compact`]):
            /// thousands of per-file parts wait for `merge_all` at once, and the objects stay for
            /// the whole run.
            pub fn shrink_to_fit(&mut self) {
                $(
                    self.$field.shrink_to_fit();
                    self.$field.iter_mut().for_each(Compact::compact);
                )*
            }

            /// Gives back the storage of every kind's vector — most of the model's memory, in a
            /// few large blocks — and leaks what the objects point to (their strings, entries,
            /// containers): for a process about to exit, which would otherwise pay for freeing
            /// millions of small blocks one by one.
            pub fn release_storage(self) {
                $(release_storage(self.$field);)*
            }

            /// The metadata of every object, whatever its kind.
            pub fn metas(&self) -> impl Iterator<Item = &Meta> {
                std::iter::empty()
                    $(.chain(self.$field.iter().filter_map(HasMeta::meta)))*
            }
        }
    };
}

object_kinds! {
    workloads: Workload,
    service_accounts: ServiceAccount,
    config_maps: ConfigMap,
    roles: Role,
    bindings: Binding,
    federated_credentials: FederatedCredential,
    /// AKS identity bindings declared in infrastructure code or scripts.
    identity_bindings: IdentityBindingResource,
    legacy: LegacyPodIdentity,
    /// Tool configurations that supply client ids (their objects are also in `others` or
    /// `config_maps`, which hold their metadata).
    tool_configs: ToolConfig,
    /// Objects of kinds no rule models in detail, kept for metadata checks: those without labels
    /// or annotations are dropped as files load ([`Objects::forget_unread`]), Namespaces aside.
    others: Meta,
}

/// An object's Kubernetes metadata, when it has any (a Terraform credential has none).
pub trait HasMeta {
    fn meta(&self) -> Option<&Meta>;
}

impl HasMeta for Meta {
    fn meta(&self) -> Option<&Meta> {
        Some(self)
    }
}

macro_rules! has_meta_field {
    ($($ty:ty),*) => {
        $(impl HasMeta for $ty {
            fn meta(&self) -> Option<&Meta> {
                Some(&self.meta)
            }
        })*
    };
}
has_meta_field!(ServiceAccount, ConfigMap, Role, Binding, LegacyPodIdentity);

impl HasMeta for Workload {
    /// The object's metadata once, however many pod templates it holds.
    fn meta(&self) -> Option<&Meta> {
        (!self.shares_meta).then_some(&self.meta)
    }
}

impl HasMeta for ToolConfig {
    /// The object's metadata is listed with its own kind (a Secret in `others`, a ConfigMap in
    /// `config_maps`): a view of it must not list it twice.
    fn meta(&self) -> Option<&Meta> {
        None
    }
}

impl HasMeta for IdentityBindingResource {
    fn meta(&self) -> Option<&Meta> {
        None
    }
}

impl HasMeta for FederatedCredential {
    fn meta(&self) -> Option<&Meta> {
        self.meta.as_deref()
    }
}

/// The finished model that rules read: every object, indexed. It can only be made from
/// [`Objects`] by [`Inventory::build`], so no rule ever sees an inventory without its indexes.
#[derive(Debug, Default)]
pub struct Inventory {
    objects: Objects,
    /// Present in `audit` only.
    pub live: Option<LiveState>,
    /// The positions in `service_accounts` by namespace and name ([`sa_key`]).
    sa_index: Keyed,
    pub(super) rbac: super::authz::RbacIndex,
}

impl std::ops::Deref for Inventory {
    type Target = Objects;
    fn deref(&self) -> &Objects {
        &self.objects
    }
}

/// Frees `items`' buffer without dropping the items. Collecting into `ManuallyDrop` reuses the
/// buffer in place (same layout), so nothing is allocated.
fn release_storage<T>(items: Vec<T>) {
    drop(items.into_iter().map(std::mem::ManuallyDrop::new).collect::<Vec<_>>());
}

impl Inventory {
    /// Frees the model's own storage and leaks the rest ([`Objects::release_storage`]).
    pub fn release_storage(self) {
        let Inventory { objects, live, sa_index, rbac } = self;
        objects.release_storage();
        std::mem::forget((live, sa_index, rbac));
    }

    /// Indexes `objects` into the model rules read.
    pub fn build(mut objects: Objects) -> Inventory {
        objects.notes.sort();
        objects.notes.dedup();
        let mut inventory = Inventory { objects, ..Inventory::default() };
        // Independent tables over a large model: built side by side.
        let (sa_index, rbac) = rayon::join(
            || Keyed::build(inventory.service_accounts.len(), sa_key(&inventory.service_accounts)),
            || super::authz::RbacIndex::build(&inventory),
        );
        inventory.sa_index = sa_index;
        inventory.rbac = rbac;
        inventory
    }

    /// The same inventory with the live cluster's state (audit).
    pub fn with_live(self, live: LiveState) -> Inventory {
        Inventory { live: Some(live), ..self }
    }

    /// The ServiceAccount `namespace/name` as seen from an object declared at `near`: when
    /// several declare it, the one of the same kustomize build, then the one closest in the tree.
    pub fn service_account(&self, namespace: &str, name: &str, near: &Meta) -> Option<&ServiceAccount> {
        self.service_account_index(namespace, name, near).map(|i| &self.service_accounts[i])
    }

    /// [`Inventory::service_account`]'s position in `service_accounts`.
    pub fn service_account_index(&self, namespace: &str, name: &str, near: &Meta) -> Option<usize> {
        let here = near.origin.path().map(|p| p.as_ref()).unwrap_or("");
        self.sa_index.get(&(namespace, name), sa_key(&self.service_accounts)).max_by_key(|&i| {
            let sa = &self.service_accounts[i];
            let there = sa.meta.origin.path().map(|p| p.as_ref()).unwrap_or("");
            (sa.meta.build == near.build, common_prefix(here, there), !sa.meta.is_patch)
        })
    }

    /// An identity binding in scope that binds the identity `identity` to a cluster.
    pub fn identity_binding_for(&self, identity: &str) -> Option<&IdentityBindingResource> {
        self.identity_bindings.iter().find(|b| b.identity.as_deref().is_some_and(|i| same_identity(i, identity)))
    }

    /// The Namespace object named `name`, when the scope declares it.
    pub fn namespace(&self, name: &str) -> Option<&Meta> {
        self.others.iter().find(|m| m.kind == "Namespace" && m.name == name && m.api_version == "v1")
    }

    /// Every ServiceAccount named `namespace/name`.
    pub fn service_accounts_named(&self, namespace: &str, name: &str) -> impl Iterator<Item = &ServiceAccount> {
        self.sa_index.get(&(namespace, name), sa_key(&self.service_accounts)).map(|i| &self.service_accounts[i])
    }
}

/// Appends `parts` in order, never holding a kind's objects more than twice at once.
///
/// When `into` is empty and one part already has room for them all (the files loaded in chunks
/// reserve for the whole run), that part keeps its allocation and the others are moved around
/// it: no copy of the model at all. Otherwise one vector grows to the total and each part is
/// freed as soon as it is moved in. (Moving the parts before the largest through `splice`
/// collected them into a temporary first: three copies of 30,000 Terraform credentials, the
/// peak of a 30,000-app run.)
fn append_all<T>(into: &mut Vec<T>, mut parts: Vec<Vec<T>>) {
    let total: usize = parts.iter().map(Vec::len).sum();
    let roomy = parts.iter().position(|p| p.capacity() >= total).filter(|_| into.is_empty());
    let Some(roomy) = roomy else {
        let mut parts = parts.into_iter();
        if into.is_empty() {
            *into = parts.next().unwrap_or_default();
        }
        into.reserve_exact(total.saturating_sub(into.len()));
        parts.for_each(|part| into.extend(part));
        return;
    };
    let mut base = std::mem::take(&mut parts[roomy]);
    let after: Vec<Vec<T>> = parts.drain(roomy + 1..).collect();
    // What comes before: shifted in at the front, in order, from one vector of the exact size
    // (`splice` fills the gap from an exact-size iterator without a temporary of its own;
    // collecting a flattening iterator would have grown it by doubling).
    let mut before: Vec<T> = Vec::with_capacity(parts.iter().map(Vec::len).sum());
    parts.into_iter().for_each(|part| before.extend(part));
    base.splice(0..0, before);
    after.into_iter().for_each(|part| base.extend(part));
    *into = base;
}

/// The key of the ServiceAccount index: an account's namespace and name.
fn sa_key<'a>(accounts: &'a [ServiceAccount]) -> impl Fn(usize) -> Option<(&'a str, &'a str)> + 'a {
    |i| accounts.get(i).map(|sa| (sa.meta.namespace.as_str(), sa.meta.name.as_str()))
}

fn common_prefix(a: &str, b: &str) -> usize {
    a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count()
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    /// Parts are appended in order whichever part keeps its allocation, and a part with room for
    /// all the others is the one that does (no copy of the model).
    #[test]
    fn parts_are_appended_in_order_into_the_part_with_room() {
        let mut roomy = Vec::with_capacity(16);
        roomy.extend([4, 5, 6]);
        let at = roomy.as_ptr();
        let mut into = Vec::new();
        super::append_all(&mut into, vec![vec![1, 2], vec![3], roomy, vec![7], vec![]]);
        assert_eq!(into, [1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(into.as_ptr(), at, "the roomy part's allocation is kept");

        let mut into = Vec::new();
        super::append_all(&mut into, vec![vec![1], vec![2, 3], vec![4, 5, 6]]);
        assert_eq!(into, [1, 2, 3, 4, 5, 6]);
        let mut into = vec![0];
        super::append_all(&mut into, vec![vec![1], Vec::with_capacity(64), vec![2]]);
        assert_eq!(into, [0, 1, 2]);
        let mut into: Vec<u8> = Vec::new();
        super::append_all(&mut into, Vec::new());
        assert!(into.is_empty());
    }

    #[test]
    fn released_storage_leaks_what_the_items_hold() {
        let shared = Rc::new(());
        super::release_storage(vec![Rc::clone(&shared), Rc::clone(&shared)]);
        // The items were not dropped: what they point to stays (a dropped item would let go).
        assert_eq!(Rc::strong_count(&shared), 3);
    }
}
