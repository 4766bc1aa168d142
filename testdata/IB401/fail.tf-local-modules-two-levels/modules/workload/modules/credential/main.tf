variable "name" {
  type = string
}

variable "parent_id" {
  type = string
}

variable "subject" {
  type = string
}

resource "azurerm_federated_identity_credential" "this" {
  name      = var.name # expect: IB401
  parent_id = var.parent_id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = "https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a2b3c4d5e/"
  subject   = var.subject
}
