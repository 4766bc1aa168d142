# Terraform credential for the identity-binding issuer.
resource "azurerm_federated_identity_credential" "copy" {
  name      = "orders-ib"
  parent_id = azurerm_user_assigned_identity.orders.id
  audience  = ["api://AKSIdentityBinding"]
  issuer    = "https://ib.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60" # expect: IB403
  subject   = "system:serviceaccount:team-a:orders"
}
