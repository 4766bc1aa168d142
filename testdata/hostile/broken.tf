# Broken HCL: unbalanced braces and a dangling string.
resource "azurerm_federated_identity_credential" "x" {
  name = "aks-identity-binding
  parent_id = {
