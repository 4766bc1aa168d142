//! What a pod template's kind and layout say about its pods, stored once per distinct set.
//!
//! Every Deployment of a repository has the same facts (the namespace's `default` account, no
//! added containers, labels under `spec.template.metadata.labels`): held in each workload, they
//! took 72 bytes of every one; shared, they take a pointer. The distinct sets are as few as the
//! layouts of [`super::POD_KINDS`], and a damaged cache can add no more than its own size.

use std::ops::Deref;
use std::sync::OnceLock;

use super::pod_kinds::AccountDefault;
use super::stored::{intern_in, Seen, Shared};

/// The facts themselves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct PodFacts {
    /// Who picks the ServiceAccount when the template names none.
    pub account_default: AccountDefault,
    /// Containers the controller adds to every pod (Argo's `wait`).
    #[serde(with = "super::stored::static_list")]
    pub added_containers: &'static [&'static str],
    /// The template is merged into one the controller owns and may leave containers out.
    pub partial_containers: bool,
    /// Where the pod's labels and annotations go, as key paths from the object's root (for help texts).
    #[serde(with = "super::stored::static_list")]
    pub labels_path: &'static [&'static str],
    #[serde(with = "super::stored::static_list")]
    pub annotations_path: &'static [&'static str],
}

/// The facts of a pod template nothing else describes (a bare pod's defaults).
static DEFAULT: PodFacts = PodFacts {
    account_default: AccountDefault::Default,
    added_containers: &[],
    partial_containers: false,
    labels_path: &[],
    annotations_path: &[],
};

/// One shared copy of a set of [`PodFacts`]; reads as the facts.
#[derive(Clone, Copy, Debug)]
pub struct SharedPodFacts(&'static PodFacts);

impl SharedPodFacts {
    /// The one copy of `facts` for the run.
    pub fn of(facts: PodFacts) -> SharedPodFacts {
        thread_local! {
            static SEEN: Seen<PodFacts> = Default::default();
        }
        static ALL: Shared<PodFacts> = OnceLock::new();
        SharedPodFacts(intern_in(&SEEN, &ALL, facts, |facts| Box::leak(Box::new(facts))))
    }
}

impl Default for SharedPodFacts {
    fn default() -> SharedPodFacts {
        SharedPodFacts(&DEFAULT)
    }
}

impl Deref for SharedPodFacts {
    type Target = PodFacts;
    fn deref(&self) -> &PodFacts {
        self.0
    }
}

impl serde::Serialize for SharedPodFacts {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for SharedPodFacts {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<SharedPodFacts, D::Error> {
        PodFacts::deserialize(deserializer).map(SharedPodFacts::of)
    }
}

#[cfg(test)]
mod tests {
    use super::{PodFacts, SharedPodFacts};
    use crate::model::pod_kinds::AccountDefault;

    fn facts(labels_path: &'static [&'static str]) -> PodFacts {
        PodFacts { labels_path, ..*SharedPodFacts::default() }
    }

    /// Equal facts are one copy, made on any thread or read back from the cache; others are not.
    #[test]
    fn equal_facts_are_stored_once() {
        let a = SharedPodFacts::of(facts(&["spec", "template", "metadata", "labels"]));
        let b = std::thread::spawn(|| SharedPodFacts::of(facts(&["spec", "template", "metadata", "labels"])))
            .join()
            .unwrap();
        assert!(std::ptr::eq(a.0, b.0));
        let other = SharedPodFacts::of(facts(&["metadata", "labels"]));
        assert!(!std::ptr::eq(a.0, other.0));
        let decoded: SharedPodFacts = postcard::from_bytes(&postcard::to_stdvec(&a).unwrap()).unwrap();
        assert!(std::ptr::eq(a.0, decoded.0));
        assert_eq!(decoded.account_default, AccountDefault::Default);
        assert_eq!(std::mem::size_of::<SharedPodFacts>(), 8);
    }
}
