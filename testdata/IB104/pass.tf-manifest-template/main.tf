# A Deployment rendered from a template with a variable: the `use` label becomes "true".
variable "use_label" {
  type    = string
  default = "true"
}

resource "kubernetes_manifest" "api" {
  manifest = yamldecode(templatefile("${path.module}/deployment.tftpl", { use = var.use_label }))
}

resource "kubernetes_service_account_v1" "api" {
  metadata {
    name      = "api"
    namespace = "team-a"
    annotations = {
      "azure.workload.identity/client-id" = "3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60"
      "azure.workload.identity/tenant-id" = "72f988bf-86f1-41af-91ab-2d7cd011db47"
    }
  }
}
