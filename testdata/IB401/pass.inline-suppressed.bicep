// Inline suppressions in Bicep (`//`), above the value and after it.
resource orders 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'orders-identity'
  location: resourceGroup().location
  resource ib 'federatedIdentityCredentials' = {
    // iblint:ignore IB401 -- test subscription that recreates the credential by hand (OPS-312)
    name: 'aks-identity-binding'
    properties: {
      issuer: 'https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a2b3c4d5e/'
      subject: 'system:serviceaccount:team-a:orders'
      audiences: [
        'api://AzureADTokenExchange'
      ]
    }
  }
}

resource again 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = {
  name: '${orders.name}/aks-identity-binding' // iblint:ignore IB401 -- same test subscription
}
