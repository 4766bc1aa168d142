# The module's ServiceAccount takes a well-formed client id from the caller.
module "orders" {
  source    = "./modules/identity"
  name      = "orders"
  namespace = "team-a"
  client_id = "3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60"
}
