// A bound identity whose other credentials have names known before deployment, and an unknown
// name on an identity no binding uses: nothing to report.
resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'orders-identity'
  location: 'westeurope'
}

resource other 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: 'billing-identity'
}

resource binding 'Microsoft.ContainerService/managedClusters/identityBindings@2025-06-02-preview' = {
  name: 'aks-orders/orders'
  properties: {
    managedIdentity: {
      resourceId: resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'orders-identity')
    }
  }
}

resource fic 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = {
  parent: uami
  name: 'orders-westeurope'
}

resource billing 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = {
  parent: other
  name: 'billing-${uniqueString(resourceGroup().id)}'
}
