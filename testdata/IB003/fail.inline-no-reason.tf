# An inline suppression without a reason is not applied: the finding stays, and the comment is
# reported (markers in the sibling .expect file, since a marker comment would join the suppression).
resource "azurerm_federated_identity_credential" "ib" {
  # iblint:ignore IB401
  name      = "aks-identity-binding"
  parent_id = azurerm_user_assigned_identity.orders.id
}
