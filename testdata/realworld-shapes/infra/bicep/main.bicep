@description('Workloads that get an identity')
param apps array = [
  'orders'
  'billing'
]
param oidcIssuer string

resource aks 'Microsoft.ContainerService/managedClusters@2024-02-01' existing = {
  name: 'aks-shop'
}

resource ids 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = [for app in apps: {
  name: 'id-${app}'
  location: resourceGroup().location
}]

resource creds 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = [for (app, i) in apps: {
  parent: ids[i]
  name: 'fic-${app}'
  properties: {
    issuer: oidcIssuer
    subject: 'system:serviceaccount:${app}:${app}'
    audiences: [
      'api://AzureADTokenExchange'
    ]
  }
}]

output clientIds array = [for (app, i) in apps: ids[i].properties.clientId]
