// Loops over literal arrays and ranges, with `parent:` and '<identity>/<name>' names: the loop
// item that is the managed name is found, at the write, with the array item as its source.
var credentials = [
  'orders-westeurope'
  'aks-identity-binding'
]

resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: 'orders-identity'
}

resource fics 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = [for name in credentials: {
  parent: uami
  name: name // expect: IB401
}]

resource more 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = [for i in range(0, 2): {
  name: 'orders-identity/${i == 1 ? 'aks-identity-binding' : 'orders-${i}'}' // expect: IB401
}]
