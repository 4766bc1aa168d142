# The name comes from prod.auto.tfvars.json, which overrides terraform.tfvars.
variable "credential_name" {
  type = string
}

resource "azurerm_federated_identity_credential" "orders" {
  name      = var.credential_name # expect: IB401
  parent_id = azurerm_user_assigned_identity.orders.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = "https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a2b3c4d5e/"
  subject   = "system:serviceaccount:team-a:orders"
}
