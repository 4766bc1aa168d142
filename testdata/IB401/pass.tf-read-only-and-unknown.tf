# Reading the managed credential is fine (data sources are read-only), and names that depend on
# Azure (a resource's computed attribute, a data source, a remote module's output, an unset
# variable) are unknown: not guessed.
data "azapi_resource" "managed" {
  type      = "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31"
  name      = "aks-identity-binding"
  parent_id = azurerm_user_assigned_identity.orders.id
}

variable "credential_name" {
  type = string
}

module "names" {
  source = "Azure/naming/azurerm"
}

resource "azurerm_federated_identity_credential" "from_data" {
  name      = data.azapi_resource.managed.name
  parent_id = azurerm_user_assigned_identity.orders.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = azurerm_kubernetes_cluster.main.oidc_issuer_url
  subject   = "system:serviceaccount:team-a:orders"
}

resource "azurerm_federated_identity_credential" "from_remote_module" {
  name      = module.names.federated_credential_name
  parent_id = azurerm_user_assigned_identity.orders.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = azurerm_kubernetes_cluster.main.oidc_issuer_url
  subject   = "system:serviceaccount:team-a:orders"
}

resource "azurerm_federated_identity_credential" "from_variable" {
  name      = var.credential_name
  parent_id = azurerm_user_assigned_identity.orders.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = azurerm_kubernetes_cluster.main.oidc_issuer_url
  subject   = "system:serviceaccount:team-a:orders"
}

resource "azurerm_federated_identity_credential" "from_computed" {
  name      = "${random_string.suffix.result}"
  parent_id = azurerm_user_assigned_identity.orders.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = azurerm_kubernetes_cluster.main.oidc_issuer_url
  subject   = "system:serviceaccount:team-a:orders"
}
