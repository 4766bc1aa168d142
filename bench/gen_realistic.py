#!/usr/bin/env python3
"""Generates a deterministic repository of manifests shaped as real repositories write them.

The main benchmark's applications (gen_repo.py) are small: each pod has one container with a
one-entry port list and a three-entry resources block. Real Deployments also carry what the
linter never reads: named ports, resources, three probes, security contexts, lifecycle hooks,
affinity, tolerations, spread constraints, a sidecar; and real repositories vendor the
CustomResourceDefinitions of the operators they run, thousands of lines of schema each.

Each application is one file `apps/<team>/svc-<i>.yaml`: such a Deployment, whose pod asks for an
identity binding, its ServiceAccount, and the ClusterRole and ClusterRoleBinding that grant it
`use-managed-identity` (no planted mistakes: the figure is the cost of reading, not of
reporting). `crds/` holds one CRD for every 300 applications,
each with a nested schema (six properties a level, four levels) described as operators describe
theirs.

Usage: gen_realistic.py N OUT_DIR
"""
import os
import random
import sys
import uuid

from gen_repo import GRANT

DEPLOYMENT = (
    """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {ns}
  labels:
    app.kubernetes.io/name: {name}
    app.kubernetes.io/part-of: {ns}
spec:
  replicas: 3
  selector:
    matchLabels:
      app.kubernetes.io/name: {name}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {name}
        azure.workload.identity/use: "true"
      annotations:
        azure.workload.identity/use-identity-binding: "true"
    spec:
      serviceAccountName: {name}
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        fsGroup: 10001
        seccompProfile:
          type: RuntimeDefault
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm:
                topologyKey: kubernetes.io/hostname
                labelSelector:
                  matchLabels:
                    app.kubernetes.io/name: {name}
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
              - matchExpressions:
                  - key: agentpool
                    operator: In
                    values: [apps, apps2]
      tolerations:
        - key: dedicated
          operator: Equal
          value: apps
          effect: NoSchedule
        - key: kubernetes.azure.com/scalesetpriority
          operator: Equal
          value: spot
          effect: NoSchedule
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: topology.kubernetes.io/zone
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              app.kubernetes.io/name: {name}
      containers:
        - name: app
          image: myregistry.azurecr.io/{ns}/{name}:2.{minor}.0
          ports:
            - name: http
              containerPort: 8080
              protocol: TCP
            - name: metrics
              containerPort: 9090
              protocol: TCP
          env:
            - name: ASPNETCORE_URLS
              value: http://+:8080
            - name: LOG_LEVEL
              value: Information
          resources:
            requests:
              cpu: 250m
              memory: 256Mi
            limits:
              cpu: "1"
              memory: 512Mi
          livenessProbe:
            httpGet:
              path: /healthz/live
              port: http
            initialDelaySeconds: 10
            periodSeconds: 10
            timeoutSeconds: 2
            failureThreshold: 3
          readinessProbe:
            httpGet:
              path: /healthz/ready
              port: http
            periodSeconds: 5
            timeoutSeconds: 2
          startupProbe:
            httpGet:
              path: /healthz/startup
              port: http
            failureThreshold: 30
            periodSeconds: 2
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: [ALL]
          lifecycle:
            preStop:
              exec:
                command: [/bin/sh, -c, sleep 10]
          volumeMounts:
            - name: tmp
              mountPath: /tmp
        - name: proxy
          image: myregistry.azurecr.io/platform/envoy:1.30.1
          ports:
            - name: proxy
              containerPort: 15001
          resources:
            requests:
              cpu: 50m
              memory: 64Mi
            limits:
              memory: 128Mi
          readinessProbe:
            tcpSocket:
              port: proxy
          securityContext:
            allowPrivilegeEscalation: false
            capabilities:
              drop: [ALL]
      volumes:
        - name: tmp
          emptyDir: {{}}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {name}
  namespace: {ns}
  annotations:
    azure.workload.identity/client-id: "{client_id}"
    azure.workload.identity/tenant-id: "{tenant_id}"
"""
    + GRANT
)

CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: {plural}.example.azure.com
spec:
  group: example.azure.com
  names:
    kind: {kind}
    plural: {plural}
  scope: Namespaced
  versions:
    - name: v1api20240101
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
{properties}"""


def properties(indent, depth, width, out):
    for j in range(width):
        name = f"field{depth}x{j}"
        out.append(f"{' ' * indent}{name}:")
        out.append(
            f"{' ' * indent}  description: 'The {name} of the resource, as Azure Resource Manager "
            f"reports it; see https://learn.microsoft.com/azure/templates for the values it takes.'"
        )
        if depth < 3:
            out.append(f"{' ' * indent}  type: object")
            out.append(f"{' ' * indent}  properties:")
            properties(indent + 4, depth + 1, width, out)
        else:
            out.append(f"{' ' * indent}  type: string")
            out.append(f"{' ' * indent}  pattern: ^[a-zA-Z0-9-]+$")


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(13)
    tenant_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    for i in range(n):
        ns = f"team-{i % 20:02d}"
        name = f"svc-{i:05d}"
        client_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        fields = dict(name=name, ns=ns, minor=i % 10, client_id=client_id, grant_id=client_id, tenant_id=tenant_id)
        text = DEPLOYMENT.format(**fields)
        write(os.path.join(out, "apps", ns, f"{name}.yaml"), text)
    schema = []
    properties(16, 0, 6, schema)
    for k in range(max(1, n // 300)):
        text = CRD.format(kind=f"Thing{k}", plural=f"things{k}", properties="\n".join(schema) + "\n")
        write(os.path.join(out, "crds", f"thing{k}.yaml"), text)


if __name__ == "__main__":
    main()
