# azapi_update_resource on the team's own credential, and reading the managed one, are fine.
resource "azapi_update_resource" "own" {
  type      = "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31"
  name      = "orders-westeurope"
  parent_id = azurerm_user_assigned_identity.orders.id
  body = jsonencode({
    properties = {
      subject = "system:serviceaccount:team-a:orders"
    }
  })
}

data "azapi_resource" "managed" {
  type      = "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31"
  name      = "aks-identity-binding"
  parent_id = azurerm_user_assigned_identity.orders.id
}
