//! Objects no rule reads, dropped as each file is loaded.
//!
//! An object of a kind no rule models (a Service, an Ingress) and a ConfigMap that keeps no data
//! (none of its settings concern Azure identity) are read only through their metadata: by the
//! rules on labels and annotations (IB002, IB114), and by suppressions, which are annotations.
//! Without labels or annotations nothing can be reported on them, yet each held a full [`Meta`]
//! for the whole run: a few hundred bytes an application in a typical repository, most of what
//! its Services and settings cost.

use super::{HasMeta, Meta, Objects};

impl Objects {
    /// Drops the objects nothing reads (see the module's documentation). Namespaces stay:
    /// rules look up the Namespace of a pod by name.
    pub fn forget_unread(&mut self) {
        self.others.retain(|m| m.kind == "Namespace" || has_metadata(m));
        self.config_maps.retain(|c| !c.data.is_empty() || c.meta().is_some_and(has_metadata));
    }
}

fn has_metadata(meta: &Meta) -> bool {
    !meta.labels.items.is_empty() || !meta.annotations.items.is_empty()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::source::files::FileKind;
    use crate::source::{load, Input, LoadOptions};

    const MANIFEST: &str = "\
apiVersion: v1
kind: Service
metadata:
  name: bare
---
apiVersion: v1
kind: Service
metadata:
  name: labelled
  labels:
    app: web
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  LOG_LEVEL: info
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: annotated-settings
  annotations:
    iblint.io/ignore: \"IB113 -- reviewed\"
data:
  LOG_LEVEL: info
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: identity
data:
  AZURE_CLIENT_ID: 00000000-0000-0000-0000-000000000000
---
apiVersion: v1
kind: Namespace
metadata:
  name: apps
";

    fn names(keep_unread: bool) -> (Vec<String>, Vec<String>) {
        let display: Arc<str> = Arc::from("all.yaml");
        let input = Input { display: &display, kind: FileKind::Manifest, bytes: MANIFEST.as_bytes(), is_patch: false };
        let objects = load(&input, &LoadOptions { keep_unread, ..LoadOptions::default() });
        (
            objects.others.iter().map(|m| m.name.to_string()).collect(),
            objects.config_maps.iter().map(|c| c.meta.name.to_string()).collect(),
        )
    }

    #[test]
    fn objects_without_labels_annotations_or_kept_data_are_dropped() {
        let (others, config_maps) = names(false);
        assert_eq!(others, ["labelled", "apps"]);
        assert_eq!(config_maps, ["annotated-settings", "identity"]);
    }

    #[test]
    fn every_object_is_kept_when_asked() {
        let (others, config_maps) = names(true);
        assert_eq!(others, ["bare", "labelled", "apps"]);
        assert_eq!(config_maps, ["settings", "annotated-settings", "identity"]);
    }
}
