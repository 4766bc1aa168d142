// Twenty-one credentials from a literal list on one identity: more than Azure allows (20).
var clusters = [for i in range(0, 21): 'cluster-${i}']

resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: 'orders-identity'
}

resource fics 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = [for c in clusters: {
  parent: uami
  name: 'orders-${c}' // expect: IB402
}]
