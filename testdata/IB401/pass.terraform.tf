# Own credentials, and a name iblint cannot resolve (not guessed).
resource "azurerm_federated_identity_credential" "orders" {
  name      = "orders-${var.cluster}"
  parent_id = azurerm_user_assigned_identity.orders.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = azurerm_kubernetes_cluster.main.oidc_issuer_url
  subject   = "system:serviceaccount:team-a:orders"
}

# aks-identity-binding is managed by AKS: do not declare it here.
resource "azurerm_federated_identity_credential" "billing" {
  name      = var.credential_name
  parent_id = azurerm_user_assigned_identity.billing.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = azurerm_kubernetes_cluster.main.oidc_issuer_url
  subject   = "system:serviceaccount:team-b:billing"
}
