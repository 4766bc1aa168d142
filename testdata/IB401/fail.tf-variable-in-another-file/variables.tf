# The credential's name is a variable whose default, in another file of the module, is the
# AKS-managed name.
variable "credential_name" {
  type    = string
  default = "aks-identity-binding"
}
