# Locals that refer to each other in a circle, and one that refers to itself.
locals {
  a    = local.b
  b    = "${local.a}-x"
  self = [local.self]
}

resource "azurerm_federated_identity_credential" "this" {
  name      = "${local.a}${local.self[0]}"
  parent_id = azurerm_user_assigned_identity.this.id
  issuer    = "https://example.com/"
  subject   = "system:serviceaccount:a:b"
}
