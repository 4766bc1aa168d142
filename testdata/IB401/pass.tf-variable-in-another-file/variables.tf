# The credential's name is a variable whose default, in another file of the module, is the
# team's own name.
variable "credential_name" {
  type    = string
  default = "orders-westeurope"
}
