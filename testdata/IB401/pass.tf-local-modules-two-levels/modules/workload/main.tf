variable "app" {
  type = string
}

variable "namespace" {
  type = string
}

variable "credential_name" {
  type = string
}

variable "identity_id" {
  type = string
}

module "credential" {
  source    = "./modules/credential"
  name      = var.credential_name
  parent_id = var.identity_id
  subject   = "system:serviceaccount:${var.namespace}:${var.app}"
}
