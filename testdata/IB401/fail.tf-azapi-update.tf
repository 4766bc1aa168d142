# azapi_update_resource rewrites an existing resource: here the AKS-managed credential.
resource "azapi_update_resource" "managed" {
  type      = "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31"
  name      = "aks-identity-binding" # expect: IB401
  parent_id = azurerm_user_assigned_identity.orders.id
  body = jsonencode({
    properties = {
      subject = "system:serviceaccount:team-a:orders"
    }
  })
}
