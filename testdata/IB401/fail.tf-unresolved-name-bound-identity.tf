# The identity is bound to the cluster (azapi identityBindings), and a credential on it has a name
# only Azure knows: it may be aks-identity-binding, so a reviewer should look.
resource "azapi_resource" "binding" {
  type      = "Microsoft.ContainerService/managedClusters/identityBindings@2025-06-02-preview"
  name      = "orders"
  parent_id = azurerm_kubernetes_cluster.main.id
  body = {
    properties = {
      managedIdentity = {
        resourceId = azurerm_user_assigned_identity.orders.id
      }
    }
  }
}

resource "azurerm_federated_identity_credential" "generated" {
  name      = random_pet.credential.id # expect: IB401
  parent_id = azurerm_user_assigned_identity.orders.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = "https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a2b3c4d5e/"
  subject   = "system:serviceaccount:team-a:orders"
}
