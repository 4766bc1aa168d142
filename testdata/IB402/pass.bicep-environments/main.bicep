// One template, two environments: each parameter file deploys 12 credentials on its own
// environment's identity (same name, other resource group). 24 in total, never on one identity.
param identityName string = 'orders-identity'
param clusters array

resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: identityName
  location: 'westeurope'
}

resource fics 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = [for c in clusters: {
  parent: uami
  name: 'orders-${c}'
  properties: {
    issuer: 'https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a2b3c4d5e/'
    subject: 'system:serviceaccount:team-a:orders'
    audiences: ['api://AzureADTokenExchange']
  }
}]
