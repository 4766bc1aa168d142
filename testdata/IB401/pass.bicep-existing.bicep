// `existing` only reads: referring to the managed credential (to output its issuer, say) does not
// touch it.
resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: 'orders-identity'

  resource managed 'federatedIdentityCredentials' existing = {
    name: 'aks-identity-binding'
  }
}

resource alsoManaged 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' existing = {
  name: 'orders-identity/aks-identity-binding'
}

output issuer string = uami::managed.properties.issuer
