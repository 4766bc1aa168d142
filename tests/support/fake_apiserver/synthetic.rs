//! Generated clusters for the benchmark and for scale tests: `synthetic::cluster(pods, sas, rbac)`.
//!
//! Pods come two per Deployment (Deployment → ReplicaSet with `pod-template-hash` → Pods), spread
//! over one namespace per 100 pods. Half the Deployments run identity-binding pods as the webhook
//! mutates them, a quarter classic workload identity pods, a quarter pods without Azure identity.
//! ServiceAccounts carry client and tenant ids; each of the `rbac` ClusterRoles grants
//! `use-managed-identity` on one ServiceAccount's client id through a ClusterRoleBinding, and the
//! SubjectAccessReview table allows exactly those. The webhook (configuration and Deployment) runs
//! in kube-system, as the AKS add-on installs it.

use serde_json::{json, Value};

use super::cluster::{fnv, Cluster};
use super::sar::{SarRule, SarTable};

pub const TENANT_ID: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
pub const WEBHOOK_IMAGE: &str = "mcr.microsoft.com/oss/v2/azure/workload-identity/webhook:v1.6.0-alpha.1";
pub const IDENTITY_BINDING_AUDIENCE: &str = "api://AKSIdentityBinding";
pub const DEFAULT_AUDIENCE: &str = "api://AzureADTokenExchange";
/// The group and verb RBAC uses for identity bindings: `use-managed-identity` on `<client-id>`.
pub const IDENTITY_GROUP: &str = "cid.wi.aks.azure.com";
pub const USE_VERB: &str = "use-managed-identity";
const PODS_PER_NAMESPACE: usize = 100;

/// How the webhook treated a generated pod.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Identity {
    /// Identity binding: token audience `api://AKSIdentityBinding` and the token-proxy env.
    Binding,
    /// Classic workload identity: the default audience.
    Classic,
    /// No Azure identity at all.
    None,
}

/// A cluster with `pods` pods, `service_accounts` ServiceAccounts and `rbac` ClusterRole +
/// ClusterRoleBinding pairs (see the module docs).
pub fn cluster(pods: usize, service_accounts: usize, rbac: usize) -> Cluster {
    let namespaces = pods.div_ceil(PODS_PER_NAMESPACE).max(1);
    let mut cluster = Cluster::new();
    let mut objects = vec![namespace("kube-system"), webhook_configuration(), webhook_deployment()];
    objects.extend((0..namespaces).map(|n| namespace(&namespace_name(n))));
    for sa in 0..service_accounts {
        objects.push(service_account(&namespace_name(sa % namespaces), &sa_name(sa), &client_id(sa)));
    }
    for deployment in 0..pods.div_ceil(2) {
        let replicas = if deployment * 2 + 1 < pods { 2 } else { 1 };
        let (ns, sa) = match service_accounts {
            0 => (namespace_name(deployment % namespaces), None),
            _ => (namespace_name((deployment % service_accounts) % namespaces), Some(deployment % service_accounts)),
        };
        let identity = match (sa, deployment % 4) {
            (None, _) | (_, 3) => Identity::None,
            (_, 1) => Identity::Classic,
            _ => Identity::Binding,
        };
        let app = App {
            namespace: ns,
            name: format!("app-{deployment:05}"),
            service_account: sa.map_or_else(|| "default".to_string(), sa_name),
            client_id: sa.map(client_id).unwrap_or_default(),
            identity,
        };
        objects.extend(app.objects(replicas));
    }
    let mut sar = SarTable::default();
    for grant in 0..rbac {
        let sa = grant % service_accounts.max(1);
        let (ns, name, id) = (namespace_name(sa % namespaces), sa_name(sa), client_id(sa));
        let role = format!("use-mi-{grant:05}");
        objects.push(cluster_role(&role, &id));
        objects.push(cluster_role_binding(&role, &ns, &name));
        let user = format!("system:serviceaccount:{ns}:{name}");
        let reason = format!(
            "RBAC: allowed by ClusterRoleBinding \"{role}\" of ClusterRole \"{role}\" to ServiceAccount \"{name}/{ns}\""
        );
        sar.rules.push(SarRule::allow(&user, USE_VERB, IDENTITY_GROUP, &id, &reason));
    }
    for object in objects {
        // Every generated object has apiVersion, kind and a name.
        let _ = cluster.add(object);
    }
    cluster.sar = sar;
    cluster
}

fn namespace_name(index: usize) -> String {
    format!("team-{index:03}")
}

fn sa_name(index: usize) -> String {
    format!("workload-{index:05}")
}

/// A lower-case GUID derived from `index`.
pub fn client_id(index: usize) -> String {
    let hash = fnv(format!("client-{index}").as_bytes());
    format!("{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}", hash >> 32, hash & 0xffff, index % 0x1000, 0xa1, index)
}

/// `n` lower-case hex characters derived from `seed` (stand-ins for hashes).
fn hex(seed: &str, n: usize) -> String {
    let mut out = String::new();
    let mut round = 0u64;
    while out.len() < n {
        out.push_str(&format!("{:016x}", fnv(format!("{seed}/{round}").as_bytes())));
        round += 1;
    }
    out.chars().take(n).collect()
}

/// kube's `pod-template-hash` alphabet (no vowels), ten characters.
fn template_hash(seed: &str) -> String {
    const SAFE: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut hash = fnv(seed.as_bytes());
    (0..10)
        .map(|_| {
            let c = SAFE.get((hash % SAFE.len() as u64) as usize).copied().unwrap_or(b'b');
            hash /= SAFE.len() as u64;
            char::from(c)
        })
        .collect()
}

pub fn namespace(name: &str) -> Value {
    json!({ "apiVersion": "v1", "kind": "Namespace", "metadata": { "name": name, "labels": { "kubernetes.io/metadata.name": name } }, "status": { "phase": "Active" } })
}

pub fn service_account(namespace: &str, name: &str, client_id: &str) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "annotations": {
                "azure.workload.identity/client-id": client_id,
                "azure.workload.identity/tenant-id": TENANT_ID,
            },
        },
    })
}

pub fn cluster_role(name: &str, client_id: &str) -> Value {
    json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": { "name": name },
        "rules": [{ "apiGroups": [IDENTITY_GROUP], "resources": [client_id], "verbs": [USE_VERB] }],
    })
}

pub fn cluster_role_binding(name: &str, namespace: &str, service_account: &str) -> Value {
    json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": { "name": name },
        "roleRef": { "apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": name },
        "subjects": [{ "kind": "ServiceAccount", "name": service_account, "namespace": namespace }],
    })
}

pub fn webhook_configuration() -> Value {
    json!({
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "MutatingWebhookConfiguration",
        "metadata": {
            "name": "azure-wi-webhook-mutating-webhook-configuration",
            "labels": { "azure-workload-identity.io/system": "true" },
        },
        "webhooks": [{
            "name": "mutation.azure-workload-identity.io",
            "admissionReviewVersions": ["v1", "v1beta1"],
            "clientConfig": { "service": { "name": "azure-wi-webhook-webhook-service", "namespace": "kube-system", "path": "/mutate-v1-pod", "port": 443 } },
            "failurePolicy": "Fail",
            "matchPolicy": "Equivalent",
            "objectSelector": { "matchLabels": { "azure.workload.identity/use": "true" } },
            "reinvocationPolicy": "IfNeeded",
            "rules": [{ "apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"], "resources": ["pods"], "scope": "*" }],
            "sideEffects": "None",
            "timeoutSeconds": 10,
        }],
    })
}

pub fn webhook_deployment() -> Value {
    let labels = json!({ "azure-workload-identity.io/system": "true" });
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": { "name": "azure-wi-webhook-controller-manager", "namespace": "kube-system", "labels": labels },
        "spec": {
            "replicas": 2,
            "selector": { "matchLabels": labels },
            "template": {
                "metadata": { "labels": labels },
                "spec": {
                    "serviceAccountName": "azure-wi-webhook-admin",
                    "containers": [{
                        "name": "manager",
                        "image": WEBHOOK_IMAGE,
                        "command": ["/manager"],
                        "args": [
                            "--log-level=info",
                            "--custom-token-endpoint-annotation-suffix=identity-binding",
                            "--custom-token-endpoint-audience=api://AKSIdentityBinding",
                        ],
                        "ports": [{ "containerPort": 9443, "name": "webhook-server", "protocol": "TCP" }],
                    }],
                },
            },
        },
        "status": { "replicas": 2, "readyReplicas": 2, "availableReplicas": 2, "updatedReplicas": 2 },
    })
}

/// One generated application: a Deployment, its ReplicaSet and its pods.
struct App {
    namespace: String,
    name: String,
    service_account: String,
    client_id: String,
    identity: Identity,
}

impl App {
    fn labels(&self) -> Value {
        let mut labels = json!({ "app": self.name });
        if self.identity != Identity::None {
            labels["azure.workload.identity/use"] = json!("true");
        }
        labels
    }

    fn annotations(&self) -> Value {
        match self.identity {
            Identity::Binding => json!({ "azure.workload.identity/use-identity-binding": "true" }),
            _ => json!({}),
        }
    }

    fn objects(&self, replicas: usize) -> Vec<Value> {
        let hash = template_hash(&format!("{}/{}", self.namespace, self.name));
        let replica_set = format!("{}-{hash}", self.name);
        let template = json!({
            "metadata": { "labels": self.labels(), "annotations": self.annotations() },
            "spec": { "serviceAccountName": self.service_account, "containers": [{ "name": "app", "image": "myregistry.azurecr.io/app:1.4.2" }] },
        });
        let deployment = json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": { "name": self.name, "namespace": self.namespace, "uid": uid(&self.namespace, &self.name) },
            "spec": { "replicas": replicas, "selector": { "matchLabels": { "app": self.name } }, "template": template },
            "status": { "replicas": replicas, "readyReplicas": replicas },
        });
        let mut rs_template = template.clone();
        rs_template["metadata"]["labels"]["pod-template-hash"] = json!(hash);
        let replica_set_object = json!({
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": replica_set,
                "namespace": self.namespace,
                "uid": uid(&self.namespace, &replica_set),
                "labels": { "app": self.name, "pod-template-hash": hash },
                "ownerReferences": [owner("Deployment", &self.name, &uid(&self.namespace, &self.name))],
            },
            "spec": { "replicas": replicas, "selector": { "matchLabels": { "app": self.name, "pod-template-hash": hash } }, "template": rs_template },
            "status": { "replicas": replicas, "readyReplicas": replicas },
        });
        let mut objects = vec![deployment, replica_set_object];
        objects.extend((0..replicas).map(|i| self.pod(&replica_set, &hash, i)));
        objects
    }

    fn pod(&self, replica_set: &str, hash: &str, index: usize) -> Value {
        let name = format!("{replica_set}-{}", hex(&format!("{replica_set}/{index}"), 5));
        let mut labels = self.labels();
        labels["pod-template-hash"] = json!(hash);
        let mut container = json!({ "name": "app", "image": "myregistry.azurecr.io/app:1.4.2" });
        let mut pod = json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": name,
                "generateName": format!("{replica_set}-"),
                "namespace": self.namespace,
                "labels": labels,
                "annotations": self.annotations(),
                "ownerReferences": [owner("ReplicaSet", replica_set, &uid(&self.namespace, replica_set))],
            },
            "spec": { "serviceAccountName": self.service_account, "nodeName": "aks-nodepool1-12345678-vmss000000" },
            "status": {
                "phase": "Running",
                "containerStatuses": [{ "name": "app", "ready": true, "restartCount": 0, "started": true }],
            },
        });
        if self.identity != Identity::None {
            let volume = reserved_volume_name(&format!("{replica_set}- (prefix)"));
            container["env"] = json!(self.injected_env());
            container["volumeMounts"] =
                json!([{ "name": volume, "mountPath": "/var/run/secrets/azure/wi", "readOnly": true }]);
            pod["spec"]["volumes"] = json!([token_volume(&volume, self.identity)]);
        }
        with_what_every_pod_has(&mut pod, &mut container, &name);
        pod["metadata"]["managedFields"] = pod_managed_fields(&pod["metadata"], &container);
        pod["spec"]["containers"] = json!([container]);
        pod
    }

    /// The env the webhook appends to each container.
    fn injected_env(&self) -> Vec<Value> {
        let mut env = vec![
            json!({ "name": "AZURE_CLIENT_ID", "value": self.client_id }),
            json!({ "name": "AZURE_TENANT_ID", "value": TENANT_ID }),
            json!({ "name": "AZURE_FEDERATED_TOKEN_FILE", "value": "/var/run/secrets/azure/wi/token/azure-identity-token" }),
            json!({ "name": "AZURE_AUTHORITY_HOST", "value": "https://login.microsoftonline.com/" }),
        ];
        if self.identity == Identity::Binding {
            env.extend([
                json!({ "name": "AZURE_KUBERNETES_TOKEN_PROXY", "value": "https://kubernetes.default.svc" }),
                json!({ "name": "AZURE_KUBERNETES_SNI_NAME", "value": "2183187515ff64fc2fff014fd0e749f92578a466dc345b" }),
                json!({ "name": "AZURE_KUBERNETES_CA_FILE", "value": "/var/run/secrets/azure/wi/ca-cert/ca.crt" }),
            ]);
        }
        env
    }
}

/// What the API server's defaults and admission, the scheduler and the kubelet add to every pod of
/// a real cluster, whatever its owner wrote: the API access volume and its mount, the default
/// tolerations, empty resources and security context, scheduling fields, and a running pod's
/// conditions, addresses and container status.
fn with_what_every_pod_has(pod: &mut Value, container: &mut Value, name: &str) {
    let api_access = format!("kube-api-access-{}", hex(name, 5));
    container["imagePullPolicy"] = json!("IfNotPresent");
    container["resources"] = json!({});
    container["terminationMessagePath"] = json!("/dev/termination-log");
    container["terminationMessagePolicy"] = json!("File");
    let mount =
        json!({ "name": api_access, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": true });
    // The ServiceAccount admission plugin adds the API access volume before any webhook runs: the
    // workload identity webhook's token volume (and mount) comes after it.
    match container["volumeMounts"].as_array_mut() {
        Some(mounts) => mounts.insert(0, mount),
        None => container["volumeMounts"] = json!([mount]),
    }
    let spec = &mut pod["spec"];
    spec["serviceAccount"] = spec["serviceAccountName"].clone();
    for (key, value) in [
        ("dnsPolicy", json!("ClusterFirst")),
        ("enableServiceLinks", json!(true)),
        ("preemptionPolicy", json!("PreemptLowerPriority")),
        ("priority", json!(0)),
        ("restartPolicy", json!("Always")),
        ("schedulerName", json!("default-scheduler")),
        ("securityContext", json!({})),
        ("terminationGracePeriodSeconds", json!(30)),
    ] {
        spec[key] = value;
    }
    let toleration = |key: &str| json!({ "key": format!("node.kubernetes.io/{key}"), "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300 });
    spec["tolerations"] = json!([toleration("not-ready"), toleration("unreachable")]);
    let volume = json!({ "name": api_access, "projected": { "defaultMode": 420, "sources": [
        { "serviceAccountToken": { "expirationSeconds": 3607, "path": "token" } },
        { "configMap": { "name": "kube-root-ca.crt", "items": [{ "key": "ca.crt", "path": "ca.crt" }] } },
        { "downwardAPI": { "items": [{ "path": "namespace", "fieldRef": { "apiVersion": "v1", "fieldPath": "metadata.namespace" } }] } },
    ] } });
    match spec["volumes"].as_array_mut() {
        Some(volumes) => volumes.insert(0, volume),
        None => spec["volumes"] = json!([volume]),
    }
    let ip = format!("10.244.{}.{}", fnv(name.as_bytes()) % 200, fnv(name.as_bytes()) % 250 + 2);
    let condition = |kind: &str| json!({ "type": kind, "status": "True", "lastProbeTime": null, "lastTransitionTime": "2026-11-20T10:00:05Z" });
    let status = &mut pod["status"];
    status["conditions"] =
        json!(["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"].map(condition));
    status["hostIP"] = json!("10.224.0.4");
    status["hostIPs"] = json!([{ "ip": "10.224.0.4" }]);
    status["podIP"] = json!(ip);
    status["podIPs"] = json!([{ "ip": ip }]);
    status["qosClass"] = json!("BestEffort");
    status["startTime"] = json!("2026-11-20T10:00:00Z");
    status["containerStatuses"] = json!([{
        "name": "app",
        "containerID": format!("containerd://{}", hex(name, 64)),
        "image": container["image"],
        "imageID": format!("myregistry.azurecr.io/app@sha256:{}", hex("image", 64)),
        "lastState": {},
        "ready": true,
        "restartCount": 0,
        "started": true,
        "state": { "running": { "startedAt": "2026-11-20T10:00:04Z" } },
    }]);
}

/// What a real API server records of who wrote a pod's fields (`metadata.managedFields`, last
/// in its metadata): the ReplicaSet controller its metadata and spec, the kubelet its status. As
/// long as the rest of the pod in a real cluster's pages, and read by nothing.
fn pod_managed_fields(metadata: &Value, container: &Value) -> Value {
    let keys = |object: &Value| -> Value {
        let mut fields = json!({ ".": {} });
        for key in object.as_object().into_iter().flat_map(|o| o.keys()) {
            fields[format!("f:{key}")] = json!({});
        }
        fields
    };
    let mut env = json!({ ".": {} });
    for var in container["env"].as_array().into_iter().flatten() {
        env[format!("k:{{\"name\":\"{}\"}}", var["name"].as_str().unwrap_or(""))] =
            json!({ ".": {}, "f:name": {}, "f:value": {} });
    }
    let owner_uid = metadata["ownerReferences"][0]["uid"].as_str().unwrap_or("");
    let condition = |kind: &str| {
        (
            format!("k:{{\"type\":\"{kind}\"}}"),
            json!({ ".": {}, "f:lastProbeTime": {}, "f:lastTransitionTime": {}, "f:status": {}, "f:type": {} }),
        )
    };
    let conditions: serde_json::Map<String, Value> =
        ["ContainersReady", "Initialized", "PodReadyToStartContainers", "PodScheduled", "Ready"]
            .map(condition)
            .into_iter()
            .collect();
    json!([
        {
            "manager": "kube-controller-manager",
            "operation": "Update",
            "apiVersion": "v1",
            "time": "2026-11-20T10:00:00Z",
            "fieldsType": "FieldsV1",
            "fieldsV1": {
                "f:metadata": {
                    "f:annotations": keys(&metadata["annotations"]),
                    "f:generateName": {},
                    "f:labels": keys(&metadata["labels"]),
                    "f:ownerReferences": { ".": {}, format!("k:{{\"uid\":\"{owner_uid}\"}}"): {} },
                },
                "f:spec": {
                    "f:containers": {
                        "k:{\"name\":\"app\"}": {
                            ".": {}, "f:env": env, "f:image": {}, "f:imagePullPolicy": {}, "f:name": {}, "f:resources": {},
                            "f:terminationMessagePath": {}, "f:terminationMessagePolicy": {},
                        },
                    },
                    "f:dnsPolicy": {}, "f:enableServiceLinks": {}, "f:restartPolicy": {}, "f:schedulerName": {},
                    "f:securityContext": {}, "f:serviceAccount": {}, "f:serviceAccountName": {},
                    "f:terminationGracePeriodSeconds": {},
                },
            },
        },
        {
            "manager": "kubelet",
            "operation": "Update",
            "apiVersion": "v1",
            "time": "2026-11-20T10:00:07Z",
            "fieldsType": "FieldsV1",
            "fieldsV1": {
                "f:status": {
                    "f:conditions": conditions,
                    "f:containerStatuses": {}, "f:hostIP": {}, "f:hostIPs": {}, "f:phase": {}, "f:podIP": {},
                    "f:podIPs": { ".": {}, "k:{\"ip\":\"10.244.1.5\"}": { ".": {}, "f:ip": {} } }, "f:startTime": {},
                },
            },
            "subresource": "status",
        },
    ])
}

/// The webhook names the volume after a hash of the pod's name (`<generateName> (prefix)` for
/// controller pods); the fake uses a stand-in hash of the same length.
pub fn reserved_volume_name(pod_name: &str) -> String {
    format!("azure-workload-identity-reserved-{}", hex(pod_name, 30))
}

fn token_volume(name: &str, identity: Identity) -> Value {
    let audience = if identity == Identity::Binding { IDENTITY_BINDING_AUDIENCE } else { DEFAULT_AUDIENCE };
    let mut sources = vec![
        json!({ "serviceAccountToken": { "path": "token/azure-identity-token", "expirationSeconds": 3600, "audience": audience } }),
    ];
    if identity == Identity::Binding {
        sources.push(json!({ "configMap": { "name": "kube-root-ca.crt", "items": [{ "key": "ca.crt", "path": "ca-cert/ca.crt" }], "optional": false } }));
    }
    json!({ "name": name, "projected": { "sources": sources, "defaultMode": 420 } })
}

fn owner(kind: &str, name: &str, uid: &str) -> Value {
    let api_version = "apps/v1";
    json!({ "apiVersion": api_version, "kind": kind, "name": name, "uid": uid, "controller": true, "blockOwnerDeletion": true })
}

fn uid(namespace: &str, name: &str) -> String {
    let hash = fnv(format!("{namespace}/{name}").as_bytes());
    format!(
        "{:08x}-{:04x}-4{:03x}-9{:03x}-{:012x}",
        hash >> 32,
        (hash >> 16) & 0xffff,
        hash & 0xfff,
        (hash >> 4) & 0xfff,
        hash & 0xffff_ffff_ffff
    )
}
