# Names built with functions and templates: evaluated, and none is the managed name.
locals {
  prefix = "orders"
  parts  = ["west", "europe"]
}

resource "azurerm_federated_identity_credential" "formatted" {
  name      = lower(format("%s-%s", local.prefix, join("", local.parts)))
  parent_id = azurerm_user_assigned_identity.orders.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = "https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a2b3c4d5e/"
  subject   = "system:serviceaccount:team-a:orders"
}

resource "azurerm_federated_identity_credential" "suffixed" {
  name      = "aks-identity-binding-${local.prefix}"
  parent_id = azurerm_user_assigned_identity.orders.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = "https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a2b3c4d5e/"
  subject   = "system:serviceaccount:team-a:orders"
}
