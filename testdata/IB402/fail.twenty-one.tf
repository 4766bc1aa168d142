# 21 credentials on one identity: the 21st fails to deploy (Azure allows 20).
resource "azurerm_federated_identity_credential" "c1" {
  name      = "cluster-1"
  parent_id = azurerm_user_assigned_identity.shared.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = "https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a00000001/"
  subject   = "system:serviceaccount:team-a:orders"
}
resource "azurerm_federated_identity_credential" "c2" {
  name      = "cluster-2"
  parent_id = azurerm_user_assigned_identity.shared.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = "https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a00000002/"
  subject   = "system:serviceaccount:team-a:orders"
}
resource "azurerm_federated_identity_credential" "c3" {
  name      = "cluster-3"
  parent_id = azurerm_user_assigned_identity.shared.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = "https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a00000003/"
  subject   = "system:serviceaccount:team-a:orders"
}
resource "azurerm_federated_identity_credential" "c4" {
  name      = "cluster-4"
  parent_id = azurerm_user_assigned_identity.shared.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = "https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a00000004/"
  subject   = "system:serviceaccount:team-a:orders"
}
resource "azurerm_federated_identity_credential" "c5" {
  name      = "cluster-5"
  parent_id = azurerm_user_assigned_identity.shared.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = "https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a00000005/"
  subject   = "system:serviceaccount:team-a:orders"
}
resource "azurerm_federated_identity_credential" "c6" {
  name      = "cluster-6"
  parent_id = azurerm_user_assigned_identity.shared.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = "https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a00000006/"
  subject   = "system:serviceaccount:team-a:orders"
}
resource "azurerm_federated_identity_credential" "c7" {
  name      = "cluster-7"
  parent_id = azurerm_user_assigned_identity.shared.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = "https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a00000007/"
  subject   = "system:serviceaccount:team-a:orders"
}
resource "azurerm_federated_identity_credential" "c8" {
  name      = "cluster-8"
  parent_id = azurerm_user_assigned_identity.shared.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = "https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a00000008/"
  subject   = "system:serviceaccount:team-a:orders"
}
resource "azurerm_federated_identity_credential" "c9" {
  name      = "cluster-9"
  parent_id = azurerm_user_assigned_identity.shared.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = "https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a00000009/"
  subject   = "system:serviceaccount:team-a:orders"
}
resource "azurerm_federated_identity_credential" "c10" {
  name      = "cluster-10"
  parent_id = azurerm_user_assigned_identity.shared.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = "https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a00000010/"
  subject   = "system:serviceaccount:team-a:orders"
}
resource "azurerm_federated_identity_credential" "c11" {
  name      = "cluster-11"
  parent_id = azurerm_user_assigned_identity.shared.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = "https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a00000011/"
  subject   = "system:serviceaccount:team-a:orders"
}
resource "azurerm_federated_identity_credential" "c12" {
  name      = "cluster-12"
  parent_id = azurerm_user_assigned_identity.shared.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = "https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a00000012/"
  subject   = "system:serviceaccount:team-a:orders"
}
resource "azurerm_federated_identity_credential" "c13" {
  name      = "cluster-13"
  parent_id = azurerm_user_assigned_identity.shared.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = "https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a00000013/"
  subject   = "system:serviceaccount:team-a:orders"
}
resource "azurerm_federated_identity_credential" "c14" {
  name      = "cluster-14"
  parent_id = azurerm_user_assigned_identity.shared.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = "https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a00000014/"
  subject   = "system:serviceaccount:team-a:orders"
}
resource "azurerm_federated_identity_credential" "c15" {
  name      = "cluster-15"
  parent_id = azurerm_user_assigned_identity.shared.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = "https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a00000015/"
  subject   = "system:serviceaccount:team-a:orders"
}
resource "azurerm_federated_identity_credential" "c16" {
  name      = "cluster-16"
  parent_id = azurerm_user_assigned_identity.shared.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = "https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a00000016/"
  subject   = "system:serviceaccount:team-a:orders"
}
resource "azurerm_federated_identity_credential" "c17" {
  name      = "cluster-17"
  parent_id = azurerm_user_assigned_identity.shared.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = "https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a00000017/"
  subject   = "system:serviceaccount:team-a:orders"
}
resource "azurerm_federated_identity_credential" "c18" {
  name      = "cluster-18"
  parent_id = azurerm_user_assigned_identity.shared.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = "https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a00000018/"
  subject   = "system:serviceaccount:team-a:orders"
}
resource "azurerm_federated_identity_credential" "c19" {
  name      = "cluster-19"
  parent_id = azurerm_user_assigned_identity.shared.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = "https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a00000019/"
  subject   = "system:serviceaccount:team-a:orders"
}
resource "azurerm_federated_identity_credential" "c20" {
  name      = "cluster-20"
  parent_id = azurerm_user_assigned_identity.shared.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = "https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a00000020/"
  subject   = "system:serviceaccount:team-a:orders"
}
resource "azurerm_federated_identity_credential" "c21" {
  name      = "cluster-21"  # expect: IB402@15
  parent_id = azurerm_user_assigned_identity.shared.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = "https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a00000021/"
  subject   = "system:serviceaccount:team-a:orders"
}
