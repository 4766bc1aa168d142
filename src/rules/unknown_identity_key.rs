use super::{edit_distance, Context, Rule, Sink};
use crate::model::{Entries, Meta, KNOWN_WI_KEYS, WI_PREFIX};

/// IB114: a key under `azure.workload.identity/` that the webhook does not know (a typo).
pub struct UnknownIdentityKey;

impl Rule for UnknownIdentityKey {
    fn id(&self) -> &'static str {
        "IB114"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        for meta in cx.inventory.metas() {
            check(sink, meta, &meta.labels);
            check(sink, meta, &meta.annotations);
        }
        for w in cx.inventory.workloads.iter().filter(|w| w.has_controller_meta) {
            check(sink, &w.meta, &w.pod.labels);
            check(sink, &w.meta, &w.pod.annotations);
            if let Some(outer) = w.outer.as_ref().filter(|_| !w.shares_meta) {
                check(sink, &w.meta, &outer.labels);
                check(sink, &w.meta, &outer.annotations);
            }
        }
    }
}

fn check(sink: &mut Sink, meta: &Meta, entries: &Entries) {
    for e in entries.with_prefix(WI_PREFIX).filter(|e| !KNOWN_WI_KEYS.contains(&e.key.as_str())) {
        let meant = closest_known_key(&e.key);
        let f = sink.emit_on(
            meta,
            e.key_span,
            format!("`{}` on {} is not a key the workload identity webhook knows", e.key, meta.object_ref()),
        );
        match meant {
            Some(k) => f.help(format!("Did you mean `{k}`?")),
            None => f.help(format!("Known keys: {}.", KNOWN_WI_KEYS.join(", "))),
        };
    }
}

/// The known key a typo most likely meant: same letters ignoring case and separators, else the
/// nearest by edit distance (at most 3 edits).
pub fn closest_known_key(key: &str) -> Option<&'static str> {
    let norm = |s: &str| s.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
    let suffix = norm(key.strip_prefix(WI_PREFIX).unwrap_or(key));
    KNOWN_WI_KEYS
        .iter()
        .map(|k| (edit_distance(&suffix, &norm(k.strip_prefix(WI_PREFIX).unwrap_or(k))), *k))
        .min()
        .filter(|(d, _)| *d <= 3)
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::closest_known_key;

    #[test]
    fn suggests_what_was_meant() {
        assert_eq!(closest_known_key("azure.workload.identity/client_id"), Some("azure.workload.identity/client-id"));
        assert_eq!(closest_known_key("azure.workload.identity/clientid"), Some("azure.workload.identity/client-id"));
        assert_eq!(
            closest_known_key("azure.workload.identity/use-identitybinding"),
            Some("azure.workload.identity/use-identity-binding")
        );
        assert_eq!(closest_known_key("azure.workload.identity/something-else-entirely"), None);
    }
}
