//! Values no reader looks at, in any object: the parser reads past them without building a tree
//! ([`crate::yaml::Unread::skips`]). Each is a collection that can be as large as the rest of its
//! object, and what the linter reads of pods, accounts, roles and credentials is never in one.
//!
//! A value named here must hold nothing any reader of the model takes (see `pod_template`,
//! `tools`, `fic_yaml`, `rbac` and the live audit's `cluster::objects`): secret collection is
//! the one reader of everything, and the parser answers for it by reading the stream whole when a
//! value read past holds what it might take ([`crate::redact::entry_may_reveal_secret`]).

/// Whether nothing reads the value of `key` in a mapping that is the value of `parent`.
pub fn never_read(parent: &str, key: &str) -> bool {
    match parent {
        // Which client last wrote which field: as long as the rest of what an API server sends.
        "metadata" => key == "managedFields",
        // A CustomResourceDefinition's schema (`spec.versions[].schema`, and `spec.validation` of
        // `apiextensions.k8s.io/v1beta1`): often thousands of lines, and no rule reads a CRD's.
        "schema" | "validation" => key == "openAPIV3Schema",
        // A pod's scheduling and security settings: rules read a pod's account, labels,
        // annotations, volumes and containers, never these.
        "spec" => matches!(
            key,
            "affinity" | "tolerations" | "topologySpreadConstraints" | "securityContext" | "dnsConfig" | "hostAliases"
        ),
        _ => false,
    }
}

/// Whether nothing reads the value of `key` in a mapping that is an item of the list under `list`:
/// of a container, what it is given to run with (resources, ports, probes, its security context
/// and lifecycle hooks). Rules read a container's name, image, command, arguments, environment
/// and mounts.
pub fn never_read_in_item(list: &str, key: &str) -> bool {
    matches!(list, "containers" | "initContainers" | "ephemeralContainers")
        && matches!(
            key,
            "resources"
                | "ports"
                | "livenessProbe"
                | "readinessProbe"
                | "startupProbe"
                | "securityContext"
                | "lifecycle"
                | "resizePolicy"
        )
}
