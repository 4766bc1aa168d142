// The cluster is bound to orders-identity, and a credential of that identity gets a name only
// known at deployment: a note (not an error) so a reviewer checks it is never the managed one.
param clusterName string = 'aks-orders'

resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'orders-identity'
  location: 'westeurope'
}

resource aks 'Microsoft.ContainerService/managedClusters@2025-06-02-preview' existing = {
  name: clusterName

  resource binding 'identityBindings' = {
    name: 'orders'
    properties: {
      managedIdentity: {
        resourceId: uami.id
      }
    }
  }
}

resource fic 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = {
  parent: uami
  name: 'fic-${uniqueString(resourceGroup().id)}' // expect: IB401
}
