# The root passes its own name through two levels of local modules.
module "orders" {
  source          = "./modules/workload"
  app             = "orders"
  namespace       = "team-a"
  credential_name = "orders-westeurope"
  identity_id     = azurerm_user_assigned_identity.orders.id
}
