//! The answers [`super::is_secret_name`] gave lately, per thread.
//!
//! Keys repeat: a repository's manifests use a few hundred names (`app.kubernetes.io/name`,
//! `containerPort`, each ConfigMap's settings) over and over, and the name test runs on every key
//! of every document. Finding a name's part automaton match cost ~290 instructions a name (2% of
//! a cold run); looking up the last answer for that name costs a hash and one comparison.

use std::cell::RefCell;
use std::hash::BuildHasher;

/// Names longer than this are judged every time (they are few, and a slot stays small).
const LONGEST: usize = 32;

/// Slots in the table: a power of two, so a hash picks one with a mask.
const SLOTS: usize = 512;

/// One remembered answer: the name's bytes (`len` of them) and whether it looked secret.
#[derive(Clone, Copy)]
struct Slot {
    len: u8,
    name: [u8; LONGEST],
    secret: bool,
}

impl Slot {
    const EMPTY: Slot = Slot { len: 0, name: [0; LONGEST], secret: false };
}

thread_local! {
    /// Direct-mapped: a name's hash picks its slot, and a later name with the same slot replaces
    /// it. The answer is used only when the slot holds the very same name, so a collision costs a
    /// judgement, never a wrong answer. An empty name is judged every time: an empty slot would
    /// answer for it.
    static TABLE: RefCell<Box<[Slot; SLOTS]>> = RefCell::new(Box::new([Slot::EMPTY; SLOTS]));
}

/// `judge(name)`, from the table when `name` was judged lately on this thread.
pub(super) fn answer(name: &str, judge: fn(&str) -> bool) -> bool {
    let bytes = name.as_bytes();
    if bytes.is_empty() || bytes.len() > LONGEST {
        return judge(name);
    }
    let slot = (foldhash::fast::FixedState::with_seed(0x5ec2e7).hash_one(bytes) as usize) & (SLOTS - 1);
    TABLE.with(|table| {
        let Ok(mut table) = table.try_borrow_mut() else { return judge(name) };
        let known = &mut table[slot];
        if usize::from(known.len) == bytes.len() && &known.name[..bytes.len()] == bytes {
            return known.secret;
        }
        let secret = judge(name);
        known.len = bytes.len() as u8;
        known.name[..bytes.len()].copy_from_slice(bytes);
        known.secret = secret;
        secret
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every answer from the table is the judgement of that very name, also once thousands of
    /// names have shared the slots, and names too long for a slot are judged as they come.
    #[test]
    fn remembered_answers_are_the_names_own() {
        fn judge(name: &str) -> bool {
            name.contains("secret")
        }
        let names: Vec<String> = (0..4 * SLOTS)
            .map(|i| if i % 3 == 0 { format!("db-secret-{i}") } else { format!("setting_{i}") })
            .chain([format!("{}secret", "x".repeat(LONGEST)), "x".repeat(LONGEST + 5)])
            .collect();
        for _ in 0..2 {
            for name in &names {
                assert_eq!(answer(name, judge), judge(name), "{name}");
            }
        }
        // A slot that holds a longer name with the same beginning does not answer for a prefix.
        assert!(answer("db-secret-0", judge));
        assert!(!answer("db-secre", judge));
    }
}
