variable "name" {
  type = string
}

variable "namespace" {
  type = string
}

variable "client_id" {
  type = string
}

resource "kubernetes_service_account_v1" "this" {
  metadata {
    name      = var.name
    namespace = var.namespace
    annotations = {
      "azure.workload.identity/client-id" = var.client_id
      "azure.workload.identity/tenant-id" = "72f988bf-86f1-41af-91ab-2d7cd011db47"
    }
  }
}
