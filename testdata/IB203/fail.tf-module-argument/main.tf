# The module's ServiceAccount takes its client id from the caller, where a digit is missing: the
# finding is on the argument that holds the value.
module "orders" {
  source    = "./modules/identity"
  name      = "orders"
  namespace = "team-a"
  client_id = "3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f6" # expect: IB203
}
