use super::{edit_distance, one_edit_apart, Context, Rule, Sink};
use crate::fix::Plan;
use crate::model::{
    pod_kind, Entries, Entry, Meta, PodLayout, CLIENT_ID, KNOWN_WI_KEYS, TENANT_ID, TOKEN_EXPIRATION, USE_LABEL,
    WI_PREFIX,
};

/// Where a set of labels or annotations is, for which keys a fix may write there.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    PodLabels,
    PodAnnotations,
    AccountAnnotations,
    Elsewhere,
}

/// IB114: a key under `azure.workload.identity/` that the webhook does not know (a typo).
pub(super) struct UnknownIdentityKey;

impl Rule for UnknownIdentityKey {
    fn id(&self) -> &'static str {
        "IB114"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        for meta in cx.inventory.metas().filter(|m| cx.reports_on(m)) {
            // Most objects have no unknown key: the kind's layout is looked up for the others alone.
            if !has_unknown_key(&meta.labels) && !has_unknown_key(&meta.annotations) {
                continue;
            }
            let is_pod =
                pod_kind(&meta.api_version, &meta.kind).is_some_and(|k| matches!(k.layouts, [PodLayout::Object]));
            let (labels, annotations) = match (is_pod, meta.kind.as_str()) {
                (true, _) => (Place::PodLabels, Place::PodAnnotations),
                (false, "ServiceAccount") => (Place::Elsewhere, Place::AccountAnnotations),
                _ => (Place::Elsewhere, Place::Elsewhere),
            };
            check(sink, meta, &meta.labels, labels);
            check(sink, meta, &meta.annotations, annotations);
        }
        for w in cx.inventory.workloads.iter().filter(|w| w.has_controller_meta && cx.reports_on(&w.meta)) {
            check(sink, &w.meta, &w.pod.labels, Place::PodLabels);
            check(sink, &w.meta, &w.pod.annotations, Place::PodAnnotations);
            if let Some(outer) = w.outer.as_ref().filter(|_| !w.shares_meta) {
                check(sink, &w.meta, &outer.labels, Place::Elsewhere);
                check(sink, &w.meta, &outer.annotations, Place::Elsewhere);
            }
        }
    }
}

fn is_unknown_key(e: &Entry) -> bool {
    !KNOWN_WI_KEYS.contains(&e.key.as_str())
}

fn has_unknown_key(entries: &Entries) -> bool {
    entries.with_prefix(WI_PREFIX).any(is_unknown_key)
}

fn check(sink: &mut Sink, meta: &Meta, entries: &Entries, place: Place) {
    for e in entries.with_prefix(WI_PREFIX).filter(|e| is_unknown_key(e)) {
        let meant = closest_known_key(&e.key);
        let plan = typo_of(&e.key)
            .filter(|k| belongs(k, place) && !entries.contains(k))
            .and_then(|k| Plan::safe(format!("Rename `{}` to `{k}`", e.key)).rewrite(&meta.at(e.key_span), &e.key, k));
        let f = sink.emit_on(
            meta,
            e.key_span,
            format!("`{}` on {} is not a key the workload identity webhook knows", e.key, meta.object_ref()),
        );
        match meant {
            Some(k) => f.help(format!("Did you mean `{k}`?")),
            None => f.help(format!("Known keys: {}.", KNOWN_WI_KEYS.join(", "))),
        };
        f.plan(plan);
    }
}

/// The one known key a key is a typo of: the same but for letter case, or one edit away (a
/// substitution, insertion or deletion) from exactly one known key. Anything farther, or as near
/// to two keys, is a guess.
fn typo_of(key: &str) -> Option<&'static str> {
    let lower = key.to_ascii_lowercase();
    let mut near = KNOWN_WI_KEYS.iter().filter(|k| lower == **k || one_edit_apart(key, k) || one_edit_apart(&lower, k));
    let first = near.next()?;
    near.next().is_none().then_some(*first)
}

/// Whether the webhook reads `key` where a fix would write it (a fix that moves a problem is no
/// fix).
fn belongs(key: &str, place: Place) -> bool {
    match place {
        Place::PodLabels => key == USE_LABEL,
        Place::PodAnnotations => ![USE_LABEL, CLIENT_ID, TENANT_ID].contains(&key),
        Place::AccountAnnotations => [CLIENT_ID, TENANT_ID, TOKEN_EXPIRATION].contains(&key),
        Place::Elsewhere => false,
    }
}

/// The known key a typo most likely meant: same letters ignoring case and separators, else the
/// nearest by edit distance (at most 3 edits).
pub(super) fn closest_known_key(key: &str) -> Option<&'static str> {
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

    #[test]
    fn typos_are_one_edit_from_exactly_one_key() {
        use super::typo_of;
        assert_eq!(typo_of("azure.workload.identity/client_id"), Some("azure.workload.identity/client-id"));
        assert_eq!(typo_of("azure.workload.identity/Client-ID"), Some("azure.workload.identity/client-id"));
        assert_eq!(
            typo_of("azure.workload.identity/use-identitybinding"),
            Some("azure.workload.identity/use-identity-binding")
        );
        assert_eq!(typo_of("azure.workload.identity/clientid"), Some("azure.workload.identity/client-id"));
        assert_eq!(typo_of("azure.workload.identity/client_id_x"), None, "two edits");
        assert_eq!(typo_of("azure.workload.identity/uses"), Some("azure.workload.identity/use"));
    }
}
