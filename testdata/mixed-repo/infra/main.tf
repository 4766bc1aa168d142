# Terraform would fight AKS over the managed credential (a literal and a local).
locals {
  ib_name = "aks-identity-binding"
}

resource "azurerm_federated_identity_credential" "ib" {
  name      = "aks-identity-binding" # expect: IB401@15
  parent_id = azurerm_user_assigned_identity.orders.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = azurerm_kubernetes_cluster.main.oidc_issuer_url
  subject   = "system:serviceaccount:team-a:orders"
}

resource "azapi_resource" "ib" {
  type      = "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31"
  name      = local.ib_name # expect: IB401
  parent_id = azurerm_user_assigned_identity.orders.id
}
