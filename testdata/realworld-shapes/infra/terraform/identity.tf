resource "azurerm_user_assigned_identity" "app" {
  count               = var.enabled ? 1 : 0
  name                = "id-${var.name}"
  resource_group_name = var.resource_group
  location            = var.location
}

resource "azurerm_federated_identity_credential" "api" {
  name                = "api"
  resource_group_name = var.resource_group
  parent_id           = azurerm_user_assigned_identity.app[0].id
  audience            = ["api://AzureADTokenExchange"]
  issuer              = azurerm_kubernetes_cluster.aks.oidc_issuer_url
  subject             = "system:serviceaccount:${var.namespace}:api"
}

module "apps" {
  source   = "./modules/app"
  for_each = toset(var.apps)
  name     = each.key
}

locals {
  tags = merge(var.tags, { owner = "platform" })
}
