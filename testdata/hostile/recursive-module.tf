# A module that calls itself: Terraform would recurse forever; iblint follows it once and notes the cycle.
variable "depth" {
  default = 0
}

module "again" {
  source = "./"
  depth  = var.depth + 1
}

resource "azurerm_federated_identity_credential" "this" {
  name      = "level-${var.depth}"
  parent_id = azurerm_user_assigned_identity.this.id
  issuer    = "https://example.com/"
  subject   = "system:serviceaccount:a:b"
}
