//! Texts every object repeats — kinds, API versions, label and annotation keys — stored once
//! per run and referred to by a pointer.
//!
//! A repository of 100,000 applications holds a million labels and annotations under a few dozen
//! distinct keys, and six objects an application each with a kind and an API version. As inline
//! strings (24 bytes each, plus an allocation for a key longer than 24 bytes, such as
//! `azure.workload.identity/use-identity-binding`) they took about 0.7 KB per
//! application; an [`Interned`] is 8 bytes and its text is allocated once.
//!
//! Interned texts are never freed: a run is one process, and the distinct texts of its input are
//! few (a hostile file with a million distinct keys costs what storing them would anyway). Each
//! thread asks its own table first, so threads parsing side by side do not contend for the
//! shared one.

use std::borrow::Borrow;
use std::cell::RefCell;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::{Mutex, OnceLock};

use foldhash::{HashSet, HashSetExt};

/// A text stored once per process. Equal texts are the same pointer; it reads as a `str`.
///
/// A pointer to the leaked `Box<str>`, not the `str` itself: 8 bytes where `&str` takes 16.
#[derive(Clone, Copy)]
#[allow(clippy::borrowed_box)]
pub struct Interned(&'static Box<str>);

/// Every text interned so far.
fn shared() -> &'static Mutex<HashSet<Interned>> {
    static SHARED: OnceLock<Mutex<HashSet<Interned>>> = OnceLock::new();
    SHARED.get_or_init(|| Mutex::new(HashSet::new()))
}

thread_local! {
    /// What this thread has interned or looked up: most lookups end here, without a lock.
    static SEEN: RefCell<HashSet<Interned>> = RefCell::new(HashSet::new());
}

impl Interned {
    /// The interned text equal to `text`.
    pub fn new(text: &str) -> Interned {
        if let Some(hit) = SEEN.with_borrow(|seen| seen.get(text).copied()) {
            return hit;
        }
        let interned = {
            let mut all = shared().lock().unwrap_or_else(|e| e.into_inner());
            match all.get(text) {
                Some(hit) => *hit,
                None => {
                    let new = Interned(Box::leak(Box::new(Box::from(text))));
                    all.insert(new);
                    new
                }
            }
        };
        SEEN.with_borrow_mut(|seen| seen.insert(interned));
        interned
    }

    pub fn as_str(&self) -> &'static str {
        self.0
    }
}

impl Deref for Interned {
    type Target = str;
    fn deref(&self) -> &str {
        self.0
    }
}

/// Lets the tables above look an interned text up by a `str`.
impl Borrow<str> for Interned {
    fn borrow(&self) -> &str {
        self.0
    }
}

impl Default for Interned {
    fn default() -> Interned {
        Interned::new("")
    }
}

impl From<&str> for Interned {
    fn from(text: &str) -> Interned {
        Interned::new(text)
    }
}

impl From<String> for Interned {
    fn from(text: String) -> Interned {
        Interned::new(&text)
    }
}

impl PartialEq for Interned {
    fn eq(&self, other: &Interned) -> bool {
        // One pointer per distinct text: equal texts are the same pointer.
        std::ptr::eq(self.0, other.0)
    }
}

impl Eq for Interned {}

impl PartialEq<str> for Interned {
    fn eq(&self, other: &str) -> bool {
        **self.0 == *other
    }
}

impl PartialEq<&str> for Interned {
    fn eq(&self, other: &&str) -> bool {
        **self.0 == **other
    }
}

impl PartialEq<Interned> for &str {
    fn eq(&self, other: &Interned) -> bool {
        **self == **other.0
    }
}

/// Hashed as its text, as [`Borrow<str>`] requires.
impl Hash for Interned {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (**self.0).hash(state);
    }
}

impl PartialOrd for Interned {
    fn partial_cmp(&self, other: &Interned) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Interned {
    fn cmp(&self, other: &Interned) -> std::cmp::Ordering {
        self.0.cmp(other.0)
    }
}

impl fmt::Debug for Interned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self.0, f)
    }
}

impl fmt::Display for Interned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self.0, f)
    }
}

impl serde::Serialize for Interned {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Interned {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Interned, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Interned;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Interned, E> {
                Ok(Interned::new(text))
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::Interned;

    #[test]
    fn equal_texts_are_one_pointer_on_every_thread() {
        let here = Interned::new("azure.workload.identity/client-id");
        let there =
            std::thread::spawn(|| Interned::new(&String::from("azure.workload.identity/client-id"))).join().unwrap();
        assert!(std::ptr::eq(here.as_str(), there.as_str()));
        assert_eq!(here, there);
        assert_ne!(here, Interned::new("azure.workload.identity/tenant-id"));
        assert_eq!(here, "azure.workload.identity/client-id");
        assert_eq!(std::mem::size_of::<Interned>(), 8);
    }

    #[test]
    fn reads_back_from_the_cache_encoding() {
        let key = Interned::new("app.kubernetes.io/name");
        let bytes = postcard::to_stdvec(&key).unwrap();
        let back: Interned = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(back, key);
        assert!(std::ptr::eq(back.as_str(), key.as_str()));
    }
}
