# An inline suppression whose only rule is misspelt suppresses nothing: the comment is reported
# with the rule it probably means, and the finding stays (markers in the .expect file).
resource "azurerm_federated_identity_credential" "ib" {
  name      = "aks-identity-binding" # iblint:ignore managed-fic-touch -- migration (OPS-317)
  parent_id = azurerm_user_assigned_identity.orders.id
}
