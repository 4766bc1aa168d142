//! List pages → model objects. Live objects go through the same `load_document` as files (with
//! a cluster origin), so every manifest rule reads them unchanged; pods, the webhook's
//! Deployment and its MutatingWebhookConfiguration also yield the live facts of `LiveState`.

use std::sync::Arc;

use super::catalog::Resource;
use crate::model::{
    LiveContainer, LivePod, Meta, Objects, Origin, TokenVolume, WebhookConfiguration, WebhookDeployment, Workload,
    ADDON_NAMESPACE, AKS_SYSTEM_LABEL, OSS_NAMESPACE, WEBHOOK_CONFIGURATION,
};
use crate::source::manifest::{load_document, DocContext};
use crate::source::never_read::{never_read, never_read_in_item};
use crate::span::Span;
use crate::yaml::{parse_stream_pruned, Limits, Node, NodeKind, Scalar, StreamOutcome, Unread};

/// The webhook's name inside its MutatingWebhookConfiguration.
const WEBHOOK_NAME: &str = "mutation.azure-workload-identity.io";
/// The webhook Deployment of both the add-on and the open-source install.
const WEBHOOK_DEPLOYMENT: &str = "azure-wi-webhook-controller-manager";
/// Env vars the webhook appends to the containers it mutates.
const INJECTED_ENV: &[&str] = &[
    "AZURE_CLIENT_ID",
    "AZURE_TENANT_ID",
    "AZURE_FEDERATED_TOKEN_FILE",
    "AZURE_AUTHORITY_HOST",
    "AZURE_KUBERNETES_TOKEN_PROXY",
    "AZURE_KUBERNETES_SNI_NAME",
    "AZURE_KUBERNETES_CA_FILE",
    "AZURE_KUBERNETES_CA_DATA",
];
/// Containers the webhook adds for `inject-proxy-sidecar`.
const INJECTED_CONTAINERS: &[&str] = &["azwi-proxy", "azwi-proxy-init"];

/// A pod as listed: its live facts, and the pod as a workload for when no listed controller
/// stands for it.
#[derive(Debug)]
pub(super) struct PodRecord {
    pub live: LivePod,
    pub workload: Workload,
    /// The controlling owner from `ownerReferences` (kind, name), before resolution to the top.
    pub owner: Option<(String, String)>,
    /// `pod-template-hash` or `controller-revision-hash`: pods of one owner with one hash share a template.
    pub template_hash: Option<String>,
}

/// What one or more pages contributed.
#[derive(Debug, Default)]
pub(super) struct Fragment {
    pub inventory: Objects,
    pub pods: Vec<PodRecord>,
    pub webhook_deployments: Vec<WebhookDeployment>,
    pub webhook_configurations: Vec<WebhookConfiguration>,
    pub objects: usize,
}

impl Fragment {
    pub(super) fn merge(&mut self, other: Fragment) {
        self.inventory.merge(other.inventory);
        self.pods.extend(other.pods);
        self.webhook_deployments.extend(other.webhook_deployments);
        self.webhook_configurations.extend(other.webhook_configurations);
        self.objects += other.objects;
    }
}

/// One parsed page: its objects and the token for the next one.
pub(super) struct Page {
    pub fragment: Fragment,
    pub continue_token: Option<String>,
}

/// What no reader of a listed object looks at ([`never_read`], [`never_read_in_item`]); every
/// scalar secret collection may take stays. (The rest is read: `status` too, for a pod's phase and a
/// Deployment's ready replicas.)
pub(super) struct UnreadInLists;

impl Unread for UnreadInLists {
    fn prunes(&self, _kind: &str, _section: &str) -> bool {
        false
    }

    fn keeps(&self, key: &str, value: &str) -> bool {
        crate::redact::may_take_from_entry(key, value)
    }

    fn skips(&self, parent: &str, key: &str) -> bool {
        never_read(parent, key)
    }

    fn skips_in_item(&self, list: &str, key: &str) -> bool {
        never_read_in_item(list, key)
    }

    fn must_read(&self, key: &str, value: &str) -> bool {
        crate::redact::entry_may_reveal_secret(key, value)
    }
}

/// Turns one list page (JSON text) into model objects of the cluster `context`. Anything but a
/// list of the resource's kind (`{}`, an empty body, another kind, a `Status`) is an error: an
/// empty list would claim the cluster has none of them.
pub(super) fn absorb_page(text: &str, resource: &Resource, context: &Arc<str>) -> Result<Page, String> {
    absorb_page_reading(text, resource, context, Some(&UnreadInLists))
}

/// [`absorb_page`], leaving out of the page's tree what `unread` says no reader looks at.
fn absorb_page_reading(
    text: &str,
    resource: &Resource,
    context: &Arc<str>,
    unread: Option<&dyn Unread>,
) -> Result<Page, String> {
    let mut fragment = Fragment::default();
    let mut continue_token = None;
    let mut not_a_list = None;
    let cx = DocContext {
        origin: Origin::live(context.clone()),
        default_namespace: "default",
        is_patch: false,
        build: None,
    };
    let expected = format!("{}List", resource.kind);
    let mut documents = 0;
    // A page is machine-written JSON: the alias budget cannot be hit, the depth limit still applies.
    let limits = Limits::default();
    let mut on_root = |root: Node| {
        documents += 1;
        let kind = root.get("kind").and_then(Node::as_str).unwrap_or("").to_string();
        let items_present =
            matches!(&root.kind, NodeKind::Map(entries) if entries.iter().any(|(k, _)| k.as_str() == Some("items")));
        if kind != expected && kind != "List" || !items_present {
            not_a_list =
                Some(if kind.is_empty() { "an object without a kind".to_string() } else { format!("a {kind}") });
            return;
        }
        continue_token =
            root.path(&["metadata", "continue"]).and_then(Node::as_str).filter(|t| !t.is_empty()).map(String::from);
        let (api_version, item_kind) = list_identity(&root);
        let NodeKind::Map(entries) = root.kind else { return };
        let Some((_, items)) = entries.into_iter().rev().find(|(k, _)| k.as_str() == Some("items")) else { return };
        // `"items": null` is how Go writes an empty list.
        let NodeKind::Seq(items) = items.kind else { return };
        for mut item in items {
            fill_identity(&mut item, &api_version, &item_kind);
            crate::redact::collect(&item, &mut fragment.inventory.secret_values);
            fragment.objects += 1;
            absorb_item(&item, resource, &cx, &mut fragment);
        }
    };
    // Read as JSON, or by the YAML reader when the JSON reader declines (its errors are the ones
    // reported).
    let outcome = match super::json_page::read(text, &limits, unread) {
        Some(root) => {
            on_root(root);
            StreamOutcome::default()
        }
        None => parse_stream_pruned(text, &limits, unread, on_root),
    };
    if let Some(e) = outcome.fatal {
        return Err(format!("unreadable {} list: {} at {}:{}", resource.plural, e.message, e.pos.line, e.pos.col));
    }
    match (documents, not_a_list) {
        (0, _) => Err(format!("the answer is empty, not a {expected}")),
        (_, Some(what)) => Err(format!("the answer is {what}, not a {expected}")),
        (1, None) => Ok(Page { fragment, continue_token }),
        _ => Err(format!("the answer holds several documents, not one {expected}")),
    }
}

/// Whether a page holds objects, read without parsing it (`"items":[]` or `null` do not).
pub(super) fn peek_has_items(text: &str) -> bool {
    let Some(at) = text.find("\"items\":") else { return true };
    let rest = text[at + "\"items\":".len()..].trim_start();
    !(rest.starts_with("null") || rest.strip_prefix('[').is_some_and(|r| r.trim_start().starts_with(']')))
}

/// The next page's token, read from the list's `metadata` without parsing the page: `Some(None)`
/// on the last page, `None` when the text does not start the way API servers write lists (then
/// the page is parsed first).
pub(super) fn peek_continue(text: &str) -> Option<Option<String>> {
    // API servers write `metadata` before `items`, with no nested objects in it.
    let head = text.get(..text.len().min(4096)).unwrap_or(text);
    let start = head.find("\"metadata\":{")? + "\"metadata\":{".len();
    if head[..start].contains("\"items\"") {
        return None;
    }
    let metadata = &head[start..start + head[start..].find('}')?];
    if metadata.contains('{') || metadata.contains('\\') {
        return None;
    }
    let Some(at) = metadata.find("\"continue\":\"") else { return Some(None) };
    let value = &metadata[at + "\"continue\":\"".len()..];
    let token = &value[..value.find('"')?];
    Some((!token.is_empty()).then(|| token.to_string()))
}

/// `apiVersion` of a list and the kind of its items (`PodList` → `Pod`).
fn list_identity(root: &Node) -> (String, String) {
    let api_version = root.get("apiVersion").and_then(Node::as_str).unwrap_or("v1").to_string();
    let kind = root.get("kind").and_then(Node::as_str).unwrap_or("");
    (api_version, kind.strip_suffix("List").unwrap_or(kind).to_string())
}

/// Items of typed lists come without `apiVersion`/`kind`; the model needs them.
fn fill_identity(item: &mut Node, api_version: &str, kind: &str) {
    let NodeKind::Map(entries) = &mut item.kind else { return };
    for (key, value) in [("apiVersion", api_version), ("kind", kind)] {
        if !entries.iter().any(|(k, _)| k.as_str() == Some(key)) {
            entries.push((string_node(key), string_node(value)));
        }
    }
}

fn string_node(text: &str) -> Node {
    Node { span: Span::default(), kind: NodeKind::Scalar(Scalar { value: text.into(), quoted: true, tag: None }) }
}

fn absorb_item(item: &Node, resource: &Resource, cx: &DocContext, fragment: &mut Fragment) {
    let mut loaded = Objects::default();
    load_document(item, cx, &mut loaded);
    match resource.plural.as_ref() {
        "pods" => {
            if let Some(workload) = loaded.workloads.pop() {
                fragment.pods.push(pod_record(item, workload));
            }
            return;
        }
        "deployments" => {
            if let Some(w) = loaded.workloads.last() {
                if let Some(d) = webhook_deployment(item, &w.meta) {
                    fragment.webhook_deployments.push(d);
                }
            }
        }
        "mutatingwebhookconfigurations" => {
            if let Some(meta) = loaded.others.last() {
                if let Some(c) = webhook_configuration(item, meta) {
                    fragment.webhook_configurations.push(c);
                }
            }
        }
        _ => {}
    }
    fragment.inventory.merge(loaded);
}

fn str_at<'a>(node: &'a Node, path: &[&str]) -> Option<&'a str> {
    node.path(path).and_then(Node::as_str)
}

fn seq_at<'a>(node: &'a Node, path: &[&str]) -> &'a [Node] {
    node.path(path).and_then(Node::as_seq).unwrap_or_default()
}

fn pod_record(item: &Node, mut workload: Workload) -> PodRecord {
    let owner = seq_at(item, &["metadata", "ownerReferences"])
        .iter()
        .find(|o| o.get("controller").and_then(Node::as_str) == Some("true"))
        .and_then(|o| Some((str_at(o, &["kind"])?.to_string(), str_at(o, &["name"])?.to_string())));
    let labels = &workload.meta.labels;
    let template_hash =
        labels.value("pod-template-hash").or_else(|| labels.value("controller-revision-hash")).map(String::from);
    let live = LivePod {
        meta: workload.meta.clone(),
        owner: None,
        phase: str_at(item, &["status", "phase"]).unwrap_or("Unknown").to_string(),
        service_account: workload.pod.service_account_name().unwrap_or("default").to_string(),
        token_volume: token_volume(item),
        containers: live_containers(item),
    };
    if live.is_mutated() {
        strip_injections(&mut workload);
    }
    PodRecord { live, workload, owner, template_hash }
}

/// What the pod looked like before the webhook: its env vars and sidecars are not the author's.
fn strip_injections(workload: &mut Workload) {
    let mut containers = std::mem::take(&mut workload.pod.containers).into_vec();
    containers.retain(|c| !INJECTED_CONTAINERS.contains(&c.name.value.as_str()));
    workload.pod.containers = containers.into();
    for c in &mut workload.pod.containers {
        let mut env = std::mem::take(&mut c.env).into_vec();
        env.retain(|e| !INJECTED_ENV.contains(&e.name.value.as_str()));
        c.env = env.into();
    }
}

/// The projected token volume the webhook injected (v1.6+: `azure-workload-identity-reserved-*`,
/// earlier: `azure-identity-token`).
fn token_volume(pod: &Node) -> Option<TokenVolume> {
    seq_at(pod, &["spec", "volumes"]).iter().find_map(|v| {
        let name = str_at(v, &["name"])?;
        if !(name.starts_with("azure-workload-identity-reserved") || name == "azure-identity-token") {
            return None;
        }
        let audience = seq_at(v, &["projected", "sources"])
            .iter()
            .find_map(|s| str_at(s, &["serviceAccountToken", "audience"]))
            .map(String::from);
        Some(TokenVolume { name: name.to_string(), audience })
    })
}

/// Every container's `AZURE_*` env vars (literal values; `valueFrom` ones with an empty value).
fn live_containers(pod: &Node) -> Vec<LiveContainer> {
    let mut out = Vec::new();
    for (key, init) in [("initContainers", true), ("containers", false)] {
        for c in seq_at(pod, &["spec", key]) {
            let env = seq_at(c, &["env"])
                .iter()
                .filter_map(|e| {
                    let name = str_at(e, &["name"])?;
                    name.starts_with("AZURE_")
                        .then(|| (name.to_string(), str_at(e, &["value"]).unwrap_or("").to_string()))
                })
                .collect();
            out.push(LiveContainer { name: str_at(c, &["name"]).unwrap_or("").to_string(), init, env });
        }
    }
    out
}

/// The webhook's Deployment, recognised by its name or its `manager` container's image, in one
/// of the two namespaces it is installed in.
fn webhook_deployment(item: &Node, meta: &Meta) -> Option<WebhookDeployment> {
    if meta.namespace != ADDON_NAMESPACE && meta.namespace != OSS_NAMESPACE {
        return None;
    }
    let containers = seq_at(item, &["spec", "template", "spec", "containers"]);
    let manager = containers.iter().find(|c| str_at(c, &["name"]) == Some("manager"));
    let is_webhook_image = |c: &Node| str_at(c, &["image"]).is_some_and(|i| i.contains("workload-identity/webhook"));
    if meta.name != WEBHOOK_DEPLOYMENT && !manager.is_some_and(is_webhook_image) {
        return None;
    }
    let manager = manager.or_else(|| containers.iter().find(|c| is_webhook_image(c))).or(containers.first())?;
    let strings =
        |key: &str| seq_at(manager, &[key]).iter().filter_map(Node::as_str).map(String::from).collect::<Vec<_>>();
    let mut args = strings("command");
    args.extend(strings("args"));
    let number = |path: &[&str], default: i64| str_at(item, path).and_then(|n| n.parse().ok()).unwrap_or(default);
    let template_labels = item.path(&["spec", "template", "metadata", "labels"]);
    let aks_managed = meta.labels.value(AKS_SYSTEM_LABEL) == Some("true")
        || template_labels.and_then(|l| l.get(AKS_SYSTEM_LABEL)).and_then(Node::as_str) == Some("true");
    Some(WebhookDeployment {
        meta: meta.clone(),
        image: str_at(manager, &["image"]).unwrap_or("").to_string(),
        args,
        replicas: number(&["spec", "replicas"], 1),
        ready_replicas: number(&["status", "readyReplicas"], 0),
        aks_managed,
    })
}

fn webhook_configuration(item: &Node, meta: &Meta) -> Option<WebhookConfiguration> {
    let webhook_names: Vec<String> =
        seq_at(item, &["webhooks"]).iter().filter_map(|w| str_at(w, &["name"])).map(String::from).collect();
    (meta.name == WEBHOOK_CONFIGURATION || webhook_names.iter().any(|n| n == WEBHOOK_NAME))
        .then(|| WebhookConfiguration { meta: meta.clone(), webhook_names })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::cluster::catalog;

    fn page(text: &str, resource: &Resource) -> Page {
        absorb_page(text, resource, &Arc::from("test")).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn typed_list_items_get_their_kind_and_a_live_origin() {
        let text = r#"{"kind":"ServiceAccountList","apiVersion":"v1","metadata":{"continue":"abc"},
            "items":[{"metadata":{"name":"api","namespace":"team-a","annotations":{"azure.workload.identity/client-id":"x"}}}]}"#;
        let p = page(text, &catalog::SERVICE_ACCOUNTS);
        assert_eq!(p.continue_token.as_deref(), Some("abc"));
        let sa = &p.fragment.inventory.service_accounts[0];
        assert_eq!((sa.meta.kind.as_str(), sa.meta.namespace.as_str()), ("ServiceAccount", "team-a"));
        assert_eq!(sa.meta.logical_name("test"), "test/team-a/ServiceAccount/api");
    }

    /// A listed object's `managedFields` (as long as the rest of it in a real cluster's pages) is
    /// read past: the page's objects, secrets and positions are those of the whole tree.
    #[test]
    fn managed_fields_are_read_past_and_change_nothing_read() {
        let managed = r#"[{"manager":"kube-controller-manager","operation":"Update","apiVersion":"v1",
            "time":"2026-11-20T10:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:labels":{".":{},
            "f:azure.workload.identity/use":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"app\"}":{".":{},"f:env":{
            "k:{\"name\":\"DB_PASSWORD\"}":{".":{},"f:name":{},"f:value":{}}}}}}}},
            {"manager":"kubelet","operation":"Update","apiVersion":"v1","time":"2026-11-20T10:00:05Z",
            "fieldsType":"FieldsV1","fieldsV1":{"f:status":{"f:phase":{}}},"subresource":"status"}]"#;
        let text = format!(
            r#"{{"kind":"PodList","apiVersion":"v1","metadata":{{}},"items":[{{"metadata":{{"name":"api-1","namespace":"a",
            "labels":{{"azure.workload.identity/use":"true"}},"managedFields":{managed}}},
            "spec":{{"serviceAccountName":"api","containers":[{{"name":"app","env":[{{"name":"DB_PASSWORD","value":"hunter22"}}]}}]}},
            "status":{{"phase":"Running"}}}}]}}"#
        );
        let context = Arc::from("test");
        let read_past = absorb_page(&text, &catalog::PODS, &context).unwrap_or_else(|e| panic!("{e}"));
        let whole = absorb_page_reading(&text, &catalog::PODS, &context, None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(format!("{:?}", read_past.fragment), format!("{:?}", whole.fragment));
        assert_eq!(read_past.fragment.inventory.secret_values, ["hunter22"]);
        assert!(read_past.fragment.pods[0].live.is_running());
        let mut page = None;
        parse_stream_pruned(&text, &Limits::default(), Some(&UnreadInLists), |root| page = Some(root));
        let item = page.as_ref().and_then(|p| p.get("items")).and_then(Node::as_seq).map(|items| &items[0]);
        let metadata = item.and_then(|i| i.get("metadata")).expect("the pod's metadata");
        assert!(metadata.get("managedFields").is_none() && metadata.get("name").is_some(), "read past, not built");
    }

    #[test]
    fn a_mutated_pod_loses_what_the_webhook_added() {
        let text = r#"{"kind":"PodList","apiVersion":"v1","metadata":{},"items":[{"metadata":{"name":"api-1","namespace":"a",
            "labels":{"azure.workload.identity/use":"true","pod-template-hash":"7c9d"},
            "ownerReferences":[{"kind":"ReplicaSet","name":"api-7c9d","controller":true}]},
            "spec":{"serviceAccountName":"api","containers":[{"name":"app","env":[{"name":"AZURE_CLIENT_ID","value":"c"},
            {"name":"AZURE_FEDERATED_TOKEN_FILE","value":"/var/run/secrets/azure/wi/token/azure-identity-token"}]}],
            "volumes":[{"name":"azure-workload-identity-reserved-0123","projected":{"sources":[{"serviceAccountToken":
            {"audience":"api://AKSIdentityBinding","path":"token/azure-identity-token"}}]}}]},"status":{"phase":"Running"}}]}"#;
        let p = page(text, &catalog::PODS);
        let record = &p.fragment.pods[0];
        assert!(record.live.is_mutated() && record.live.is_running());
        assert_eq!(record.live.env("AZURE_CLIENT_ID"), Some("c"));
        assert_eq!(record.owner, Some(("ReplicaSet".into(), "api-7c9d".into())));
        assert_eq!(record.template_hash.as_deref(), Some("7c9d"));
        assert_eq!(
            record.live.token_volume.as_ref().and_then(|v| v.audience.as_deref()),
            Some("api://AKSIdentityBinding")
        );
        assert!(record.workload.pod.containers[0].env.is_empty(), "injected env is not the author's");
    }

    #[test]
    fn the_webhook_deployment_is_recognised() {
        let text = r#"{"kind":"DeploymentList","apiVersion":"apps/v1","metadata":{},"items":[{"metadata":{"name":"azure-wi-webhook-controller-manager",
            "namespace":"kube-system","labels":{"azure-workload-identity.io/system":"true"}},"spec":{"replicas":2,"template":{"spec":{"containers":[
            {"name":"manager","image":"mcr.microsoft.com/oss/v2/azure/workload-identity/webhook:v1.6.0-alpha.1","args":["--arc-cluster=false"]}]}}},
            "status":{"readyReplicas":2}}]}"#;
        let p = page(text, &catalog::DEPLOYMENTS);
        let d = &p.fragment.webhook_deployments[0];
        assert_eq!((d.version(), d.replicas, d.ready_replicas, d.aks_managed), (Some("v1.6.0-alpha.1"), 2, 2, true));
        assert_eq!(d.args, ["--arc-cluster=false"]);
        assert_eq!(p.fragment.inventory.workloads.len(), 1, "and it is a workload like any other");
    }

    #[test]
    fn the_continue_token_is_read_without_parsing_the_page() {
        let page = r#"{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"9","continue":"eyJ2IjoxfQ","remainingItemCount":5},"items":[{"metadata":{"name":"x"}}]}"#;
        assert_eq!(peek_continue(page), Some(Some("eyJ2IjoxfQ".to_string())));
        let last = r#"{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"9"},"items":[]}"#;
        assert_eq!(peek_continue(last), Some(None));
        let odd = r#"{"items":[{"metadata":{"continue":"no"}}],"metadata":{"continue":"yes"}}"#;
        assert_eq!(peek_continue(odd), None, "items first: parse the page to be sure");
        for text in
            [r#"{"metadata":{"continue":"a\"b"}}"#, r#"{"kind":"PodList"}"#, "", "{\"metadata\":{\"continue\":\"x"]
        {
            assert_eq!(peek_continue(text).flatten(), peek_continue(text).flatten(), "no panic on {text}");
        }
    }

    #[test]
    fn a_broken_page_is_an_error_not_a_panic() {
        assert!(absorb_page("{\"items\": [", &catalog::PODS, &Arc::from("t")).is_err());
    }
}
