# A hundred million instances, and a for_each over a hundred million keys.
resource "azurerm_federated_identity_credential" "counted" {
  count     = 100000000
  name      = "fic-${count.index}"
  parent_id = azurerm_user_assigned_identity.this.id
  issuer    = "https://example.com/"
  subject   = "system:serviceaccount:a:b"
}

resource "azurerm_federated_identity_credential" "keyed" {
  for_each  = toset([for i in range(100000000) : tostring(i)])
  name      = each.key
  parent_id = azurerm_user_assigned_identity.this.id
  issuer    = "https://example.com/"
  subject   = "system:serviceaccount:a:b"
}
