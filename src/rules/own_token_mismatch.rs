use super::{Context, Rule, Sink};
use crate::model::is_placeholder;
use crate::model::{Container, EnvVar, Inventory, ProjectedToken, Workload, FEDERATED_TOKEN_FILE};

/// The audiences Entra ID's token exchange accepts for federated credentials (public cloud, US
/// Government, China).
const EXCHANGE_AUDIENCES: &[&str] =
    &["api://AzureADTokenExchange", "api://AzureADTokenExchangeUSGov", "api://AzureADTokenExchangeChina"];

/// IB116: a pod that brings its own federated token (a projected ServiceAccount token and
/// `AZURE_FEDERATED_TOKEN_FILE` set by hand, no webhook needed) whose variable does not point at
/// the token it mounts, or whose token has an audience the token exchange rejects.
pub(super) struct OwnTokenMismatch;

impl Rule for OwnTokenMismatch {
    fn id(&self) -> &'static str {
        "IB116"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        for w in cx.inventory.workloads.iter().filter(|w| !w.meta.is_patch && w.pod.brings_own_token()) {
            for c in &w.pod.containers {
                let Some(env) = c.env.iter().find(|e| e.name.value == FEDERATED_TOKEN_FILE) else { continue };
                check_container(cx.inventory, sink, w, c, env);
            }
        }
    }
}

fn check_container(inv: &Inventory, sink: &mut Sink, w: &Workload, c: &Container, env: &EnvVar) {
    // A value from a ConfigMap, a `$(VAR)` expansion or a template is not known here.
    let Some(path) = env.value.as_ref().filter(|v| !is_placeholder(&v.value) && v.value.starts_with('/')) else {
        return;
    };
    let files = w.pod.own_token_files(c);
    let Some((_, token)) = files.iter().find(|(f, _)| *f == path.value) else {
        let mounted: Vec<String> = files.iter().map(|(f, _)| format!("`{f}`")).collect();
        let what = match mounted.as_slice() {
            [] => format!("container `{}` mounts none of the pod's projected tokens", c.name.value),
            _ => format!("the token is at {}", mounted.join(" and ")),
        };
        let f = sink.emit_on(
            &w.meta,
            path.span,
            format!(
                "Container `{}` of {} sets `{FEDERATED_TOKEN_FILE}` to `{}`, but {what}: the Azure SDK finds no token",
                c.name.value,
                w.object(),
                path.value
            ),
        );
        f.help(
            "Point the variable at the mounted token file: the volume's `mountPath` followed by the \
             `serviceAccountToken.path` (mount the volume in this container if it is not).",
        );
        for t in &w.pod.extras().projected_tokens {
            f.related(w.meta.at(t.path.span), format!("token `{}` of volume `{}`", t.path.value, t.volume.value));
        }
        return;
    };
    check_audience(inv, sink, w, token);
}

/// The token's audience must be one the credentials trust: a federated credential in scope for
/// the pod's ServiceAccount tells which, else the token exchange's standard audiences.
fn check_audience(inv: &Inventory, sink: &mut Sink, w: &Workload, token: &ProjectedToken) {
    let account = w.pod.service_account_name().map(|sa| format!("system:serviceaccount:{}:{sa}", w.namespace()));
    let credentials: Vec<_> = inv
        .federated_credentials
        .iter()
        .filter(|fic| account.as_deref().is_some_and(|a| fic.subject.as_ref().is_some_and(|s| s.value == a)))
        .filter(|fic| !fic.audiences.is_empty())
        .collect();
    let trusted: Vec<&str> = if credentials.is_empty() {
        EXCHANGE_AUDIENCES.to_vec()
    } else {
        credentials.iter().flat_map(|fic| fic.audiences.iter().map(|a| a.value.as_str())).collect()
    };
    let (span, problem) = match &token.audience {
        None => (token.path.span, "has no `audience`, so it is issued for the API server".to_string()),
        Some(a) if is_placeholder(&a.value) || trusted.contains(&a.value.as_str()) => return,
        Some(a) => (a.span, format!("has the audience `{}`", a.value)),
    };
    let whose = if credentials.is_empty() { "the token exchange does" } else { "its federated credentials do" };
    let f = sink.emit_on(
        &w.meta,
        span,
        format!(
            "The projected token `{}` of {} {problem}, which {whose} not accept: Entra ID rejects the exchange",
            token.volume.value,
            w.object()
        ),
    );
    f.help(format!(
        "Request the token for the audience the federated credential trusts:\n\n    audience: {}",
        trusted[0]
    ));
    for fic in credentials {
        f.related(
            fic.at(fic.audiences.first().map_or(fic.anchor, |a| a.span)),
            format!("audiences of {}", fic.display),
        );
    }
}
