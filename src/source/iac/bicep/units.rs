//! The Bicep files of one evaluation, read through the [`Loader`] and parsed once each; what
//! cannot be read or parsed is remembered as a finding or a note.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use super::unit::Unit;
use crate::model::{ParseFailure, SkipNote};
use crate::source::loader::{LoadError, Loader};
use crate::span::Pos;

pub(super) struct Units<'a> {
    pub loader: &'a dyn Loader,
    parsed: RefCell<HashMap<PathBuf, Option<Rc<Unit>>>>,
    pub failures: RefCell<Vec<ParseFailure>>,
    pub notes: RefCell<Vec<SkipNote>>,
}

impl<'a> Units<'a> {
    pub(super) fn new(loader: &'a dyn Loader) -> Units<'a> {
        Units { loader, parsed: RefCell::default(), failures: RefCell::default(), notes: RefCell::default() }
    }

    pub(super) fn display(&self, path: &Path) -> Arc<str> {
        self.loader.display(path)
    }

    /// The parsed Bicep file at `path` (absolute); `None` when it is missing or broken.
    pub(super) fn bicep(&self, path: &Path) -> Option<Rc<Unit>> {
        if let Some(hit) = self.parsed.borrow().get(path) {
            return hit.clone();
        }
        let unit = self.load(path).map(Rc::new);
        self.parsed.borrow_mut().insert(path.to_path_buf(), unit.clone());
        unit
    }

    fn load(&self, path: &Path) -> Option<Unit> {
        let display = self.display(path);
        let text = match self.loader.read(path) {
            Ok(text) => text,
            // A module that is not in the repository (a submodule, a generated file) is not an
            // error of this file.
            Err(LoadError::NotFound) => return None,
            Err(e @ LoadError::TooLarge { .. }) => {
                self.notes.borrow_mut().push(SkipNote { path: display.to_string(), message: format!("{e}: skipped") });
                return None;
            }
            Err(e) => {
                self.failures.borrow_mut().push(ParseFailure {
                    path: display,
                    pos: Pos { line: 1, col: 1 },
                    message: format!("cannot be read: {e}"),
                    cause: Default::default(),
                });
                return None;
            }
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        match Unit::parse(path, display.clone(), text) {
            Ok(unit) => {
                for what in &unit.skipped {
                    self.notes.borrow_mut().push(SkipNote {
                        path: display.to_string(),
                        message: format!("{what}: declaration not understood, skipped"),
                    });
                }
                Some(unit)
            }
            Err(failure) => {
                self.failures.borrow_mut().push(failure);
                None
            }
        }
    }
}
