#!/usr/bin/env python3
"""Generates a deterministic synthetic repository of N applications for the benchmark.

Each application is one file `apps/<team>/app-<i>.yaml` holding six documents: a Deployment whose
pod asks for an identity binding, its ServiceAccount, the ClusterRole + ClusterRoleBinding that
grant `use-managed-identity`, a Service and a ConfigMap (padded to about 3.2 KB per file, the
size of real application manifests). About one application in seven carries a planted mistake.

Each team also has a Terraform module, `infra/<team>/identities.tf`: a user-assigned managed
identity and a federated identity credential for each of its applications' ServiceAccounts,
through `for_each` over a map of the team's applications, so that the Terraform evaluator is
part of the measured run.

Two teams in fifty deploy with kustomize: their directory is a base (`kustomization.yaml` listing
its applications) that two overlays, `overlays/<team>/staging` and `overlays/<team>/prod`, build with
a namespace, a name prefix (staging), labels on the pod templates and a strategic merge patch, so
`iblint check` builds every root natively.

Usage: gen_repo.py N OUT_DIR
"""
import os
import random
import sys
import uuid

MISTAKES = [
    "missing-use-label",
    "use-label-not-true",
    "unquoted-bool-label",
    "client-id-typo-in-grant",
    "default-service-account",
    "tenant-missing",
    "hardcoded-client-id-env",
]

# The ClusterRole and ClusterRoleBinding that grant `use-managed-identity` on `{grant_id}` to the
# application's ServiceAccount (bench/gen_realistic.py writes them too).
GRANT = """\
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: use-mi-{name}
rules:
  - verbs: ["use-managed-identity"]
    apiGroups: ["cid.wi.aks.azure.com"]
    resources: ["{grant_id}"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: use-mi-{name}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: use-mi-{name}
subjects:
  - kind: ServiceAccount
    name: {name}
    namespace: {ns}
"""

TEMPLATE = (
    """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {ns}
  labels:
    app.kubernetes.io/name: {name}
    app.kubernetes.io/part-of: {team}
spec:
  replicas: 2
  selector:
    matchLabels:
      app.kubernetes.io/name: {name}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {name}
{use_label}      annotations:
        azure.workload.identity/use-identity-binding: "true"
    spec:
{sa_line}      containers:
        - name: app
          image: registry.example.com/{team}/{name}:1.{minor}.0
          ports:
            - containerPort: 8080
          env:
            - name: LOG_LEVEL
              value: info
{env_extra}          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              memory: 256Mi
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {name}
  namespace: {ns}
  annotations:
    azure.workload.identity/client-id: "{client_id}"
{tenant_line}"""
    + GRANT
    + """---
apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: {ns}
spec:
  selector:
    app.kubernetes.io/name: {name}
  ports:
    - port: 80
      targetPort: 8080
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}-config
  namespace: {ns}
data:
{config_lines}"""
)


def app(i, rng):
    team = f"team-{i % 50:02d}"
    name = f"app-{i:05d}"
    client_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    tenant = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    mistake = MISTAKES[(i // 7) % len(MISTAKES)] if i % 7 == 3 else None
    fields = dict(
        name=name,
        team=team,
        ns=team,
        minor=i % 10,
        client_id=client_id,
        grant_id=client_id,
        use_label='        azure.workload.identity/use: "true"\n',
        sa_line=f"      serviceAccountName: {name}\n",
        tenant_line=f'    azure.workload.identity/tenant-id: "{tenant}"\n',
        env_extra="",
    )
    if mistake == "missing-use-label":
        fields["use_label"] = ""
    elif mistake == "use-label-not-true":
        fields["use_label"] = '        azure.workload.identity/use: "True"\n'
    elif mistake == "unquoted-bool-label":
        fields["use_label"] = "        azure.workload.identity/use: true\n"
    elif mistake == "client-id-typo-in-grant":
        fields["grant_id"] = client_id[:-1] + ("0" if client_id[-1] != "0" else "1")
    elif mistake == "default-service-account":
        fields["sa_line"] = ""
    elif mistake == "tenant-missing":
        fields["tenant_line"] = ""
    elif mistake == "hardcoded-client-id-env":
        fields["env_extra"] = f"            - name: AZURE_CLIENT_ID\n              value: \"{client_id}\"\n"
    lines = []
    for k in range(40):
        lines.append(f"  setting_{k:02d}: \"value-{rng.getrandbits(40):010x}-{k}\"\n")
    fields["config_lines"] = "".join(lines)
    return team, name, TEMPLATE.format(**fields)


TERRAFORM = """\
variable "oidc_issuer_url" {{
  type    = string
  default = "https://westeurope.oic.prod-aks.azure.com/{tenant}/{cluster}/"
}}

locals {{
  apps = {{
{apps}  }}
}}

resource "azurerm_user_assigned_identity" "app" {{
  for_each            = local.apps
  name                = "id-${{each.key}}"
  resource_group_name = "rg-{team}"
  location            = "westeurope"
}}

resource "azurerm_federated_identity_credential" "app" {{
  for_each  = local.apps
  name      = "fic-${{each.key}}"
  parent_id = azurerm_user_assigned_identity.app[each.key].id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = var.oidc_issuer_url
  subject   = "system:serviceaccount:${{each.value}}:${{each.key}}"
}}
"""


def terraform(team, names, rng):
    tenant = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    cluster = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    apps = "".join(f'    "{name}" = "{team}"\n' for name in names)
    return TERRAFORM.format(tenant=tenant, cluster=cluster, apps=apps, team=team)


KUSTOMIZE_TEAMS = ("team-07", "team-32")

OVERLAY = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: {team}-{env}
{prefix}resources:
  - ../../../apps/{team}
labels:
  - pairs:
      environment: {env}
    includeTemplates: true
patches:
  - path: rollout.yaml
    target:
      kind: Deployment
"""

PATCH = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: any
spec:
  replicas: {replicas}
  template:
    metadata:
      annotations:
        example.com/rollout: "{env}"
"""


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def kustomize(out, team, names):
    resources = "".join(f"  - {name}.yaml\n" for name in sorted(names))
    write(os.path.join(out, "apps", team, "kustomization.yaml"), f"resources:\n{resources}")
    for env, replicas, prefix in (("staging", 1, "namePrefix: staging-\n"), ("prod", 3, "")):
        d = os.path.join(out, "overlays", team, env)
        write(os.path.join(d, "kustomization.yaml"), OVERLAY.format(team=team, env=env, prefix=prefix))
        write(os.path.join(d, "rollout.yaml"), PATCH.format(env=env, replicas=replicas))


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(7)
    teams = {}
    for i in range(n):
        team, name, text = app(i, rng)
        teams.setdefault(team, []).append(name)
        write(os.path.join(out, "apps", team, f"{name}.yaml"), text)
    # A separate generator keeps the applications' files what they were without Terraform.
    tf_rng = random.Random(11)
    for team, names in sorted(teams.items()):
        write(os.path.join(out, "infra", team, "identities.tf"), terraform(team, names, tf_rng))
    for team in KUSTOMIZE_TEAMS:
        if team in teams:
            kustomize(out, team, teams[team])


if __name__ == "__main__":
    main()
