//! How the model's references to the binary's own tables (`&'static str` field names, pod-kind
//! paths, [`Tool`]s) are written to and read back from the incremental cache (`crate::cache`).
//!
//! They are written as their text. Read back, a text is interned once per process, in the
//! model's interner: the values all come from this binary's tables (the cache belongs to one
//! build), so they add a few dozen strings, and a damaged cache can add no more than its own size.

use std::sync::{Mutex, OnceLock};

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::tools::{Tool, TOOLS};

/// A `&'static str` field, named through this alias so that serde's derive does not take the
/// field for text borrowed from the input (which would tie every enclosing type's deserializer to
/// `'static` input).
pub(crate) type StaticStr = &'static str;

/// The one copy of `text` for the run: the model's interner ([`super::Interned`]), which also
/// holds kinds and label keys.
fn intern(text: &str) -> &'static str {
    super::Interned::new(text).as_str()
}

/// A table of values stored once per process, each a thread's own (asked first, without a lock)
/// or the one all threads share.
pub(crate) type Seen<T> = std::cell::RefCell<foldhash::HashSet<&'static T>>;
pub(crate) type Shared<T> = OnceLock<Mutex<foldhash::HashSet<&'static T>>>;

/// The one copy of `value` for the run: from this thread's table `seen`, else from the table all
/// threads share, else `leak`ed into it. For the few distinct values the model points at many
/// times (key paths, pod facts): never freed.
pub(crate) fn intern_in<T: Eq + std::hash::Hash + ?Sized + 'static, V: std::borrow::Borrow<T>>(
    seen: &'static std::thread::LocalKey<Seen<T>>,
    shared: &'static Shared<T>,
    value: V,
    leak: impl FnOnce(V) -> &'static T,
) -> &'static T {
    if let Some(known) = seen.with_borrow(|seen| seen.get(value.borrow()).copied()) {
        return known;
    }
    let known = {
        let mut all = shared.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
        match all.get(value.borrow()) {
            Some(&known) => known,
            None => {
                let leaked = leak(value);
                all.insert(leaked);
                leaked
            }
        }
    };
    seen.with_borrow_mut(|seen| seen.insert(known));
    known
}

pub(crate) fn intern_list(items: Vec<&'static str>) -> &'static [&'static str] {
    thread_local! {
        static SEEN: Seen<[&'static str]> = Default::default();
    }
    static LISTS: Shared<[&'static str]> = OnceLock::new();
    intern_in(&SEEN, &LISTS, items, |items| Box::leak(items.into_boxed_slice()))
}

/// `#[serde(with = "static_str")]` for a `&'static str`.
pub(crate) mod static_str {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(value: &&'static str, s: S) -> Result<S::Ok, S::Error> {
        value.serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
        let text: &str = Deserialize::deserialize(d)?;
        Ok(intern(text))
    }
}

/// `#[serde(with = "static_list")]` for a `&'static [&'static str]`.
pub(crate) mod static_list {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(value: &&'static [&'static str], s: S) -> Result<S::Ok, S::Error> {
        value.serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<&'static [&'static str], D::Error> {
        thread_local! {
            /// The lists this thread read last: a warm run reads three per workload, and the
            /// workloads of a repository mostly repeat the same few (a Deployment's paths).
            static RECENT: std::cell::RefCell<(usize, [&'static [&'static str]; 4])> =
                const { std::cell::RefCell::new((0, [&[]; 4])) };
        }
        let texts: Vec<&str> = Deserialize::deserialize(d)?;
        let same =
            |list: &&'static [&'static str]| list.len() == texts.len() && list.iter().zip(&texts).all(|(a, b)| a == b);
        if let Some(known) = RECENT.with_borrow(|(_, recent)| recent.iter().copied().find(same)) {
            return Ok(known);
        }
        let list = intern_list(texts.into_iter().map(intern).collect());
        RECENT.with_borrow_mut(|(next, recent)| {
            recent[*next] = list;
            *next = (*next + 1) % recent.len();
        });
        Ok(list)
    }
}

/// `#[serde(with = "tool")]` for a `&'static Tool`: written as its name, read back from
/// [`TOOLS`] (a name this build does not know makes the cache entry unreadable, so it is rebuilt).
pub(crate) mod tool {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(value: &&'static Tool, s: S) -> Result<S::Ok, S::Error> {
        value.name.serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<&'static Tool, D::Error> {
        let name: &str = Deserialize::deserialize(d)?;
        TOOLS.iter().copied().find(|t| t.name == name).ok_or_else(|| D::Error::custom("unknown tool"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interned_texts_are_shared() {
        let a = intern(&String::from("Job template"));
        let b = intern(&String::from("Job template"));
        assert!(std::ptr::eq(a, b));
        let l = intern_list(vec![a, "wait"]);
        let m = intern_list(vec![b, "wait"]);
        assert!(std::ptr::eq(l, m));
    }

    /// Lists read back are this run's one copy of them, whether or not the last list read was the
    /// same one.
    #[test]
    fn lists_read_back_are_the_shared_copy() {
        #[derive(Serialize, Deserialize)]
        struct Paths(#[serde(with = "static_list")] &'static [&'static str]);
        let lists: [&'static [&'static str]; 4] =
            [&["spec", "template"], &["spec", "template"], &["spec", "jobTemplate"], &["spec", "template"]];
        for list in lists {
            let bytes = postcard::to_stdvec(&Paths(list)).unwrap();
            let Paths(read) = postcard::from_bytes(&bytes).unwrap();
            assert_eq!(read, list);
            assert!(std::ptr::eq(read, intern_list(list.to_vec())), "{list:?}");
        }
    }
}
