variable "name" {
  type = string
}

resource "azurerm_user_assigned_identity" "this" {
  name                = "id-${var.name}"
  resource_group_name = "rg-apps"
  location            = "westeurope"
}

resource "azurerm_federated_identity_credential" "this" {
  name                = "fic-${var.name}"
  resource_group_name = "rg-apps"
  parent_id           = azurerm_user_assigned_identity.this.id
  audience            = ["api://AzureADTokenExchange"]
  issuer              = data.azurerm_kubernetes_cluster.aks.oidc_issuer_url
  subject             = "system:serviceaccount:apps:${var.name}"

  lifecycle {
    ignore_changes = [issuer]
  }
}

output "client_id" {
  value = azurerm_user_assigned_identity.this.client_id
}
