# The root passes the AKS-managed name through two levels of local modules.
module "orders" {
  source          = "./modules/workload"
  app             = "orders"
  namespace       = "team-a"
  credential_name = "aks-identity-binding"
  identity_id     = azurerm_user_assigned_identity.orders.id
}
