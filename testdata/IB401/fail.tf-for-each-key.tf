# One credential per cluster, keyed by credential name: one key is the AKS-managed name.
locals {
  credentials = {
    "orders-westeurope"    = "system:serviceaccount:team-a:orders"
    "aks-identity-binding" = "system:serviceaccount:team-a:orders"
  }
}

resource "azurerm_federated_identity_credential" "orders" {
  for_each  = local.credentials
  name      = each.key # expect: IB401
  parent_id = azurerm_user_assigned_identity.orders.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = "https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a2b3c4d5e/"
  subject   = each.value
}
