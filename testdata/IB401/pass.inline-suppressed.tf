# Inline suppressions in Terraform, with `#` and `//`, on the line above and on the line itself:
# every write of the managed credential here is acknowledged with a reason, so none is reported.
resource "azurerm_federated_identity_credential" "ib" {
  # iblint:ignore IB401 -- migrating cluster aks-old off the managed credential (OPS-311)
  name      = "aks-identity-binding"
  parent_id = azurerm_user_assigned_identity.orders.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = azurerm_kubernetes_cluster.main.oidc_issuer_url
  subject   = "system:serviceaccount:team-a:orders"
}

resource "azapi_resource" "ib" {
  type      = "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31"
  name      = "aks-identity-binding" // iblint:ignore managed-fic-touched expires=2999-12-31 -- same migration
  parent_id = azurerm_user_assigned_identity.orders.id
}
