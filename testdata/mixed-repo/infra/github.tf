# A GitHub Actions credential keeps its own subject format; ACR's documented audience is accepted.
resource "azurerm_federated_identity_credential" "github" {
  name      = "github-main"
  parent_id = azurerm_user_assigned_identity.deployer.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = "https://token.actions.githubusercontent.com"
  subject   = "repo:contoso/orders:ref:refs/heads/main"
}

resource "azurerm_federated_identity_credential" "acr" {
  name      = "orders-acr"
  parent_id = azurerm_user_assigned_identity.orders.id
  audience  = ["api://AzureCRTokenExchange"]
  issuer    = "https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a2b3c4d5e/"
  subject   = "system:serviceaccount:team-a:orders"
}
