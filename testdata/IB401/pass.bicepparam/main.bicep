// The default names the managed credential, but every deployment uses a parameter file
// (prod.bicepparam, main.parameters.json) that replaces it with the team's own name.
param identityName string = 'orders-identity'
param credentialName string = 'aks-identity-binding'

resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: identityName
  location: 'westeurope'

  resource fic 'federatedIdentityCredentials' = {
    name: credentialName
    properties: {
      issuer: 'https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0b5d7c1e-2f3a-4b6c-8d9e-0f1a2b3c4d5e/'
      subject: 'system:serviceaccount:team-a:orders'
      audiences: ['api://AzureADTokenExchange']
    }
  }
}
