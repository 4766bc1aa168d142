param location string = resourceGroup().location

resource fluxIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-flux'
  location: location
}

resource fluxCredential 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = {
  parent: fluxIdentity
  name: 'flux-kustomize'
  properties: {
    issuer: 'https://westeurope.oic.prod-aks.azure.com/00000000-0000-0000-0000-000000000000/11111111-1111-1111-1111-111111111111/'
    subject: 'system:serviceaccount:flux-system:kustomize-controller'
    audiences: ['api://AzureADTokenExchange']
  }
}
