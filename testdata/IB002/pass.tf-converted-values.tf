# Terraform turns map values into strings before the API server sees them (labels and
# annotations are map(string) in the provider; kubernetes_manifest converts to the OpenAPI
# types): an unquoted true or 3600 here is "true" / "3600" on the object.
resource "kubernetes_service_account_v1" "api" {
  metadata {
    name      = "api"
    namespace = "team-a"
    labels = {
      team = true
    }
    annotations = {
      "azure.workload.identity/client-id"                        = "3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60"
      "azure.workload.identity/tenant-id"                        = "72f988bf-86f1-41af-91ab-2d7cd011db47"
      "azure.workload.identity/service-account-token-expiration" = 3600
    }
  }
}

resource "kubernetes_manifest" "config" {
  manifest = {
    apiVersion = "v1"
    kind       = "ServiceAccount"
    metadata = {
      name      = "reports"
      namespace = "team-a"
      labels    = { nightly = true }
    }
  }
}
