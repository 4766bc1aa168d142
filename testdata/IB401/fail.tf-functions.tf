# Names built with the common functions and templates still evaluate to the managed name.
locals {
  prefix = "AKS"
  parts  = ["identity", "binding"]
  names  = { managed = "aks-identity-binding" }
}

resource "azurerm_federated_identity_credential" "formatted" {
  name      = lower(format("%s-%s", local.prefix, join("-", local.parts))) # expect: IB401
  parent_id = azurerm_user_assigned_identity.orders.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = "https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a2b3c4d5e/"
  subject   = "system:serviceaccount:team-a:orders"
}

resource "azurerm_federated_identity_credential" "looked_up" {
  name      = lookup(merge(local.names, { other = "x" }), "managed", "fallback") # expect: IB401
  parent_id = azurerm_user_assigned_identity.orders.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = "https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a2b3c4d5e/"
  subject   = "system:serviceaccount:team-a:orders"
}

resource "azurerm_federated_identity_credential" "templated" {
  name      = "${lower(local.prefix)}-${trimspace(" identity ")}-${replace("binding_", "_", "")}" # expect: IB401
  parent_id = azurerm_user_assigned_identity.orders.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = "https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a2b3c4d5e/"
  subject   = "system:serviceaccount:team-a:orders"
}

resource "azurerm_federated_identity_credential" "coalesced" {
  name      = coalesce("", upper("aks-identity-binding")) # expect: IB401
  parent_id = azurerm_user_assigned_identity.orders.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = "https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a2b3c4d5e/"
  subject   = "system:serviceaccount:team-a:orders"
}
