// Deployed with prod.bicepparam, which names the managed credential: the finding is on the write,
// with the parameter file's value as the name's source.
param identityName string = 'orders-identity'
param credentialName string = 'orders-westeurope'

resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: identityName
  location: 'westeurope'

  resource fic 'federatedIdentityCredentials' = {
    name: credentialName // expect: IB401
    properties: {
      issuer: 'https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a2b3c4d5e/'
      subject: 'system:serviceaccount:team-a:orders'
      audiences: ['api://AzureADTokenExchange']
    }
  }
}
