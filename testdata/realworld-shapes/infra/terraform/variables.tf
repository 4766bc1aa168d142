variable "enabled" {
  type    = bool
  default = true
}

variable "name" {
  type = string
}

variable "apps" {
  type    = list(string)
  default = ["orders", "billing"]
}

variable "tags" {
  type = map(string)
  default = {
    env = "dev"
  }
}
