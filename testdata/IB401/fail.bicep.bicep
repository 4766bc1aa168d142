// Nested and '<identity>/<name>' forms both name the managed credential.
param location string = resourceGroup().location

resource orders 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'orders-identity'
  location: location
  resource ib 'federatedIdentityCredentials' = {
    name: 'aks-identity-binding' // expect: IB401@11
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
  name: '${orders.name}/aks-identity-binding' // expect: IB401
}
