# A conditional on a known variable and a for expression over a literal list.
variable "use_managed_name" {
  type    = bool
  default = true
}

locals {
  clusters = [for suffix in ["identity-binding"] : "aks-${suffix}"]
}

resource "azurerm_federated_identity_credential" "conditional" {
  name      = var.use_managed_name ? "aks-identity-binding" : "orders-westeurope" # expect: IB401
  parent_id = azurerm_user_assigned_identity.orders.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = "https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a2b3c4d5e/"
  subject   = "system:serviceaccount:team-a:orders"
}

resource "azurerm_federated_identity_credential" "looped" {
  for_each  = toset(local.clusters)
  name      = each.value # expect: IB401
  parent_id = azurerm_user_assigned_identity.orders.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = "https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a2b3c4d5e/"
  subject   = "system:serviceaccount:team-a:orders"
}
