// A parameter default and an interpolated name that are the team's own.
param cluster string = 'westeurope'
var suffix = 'orders'

resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: 'orders-identity'
}

resource fic 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = {
  parent: uami
  name: 'aks-${cluster}-${suffix}'
}
