# One identity-binding Deployment, ServiceAccount and grant per team, from one map: every team
# has its client id, tenant id and grant.
locals {
  tenant_id = "72f988bf-86f1-41af-91ab-2d7cd011db47"
  teams = {
    orders  = { client_id = "3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60", image = "example.azurecr.io/orders:1.0" }
    billing = { client_id = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", image = "example.azurecr.io/billing:1.0" }
  }
}

resource "kubernetes_service_account_v1" "team" {
  for_each = local.teams
  metadata {
    name      = each.key
    namespace = "team-${each.key}"
    annotations = {
      "azure.workload.identity/client-id" = each.value.client_id
      "azure.workload.identity/tenant-id" = local.tenant_id
    }
  }
}

resource "kubernetes_deployment_v1" "team" {
  for_each = local.teams
  metadata {
    name      = each.key
    namespace = "team-${each.key}"
  }
  spec {
    selector {
      match_labels = { app = each.key }
    }
    template {
      metadata {
        labels = {
          app                           = each.key
          "azure.workload.identity/use" = "true"
        }
        annotations = {
          "azure.workload.identity/use-identity-binding" = "true"
        }
      }
      spec {
        service_account_name = kubernetes_service_account_v1.team[each.key].metadata[0].name
        container {
          name  = each.key
          image = each.value.image
        }
      }
    }
  }
}

resource "kubernetes_cluster_role_v1" "identity" {
  for_each = { for team, t in local.teams : team => t if t.client_id != "" }
  metadata {
    name = "use-identity-${each.key}"
  }
  rule {
    api_groups = ["cid.wi.aks.azure.com"]
    resources  = [each.value.client_id]
    verbs      = ["use-managed-identity"]
  }
}

resource "kubernetes_cluster_role_binding_v1" "identity" {
  for_each = kubernetes_cluster_role_v1.identity
  metadata {
    name = "use-identity-${each.key}"
  }
  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "ClusterRole"
    name      = "use-identity-${each.key}"
  }
  subject {
    kind      = "ServiceAccount"
    name      = each.key
    namespace = "team-${each.key}"
  }
}
