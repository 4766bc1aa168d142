param identityName string
param credentialName string

resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: identityName
  location: 'westeurope'
}

module credential 'credential.bicep' = {
  name: 'credential'
  params: {
    identityName: uami.name
    name: credentialName
  }
}
