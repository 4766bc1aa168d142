//! The identity access graph: which workloads can obtain a token for which managed identity, and
//! through what. Workload → ServiceAccount (runs as) → grant (the binding and role rule that allow
//! `use-managed-identity`, decided by the one RBAC evaluator) → managed identity; federated
//! credentials (and the AKS-managed `aks-identity-binding`) on the identity side, trusted by the
//! ServiceAccount their subject names.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::finding::{Finding, Level, Location};
use crate::model::{
    identity_binding_enabled, identity_key, is_wi_pod, Grant, Inventory, Meta, ObjectRef, PolicyRule, Request,
    ServiceAccount, CLIENT_ID, IDENTITY_API_GROUP, MANAGED_FIC_NAME, USE_MANAGED_IDENTITY,
};

/// What a node stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeKind {
    Workload,
    ServiceAccount,
    Grant,
    Credential,
    Identity,
}

impl NodeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Workload => "workload",
            NodeKind::ServiceAccount => "serviceAccount",
            NodeKind::Grant => "grant",
            NodeKind::Credential => "federatedCredential",
            NodeKind::Identity => "managedIdentity",
        }
    }

    /// The column of the layered drawing (workloads left, identities right).
    pub fn layer(self) -> usize {
        match self {
            NodeKind::Workload => 0,
            NodeKind::ServiceAccount => 1,
            NodeKind::Grant | NodeKind::Credential => 2,
            NodeKind::Identity => 3,
        }
    }
}

/// What an edge says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EdgeKind {
    /// Workload → ServiceAccount.
    RunsAs,
    /// ServiceAccount → grant: the binding names the account (or a group it is in).
    BoundBy,
    /// Grant → identity: the role's rule allows `use-managed-identity` on the client id.
    Allows,
    /// ServiceAccount → identity: the `client-id` annotation (what the webhook injects).
    Annotates,
    /// ServiceAccount → federated credential: the credential trusts the account's tokens.
    TrustedBy,
    /// Federated credential → identity.
    CredentialOf,
}

impl EdgeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::RunsAs => "runsAs",
            EdgeKind::BoundBy => "boundBy",
            EdgeKind::Allows => "allows",
            EdgeKind::Annotates => "clientIdAnnotation",
            EdgeKind::TrustedBy => "trustedBy",
            EdgeKind::CredentialOf => "credentialOf",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// Stable across runs: built from kinds and names, never from positions.
    pub id: String,
    pub kind: NodeKind,
    pub label: String,
    /// More lines shown under the label (client id, issuer, subject, rule).
    pub details: Vec<String>,
    /// `file:line` or a live object's logical name; `None` when not declared in scope.
    pub location: Option<String>,
    /// Ids of the findings about this node's object.
    pub findings: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub kind: EdgeKind,
    /// Why the edge exists, one entry per reason: the rule and binding that grant it, the
    /// annotation, the subject.
    pub why: Vec<String>,
    /// Only through a broad grant (a `*`, or a group subject): drawn dashed.
    pub broad: bool,
    /// Ids of the findings behind this edge: drawn red.
    pub findings: Vec<String>,
}

/// A finding the graph refers to, by id (its fingerprint).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapFinding {
    pub id: String,
    pub rule: &'static str,
    pub level: Level,
    pub message: String,
    pub location: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    pub findings: Vec<MapFinding>,
}

/// At most this many (ServiceAccount, identity) pairs are asked of the RBAC evaluator; past it only
/// each account's own client id is (a repository of thousands of accounts and identities).
const MAX_PAIRS: usize = 200_000;

fn location(meta: &Meta) -> Option<String> {
    match meta.at(meta.name_span.unwrap_or(meta.kind_span)) {
        Location::File { path, span } => Some(format!("{path}:{}", span.start().line)),
        Location::Logical { name } => Some(name),
    }
}

fn object_id(o: &ObjectRef) -> String {
    match &o.namespace {
        Some(ns) => format!("{}/{ns}/{}", o.kind, o.name),
        None => format!("{}/{}", o.kind, o.name),
    }
}

fn sa_id(namespace: &str, name: &str) -> String {
    format!("ServiceAccount/{namespace}/{name}")
}

fn identity_id(client_id: &str) -> String {
    format!("identity/{}", client_id.to_ascii_lowercase())
}

/// Builds the graph of an inventory and its findings. Workloads, ServiceAccounts, grants and
/// federated credentials are drawn when `in_view` accepts the file declaring them (objects of a
/// live cluster always are): the map is of the paths given, while the rest of the scope still
/// resolves what they refer to.
pub fn build(inv: &Inventory, findings: &[Finding], in_view: &dyn Fn(&str) -> bool) -> Graph {
    let mut b = Builder { in_view, ..Builder::new() };
    for f in findings.iter().filter(|f| f.suppression.is_none()) {
        b.add_finding(f);
    }
    b.workloads(inv);
    b.accounts(inv);
    b.grants(inv);
    b.credentials(inv);
    b.finish()
}

struct Builder<'v> {
    in_view: &'v dyn Fn(&str) -> bool,
    nodes: BTreeMap<String, Node>,
    edges: BTreeMap<(String, String, EdgeKind), Edge>,
    findings: Vec<MapFinding>,
    /// Finding ids by the object they are about (`object_id`), with their rule.
    by_object: HashMap<String, Vec<(&'static str, String)>>,
}

impl<'v> Builder<'v> {
    fn new() -> Self {
        Builder {
            in_view: &|_| true,
            nodes: BTreeMap::new(),
            edges: BTreeMap::new(),
            findings: Vec::new(),
            by_object: HashMap::new(),
        }
    }

    /// Whether an object at `location` is drawn.
    fn shows(&self, location: &Location) -> bool {
        location.path().is_none_or(|p| (self.in_view)(p))
    }

    fn add_finding(&mut self, f: &Finding) {
        let location = match &f.location {
            Location::File { path, span } => Some(format!("{path}:{}:{}", span.start().line, span.start().col)),
            Location::Logical { name } => Some(name.clone()),
        };
        let id = f.fingerprint.clone();
        if let Some(o) = &f.object {
            self.by_object.entry(object_id(o)).or_default().push((f.rule, id.clone()));
        }
        self.findings.push(MapFinding { id, rule: f.rule, level: f.level, message: f.message.clone(), location });
    }

    /// Findings about object `id` whose rule starts with one of `families` (`IB1`, `IB30`).
    fn findings_of(&self, id: &str, families: &[&str]) -> Vec<String> {
        let mut out: Vec<String> = self
            .by_object
            .get(id)
            .into_iter()
            .flatten()
            .filter(|(rule, _)| families.is_empty() || families.iter().any(|f| rule.starts_with(f)))
            .map(|(_, id)| id.clone())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    fn node(&mut self, id: String, kind: NodeKind, label: String, location: Option<String>) -> &mut Node {
        let findings = self.findings_of(&id, &[]);
        self.nodes.entry(id.clone()).or_insert(Node { id, kind, label, details: Vec::new(), location, findings })
    }

    fn edge(&mut self, from: &str, to: &str, kind: EdgeKind, why: String, broad: bool, findings: Vec<String>) {
        let key = (from.to_string(), to.to_string(), kind);
        let edge = self.edges.entry(key).or_insert_with(|| Edge {
            from: from.to_string(),
            to: to.to_string(),
            kind,
            why: Vec::new(),
            broad,
            findings: Vec::new(),
        });
        // Several grants along one edge: it is broad only if every one of them is.
        edge.broad &= broad;
        if !edge.why.contains(&why) {
            edge.why.push(why);
        }
        edge.findings.extend(findings);
        edge.findings.sort();
        edge.findings.dedup();
    }

    fn workloads(&mut self, inv: &Inventory) {
        for w in inv.workloads.iter().filter(|w| !w.meta.is_patch && is_wi_pod(&w.pod)) {
            if !self.shows(&w.meta.at(w.meta.kind_span)) {
                continue;
            }
            let object = w.meta.object_ref();
            let id = match &w.part {
                Some(part) => format!("{}#{part}", object_id(&object)),
                None => object_id(&object),
            };
            let label = w.object().to_string();
            let node = self.node(id.clone(), NodeKind::Workload, label, location(&w.meta));
            if identity_binding_enabled(&w.pod) && node.details.is_empty() {
                node.details.push("identity binding".to_string());
            }
            let Some(account) = w.pod.service_account_name() else { continue };
            let to = sa_id(w.namespace(), account);
            let sa_location = inv.service_account(w.namespace(), account, &w.meta).and_then(|sa| location(&sa.meta));
            self.node(
                to.clone(),
                NodeKind::ServiceAccount,
                format!("ServiceAccount {}/{account}", w.namespace()),
                sa_location,
            );
            let findings = self.findings_of(&object_id(&object), &["IB1", "IB204"]);
            self.edge(&id, &to, EdgeKind::RunsAs, "serviceAccountName".to_string(), false, findings);
        }
    }

    fn accounts(&mut self, inv: &Inventory) {
        for sa in inv.service_accounts.iter().filter(|sa| !sa.meta.is_patch) {
            if !self.shows(&sa.meta.at(sa.meta.kind_span)) {
                continue;
            }
            let id = sa_id(&sa.meta.namespace, &sa.meta.name);
            let label = format!("ServiceAccount {}/{}", sa.meta.namespace, sa.meta.name);
            self.node(id.clone(), NodeKind::ServiceAccount, label, location(&sa.meta)).location = location(&sa.meta);
            let Some(cid) = client_id(sa) else { continue };
            let identity = identity_id(cid);
            self.identity(&identity, cid);
            let findings = self.findings_of(&object_id(&sa.meta.object_ref()), &["IB20", "IB301", "IB302"]);
            self.edge(&id, &identity, EdgeKind::Annotates, format!("annotation {CLIENT_ID}"), false, findings);
        }
    }

    fn identity(&mut self, id: &str, client_id: &str) {
        let node = self.node(id.to_string(), NodeKind::Identity, "managed identity".to_string(), None);
        if node.details.is_empty() {
            node.details.push(format!("client id {}", client_id.to_ascii_lowercase()));
        }
    }

    /// Every (account, identity) pair the RBAC evaluator allows, each allowing grant an edge pair.
    fn grants(&mut self, inv: &Inventory) {
        let accounts: Vec<&ServiceAccount> = inv
            .service_accounts
            .iter()
            .filter(|sa| !sa.meta.is_patch && self.shows(&sa.meta.at(sa.meta.kind_span)))
            .collect();
        // The identities in question: those the drawn accounts name (a wildcard grant reaches
        // every identity; drawn are the ones someone here uses).
        let ids: BTreeSet<&str> = accounts.iter().copied().filter_map(client_id).map(|c| c.as_str()).collect();
        let every_pair = accounts.len().saturating_mul(ids.len()) <= MAX_PAIRS;
        let all_ids: Vec<&str> = ids.into_iter().collect();
        for sa in accounts {
            let own = client_id(sa).map(|c| c.as_str());
            // Past the bound, only the account's own identity: walking every identity to find it
            // made a map of N accounts cost N².
            let asked = if every_pair { all_ids.as_slice() } else { own.as_slice() };
            for &id in asked {
                for g in inv.grants(&use_request(sa, id)) {
                    if self.shows(&g.binding.meta.at(g.binding.meta.kind_span)) {
                        self.grant(sa, id, &g, None);
                    }
                }
            }
            self.case_misses(inv, sa);
        }
    }

    /// Grants for the account's client id in lower case when the annotation is not: RBAC compares
    /// names byte for byte, so they give no token (IB302). Drawn as red edges so the reviewer sees
    /// the grant that was meant and why it does not work.
    fn case_misses(&mut self, inv: &Inventory, sa: &ServiceAccount) {
        let Some(own) = client_id(sa) else { return };
        let lower = own.to_ascii_lowercase();
        if lower == own.as_str() {
            return;
        }
        if !inv.grants(&use_request(sa, own)).is_empty() {
            return;
        }
        let findings = self.findings_of(&object_id(&sa.meta.object_ref()), &["IB302"]);
        for g in inv.grants(&use_request(sa, &lower)) {
            if self.shows(&g.binding.meta.at(g.binding.meta.kind_span)) {
                let mut reds = findings.clone();
                reds.extend(self.findings_of(&object_id(&g.rule_owner.meta.object_ref()), &["IB302"]));
                self.grant(sa, &lower, &g, Some(reds));
            }
        }
    }

    /// Draws grant `g` from account `sa` to identity `client_id`; `case_miss` holds the findings
    /// of a grant that names the id in another case and so allows nothing.
    fn grant(&mut self, sa: &ServiceAccount, client_id: &str, g: &Grant, case_miss: Option<Vec<String>>) {
        let binding = object_id(&g.binding.meta.object_ref());
        let grant_id = format!("grant/{binding}/{}", object_id(&g.rule_owner.meta.object_ref()));
        let mut more = self.findings_of(&object_id(&g.rule_owner.meta.object_ref()), &[]);
        more.extend(self.findings_of(&object_id(&g.binding.meta.object_ref()), &[]));
        let node = self.node(
            grant_id.clone(),
            NodeKind::Grant,
            format!("{} {}", g.binding.meta.kind, qualified(&g.binding.meta)),
            location(&g.binding.meta),
        );
        if node.details.is_empty() {
            node.details.push(format!(
                "{} {}: {}",
                g.rule_owner.meta.kind,
                qualified(&g.rule_owner.meta),
                rule_text(g.rule)
            ));
            if g.role.meta.name != g.rule_owner.meta.name {
                node.details.push(format!("aggregated into {} {}", g.role.meta.kind, g.role.meta.name));
            }
            node.findings.extend(more);
            node.findings.sort();
            node.findings.dedup();
        }
        let subject_broad = g.subject.kind == crate::model::SubjectKind::Group;
        let rule_broad =
            [g.rule.verbs(), g.rule.api_groups(), g.rule.resources()].iter().any(|l| l.iter().any(|s| s.value == "*"));
        let account = sa_id(&sa.meta.namespace, &sa.meta.name);
        let security = |b: &Builder<'_>, o: &Meta| b.findings_of(&object_id(&o.object_ref()), &["IB30"]);
        let mut binding_findings = security(self, &g.binding.meta);
        let mut subject = format!("subject {} {}", g.subject.kind, g.subject.name.value);
        if let Some(reds) = &case_miss {
            binding_findings.extend(reds.iter().cloned());
            subject.push_str(&format!(
                " (no access: the role names {client_id}, the annotation {}, and RBAC compares names byte for byte)",
                client_id_text(sa)
            ));
        }
        let role_findings = security(self, &g.rule_owner.meta);
        self.edge(&account, &grant_id, EdgeKind::BoundBy, subject, subject_broad, binding_findings);
        let identity = identity_id(client_id);
        self.identity(&identity, client_id);
        self.edge(
            &grant_id,
            &identity,
            EdgeKind::Allows,
            format!("{} rule {}", g.rule_owner.meta.name, rule_text(g.rule)),
            rule_broad,
            role_findings,
        );
    }

    /// Federated credentials with a known identity, and the identity bindings whose managed
    /// credential `aks-identity-binding` AKS creates.
    fn credentials(&mut self, inv: &Inventory) {
        for fic in &inv.federated_credentials {
            let Some(identity) = fic.identity_key().filter(|k| !k.is_empty()) else {
                continue;
            };
            // A credential a script deletes trusts nobody afterwards.
            if fic.action == crate::model::FicAction::Delete || !self.shows(&fic.at(fic.anchor)) {
                continue;
            }
            let name = fic.name.as_ref().map_or("(name unknown)", |n| n.value.as_str());
            let id = format!("credential/{identity}/{name}");
            let loc = match fic.at(fic.name.as_ref().map_or(fic.anchor, |n| n.span)) {
                Location::File { path, span } => Some(format!("{path}:{}", span.start().line)),
                Location::Logical { name } => Some(name),
            };
            let more =
                fic.meta.as_ref().map(|m| self.findings_of(&object_id(&m.object_ref()), &[])).unwrap_or_default();
            let node = self.node(id.clone(), NodeKind::Credential, format!("federated credential {name}"), loc);
            if node.details.is_empty() {
                if let Some(issuer) = &fic.issuer {
                    node.details.push(format!("issuer {}", issuer.value));
                }
                if let Some(subject) = &fic.subject {
                    node.details.push(format!("subject {}", subject.value));
                }
            }
            node.findings.extend(more);
            let target = named_identity(self, &identity);
            let findings = self.nodes.get(&id).map(|n| n.findings.clone()).unwrap_or_default();
            self.edge(
                &id,
                &target,
                EdgeKind::CredentialOf,
                format!("{} {}", fic.action.verb(), fic.display),
                false,
                findings,
            );
            let account = fic
                .subject
                .as_ref()
                .and_then(|s| s.value.strip_prefix("system:serviceaccount:"))
                .and_then(|r| r.split_once(':'));
            if let Some((ns, sa)) = account {
                let from = sa_id(ns, sa);
                if self.nodes.contains_key(&from) {
                    self.edge(
                        &from,
                        &id,
                        EdgeKind::TrustedBy,
                        "subject of the credential".to_string(),
                        false,
                        Vec::new(),
                    );
                }
            }
        }
        for binding in &inv.identity_bindings {
            let Some(identity) = binding.identity.as_deref().map(identity_key).filter(|k| !k.is_empty()) else {
                continue;
            };
            if !self.shows(&binding.at(binding.anchor)) {
                continue;
            }
            let id = format!("credential/{identity}/{MANAGED_FIC_NAME}");
            let loc = match binding.at(binding.anchor) {
                Location::File { path, span } => Some(format!("{path}:{}", span.start().line)),
                Location::Logical { name } => Some(name),
            };
            let node =
                self.node(id.clone(), NodeKind::Credential, format!("federated credential {MANAGED_FIC_NAME}"), loc);
            if node.details.is_empty() {
                node.details.push("managed by AKS for identity bindings".to_string());
                node.details.push(format!("from {}", binding.display));
            }
            let target = named_identity(self, &identity);
            self.edge(&id, &target, EdgeKind::CredentialOf, binding.display.clone(), false, Vec::new());
        }
    }

    fn finish(self) -> Graph {
        let mut findings = self.findings;
        findings.sort_by(|a, b| a.id.cmp(&b.id));
        findings.dedup_by(|a, b| a.id == b.id);
        Graph { nodes: self.nodes.into_values().collect(), edges: self.edges.into_values().collect(), findings }
    }
}

/// The identity node of an identity named in infrastructure code (its client id is not known
/// statically).
fn named_identity(b: &mut Builder<'_>, key: &str) -> String {
    let id = format!("identity-name/{key}");
    let node = b.node(id.clone(), NodeKind::Identity, "managed identity".to_string(), None);
    if node.details.is_empty() {
        node.details.push(format!("name {key}"));
    }
    id
}

/// May `sa` use the managed identity `client_id`?
fn use_request<'a>(sa: &'a ServiceAccount, client_id: &'a str) -> Request<'a> {
    Request {
        sa_namespace: &sa.meta.namespace,
        sa_name: &sa.meta.name,
        verb: USE_MANAGED_IDENTITY,
        api_group: IDENTITY_API_GROUP,
        resource: client_id,
        namespace: Some(&sa.meta.namespace),
    }
}

fn client_id_text(sa: &ServiceAccount) -> &str {
    client_id(sa).map_or("", |c| c.as_str())
}

fn client_id(sa: &ServiceAccount) -> Option<&crate::model::Text> {
    sa.client_id().map(|e| &e.value).filter(|v| crate::model::is_guid(v))
}

fn qualified(meta: &Meta) -> String {
    if meta.cluster_scoped {
        meta.name.to_string()
    } else {
        format!("{}/{}", meta.namespace, meta.name)
    }
}

/// `verbs [use-managed-identity] apiGroups [cid.wi.aks.azure.com] resources [<id>]`.
fn rule_text(rule: &PolicyRule) -> String {
    let list = |l: &[crate::model::Str]| l.iter().map(|s| s.value.as_str()).collect::<Vec<_>>().join(",");
    format!(
        "verbs [{}] apiGroups [{}] resources [{}]",
        list(rule.verbs()),
        list(rule.api_groups()),
        list(rule.resources())
    )
}

/// Each node's position in `graph.nodes`, by id.
pub fn node_index(graph: &Graph) -> HashMap<&str, usize> {
    graph.nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect()
}

/// Keeps the nodes that reach `focus` or that `focus` reaches (its neighbourhood in the access
/// question), and the edges between them.
pub fn focus(graph: &Graph, focus: &str) -> Graph {
    let mut keep: BTreeSet<&str> = BTreeSet::from([focus]);
    for forward in [true, false] {
        let mut next: HashMap<&str, Vec<&str>> = HashMap::new();
        for e in &graph.edges {
            let (from, to) = if forward { (&e.from, &e.to) } else { (&e.to, &e.from) };
            next.entry(from.as_str()).or_default().push(to.as_str());
        }
        let mut stack = vec![focus];
        let mut seen: BTreeSet<&str> = BTreeSet::from([focus]);
        while let Some(n) = stack.pop() {
            for &to in next.get(n).into_iter().flatten() {
                if seen.insert(to) {
                    stack.push(to);
                }
            }
        }
        keep.extend(seen);
    }
    let nodes: Vec<Node> = graph.nodes.iter().filter(|n| keep.contains(n.id.as_str())).cloned().collect();
    let edges: Vec<Edge> = graph
        .edges
        .iter()
        .filter(|e| keep.contains(e.from.as_str()) && keep.contains(e.to.as_str()))
        .cloned()
        .collect();
    let used: BTreeSet<&String> =
        nodes.iter().flat_map(|n| &n.findings).chain(edges.iter().flat_map(|e| &e.findings)).collect();
    let findings = graph.findings.iter().filter(|f| used.contains(&f.id)).cloned().collect();
    Graph { nodes, edges, findings }
}

/// The node a `--workload KIND/NS/NAME` names.
pub fn workload_node(graph: &Graph, spec: &str) -> Option<String> {
    graph
        .nodes
        .iter()
        .find(|n| n.kind == NodeKind::Workload && (n.id == spec || n.id.starts_with(&format!("{spec}#"))))
        .map(|n| n.id.clone())
}

/// The node of `--identity CLIENT_ID`.
pub fn identity_node(graph: &Graph, client_id: &str) -> Option<String> {
    let id = identity_id(client_id);
    graph.nodes.iter().any(|n| n.id == id).then_some(id)
}
