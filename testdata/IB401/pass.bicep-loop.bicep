// Loops whose items are the team's own names; a filtered-out item names the managed credential
// but is never deployed.
var regions = ['westeurope', 'northeurope']

resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: 'orders-identity'
}

resource fics 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = [for (region, i) in regions: {
  parent: uami
  name: 'orders-${region}-${i}'
}]

resource filtered 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = [for name in ['orders', 'aks-identity-binding']: if (name != 'aks-identity-binding') {
  parent: uami
  name: name
}]
