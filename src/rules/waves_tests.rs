//! [`super::run`]'s two waves: the rules that read the shared answers run with them, the others
//! after they are dropped.

use std::sync::atomic::{AtomicBool, Ordering};

use super::{Context, Mode, Rule, Settings, Sink};
use crate::finding::Location;
use crate::model::{Inventory, Objects};

/// A rule that records whether the shared answers were there when it ran, and emits one finding
/// named after it.
struct Probe {
    id: &'static str,
    reads: bool,
    saw_answers: AtomicBool,
}

impl Probe {
    fn new(id: &'static str, reads: bool) -> Probe {
        Probe { id, reads, saw_answers: AtomicBool::new(false) }
    }
}

impl Rule for Probe {
    fn id(&self) -> &'static str {
        self.id
    }

    fn reads_shared_answers(&self) -> bool {
        self.reads
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        let there = cx.account_users.get().is_some() && cx.bound_accounts.get().is_some();
        self.saw_answers.store(there, Ordering::SeqCst);
        sink.emit(Location::Logical { name: self.id.to_string() }, self.id);
    }
}

#[test]
fn the_shared_answers_are_gone_when_the_rules_that_do_not_read_them_run() {
    let inventory = Inventory::build(Objects::default());
    let settings = Settings::default();
    let mut cx = Context::new(&inventory, &settings, Mode::Check);
    let (before, reader, after) = (Probe::new("IB101", false), Probe::new("IB301", true), Probe::new("IB401", false));
    let rules: [&dyn Rule; 3] = [&before, &reader, &after];
    let findings = super::run(&rules, &mut cx);
    assert!(reader.saw_answers.load(Ordering::SeqCst), "computed for the rule that reads them");
    assert!(!before.saw_answers.load(Ordering::SeqCst) && !after.saw_answers.load(Ordering::SeqCst));
    assert!(cx.account_users.get().is_none() && cx.bound_accounts.get().is_none(), "dropped");
    let mut rules: Vec<&str> = findings.iter().map(|f| f.rule).collect();
    rules.sort_unstable();
    assert_eq!(rules, ["IB101", "IB301", "IB401"], "every rule's findings, whichever wave ran it");
}
